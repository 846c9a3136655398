#!/usr/bin/env bash
# Every sample capture gives exactly its reviewed JSON (field by field) and text output.
set -euo pipefail
exec python3 "$TW_SOURCE_DIR/tests/golden.py" "$TLSWHY"
