#!/usr/bin/env bash
# report-screenshots.sh: remakes the README's pictures of the ticket report with headless
# Chromium: docs/report-mismatch.png (one sample, a certificate that does not cover the name)
# and docs/report-mixed.png (3000 connections multiplied from eight samples, --anonymize).
set -euo pipefail
cd "$(dirname "$0")/.."
tlswhy=${TLSWHY:-build/tlswhy}
tmp=$(mktemp -d /tmp/tw-report-shots.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ca=(--ca-file samples/pki/root.pem)
"$tlswhy" -q --no-summary "${ca[@]}" -r samples/cert-name-mismatch-apex.pcap \
    --report "$tmp/mismatch.html" >/dev/null
python3 scripts/make-large-capture.py 3000 "$tmp/mixed.pcap" samples/ok-tls12.pcap \
    samples/cert-expired-tls12.pcap samples/ok-tls13.pcap samples/cert-name-mismatch-apex.pcap \
    samples/sni-unrecognized.pcap samples/warn-expires-soon.pcap samples/tcp-refused.pcap samples/ok-tls13.pcap
"$tlswhy" -q --no-summary "${ca[@]}" --anonymize -r "$tmp/mixed.pcap" --report "$tmp/mixed.html" >/dev/null
for page in mismatch mixed; do
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$tmp/profile" --window-size=1000,1500 \
        --screenshot="docs/report-$page.png" "file://$tmp/$page.html" >/dev/null 2>&1
    echo "docs/report-$page.png"
done
