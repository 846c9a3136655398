#!/usr/bin/env python3
"""golden.py: runs tlswhy on every samples/*.pcap and compares its output with the reviewed
expectations in samples/expected/ (<name>.jsonl field by field, <name>.txt line by line).

  golden.py TLSWHY             compare; exit 1 on any difference
  golden.py --update TLSWHY    rewrite the expectations (review the git diff before committing)
  golden.py --coverage         check that every code in causes.def is produced by at least one
                               sample's expectation: F codes as a failure's cause, W codes as a
                               warning, B codes as both

Each sample runs with `--ca-file samples/pki/root.pem` (the samples' own test root) plus the
arguments in samples/<name>.args, if that file exists. A variant file samples/<name>@<variant>.args
runs the same capture once more with its arguments added (a key log, an edge profile), compared
with samples/expected/<name>@<variant>.{jsonl,txt}.
"""
import json
import os
import re
import shlex
import subprocess
import sys

ROOT = os.environ.get("TW_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(ROOT, "samples")
EXPECTED = os.path.join(SAMPLES, "expected")


def samples():
    """Run names: every capture NAME, then NAME@VARIANT for each samples/NAME@VARIANT.args."""
    names = sorted(f[:-5] for f in os.listdir(SAMPLES) if f.endswith(".pcap"))
    variants = [f[:-5] for f in os.listdir(SAMPLES) if f.endswith(".args") and "@" in f]
    for v in variants:
        if v.split("@", 1)[0] not in names:
            raise RuntimeError("samples/%s.args: no capture samples/%s.pcap" % (v, v.split("@", 1)[0]))
    return sorted(names + variants)


def read_args(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return shlex.split(f.read())


def args_for(run_name):
    capture = run_name.split("@", 1)[0]
    args = ["--ca-file", os.path.join(SAMPLES, "pki", "root.pem")]
    args += read_args(os.path.join(SAMPLES, capture + ".args"))
    if "@" in run_name:
        args += read_args(os.path.join(SAMPLES, run_name + ".args"))
    return args


def run(tlswhy, name, json_mode):
    cmd = [tlswhy, "--no-summary", "--color=never"] + args_for(name)
    if json_mode:
        cmd.append("--json")
    cmd += ["-r", os.path.join(SAMPLES, name.split("@", 1)[0] + ".pcap")]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    # Paths in the output depend on where the tree is; the expectations use the relative form.
    return p.stdout.replace(ROOT + "/", "")


def diff(path, want, got, out):
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(want) | set(got)):
            if k not in got:
                out.append("%s.%s: missing (expected %s)" % (path, k, json.dumps(want[k])))
            elif k not in want:
                out.append("%s.%s: unexpected field %s" % (path, k, json.dumps(got[k])))
            else:
                diff("%s.%s" % (path, k), want[k], got[k], out)
    elif isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for i, (w, g) in enumerate(zip(want, got)):
            diff("%s[%d]" % (path, i), w, g, out)
    elif want != got:
        out.append("%s: expected %s, got %s" % (path, json.dumps(want), json.dumps(got)))


def compare(tlswhy, update):
    problems = []
    for name in samples():
        jpath = os.path.join(EXPECTED, name + ".jsonl")
        tpath = os.path.join(EXPECTED, name + ".txt")
        got_json = run(tlswhy, name, True)
        got_text = run(tlswhy, name, False)
        if update:
            with open(jpath, "w") as f:
                f.write(got_json)
            with open(tpath, "w") as f:
                f.write(got_text)
            continue
        if not os.path.exists(jpath) or not os.path.exists(tpath):
            problems.append("%s: no expectation in samples/expected/ (run --update and review)" % name)
            continue
        want = [json.loads(l) for l in open(jpath) if l.strip()]
        got = [json.loads(l) for l in got_json.splitlines() if l.strip()]
        out = []
        if len(want) != len(got):
            out.append("%d connections expected, %d reported" % (len(want), len(got)))
        for i, (w, g) in enumerate(zip(want, got)):
            diff("conn[%d]" % i, w, g, out)
        want_text = open(tpath).read().splitlines()
        for i, (w, g) in enumerate(zip(want_text, got_text.splitlines())):
            if w != g:
                out.append("text line %d:\n  expected: %s\n  got:      %s" % (i + 1, w, g))
        if len(want_text) != len(got_text.splitlines()):
            out.append("text: %d lines expected, %d printed" % (len(want_text), len(got_text.splitlines())))
        problems += ["%s: %s" % (name, o) for o in out]
        print("%-44s %s" % (name, "ok" if not out else "DIFFERS"))
    return problems


def coverage():
    causes = []
    for line in open(os.path.join(ROOT, "include", "tlswhy", "causes.def")):
        m = re.match(r'TW_CAUSE\(\w+, "(\w+)", ([FWB]),', line)
        if m and m.group(1) != "none":
            causes.append((m.group(1), m.group(2)))
    seen_cause, seen_warn = set(), set()
    for f in os.listdir(EXPECTED):
        if f.endswith(".jsonl"):
            for l in open(os.path.join(EXPECTED, f)):
                if l.strip():
                    o = json.loads(l)
                    if o.get("cause"):
                        seen_cause.add(o["cause"])
                    seen_warn.update(o.get("warnings") or [])
    problems = []
    for code, kind in causes:
        if kind == "F" and code not in seen_cause:
            problems.append("cause %s: no sample produces it" % code)
        if kind == "W" and code not in seen_warn:
            problems.append("warning %s: no sample produces it" % code)
        if kind == "B" and code not in seen_cause:
            problems.append("cause %s: no sample produces it as a failure's cause" % code)
        # No real client completes a handshake over a certificate it cannot parse, so that one
        # code exists only as a cause.
        if kind == "B" and code not in seen_warn and code != "cert_unparseable":
            problems.append("code %s: no sample produces it as a warning" % code)
    print("causes covered: %d of %d" % (len(causes) - len(problems), len(causes)))
    return problems


def main():
    argv = sys.argv[1:]
    if argv == ["--coverage"]:
        problems = coverage()
    else:
        update = "--update" in argv
        argv = [a for a in argv if a != "--update"]
        if len(argv) != 1:
            print(__doc__, file=sys.stderr)
            return 2
        problems = compare(argv[0], update)
    for p in problems:
        print("FAIL " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
