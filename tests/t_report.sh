#!/usr/bin/env bash
# The ticket report (--report) for every sample capture: the HTML parses as strict XML, has no
# script, no external URL or resource, a Content-Security-Policy whose style hash matches the
# page's stylesheet, and internal links that resolve; the Markdown has no raw HTML and closed
# fences; both name every failure cause of the sample's reviewed expectations and its count,
# and --anonymize leaves no client address of the sample in either.
set -euo pipefail
cd "$TW_SOURCE_DIR"
# Options: a name that is neither .html nor .md, --anonymize alone and an unwritable file are
# errors (exit 2) that say what to do.
tmp=$(mktemp -d /tmp/tw-report-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
expect_error() { # WANT_MESSAGE ARGS...
    local want=$1 rc=0
    shift
    "$TLSWHY" -r samples/ok-tls12.pcap "$@" >/dev/null 2>"$tmp/err" || rc=$?
    if [ "$rc" -ne 2 ] || ! grep -q -- "$want" "$tmp/err"; then
        echo "FAIL: tlswhy $* exited $rc, stderr: $(cat "$tmp/err")"
        exit 1
    fi
}
expect_error "must end in .html (a web page) or .md (Markdown)" --report "$tmp/r.txt"
expect_error "--anonymize applies to --report" --anonymize
expect_error "cannot write" --report "$tmp/no/such/dir/r.html"
[ ! -e "$tmp/r.txt" ] || { echo "FAIL: r.txt was written"; exit 1; }
"$TLSWHY" -r samples/ok-tls12.pcap --report "$tmp/R.HTM" >/dev/null
grep -q '^<!DOCTYPE html>' "$tmp/R.HTM" || { echo "FAIL: .HTM is not HTML"; exit 1; }
python3 - "$TLSWHY" "$tmp" <<'PY'
import base64, hashlib, json, os, re, shlex, subprocess, sys
import xml.etree.ElementTree as ET

tlswhy = sys.argv[1]
samples = sorted(f[:-5] for f in os.listdir("samples") if f.endswith(".pcap"))
tmp = sys.argv[2]
bad = 0

def fail(name, why):
    global bad
    bad += 1
    print("FAIL %s: %s" % (name, why))

def args_for(name):
    path = os.path.join("samples", name + ".args")
    extra = shlex.split(open(path).read()) if os.path.exists(path) else []
    return ["--ca-file", "samples/pki/root.pem"] + extra

def report(name, ext, anonymize):
    out = os.path.join(tmp, "%s%s.%s" % (name, "-anon" if anonymize else "", ext))
    cmd = [tlswhy, "--no-summary", "-q"] + args_for(name) + ["--report", out]
    cmd += ["--anonymize"] if anonymize else []
    cmd += ["-r", os.path.join("samples", name + ".pcap")]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        fail(name, "exit %d: %s" % (p.returncode, p.stderr.strip()))
        return ""
    with open(out, encoding="utf-8") as f:  # strict: invalid UTF-8 raises
        return f.read()

FORBIDDEN = {"script", "link", "img", "iframe", "object", "embed", "base", "form", "audio",
             "video", "source", "image", "use", "foreignObject", "a"}

def check_html(name, text, expected):
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        return fail(name, "HTML is not well-formed: %s" % e)
    if "{name}" in text:
        fail(name, "a fix template was not filled")
    if not text.startswith("<!DOCTYPE html>\n"):
        fail(name, "no doctype")
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    csp = [e.get("content") for e in root.iter("meta") if e.get("http-equiv") == "Content-Security-Policy"]
    styles = [e.text or "" for e in root.iter("style")]
    if len(csp) != 1 or not csp[0].startswith("default-src 'none'; "):
        fail(name, "no strict Content-Security-Policy: %r" % csp)
    elif len(styles) != 1:
        fail(name, "%d style elements" % len(styles))
    else:
        want = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
        if "style-src 'sha256-%s'" % want not in csp[0]:
            fail(name, "CSP style hash is not the stylesheet's: set doc_html_style_sha256 to %s" % want)
    for e in root.iter():
        tag = e.tag.split("}")[-1]
        if tag in FORBIDDEN and not (tag == "a" and (e.get("href") or "").startswith("#")):
            fail(name, "element <%s %s>" % (tag, e.attrib))
        if tag == "a" and e.get("href", "#")[1:] not in ids:
            fail(name, "link to a missing id: %s" % e.get("href"))
        for k, v in e.attrib.items():
            if "://" in v or v.startswith("//") or k.lower().startswith("on") or k == "style":
                fail(name, "attribute %s=%r" % (k, v))
    for s in styles:
        if "url(" in s or "@import" in s:
            fail(name, "stylesheet loads something")
    if re.search(r"\b(https?|ftp|file)://|\bjavascript:", text, re.I):
        fail(name, "a URL scheme in the page")
    for cause, n in expected.items():
        sec = root.find(".//*[@id='g-%s']" % cause)
        if sec is None:
            fail(name, "no section for %s" % cause)
            continue
        head = "".join(sec.find("h3").itertext())
        if not head.startswith("%s: %d connection" % (cause, n)):
            fail(name, "section heading %r, want %d %s" % (head, n, cause))
        if not list(sec.iter("{http://www.w3.org/2000/svg}svg")) and not list(sec.iter("svg")):
            fail(name, "no ladder for %s" % cause)

def check_md(name, text, expected):
    fences = [l for l in text.split("\n") if l.startswith("```")]
    if len(fences) % 2 or len(fences) < 2 * len(expected):
        fail(name, "Markdown fences: %d" % len(fences))
    prose = re.sub(r"```text\n.*?\n```\n", "", text, flags=re.S)
    if re.search(r"<[A-Za-z/!]", prose):
        fail(name, "raw HTML in the Markdown: %r" % re.search(r"<[A-Za-z/!].{0,30}", prose).group(0))
    if "{name}" in text:
        fail(name, "a fix template was not filled")
    if not text.startswith("# Why TLS failed"):
        fail(name, "no title")
    for cause, n in expected.items():
        if "### %s: %d connection" % (cause.replace("_", "\\_"), n) not in text:
            fail(name, "no section for %d %s" % (n, cause))

checked = 0
for name in samples:
    rows = [json.loads(l) for l in open(os.path.join("samples", "expected", name + ".jsonl")) if l.strip()]
    expected = {}
    for r in rows:
        if r.get("outcome") == "failed":
            expected[r["cause"]] = expected.get(r["cause"], 0) + 1
    clients = {r["client"]["ip"] for r in rows if r.get("client")}
    html = report(name, "html", False)
    if html:
        check_html(name, html, expected)
        if "<tr><th>TLS connections reported</th><td>%d</td></tr>" % len(rows) not in html:
            fail(name, "TLS connections reported is not %d" % len(rows))
        if rows and not any(c in html for c in clients):
            fail(name, "no client address without --anonymize")
    for ext in ("html", "md"):
        text = report(name, ext, True)
        if not text:
            continue
        (check_html if ext == "html" else check_md)(name, text, expected)
        leaked = [c for c in clients if re.search(r"(?<![\w.:])%s(?![\w:]|\.\d)" % re.escape(c), text)]
        if leaked:
            fail(name, "--anonymize left client addresses %s in the %s" % (leaked, ext))
    checked += 1
print("report: %d samples, HTML and Markdown, %d problems" % (checked, bad))
if checked < 10:
    print("FAIL: only %d samples" % checked)
    bad += 1
sys.exit(1 if bad else 0)
PY
