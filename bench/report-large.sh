#!/usr/bin/env bash
# report-large.sh [N]: the ticket report on a large capture. Multiplies sample connections into
# N (default 100000) connections (scripts/make-large-capture.py; the capture stays in a
# temporary directory), writes the HTML and Markdown reports, and prints their sizes, the time
# tlswhy took, and how long headless Chromium takes to load and screenshot the HTML report
# compared with a one-connection report (the difference is the cost of the large page).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
tlswhy=${TLSWHY:-build/tlswhy}
tmp=$(mktemp -d /tmp/tw-report-large.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
python3 scripts/make-large-capture.py "$n" "$tmp/large.pcap" samples/ok-tls12.pcap \
    samples/cert-expired-tls12.pcap samples/ok-tls13.pcap samples/cert-name-mismatch-apex-tls13.pcap \
    samples/sni-unrecognized.pcap samples/warn-expires-soon.pcap samples/tcp-refused.pcap \
    samples/protocol-mismatch.pcap
echo "capture: $n connections, $(stat -c %s "$tmp/large.pcap") bytes"
ca=(--ca-file samples/pki/root.pem)
start=$(date +%s.%N)
"$tlswhy" -q --no-summary "${ca[@]}" -r "$tmp/large.pcap" --report "$tmp/large.html" >/dev/null
end=$(date +%s.%N)
"$tlswhy" -q --no-summary "${ca[@]}" -r "$tmp/large.pcap" --report "$tmp/large.md" >/dev/null
"$tlswhy" -q --no-summary "${ca[@]}" -r samples/ok-tls12.pcap --report "$tmp/small.html" >/dev/null
echo "tlswhy: $(echo "$end - $start" | bc) s; report sizes: HTML $(stat -c %s "$tmp/large.html") bytes," \
    "Markdown $(stat -c %s "$tmp/large.md") bytes (one connection: HTML $(stat -c %s "$tmp/small.html") bytes)"
grep -o '[0-9]* of [0-9]* TLS connections failed[^<]*' "$tmp/large.html" | head -1
render() { # seconds for chromium to load, lay out and screenshot a page (best of 3)
    local best=999
    for _ in 1 2 3; do
        local s e
        s=$(date +%s.%N)
        timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
            --user-data-dir="$tmp/profile" --window-size=1000,1600 \
            --screenshot="$tmp/shot.png" "file://$1" >/dev/null 2>&1
        e=$(date +%s.%N)
        best=$(echo "if ($e - $s < $best) $e - $s else $best" | bc)
    done
    echo "$best"
}
small=$(render "$tmp/small.html")
large=$(render "$tmp/large.html")
echo "chromium load + screenshot: one-connection report $small s, $n-connection report $large s"
# The page's own time: a copy without its CSP gets a script that puts the Navigation Timing
# figures in the title once layout is done; chromium --dump-dom prints it.
timing() {
    sed -e '/Content-Security-Policy/d' \
        -e 's|</body>|<script>addEventListener("load",()=>setTimeout(()=>{const t=performance.getEntriesByType("navigation")[0];document.title="load "+t.loadEventEnd.toFixed(0)+" ms"},0))</script></body>|' \
        "$1" >"$tmp/timed.html"
    timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/profile" \
        --window-size=1000,1600 --virtual-time-budget=5000 --dump-dom "file://$tmp/timed.html" 2>/dev/null |
        grep -o '<title>load [0-9]* ms</title>' | grep -o 'load [0-9]* ms'
}
echo "page load event (navigation start to load end): one-connection $(timing "$tmp/small.html")," \
    "$n-connection $(timing "$tmp/large.html")"
