#!/usr/bin/env bash
# Every cause and warning code in causes.def is produced by at least one real sample's reviewed
# expectation, and is documented in the README and in docs/json.md.
set -euo pipefail
cd "$TW_SOURCE_DIR"
python3 tests/golden.py --coverage
status=0
for code in $(sed -n 's/^TW_CAUSE([A-Z_]*, "\([a-z_]*\)".*/\1/p' include/tlswhy/causes.def); do
    [ "$code" = none ] && continue
    for doc in README.md docs/json.md; do
        grep -q "\`$code\`" "$doc" || { echo "FAIL $code is not documented in $doc"; status=1; }
    done
done
exit $status
