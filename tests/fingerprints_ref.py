#!/usr/bin/env python3
"""fingerprints_ref.py TLSWHY [--self-test]: tlswhy's JA4 / JA3 / JA3S agree with the reference
implementations' published outputs for every TCP connection they list (issue 13).

References (../shared/peer-pcaps, see its README.md; which capture each belongs to comes from
INDEX.tsv's expected_files column): FoxIO's Rust snapshots, Python test data (JA4, JA4_r, JA4_o,
JA4_ro) and Zeek ssl.log; Arkime's session documents (ja4, ja4_r, ja3, ja3s); nDPI's flow lines
(JA4, JA3C, JA3S); Salesforce's Zeek ssl.log (ja3). Connections are matched by their two
endpoints. Values of QUIC or other non-TCP flows are skipped, counted and printed; JA4S/JA4X
values are not compared (tlswhy does not implement them). The second JA4 of a connection
(FoxIO Python "JA4.2": the ClientHello after a HelloRetryRequest) is counted and not compared:
tlswhy fingerprints the first ClientHello, as the Rust snapshots and Arkime do.

Exit 1 on any difference, on a connection tlswhy did not report or fingerprint, or when a
reference yields no value at all. --self-test alters one expected value and checks that the
comparison then fails."""
import csv, glob, ipaddress, json, os, re, subprocess, sys
from collections import defaultdict

PEER = os.environ.get("TW_PEER_PCAPS", "../shared/peer-pcaps")
SOURCES = ("foxio-ja4", "arkime", "ndpi", "salesforce-ja3")


def ep(ip, port):
    return (str(ipaddress.ip_address(ip.strip("[]"))), int(port))


def key(a, b):
    return frozenset((a, b))


def field_of(lines_fields, line, name):
    return line[lines_fields.index(name)]


def zeek_log(path, columns):
    """Rows of a Zeek TSV log as dicts, for the given fingerprint columns."""
    fields, out = None, []
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("#fields"):
            fields = line.split("\t")[1:]
        elif line and not line.startswith("#") and fields:
            row = dict(zip(fields, line.split("\t")))
            k = key(ep(row["id.orig_h"], row["id.orig_p"]), ep(row["id.resp_h"], row["id.resp_p"]))
            for c in columns:
                if row.get(c, "-") not in ("-", "(empty)", ""):
                    out.append((k, c.lower(), row[c]))
    return out


def rust_snapshot(path):
    items, cur = [], None
    for line in open(path):
        m = re.match(r"^(- |  )(\w+): (.*)$", line.rstrip("\n"))
        if not m:
            continue
        if m.group(1) == "- ":
            cur = {}
            items.append(cur)
        if cur is not None:
            cur.setdefault(m.group(2), m.group(3).strip().strip("'\""))
    out = []
    for it in items:
        if "ja4" not in it:
            continue
        k = key(ep(it["src"], it["src_port"]), ep(it["dst"], it["dst_port"]))
        out.append((k, "ja4", it["ja4"], it.get("transport", "tcp")))
    return out


def python_testdata(name):
    data = json.load(open(os.path.join(PEER, "expected/foxio-ja4/python-testdata.json")))
    out = []
    for e in data.get(name, []):
        k = key(ep(e["src"], e["srcport"]), ep(e["dst"], e["dstport"]))
        for f, ours in (("JA4.1", "ja4"), ("JA4_r.1", "ja4_r"), ("JA4_o.1", "ja4_o"),
                        ("JA4_ro.1", "ja4_ro")):
            if f in e:
                out.append((k, ours, e[f]))
        for f in e:
            if re.match(r"JA4(_r|_o|_ro)?\.[2-9]$", f):
                out.append((k, "second_hello", e[f]))
    return out


def arkime(path):
    out = []
    for s in json.load(open(path)).get("sessions3", []):
        b = s["body"]
        tls = b.get("tls")
        if not tls:
            continue
        k = key(ep(b["source"]["ip"], b["source"]["port"]),
                ep(b["destination"]["ip"], b["destination"]["port"]))
        proto = "tcp" if b.get("ipProtocol") == 6 else "udp"
        for f in ("ja4", "ja4_r", "ja3", "ja3s"):
            for v in tls.get(f, []):
                out.append((k, f, v, proto))
    return out


def ndpi(path):
    out = []
    for line in open(path):
        m = re.match(r"^\t\d+\t(TCP|UDP) (\S+) <-> (\S+) ", line)
        if not m:
            continue
        a, b = (x.rsplit(":", 1) for x in (m.group(2), m.group(3)))
        k = key(ep(*a), ep(*b))
        for tag, ours in (("JA4", "ja4"), ("JA3C", "ja3"), ("JA3S", "ja3s")):
            for v in re.findall(r"\[%s: ([0-9a-z_]+)[^\]]*\]" % tag, line):  # "x (WEAK)"
                out.append((k, ours, v, m.group(1).lower()))
    return out


