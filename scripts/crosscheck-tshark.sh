#!/usr/bin/env bash
# crosscheck-tshark.sh [--self-test] [PCAP...]: compares, per TCP connection, what tlswhy
# extracts with what `tshark -T fields` extracts from the same capture: SNI, offered versions,
# chosen version, offered cipher suites (wire order, GREASE included), chosen cipher, and the
# plaintext alert codes with their sender. Default inputs: samples/*.pcap* and every capture
# in ../shared/peer-pcaps/INDEX.tsv (its tshark_options_used column is passed to tshark; a
# "-d tcp.port==N,tls" there also becomes "--tls-port N" for tlswhy).
#
# tlswhy side: `$TLSWHY -r FILE --json [--tls-port N]` (default build/tlswhy), JSON Lines with
#   client/server {"ip","port"}, sni, versions_offered (names), version, cipher (IANA name or
#   "0x...."), cipher_suites_offered ("0x1301", ...), alerts [{from, level, code, name,
#   encrypted}] (or a single `alert`). A field tlswhy does not emit yet is reported as
#   "not compared" instead of failing.
# versions_offered is taken to mean: supported_versions without GREASE when the ClientHello
#   has it, else [legacy_version]. Only alerts whose code tshark can see (plaintext) count.
#
# Exit: 0 all agree (or tshark missing: "SKIPPED: tshark not installed"), 1 a disagreement,
# 2 tlswhy missing or a tool failed. --self-test checks the comparison itself on
# tests/data/tls/*.pcap with a tlswhy stand-in built from tshark's own answers (must agree)
# and with mutated copies (each must disagree); it needs tshark but not tlswhy.
set -uo pipefail
cd "${0%/*}/.." || exit 2
if ! command -v tshark >/dev/null 2>&1; then
    echo "SKIPPED: tshark not installed (scripts/deps.sh test installs it); nothing was compared"
    exit 0
fi
export TLSWHY="${TLSWHY:-build/tlswhy}"
exec python3 - "$@" <<'PY'
import json, os, shlex, subprocess, sys, glob, copy

HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
VERSIONS = {0x0002: "SSLv2", 0x0300: "SSLv3", 0x0301: "TLSv1", 0x0302: "TLSv1.1",
            0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
FIELDS = ["frame.number", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst",
          "ipv6.dst", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack", "tls.handshake.type",
          "tls.handshake.extensions_server_name", "tls.handshake.extensions.supported_version",
          "tls.handshake.version", "tls.handshake.ciphersuite", "tls.handshake.cipherspec",
          "tls.handshake.random",
          "tls.alert_message.level", "tls.alert_message.desc"]


def tshark_sni_part(sni):
    """The part of a server name that tshark -T fields shows as it is: it stops at a NUL, writes
    CR, LF and TAB as \\r, \\n, \\t and every byte outside ASCII as U+FFFD (even in well-formed
    UTF-8), so non-ASCII is left out on both sides (tests/t_hostile_names.sh checks those bytes)."""
    if sni is None:
        return None
    sni = sni.split("\x00")[0].replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return "".join(ch for ch in sni if ord(ch) < 0x80)


def vname(v):
    if v in VERSIONS:
        return VERSIONS[v]
    if v >> 8 == 0x7f:
        return "TLSv1.3-draft%d" % (v & 0xff)
    return "0x%04x" % v


def grease(v):
    return (v & 0x0f0f) == 0x0a0a and (v >> 8) == (v & 0xff)


def suite_names():
    out = subprocess.run(["tshark", "-G", "values"], capture_output=True, text=True).stdout
    names = {}
    for line in out.splitlines():
        p = line.split("\t")
        if len(p) == 4 and p[0] == "V" and p[1] == "tls.handshake.ciphersuite":
            names[int(p[2], 0)] = p[3]
    return names


def ints(s):
    return [int(x, 0) for x in s.split(",") if x != ""]


def tshark_conns(pcap, opts):
    """Per TCP stream, in order of first frame: what tshark decoded of the first handshake."""
    cmd = ["tshark", "-r", pcap, "-n", "-Y", "tcp"] + opts + ["-T", "fields", "-E",
           "separator=\t", "-E", "aggregator=,", "-E", "occurrence=a"]
    for f in FIELDS:
        cmd += ["-e", f]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0 and not res.stdout:
        raise RuntimeError("tshark failed on %s: %s" % (pcap, res.stderr.strip()[-200:]))
    if res.returncode != 0:  # a truncated capture: tshark still printed what it read
        print("note: tshark exit %d on %s (damaged file); using what it read" %
              (res.returncode, pcap))
    conns = {}
    for line in res.stdout.splitlines():
        r = dict(zip(FIELDS, line.split("\t")))
        sid = r["tcp.stream"]
        # tunnels (GTP, IP-in-IP) list several addresses: the innermost is the connection's
        src = ((r["ip.src"] or r["ipv6.src"]).split(",")[-1], int(r["tcp.srcport"] or 0))
        dst = ((r["ip.dst"] or r["ipv6.dst"]).split(",")[-1], int(r["tcp.dstport"] or 0))
        c = conns.setdefault(sid, {"first": int(r["frame.number"]), "client": None,
                                   "ch": None, "sh": None, "alerts": []})
        syn = r["tcp.flags.syn"] in ("1", "True")
        ack = r["tcp.flags.ack"] in ("1", "True")
        if syn and not ack and c["client"] is None:
            c["client"], c["server"] = src, dst
        types = ints(r["tls.handshake.type"])
        if 1 in types and c["ch"] is None:
            if c["client"] is None:
                c["client"], c["server"] = src, dst
            sv = [v for v in ints(r["tls.handshake.extensions.supported_version"])]
            legacy = ints(r["tls.handshake.version"])
            suites = ["0x%04x" % v for v in ints(r["tls.handshake.ciphersuite"])]
            if not suites:  # SSLv2-compatible hello: 3-byte specs, TLS suites have a 0 first byte
                suites = ["0x%04x" % v for v in ints(r["tls.handshake.cipherspec"]) if v < 0x10000]
            c["ch"] = {"sni": r["tls.handshake.extensions_server_name"].split(",")[0] or None,
                       "versions": [vname(v) for v in sv if not grease(v)] if sv
                       else [vname(legacy[0])] if legacy else [],
                       "suites": suites}
        if 2 in types and c["sh"] is None and c["ch"] is not None:
            randoms = r["tls.handshake.random"].split(",")
            if not any(x.replace(":", "") == HRR_RANDOM for x in randoms):
                sv = ints(r["tls.handshake.extensions.supported_version"])
                legacy = ints(r["tls.handshake.version"])
                suite = ints(r["tls.handshake.ciphersuite"])
                c["sh"] = {"version": vname(sv[0] if sv else legacy[0]) if (sv or legacy)
                           else None, "cipher": suite[0] if suite else None}
        if r["tls.alert_message.desc"] and c["client"] is not None:
            side = "client" if src == c["client"] else "server"
            for code in ints(r["tls.alert_message.desc"]):
                c["alerts"].append((side, code))
    out = [c for c in sorted(conns.values(), key=lambda c: c["first"]) if c["ch"]]
    return out


def tlswhy_conns(pcap, tls_ports):
    cmd = [os.environ["TLSWHY"], "-r", pcap, "--json", "--no-summary"]
    for p in tls_ports:
        cmd += ["--tls-port", str(p)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode not in (0, 1) and not res.stdout.strip():
        raise RuntimeError("tlswhy failed on %s (exit %d): %s" %
                           (pcap, res.returncode, res.stderr.strip()[:200]))
    if res.returncode not in (0, 1):  # input error: what could be read is still reported
        print("note: tlswhy exit %d on %s: %s" % (res.returncode, pcap,
                                                 res.stderr.strip()[:120]))
    return [json.loads(l) for l in res.stdout.splitlines() if l.strip().startswith("{")]


def ep(o):
    return (o.get("ip"), int(o.get("port", 0))) if isinstance(o, dict) else (None, 0)


def compare(pcap, ts, tw, names, notes):
    """Returns a list of disagreements (strings); fields tlswhy lacks go to notes."""
    bad = []
    index = {}
    for j in tw:
        index.setdefault((ep(j.get("client")), ep(j.get("server"))), []).append(j)
    for c in ts:
        key = (c["client"], c["server"])
        tag = "%s %s:%d -> %s:%d" % (os.path.basename(pcap), key[0][0], key[0][1], key[1][0],
                                     key[1][1])
        if not index.get(key):
            bad.append("%s: tlswhy has no such connection" % tag)
            continue
        j = index[key].pop(0)
        malformed = "malformed" in (j.get("warnings") or [])
        if malformed:
            # tshark reads malformed messages leniently; tlswhy reports them and keeps what
            # parsed: fields it left empty there are listed, not compared
            print("MALFORMED (fields tlswhy left empty are not compared): %s" % tag)

        def check(field, want, got):
            if malformed and got in (None, []):
                return
            if got != want:
                bad.append("%s: %s tshark=%r tlswhy=%r" % (tag, field, want, got))

        def have(field):
            if field in j:
                return True
            notes.add(field)
            return False
        if have("sni"):
            check("sni", tshark_sni_part(c["ch"]["sni"]), tshark_sni_part(j["sni"]))
        if have("versions_offered"):
            got = j["versions_offered"]
            if isinstance(got, list):  # GREASE is left out on both sides
                got = [v for v in got if not (isinstance(v, str) and v.startswith("0x") and
                                              grease(int(v, 16)))]
            check("versions_offered", c["ch"]["versions"], got)
        if have("cipher_suites_offered"):
            check("cipher_suites_offered", c["ch"]["suites"],
                  [s.lower() for s in j["cipher_suites_offered"] or []])
        sh = c["sh"] or {"version": None, "cipher": None}
        if have("version"):
            check("version", sh["version"], j["version"])
        if have("cipher"):
            got = j["cipher"]
            want = None if sh["cipher"] is None else (
                "0x%04x" % sh["cipher"] if isinstance(got, str) and got.startswith("0x")
                else names.get(sh["cipher"], "0x%04x" % sh["cipher"]))
            check("cipher", want, got.lower() if isinstance(got, str) and
                  got.startswith("0x") else got)
        alerts = j.get("alerts")
        if alerts is None and "alert" in j:
            notes.add("alerts (compared the single `alert`)")
            alerts = [j["alert"]] if j["alert"] else []
            want = c["alerts"][:1]
        else:
            want = c["alerts"]
        if alerts is None:
            notes.add("alerts")
        else:
            got = [(a.get("from"), a.get("code")) for a in alerts
                   if a and a.get("code") is not None and not a.get("encrypted")]
            check("alerts", want, got)
    return bad


# More tshark options where tshark's own analysis loses what tlswhy reads correctly (why):
TSHARK_EXTRA = {
    # A stray second SYN-ACK with another ISN (frame 46) derails tshark's sequence analysis, and
    # it never decodes the server's flight of 10.24.82.188:35503; without that analysis tshark
    # reads the ServerHello (frame 91, 0xc007) that tlswhy and nDPI (its JA3S) read.
    "KakaoTalk_chat.pcap": ["-o", "tcp.analyze_sequence_numbers:FALSE"],
}


def with_extra(pcap, opts):
    return opts + TSHARK_EXTRA.get(os.path.basename(pcap), [])


def inputs():
    items = []
    for p in sorted(glob.glob("samples/*.pcap") + glob.glob("samples/*.pcapng")):
        items.append((p, ["-o", "tcp.reassemble_out_of_order:TRUE"]))
    index = "../shared/peer-pcaps/INDEX.tsv"
    if os.path.exists(index):
        rows = open(index).read().splitlines()
        head = rows[0].split("\t")
        for row in rows[1:]:
            r = dict(zip(head, row.split("\t")))
            if r.get("tcp_conns_with_clienthello", "0") in ("0", ""):
                continue
            items.append((os.path.join("../shared/peer-pcaps", r["file"]),
                          shlex.split(r.get("tshark_options_used", ""))))
    return items


def tls_ports(opts):
    ports = []
    for i, o in enumerate(opts):
        if o == "-d" and i + 1 < len(opts) and opts[i + 1].startswith("tcp.port==") \
                and opts[i + 1].endswith(",tls"):
            ports.append(int(opts[i + 1][len("tcp.port=="):-len(",tls")]))
    return ports


def as_tlswhy(ts, names):
    """A tlswhy stand-in: tshark's answers in tlswhy's JSON shape (self-test only)."""
    out = []
    for c in ts:
        sh = c["sh"] or {"version": None, "cipher": None}
        out.append({"client": {"ip": c["client"][0], "port": c["client"][1]},
                    "server": {"ip": c["server"][0], "port": c["server"][1]},
                    "sni": c["ch"]["sni"], "versions_offered": c["ch"]["versions"],
                    "version": sh["version"],
                    "cipher": names.get(sh["cipher"]) if sh["cipher"] is not None else None,
                    "cipher_suites_offered": c["ch"]["suites"],
                    "alerts": [{"from": s, "level": 2, "code": k, "name": None,
                                "encrypted": False} for s, k in c["alerts"]]})
    return out


def self_test(names):
    failures = 0
    pcaps = sorted(glob.glob("tests/data/tls/*.pcap"))
    mutations = [
        ("sni", lambda j: j.update(sni="other.example.org")),
        ("version", lambda j: j.update(version="TLSv1.1")),
        ("versions_offered", lambda j: j["versions_offered"].append("SSLv3")),
        ("suites", lambda j: j["cipher_suites_offered"].reverse()
         if len(j["cipher_suites_offered"]) > 1 else j["cipher_suites_offered"].append("0x0a0a")),
        ("cipher", lambda j: j.update(cipher="TLS_NULL_WITH_NULL_NULL")),
        ("alert", lambda j: j["alerts"].append({"from": "server", "code": 112,
                                                "encrypted": False})),
        ("missing", None),
    ]
    for p in pcaps:
        ts = tshark_conns(p, ["-o", "tcp.reassemble_out_of_order:TRUE"])
        if not ts:
            print("self-test: %s: tshark found no ClientHello" % p)
            failures += 1
            continue
        good = as_tlswhy(ts, names)
        notes = set()
        bad = compare(p, ts, copy.deepcopy(good), names, notes)
        if bad or notes:
            print("self-test: %s: identical answers disagree: %s %s" % (p, bad, notes))
            failures += 1
        for what, mutate in mutations:
            tw = copy.deepcopy(good)
            if mutate is None:
                tw = []
            else:
                mutate(tw[0])
            if not compare(p, ts, tw, names, set()):
                print("self-test: %s: mutation %s not detected" % (p, what))
                failures += 1
    print("self-test: %d captures, %d mutations each: %s" %
          (len(pcaps), len(mutations), "ok" if failures == 0 else "%d FAILED" % failures))
    return 1 if failures else 0


def main(argv):
    names = suite_names()
    if argv[:1] == ["--self-test"]:
        return self_test(names)
    if not os.path.exists(os.environ["TLSWHY"]):
        print("crosscheck: %s not found: build it first (scripts/build.sh)" % os.environ["TLSWHY"])
        return 2
    items = [(p, ["-o", "tcp.reassemble_out_of_order:TRUE"]) for p in argv] or inputs()
    total_bad, conns, notes = 0, 0, set()
    for pcap, opts in items:
        opts = with_extra(pcap, opts)
        try:
            ts = tshark_conns(pcap, opts)
            tw = tlswhy_conns(pcap, tls_ports(opts))
        except (RuntimeError, json.JSONDecodeError) as e:
            print("ERROR: %s" % e)
            total_bad += 1
            continue
        conns += len(ts)
        bad = compare(pcap, ts, tw, names, notes)
        for b in bad:
            print("DISAGREE: " + b)
        total_bad += len(bad)
    if notes:
        print("not compared (tlswhy does not emit them yet): " + ", ".join(sorted(notes)))
    print("crosscheck: %d captures, %d TLS connections, %d disagreements" %
          (len(items), conns, total_bad))
    return 1 if total_bad else 0


sys.exit(main(sys.argv[1:]))
PY
