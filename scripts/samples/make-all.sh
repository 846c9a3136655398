#!/usr/bin/env bash
# make-all.sh: remakes every sample capture on Debian 12, as root, in about a minute:
# the packages (scripts/deps.sh samples), the test PKI (kept if present, see pki.sh), every
# scenario in network namespaces (scenarios.sh), then proves each capture shows its signature
# (check.sh). Idempotent: each capture and keylog is overwritten, nothing else is touched.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "make-all.sh: run as root (namespaces, tcpdump)" >&2; exit 2; }
scripts/deps.sh samples
scripts/samples/pki.sh
scripts/samples/scenarios.sh all
scripts/samples/scenarios-edge.sh all
scripts/samples/scenarios-keylog.sh all
scripts/samples/check.sh
