#!/usr/bin/env bash
# Strings from the wire cannot attack the reader of the output. samples/hostile-names.pcap (real
# connections, scripts/samples/scenarios-hostile.sh) carries server names, certificate names and
# HTTP bytes made of terminal escapes, CR/LF, quotes, <script>, NUL, DEL, C1 controls and
# ill-formed UTF-8 (scripts/samples/hostile.py holds them). Checked:
#   - text (-v, with and without colour, summary included): valid UTF-8 without a control
#     character (C0 but newline, DEL, C1) apart from tlswhy's own colour codes; a name with a NUL
#     is shown whole;
#   - JSON: every line parses, holds no raw C0 or DEL, and the server names come back byte
#     for byte by the mapping of docs/json.md; certificate names come back as the certificate
#     layer escaped them; the summary on stderr is clean too.
set -euo pipefail
cd "$TW_SOURCE_DIR"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cap=samples/hostile-names.pcap
args=(--ca-file samples/pki/root.pem -r "$cap")
"$TLSWHY" -v --color=never "${args[@]}" >"$out/never.txt"
"$TLSWHY" -v --color=always "${args[@]}" >"$out/always.txt"
"$TLSWHY" --json "${args[@]}" >"$out/lines.jsonl" 2>"$out/summary.txt"
python3 - "$out" <<'PY'
import json, os, re, sys
sys.path.insert(0, "scripts/samples")
import hostile

