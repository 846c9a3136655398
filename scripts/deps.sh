#!/usr/bin/env bash
# deps.sh [demo|test|samples|bench]: installs the Debian 12 packages tlswhy needs, idempotently.
# Nothing is installed when everything is already there; apt-get runs only as root.
set -euo pipefail

build=(build-essential cmake pkg-config libpcap-dev libssl-dev check openssl python3)
case "${1:-demo}" in
demo) want=("${build[@]}") ;;
test) want=("${build[@]}" clang libclang-rt-14-dev tshark tcpdump iproute2 procps chromium valgrind time jq) ;;
samples) want=("${build[@]}" tshark tcpdump iproute2 procps python3 nginx-light haproxy curl python3-cryptography) ;;
bench) want=("${build[@]}" tshark tcpdump tcpreplay iproute2 procps ethtool ssldump libndpi-bin time valgrind) ;;
*) echo "usage: $0 [demo|test|samples|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "tlswhy needs these Debian packages: ${missing[*]}" >&2
    echo "run as root: apt-get install ${missing[*]}" >&2
    exit 2
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer before it asks.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
