#!/usr/bin/env bash
# demo.sh: installs what is missing, builds tlswhy and explains the bundled capture of the
# incident it was made for: an origin whose *.mydomain.test certificate does not cover the
# apex name mydomain.test the edge asks for.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh demo
scripts/build.sh normal >/dev/null
sample=samples/cert-name-mismatch-apex.pcap
# The edge in that capture trusts the samples' test CA, so tlswhy judges the chain the same way.
args=(--ca-file samples/pki/root.pem -r "$sample" "$@")
echo "\$ tlswhy ${args[*]}" >&2
build/tlswhy "${args[@]}"
