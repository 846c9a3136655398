#!/usr/bin/env bash
# The HTML report renders in a real browser: headless Chromium (Debian's `chromium`, installed by
# scripts/deps.sh test) opens the report of one sample and of every sample at once, with the
# page's own Content-Security-Policy in force. Each screenshot must be a real picture (size,
# many colours, much non-white) and the browser must log no console message at all (a CSP
# violation, a blocked load or a script error would be one). Fails, never skips, without
# chromium.
set -euo pipefail
cd "$TW_SOURCE_DIR"
if ! command -v chromium >/dev/null; then
    echo "FAIL: chromium is not installed (run scripts/deps.sh test as root)"
    exit 1
fi
tmp=$(mktemp -d /tmp/tw-chromium.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
ca=(--ca-file samples/pki/root.pem)
"$TLSWHY" -q --no-summary "${ca[@]}" -r samples/cert-name-mismatch-apex-tls13.pcap \
    --report "$tmp/one.html" >/dev/null
all=()
for p in samples/*.pcap; do all+=(-r "$p"); done
"$TLSWHY" -q --no-summary "${ca[@]}" --anonymize "${all[@]}" --report "$tmp/all.html" >/dev/null

status=0
for page in one all; do
    # A fresh profile per run: nothing shared with other Chromium users of the machine.
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$tmp/profile-$page" --window-size=1000,1600 \
        --enable-logging=stderr --v=0 --screenshot="$tmp/$page.png" \
        "file://$tmp/$page.html" >"$tmp/$page.log" 2>&1 || {
        echo "FAIL $page: chromium exited with $?"
        cat "$tmp/$page.log"
        status=1
        continue
    }
    if grep -n ':CONSOLE' "$tmp/$page.log"; then
        echo "FAIL $page: the page logged console messages (above)"
        status=1
    fi
    python3 - "$tmp/$page.png" "$page" <<'PY' || status=1
import struct, sys, zlib
path, page = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype = ihdr[:4]
assert depth == 8 and ctype in (2, 6), "unexpected PNG format %d/%d" % (depth, ctype)
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, colours, inked, off = bytearray(stride), set(), 0, 0
for y in range(h):  # undo the PNG filters row by row
    f, line = raw[off], bytearray(raw[off + 1:off + 1 + stride])
    off += 1 + stride
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    for x in range(0, stride, bpp * 2):
        px = bytes(line[x:x + 3])
        colours.add(px)
        inked += px != b"\xff\xff\xff" and px != b"\xfa\xfa\xfa"
share = inked / (h * (w // 2))
print("%s: %dx%d PNG, %d bytes, %d colours, %.1f%% inked" % (page, w, h, len(data), len(colours), 100 * share))
problems = []
if len(data) < 30000: problems.append("PNG smaller than 30 kB")
if len(colours) < 24: problems.append("fewer than 24 colours")
if share < 0.05: problems.append("less than 5% of the page drawn")
for p in problems: print("FAIL %s: %s" % (page, p))
sys.exit(1 if problems else 0)
PY
done
exit $status
