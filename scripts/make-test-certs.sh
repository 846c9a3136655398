#!/usr/bin/env bash
# make-test-certs.sh: regenerates tests/data/certs/ (the certificates tests/check_cert*.c read)
# with the openssl CLI. Every certificate has FIXED dates far from today, and the tests pass a
# fixed capture time (2030-06-01T00:00:00Z), so no test starts failing on a calendar date.
# Keys are fresh on each run (and not kept): only names, dates and structure are asserted.
#
#   root.pem/.der          "tlswhy Test Root", self-signed CA, 2020-01-01 .. 2049-12-31
#   other-root.pem/.der    "tlswhy Other Root", self-signed CA; only leaf-other chains to it
#   int.der                "tlswhy Test Intermediate", CA signed by root
#   leaf-good.der          www.example.com + example.com, signed by int, RSA 2048, SHA-256
#   leaf-wildcard.der      *.example.com only, EC P-256
#   leaf-expired.der       2001-01-01 .. 2002-01-01
#   leaf-notyet.der        2060-01-01 .. 2070-01-01
#   leaf-soon.der          2020-01-01 .. 2030-06-15 (expires 14 days after the test time)
#   leaf-ip.der            IP:192.0.2.10, IP:2001:db8::1, DNS:ip.example.com
#   leaf-cnonly.der        CN=cnonly.example.com, no subjectAltName
#   leaf-self.der          self-signed leaf CN=self.example.com (CA:FALSE)
#   leaf-rsa1024.der       1024-bit RSA key
#   leaf-sha1.der          signed with sha1WithRSAEncryption
#   leaf-clientauth.der    extendedKeyUsage clientAuth only
#   leaf-nul.der           DNS SAN "evil.example.org\0.example.com" (embedded NUL)
#   leaf-other.der         www.example.com signed by other-root
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/data/certs
mkdir -p "$out"
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

mkdir -p "$w/new"
: >"$w/index.txt"
echo 1000 >"$w/serial"
cat >"$w/ca.cnf" <<EOF
[ca]
default_ca = CA_default
[CA_default]
database = $w/index.txt
new_certs_dir = $w/new
serial = $w/serial
default_md = sha256
policy = pol
unique_subject = no
email_in_dn = no
[pol]
organizationName = optional
commonName = supplied
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
EOF

key() { # key NAME ALG [OPT]: a fresh private key
    if [ "$2" = ec ]; then
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$w/$1.key" 2>/dev/null
    else
        openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$3" -out "$w/$1.key" 2>/dev/null
    fi
}

# sign NAME CN ISSUER START END MD EXTS: NAME.key -> NAME.pem, signed by ISSUER ("self": itself)
# with the extension lines EXTS, valid START..END (YYYYMMDDHHMMSSZ).
sign() {
    local name=$1 cn=$2 issuer=$3 start=$4 end=$5 md=$6 exts=$7
    printf '[x]\n%b\n' "$exts" >"$w/$name.ext"
    openssl req -new -config "$w/ca.cnf" -key "$w/$name.key" -subj "/O=tlswhy test/CN=$cn" \
        -out "$w/$name.csr"
    local who=(-cert "$w/$issuer.pem" -keyfile "$w/$issuer.key")
    [ "$issuer" = self ] && who=(-selfsign -keyfile "$w/$name.key")
    openssl ca -batch -notext -config "$w/ca.cnf" "${who[@]}" -in "$w/$name.csr" \
        -out "$w/$name.pem" -startdate "$start" -enddate "$end" -md "$md" \
        -extfile "$w/$name.ext" -extensions x 2>"$w/ca.log" || { cat "$w/ca.log" >&2; exit 1; }
    openssl x509 -in "$w/$name.pem" -outform DER -out "$out/$name.der"
}

ca_ext='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always'
leaf_ext='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always'
srv="$leaf_ext\nextendedKeyUsage=serverAuth"
v0=20200101000000Z
v1=20491231235959Z