out = sys.argv[1]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def clean_text(name, data, own_sgr=False, c1=False):
    """Valid UTF-8 with no C0 (newline apart), DEL or C1 character; tlswhy's own SGR colour codes
    (ESC [ digits m) are allowed when own_sgr, well-formed C1 characters when c1."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        check(False, "%s: not UTF-8: %s" % (name, e))
        return
    if own_sgr:
        text = re.sub("\x1b\\[[0-9;]*m", "", text)
    bad = [(i, c) for i, c in enumerate(text)
           if (ord(c) < 0x20 and c != "\n") or ord(c) == 0x7F or (0x80 <= ord(c) <= 0x9F and not c1)]
    check(not bad, "%s: %d control characters, first %r at %d" % (
        name, len(bad), bad[0][1] if bad else "", bad[0][0] if bad else 0))


def read(name):
    with open(os.path.join(out, name), "rb") as f:
        return f.read()


never, always = read("never.txt"), read("always.txt")
clean_text("text", never)
clean_text("text --color=always", always, own_sgr=True)
clean_text("summary (--json, stderr)", read("summary.txt"))
check(b"\x1b[" in always, "--color=always wrote no colour at all (the SGR allowance is untested)")
text = never.decode("utf-8", "replace")
# A NUL does not shorten the name; escapes are shown as text.
check("sni=nul\\x00byte\\x1b[31m.test " in text, "text: the server name with a NUL is not whole")
check("sni=\\x1b[2J\\x1b]0;pwned\\x07evil\\x0d\\x0aX-Injected" in text,
      "text: the hostile server name is not shown escaped")
check("\\xc2\\x9b31m" in text, "text: the C1 control (U+009B, CSI) is not escaped")


def wire_bytes(literal):
    """The bytes a JSON string literal stands for, by docs/json.md: \\u00XX is byte XX (a control
    or an ill-formed byte), other characters are their UTF-8."""
    b, i = bytearray(), 0
    simple = {'"': b'"', "\\": b"\\", "/": b"/", "b": b"\b", "f": b"\f", "n": b"\n",
              "r": b"\r", "t": b"\t"}
    while i < len(literal):
        c = literal[i]
        if c != "\\":
            b += c.encode("utf-8")
            i += 1
        elif literal[i + 1] == "u":
            cp = int(literal[i + 2:i + 6], 16)
            b += bytes([cp]) if cp < 0x100 else chr(cp).encode("utf-8")
            i += 6
        else:
            b += simple[literal[i + 1]]
            i += 2
    return bytes(b)


def cert_escaped(s):
    """A certificate name as the certificate layer writes it: C0 and DEL as \\xNN."""
    return "".join("\\x%02x" % ord(c) if ord(c) < 0x20 or ord(c) == 0x7F else c for c in s)


lines = read("lines.jsonl").decode("utf-8").splitlines()
check(len(lines) == 4, "JSON: %d lines, expected 4 connections" % len(lines))
objs = []
for n, line in enumerate(lines, 1):
    # JSON keeps well-formed UTF-8 as is, C1 characters included (docs/json.md: \u0080..\u009f
    # stand for ill-formed bytes); it is for programs, the text output is for terminals.
    clean_text("JSON line %d" % n, line.encode("utf-8"), c1=True)
    try:
        objs.append(json.loads(line))
    except ValueError as e:
        check(False, "JSON line %d does not parse: %s" % (n, e))
        objs.append(None)
    m = re.search(r'"sni":(null|"((?:[^"\\]|\\.)*)")', line)
    got = None if not m or m.group(1) == "null" else wire_bytes(m.group(2))
    want = [hostile.SNI_NUL, hostile.SNI_NO_NUL, None, hostile.SNI_NO_NUL][n - 1] if n <= 4 else None
    check(got == want, "JSON line %d: sni %r, sent %r" % (n, got, want))
if len(objs) == 4 and objs[1]:
    cert = objs[1]["cert"]
    check(cert and cert["subject_cn"] == cert_escaped(hostile.LEAF_CN),
          "JSON: the leaf's subject_cn %r" % (cert and cert["subject_cn"]))
    check(cert and cert["sans"] == [cert_escaped(s) for s in hostile.LEAF_SANS],
          "JSON: the leaf's sans %r" % (cert and cert["sans"]))
    check(cert and cert["issuer_cn"] == cert_escaped(hostile.CA_CN),
          "JSON: the leaf's issuer_cn %r" % (cert and cert["issuer_cn"]))
if len(objs) == 4 and objs[2] and objs[3]:
    # The quoted first bytes keep what they quote (JSON escapes it, the text escapes it).
    want = hostile.HTTP_REQUEST.split(b"\r\n")[0].decode("latin-1")
    check(want in objs[2]["explanation"], "JSON: the HTTP request is not quoted whole: %r"
          % objs[2]["explanation"])
    check("HTTP/1.1 400 \x1b[31mBad\x1b[0m <script>" in objs[3]["explanation"],
          "JSON: the HTTP response is not quoted: %r" % objs[3]["explanation"])
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
PY

# The ticket report (--report): the same names in HTML and Markdown. HTML: strict XML, no element
# or attribute the wire could have brought (no script, no event handler, no link out), no raw
# control byte, and each hostile name visible as text; Markdown: no raw HTML tag and no control
# byte, the names visible.
"$TLSWHY" --no-summary "${args[@]}" --report "$out/r.html" >/dev/null
"$TLSWHY" --no-summary "${args[@]}" --report "$out/r.md" >/dev/null
python3 - "$out" <<'PY'
import os, re, sys
import xml.etree.ElementTree as ET

out = sys.argv[1]
failures = []
html = open(os.path.join(out, "r.html"), "rb").read()
md = open(os.path.join(out, "r.md"), "rb").read()
for name, data in (("HTML", html), ("Markdown", md)):
    text = data.decode("utf-8")  # raises on ill-formed UTF-8: the test fails
    bad = [c for c in text if (ord(c) < 0x20 and c not in "\n") or ord(c) == 0x7F
           or 0x80 <= ord(c) <= 0x9F]
    if bad:
        failures.append("%s: %d raw control characters, first %r" % (name, len(bad), bad[0]))
try:
    root = ET.fromstring(re.sub(rb"^<!DOCTYPE[^>]*>", b"", html))
except ET.ParseError as e:
    failures.append("HTML: not well-formed: %s" % e)
    root = None
if root is not None:
    for el in root.iter():
        tag = el.tag.split("}")[-1].lower()
        if tag in ("script", "iframe", "object", "embed", "img", "a") and tag != "a":
            failures.append("HTML: a <%s> element" % tag)
        for k, v in el.attrib.items():
            if k.lower().startswith("on") or (k.lower() in ("href", "src") and not v.startswith("#")):
                failures.append("HTML: attribute %s=%r" % (k, v))
page = html.decode("utf-8")
for needle in ("&lt;script&gt;", "\\x1b[2J"):
    if needle not in page:
        failures.append("HTML: %r not shown as text" % needle)
mdtext = md.decode("utf-8")
# Inside a fenced block (the ladders) text is literal in every Markdown renderer; doc_md_code
# keeps a backtick from closing the fence. Outside, no tag may appear.
prose = re.sub(r"(?ms)^```.*?^```$", "", mdtext)
if prose.count("```"):
    failures.append("Markdown: an unbalanced fence")
tag = re.search(r"<\s*/?\s*(script|img|a|iframe|b|i|div|span)\b[^>]{0,40}", prose, re.I)
if tag:
    failures.append("Markdown: a raw HTML tag: %r" % tag.group(0))
if "&lt;script&gt;" not in mdtext:
    failures.append("Markdown: <script> not shown as text")
for f in failures:
    print("FAIL", f)
print("hostile names: text, JSON, HTML and Markdown" if not failures else "", end="")
sys.exit(1 if failures else 0)
PY
echo
