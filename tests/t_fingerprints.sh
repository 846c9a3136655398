#!/usr/bin/env bash
# tlswhy's JA4 / JA3 / JA3S equal the reference implementations' published values (FoxIO, Arkime,
# nDPI, Salesforce in ../shared/peer-pcaps) for every TCP connection they list (issue 13), and the
# comparison itself catches an altered reference value (--self-test).
set -euo pipefail
cd "$TW_SOURCE_DIR"
python3 tests/fingerprints_ref.py "$TLSWHY" --self-test
python3 tests/fingerprints_ref.py "$TLSWHY"