key root rsa 2048
sign root "tlswhy Test Root" self $v0 $v1 sha256 "$ca_ext"
key other-root rsa 2048
sign other-root "tlswhy Other Root" self $v0 $v1 sha256 "$ca_ext"
key int rsa 2048
sign int "tlswhy Test Intermediate" root $v0 $v1 sha256 "basicConstraints=critical,CA:TRUE,pathlen:0\n${ca_ext#*\\n}"

key leaf-good rsa 2048
sign leaf-good www.example.com int $v0 $v1 sha256 "$srv\nsubjectAltName=DNS:www.example.com,DNS:example.com"
key leaf-wildcard ec
sign leaf-wildcard "*.example.com" int $v0 $v1 sha256 "$srv\nsubjectAltName=DNS:*.example.com"
key leaf-expired rsa 2048
sign leaf-expired expired.example.com int 20010101000000Z 20020101000000Z sha256 \
    "$srv\nsubjectAltName=DNS:expired.example.com"
key leaf-notyet rsa 2048
sign leaf-notyet notyet.example.com int 20600101000000Z 20700101000000Z sha256 \
    "$srv\nsubjectAltName=DNS:notyet.example.com"
key leaf-soon rsa 2048
sign leaf-soon soon.example.com int $v0 20300615000000Z sha256 "$srv\nsubjectAltName=DNS:soon.example.com"
key leaf-ip rsa 2048
sign leaf-ip ip.example.com int $v0 $v1 sha256 \
    "$srv\nsubjectAltName=IP:192.0.2.10,IP:2001:db8::1,DNS:ip.example.com"
key leaf-cnonly rsa 2048
sign leaf-cnonly cnonly.example.com int $v0 $v1 sha256 "$srv"
key leaf-self rsa 2048
sign leaf-self self.example.com self $v0 $v1 sha256 "$srv\nsubjectAltName=DNS:self.example.com"
key leaf-rsa1024 rsa 1024
sign leaf-rsa1024 weak.example.com int $v0 $v1 sha256 "$srv\nsubjectAltName=DNS:weak.example.com"
key leaf-sha1 rsa 2048
sign leaf-sha1 sha1.example.com int $v0 $v1 sha1 "$srv\nsubjectAltName=DNS:sha1.example.com"
key leaf-clientauth rsa 2048
sign leaf-clientauth client.example.com int $v0 $v1 sha256 \
    "$leaf_ext\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:client.example.com"
# GeneralNames SEQUENCE { [2] dNSName "evil.example.org\0.example.com" (29 bytes) }, written as
# DER because no config syntax allows a NUL in a name.
nul=$(printf 'evil.example.org\0.example.com' | od -An -tx1 | tr -d ' \n' | sed 's/../&:/g;s/:$//')
key leaf-nul rsa 2048
sign leaf-nul nul.example.com int $v0 $v1 sha256 "$srv\nsubjectAltName=DER:30:1f:82:1d:$nul"
key leaf-other rsa 2048
sign leaf-other www.example.com other-root $v0 $v1 sha256 \
    "$srv\nsubjectAltName=DNS:www.example.com,DNS:example.com"

cp "$w/root.pem" "$out/root.pem"
cp "$w/other-root.pem" "$out/other-root.pem"
echo "wrote $(ls "$out" | wc -l) files to $out"

# Seeds for fuzz/fuzz_cert.c, in its input layout: flags, uint32 capture time
# (2030-06-01T00:00:00Z), <2-byte length> first certificate, then the second one.
seeds=fuzz/corpus/fuzz_cert
mkdir -p "$seeds"
seed() { # seed NAME FLAGS FIRST [SECOND]
    local len
    len=$(stat -c %s "$out/$3.der")
    {
        printf "\\x$2\\x71\\xa2\\xeb\\x00\\x$(printf %02x $((len >> 8)))\\x$(printf %02x $((len & 255)))"
        cat "$out/$3.der"
        [ -z "${4:-}" ] || cat "$out/$4.der"
    } >"$seeds/$1"
}
seed good 01 leaf-good int
seed wildcard 01 leaf-wildcard int
seed ip 03 leaf-ip int
seed self 00 leaf-self
seed no-intermediate 01 leaf-good root
seed nul 01 leaf-nul int