def expectations():
    """(capture, reference label, key, field, value, transport) for every reference value."""
    rows = list(csv.DictReader(open(os.path.join(PEER, "INDEX.tsv")), delimiter="\t"))
    exp = []
    for r in rows:
        cap = os.path.join(PEER, r["file"])
        for ref in r["expected_files"].split(";"):
            if not any(ref.startswith("expected/%s/" % s) for s in SOURCES):
                continue
            path, _, name = ref.partition("#")
            full = os.path.join(PEER, path)
            if "rust-snapshots" in path:
                got = rust_snapshot(full)
            elif path.endswith("python-testdata.json"):
                got = [x + ("tcp",) for x in python_testdata(name)]
            elif path.endswith("zeek-Scripts.ja4-tls-handshake.ssl.log"):
                got = [x + ("tcp",) for x in zeek_log(full, ["ja4"])]
            elif path.endswith(".ssl.log"):
                got = [x + ("tcp",) for x in zeek_log(full, ["ja3"])]
            elif path.startswith("expected/arkime/"):
                got = arkime(full)
            elif path.startswith("expected/ndpi/"):
                got = ndpi(full)
            else:
                continue  # wireshark-testdata.json: per frame, no connection key
            for k, f, v, transport in got:
                if f == "ja4" and v[:1] in ("q", "d"):
                    transport = "quic/dtls"  # JA4's first letter: q QUIC, d DTLS
                exp.append((r["file"], ref, k, f, v, transport))
    return exp


def tlswhy_output(tlswhy, capture):
    p = subprocess.run([tlswhy, "--json", "--ja4-raw", "--no-summary", "-r", capture],
                       capture_output=True, text=True, timeout=300)
    if p.returncode not in (0, 2):  # 2: a truncated or damaged input, still analysed
        raise SystemExit("FAIL tlswhy exited with %d on %s: %s" % (p.returncode, capture,
                                                                   p.stderr[-2000:]))
    conns = defaultdict(list)
    for line in p.stdout.splitlines():
        o = json.loads(line)
        k = key(ep(o["client"]["ip"], o["client"]["port"]), ep(o["server"]["ip"], o["server"]["port"]))
        conns[k].append(o)
    return conns


def is_ip(s):
    try:
        ipaddress.ip_address(s)
        return True
    except ValueError:
        return False


def ndpi_deviation(ref, conn):
    """Why an nDPI JA4 differs from tlswhy's, when the difference is exactly one of the places
    where nDPI (snapshot 2024-10-21) departs from FoxIO's specification; None otherwise. The
    cipher count, extension count, version and both hashes must still agree."""
    ours = conn.get("ja4") or ""
    if len(ref) != 36 or len(ours) != 36 or ref[11:23] != ours[11:23]:
        return None
    why = []
    if ref[24:] != ours[24:]:
        if ref[24:] == "e3b0c44298fc" and ours[24:] == "000000000000":
            why.append("empty extension list hashed as sha256('') instead of 000000000000")
        else:
            return None
    if ref[:3] != ours[:3] or ref[4:8] != ours[4:8]:
        return None
    if ref[3] != ours[3]:
        sni = conn.get("sni")
        if ref[3] == "d" and ours[3] == "i" and sni is None:
            why.append("SNI flag 'd' for a ClientHello without server_name")
        elif ref[3] == "i" and ours[3] == "d" and sni is not None and is_ip(sni):
            why.append("SNI flag 'i' for a server_name that is an IP address (%s)" % sni)
        else:
            return None
    if ref[8:10] != ours[8:10]:
        alpn = (conn.get("alpn_offered") or [""])[0]
        if len(alpn) >= 2 and ref[8:10] == alpn[:2] and ours[8:10] == alpn[0] + alpn[-1]:
            why.append("ALPN characters are the first two of '%s', not the first and last" % alpn)
        else:
            return None
    return "; ".join(why)


