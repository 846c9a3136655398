#!/usr/bin/env bash
# tlswhy runs clean under valgrind's memcheck on every sample: every samples/*.pcap (with the
# arguments golden.py gives it, variants included) in text and in JSON, with -v, must give no
# memcheck error and leak nothing (every leak kind counts). A sanitizer build cannot run under
# valgrind, so with one as $TLSWHY the normal build beside it (build/tlswhy) is checked instead.
set -euo pipefail
cd "$TW_SOURCE_DIR"
command -v valgrind >/dev/null || { echo "valgrind is not installed (scripts/deps.sh test)"; exit 1; }
bin=$TLSWHY
# (grep reads a process substitution: with pipefail, nm killed by grep -q's early exit would fail)
if grep -q '__asan_init\|__ubsan_handle' <(nm "$bin" 2>/dev/null); then
    bin=$TW_SOURCE_DIR/build/tlswhy
    [ -x "$bin" ] || { echo "$TLSWHY is a sanitizer build and $bin is missing"; exit 1; }
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# valgrind's start-up (and OpenSSL's under it) costs more than a sample, so the samples that
# take the same arguments (golden.py's: the test CA, samples/NAME.args, a variant's) are read
# by one process, each capture with its own -r, in text and in JSON: one run per group and mode.
# $out/G.args holds a group's arguments, one per line, -r FILE pairs included.
python3 - "$out" >"$out/groups" <<'PY'
import os, sys
sys.path.insert(0, "tests")
import golden
groups = {}
for name in golden.samples():
    groups.setdefault(tuple(golden.args_for(name)), []).append(name)
for g, (args, names) in enumerate(sorted(groups.items())):
    files = [x for n in names for x in ("-r", "samples/%s.pcap" % n.split("@", 1)[0])]
    with open(os.path.join(sys.argv[1], "%d.args" % g), "w") as f:
        f.write("".join(a + "\n" for a in list(args) + files))
    print(g, len(names))
PY

one_run() { # GROUP MODE: fails, with memcheck's report, on any error or leak
    local g=$1 mode=$2 log=$out/$1.$2.log
    local -a args
    mapfile -t args <"$out/$g.args"
    [ "$mode" = json ] && args+=(--json)
    if ! valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all \
        --log-file="$log" "$bin" --color=never -v "${args[@]}" >/dev/null 2>&1 || [ -s "$log" ]; then
        echo "memcheck failed ($mode): $bin ${args[*]}"
        cat "$log" 2>/dev/null || echo "(valgrind wrote no report: it could not run $bin)"
        return 1
    fi
}

start=$(cut -d. -f1 /proc/uptime)
failed=0 runs=0 samples=0
while read -r g n; do
    for mode in text json; do
        one_run "$g" "$mode" || failed=1
        runs=$((runs + 1))
    done
    samples=$((samples + n))
done <"$out/groups"
echo "$samples samples in $runs valgrind runs, $(($(cut -d. -f1 /proc/uptime) - start)) s"
exit $failed
