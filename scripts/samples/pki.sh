#!/usr/bin/env bash
# pki.sh [--force]: makes the test PKI in samples/pki that the sample scenarios use.
#
#   tlswhy Test Root (root.pem) -> tlswhy Test Intermediate (inter.pem) -> the leaves below
#   tlswhy Other Root (other-root.pem, trusted by nobody) -> untrusted.pem
#
# The files are committed so captures can be remade with the same certificates; existing keys
# and certificates are kept. Most dates are fixed (openssl ca -startdate/-enddate). Three leaves
# must keep their meaning whenever the samples are regenerated, so their dates are computed from
# today and they are re-signed when they no longer mean what their name says. On the capture
# date 2026-11-21 the offsets give exactly:
#   expired.pem  notAfter  2026-10-01 (today - 51 days)
#   notyet.pem   notBefore 2027-06-01 (today + 192 days)
#   soon.pem     notAfter  2026-12-01 (today + 10 days)
# --force remakes everything (new keys too).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

P=$SW_PKI
mkdir -p "$P"
if [ "${1:-}" = --force ]; then rm -f "$P"/*.pem "$P"/*.key; fi
W=$(mktemp -d /tmp/tlswhy-pki.XXXXXX)
trap 'rm -rf "$W"' EXIT

cat >"$W/ca.cnf" <<CNF
[ ca ]
default_ca = tw
[ tw ]
dir = $W
database = $W/index.txt
serial = $W/serial
new_certs_dir = $W
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ root_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ inter_ext ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

# d OFFSET_DAYS: a UTCTime string for midnight UTC today + OFFSET_DAYS.
d() { date -u -d "$(date -u +%F) $1 days" +%y%m%d000000Z; }
# fixed YYYY-MM-DD: the UTCTime string of that day at midnight.
fixed() { date -u -d "$1" +%y%m%d000000Z; }

key() { # key NAME BITS: makes NAME.key unless it exists.
    [ -s "$P/$1.key" ] || openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" \
        -out "$P/$1.key"
}

# sign NAME SUBJECT ISSUER START END SERIAL EXT MD [SAN [EKU]]: NAME.pem from NAME.key, signed
# by ISSUER (a name in $P, or "self"). Leaves get extendedKeyUsage EKU (default serverAuth).
sign() {
    local name=$1 subj=$2 issuer=$3 start=$4 end=$5 serial=$6 ext=$7 md=$8 san=${9:-}
    local eku=${10:-serverAuth}
    local extfile=$W/$name.ext args=()
    : >"$W/index.txt"
    echo "$serial" >"$W/serial"
    openssl req -new -key "$P/$name.key" -subj "$subj" -config "$W/ca.cnf" -out "$W/$name.csr"
    if [ "$ext" = leaf ]; then
        {
            echo "[ leaf ]"
            echo "basicConstraints = critical,CA:FALSE"
            echo "keyUsage = critical,digitalSignature,keyEncipherment"
            echo "extendedKeyUsage = $eku"
            echo "subjectKeyIdentifier = hash"
            [ "$issuer" = self ] || echo "authorityKeyIdentifier = keyid"
            echo "subjectAltName = $san"
        } >"$extfile"
        args=(-extfile "$extfile" -extensions leaf)
    else
        args=(-extensions "$ext")
    fi
    if [ "$issuer" = self ]; then
        args+=(-selfsign -keyfile "$P/$name.key")
    else
        args+=(-cert "$P/$issuer.pem" -keyfile "$P/$issuer.key")
    fi
    openssl ca -batch -notext -config "$W/ca.cnf" -in "$W/$name.csr" -out "$P/$name.pem" \
        -startdate "$start" -enddate "$end" -md "$md" -preserveDN "${args[@]}" 2>"$W/ca.err" \
        || { cat "$W/ca.err" >&2; exit 1; }
    sw_log "pki: $name.pem $(openssl x509 -in "$P/$name.pem" -noout -subject -enddate | tr '\n' ' ')"
}

need() { [ ! -s "$P/$1.pem" ]; }
O="/O=tlswhy test"

key root 2048
need root && sign root "$O/CN=tlswhy Test Root" self "$(fixed 2025-01-01)" "$(fixed 2045-01-01)" \
    01 root_ext sha256
key inter 2048
need inter && sign inter "$O/CN=tlswhy Test Intermediate" root "$(fixed 2025-01-01)" \
    "$(fixed 2040-01-01)" 02 inter_ext sha256
key other-root 2048
need other-root && sign other-root "/O=elsewhere/CN=tlswhy Other Root" self \
    "$(fixed 2025-01-01)" "$(fixed 2045-01-01)" 03 root_ext sha256

LS=$(fixed 2026-01-01)
LE=$(fixed 2036-01-01)
ORIGIN="DNS:origin.test,DNS:www.origin.test"
key ok 2048
need ok && sign ok "$O/CN=origin.test" inter "$LS" "$LE" 1001 leaf sha256 "$ORIGIN"
key wildcard 2048
need wildcard && sign wildcard "$O/CN=*.mydomain.test" inter "$LS" "$LE" 1002 leaf sha256 \
    "DNS:*.mydomain.test"
key selfsigned 2048
need selfsigned && sign selfsigned "$O/CN=origin.test" self "$LS" "$LE" 1003 leaf sha256 "$ORIGIN"
key untrusted 2048
need untrusted && sign untrusted "/O=elsewhere/CN=origin.test" other-root "$LS" "$LE" 1004 leaf \
    sha256 "$ORIGIN"
key weak 1024
need weak && sign weak "$O/CN=origin.test" inter "$LS" "$LE" 1005 leaf sha256 "$ORIGIN"
key sha1 2048
need sha1 && sign sha1 "$O/CN=origin.test" inter "$LS" "$LE" 1006 leaf sha1 "$ORIGIN"
# A leaf for client authentication only: right name, trusted chain, wrong purpose for a server.
key clientauth 2048
need clientauth && sign clientauth "$O/CN=origin.test" inter "$LS" "$LE" 1010 leaf sha256 \
    "$ORIGIN" clientAuth

# The three date-relative leaves: remade when today no longer fits their name.
key expired 2048
if need expired || openssl x509 -in "$P/expired.pem" -noout -checkend 0 >/dev/null; then
    sign expired "$O/CN=origin.test" inter "$(d -416)" "$(d -51)" 1007 leaf sha256 "$ORIGIN"
fi
key notyet 2048
nb=0
need notyet || nb=$(date -u -d "$(openssl x509 -in "$P/notyet.pem" -noout -startdate | cut -d= -f2)" +%s)
if [ "$nb" -lt $(($(date -u +%s) + 30 * 86400)) ]; then
    sign notyet "$O/CN=origin.test" inter "$(d 192)" "$(d 3842)" 1008 leaf sha256 "$ORIGIN"
fi
key soon 2048
if need soon || ! openssl x509 -in "$P/soon.pem" -noout -checkend $((3 * 86400)) >/dev/null \
    || openssl x509 -in "$P/soon.pem" -noout -checkend $((20 * 86400)) >/dev/null; then
    sign soon "$O/CN=origin.test" inter "$(d -355)" "$(d 10)" 1009 leaf sha256 "$ORIGIN"
fi

# Chain files for -cert_chain: the intermediate alone, and root before intermediate (misordered).
cp "$P/inter.pem" "$P/chain.pem"
cat "$P/root.pem" "$P/inter.pem" >"$P/chain-misordered.pem"
openssl verify -CAfile "$P/root.pem" -untrusted "$P/inter.pem" "$P/ok.pem" >/dev/null