def alpn_revision(ref, conn, f):
    """Why a FoxIO JA4 differs from tlswhy's when the first ALPN value has a non-alphanumeric
    end byte: the snapshot's implementations print '9' for a non-ASCII character, the current
    specification (technical_details/JA4.md, the rule tlswhy follows) the first and last digit
    of the value's hex form. Everything else must agree; None otherwise."""
    ours = conn.get(f) or ""
    alpn = (conn.get("alpn_offered") or [""])[0]  # bytes as code points U+0000..U+00FF
    if not alpn or len(ref) != len(ours) or ref[:8] + ref[10:] != ours[:8] + ours[10:]:
        return None
    old = "".join(c if ord(c) < 128 else "9" for c in (alpn[0], alpn[-1]))
    hexed = "".join("%02x" % ord(c) for c in alpn)
    if ref[8:10] == old and ours[8:10] == hexed[0] + hexed[-1]:
        return "ALPN %r: reference '%s' (non-ASCII as '9'), tlswhy '%s' (hex rule)" % (
            alpn, old, ours[8:10])
    return None


def malformed_hello(conn):
    """tlswhy reports the ClientHello malformed and so gives no fingerprint (by design)."""
    return (conn.get("ja4") is None and "malformed" in conn.get("warnings", [])
            and "malformed" in (conn.get("incomplete_reason") or conn.get("explanation") or ""))


def compare(tlswhy, exp, quiet=False):
    outputs, bad, agree, skipped, second, per_field = {}, 0, 0, 0, 0, defaultdict(int)
    deviations, malformed, revisions, seen = 0, 0, 0, set()
    for cap, ref, k, f, v, transport in exp:
        if transport != "tcp":
            skipped += 1
            if not quiet:
                print("skip (non-TCP %s): %s %s %s=%s" % (transport, cap, ref, f, v))
            continue
        if f == "second_hello":
            second += 1
            continue
        if cap not in outputs:
            outputs[cap] = tlswhy_output(tlswhy, os.path.join(PEER, cap))
        seen.add((cap, k))
        conns = outputs[cap].get(k, [])
        ours = [o.get(f) for o in conns]
        if v in ours:
            agree += 1
            per_field[f] += 1
            continue
        why = [ndpi_deviation(v, o) for o in conns] if ref.startswith("expected/ndpi/") and f == "ja4" else []
        rev = [alpn_revision(v, o, f) for o in conns] if f.startswith("ja4") else []
        if any(rev):
            revisions += 1
            if not quiet:
                print("ALPN rule revision %s %s %s: %s"
                      % (cap, sorted(map(str, k)), f, next(w for w in rev if w)))
            continue
        if any(why):
            deviations += 1
            if not quiet:
                print("nDPI deviation %s %s: reference %s, tlswhy %s: %s"
                      % (cap, sorted(map(str, k)), v, ours, next(w for w in why if w)))
            continue
        if conns and all(malformed_hello(o) for o in conns) and f in ("ja4", "ja3"):
            malformed += 1
            if not quiet:
                print("malformed ClientHello %s %s: reference %s=%s, tlswhy reports the hello "
                      "malformed and fingerprints nothing" % (cap, sorted(map(str, k)), f, v))
            continue
        bad += 1
        if not quiet:
            what = "no such connection in tlswhy's output" if not ours else "tlswhy says %s" % ours
            print("FAIL %s (%s) %s %s: reference %s, %s" % (cap, ref, sorted(map(str, k)), f, v, what))
    total = agree + bad
    fields = ", ".join("%s %d" % (f, n) for f, n in sorted(per_field.items()))
    print("fingerprints: %d of %d reference values agree exactly (%s) for %d TCP connections "
          "in %d captures; "
          "besides, %d nDPI JA4 values differ only where nDPI departs from the FoxIO "
          "specification, %d FoxIO JA4 values only by the revised ALPN hex rule, %d come from "
          "a ClientHello tlswhy reports malformed; %d non-TCP values skipped; %d "
          "second-ClientHello values not compared"
          % (agree, total, fields, len(seen), len(outputs), deviations, revisions, malformed, skipped,
             second))
    return bad == 0 and total > 0


def main():
    tlswhy = sys.argv[1]
    if not os.path.isfile(os.path.join(PEER, "INDEX.tsv")):
        print("FAIL: %s/INDEX.tsv not found (set TW_PEER_PCAPS)" % PEER)
        return 1
    exp = expectations()
    if "--self-test" in sys.argv:
        i = next(i for i, e in enumerate(exp) if e[3] == "ja3" and e[5] == "tcp")
        cap, ref, k, f, v, t = exp[i]
        altered = [(cap, ref, k, f, v[:-1] + ("0" if v[-1] != "0" else "1"), t)]
        if compare(tlswhy, altered, quiet=True):
            print("FAIL self-test: an altered reference value was not caught")
            return 1
        print("self-test: an altered reference value is caught")
        return 0
    return 0 if compare(tlswhy, exp) else 1


if __name__ == "__main__":
    sys.exit(main())
