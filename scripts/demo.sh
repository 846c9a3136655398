#!/usr/bin/env bash
# demo.sh: installs what is missing, builds tlswhy and explains the bundled capture of the
# incident it was made for: an origin whose *.mydomain.test certificate does not cover the
# apex name mydomain.test the edge asks for.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh demo
scripts/build.sh normal >/dev/null
sample=samples/cert-name-mismatch-apex.pcap
echo "\$ tlswhy -r $sample" >&2
build/tlswhy -r "$sample" "$@"
