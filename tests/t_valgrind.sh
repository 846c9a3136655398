#!/usr/bin/env bash
# tlswhy runs clean under valgrind's memcheck on every sample: each samples/*.pcap (with the
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

# One line per run: NAME MODE, where NAME is a capture or a NAME@VARIANT of golden.py, whose
# arguments (one per line) golden.py's way are in $out/NAME.args.
python3 - "$out" >"$out/runs" <<'PY'
import os, sys
sys.path.insert(0, "tests")
import golden
for name in golden.samples():
    with open(os.path.join(sys.argv[1], name + ".args"), "w") as f:
        f.write("".join(a + "\n" for a in golden.args_for(name)))
    for mode in ("text", "json"):
        print(name, mode)
PY

one_run() { # NAME MODE: exits non-zero, with memcheck's report in $out, on any error or leak
    local name=$1 mode=$2 log=$out/$1.$2.log
    local -a args
    mapfile -t args <"$out/$name.args"
    [ "$mode" = json ] && args+=(--json)
    if ! valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all \
        --log-file="$log" "$bin" --color=never -v "${args[@]}" -r "samples/${name%%@*}.pcap" \
        >/dev/null 2>&1 || [ -s "$log" ]; then
        echo "memcheck: $name ($mode) failed:"
        cat "$log" 2>/dev/null || echo "(valgrind wrote no report: it could not run $bin)"
        return 1
    fi
}
export -f one_run
export bin out

# Two at a time: each run is short, valgrind's start-up dominates.
start=$(cut -d. -f1 /proc/uptime)
failed=0
xargs -P 2 -L 1 bash -c 'one_run "$0" "$1"' <"$out/runs" || failed=1
runs=$(wc -l <"$out/runs")
echo "$runs valgrind runs in $(($(cut -d. -f1 /proc/uptime) - start)) s"
exit $failed
