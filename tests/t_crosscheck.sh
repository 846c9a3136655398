#!/usr/bin/env bash
# The SNI, offered and chosen versions, cipher suites and alerts tlswhy extracts agree with
# tshark's on every TLS-over-TCP capture in samples/ and ../shared/peer-pcaps/ (issue 4), and
# the comparison itself catches deliberate mutations (--self-test).
set -euo pipefail
cd "$TW_SOURCE_DIR"
# scripts/test.sh installs tshark, so here its absence is a failure, not a skip.
command -v tshark >/dev/null || { echo "FAIL: tshark is not installed"; exit 1; }
scripts/crosscheck-tshark.sh --self-test
scripts/crosscheck-tshark.sh | tail -1
