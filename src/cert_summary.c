/* cert_summary.c: one certificate's DER -> struct tw_cert_summary (RFC 5280 section 4.1), with
 * OpenSSL doing the ASN.1. Strings taken from the certificate go through tw_rd and are stored
 * with control bytes escaped as \xNN, so an embedded NUL can never shorten a name. */
#include "cert_int.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tlswhy/rd.h"

/* Copies src[0..len) into dst as text. Bytes below 0x20, 0x7f, and (when ascii) every byte
 * above 0x7f become "\xNN". Truncates only between whole characters: never inside an escape
 * or a UTF-8 sequence. */
static void put_text(char *dst, size_t n, const unsigned char *src, size_t len, bool ascii)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(src, len, &e);
    size_t o = 0;
    while (tw_rd_left(&r) > 0) {
        size_t mark = o;
        uint8_t c = tw_rd_u8(&r);
        bool esc = c < 0x20 || c == 0x7f || (ascii && c >= 0x80);
        if (esc) {
            if (o + 5 >= n)
                break;
            snprintf(dst + o, n - o, "\\x%02x", c);
            o += 4;
            continue;
        }
        if (o + 1 >= n)
            break;
        dst[o++] = (char)c;
        /* a UTF-8 lead byte: copy its continuation bytes too, or drop the whole character */
        while (c >= 0xc0 && tw_rd_left(&r) > 0 && (*r.p & 0xc0) == 0x80) {
            if (o + 1 >= n) {
                o = mark;
                goto out;
            }
            dst[o++] = (char)tw_rd_u8(&r);
        }
    }
out:
    if (n > 0)
        dst[o < n ? o : n - 1] = '\0';
}

static void put_bio(char *dst, size_t n, BIO *b)
{
    char *p = NULL;
    long len = BIO_get_mem_data(b, &p);
    put_text(dst, n, (const unsigned char *)p, len > 0 ? (size_t)len : 0, false);
}

/* Full DN in RFC 2253 form (UTF-8 kept, control bytes escaped by OpenSSL) and the last CN. */
static void name_text(const X509_NAME *nm, char *dn, size_t dnn, char *cn, size_t cnn)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (b && X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
        put_bio(dn, dnn, b);
    BIO_free(b);

    int i = -1, last = -1;
    while ((i = X509_NAME_get_index_by_NID(nm, NID_commonName, i)) >= 0)
        last = i;
    if (last < 0)
        return;
    unsigned char *u = NULL;
    int len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, last)));
    if (len >= 0)
        put_text(cn, cnn, u, (size_t)len, false);
    OPENSSL_free(u);
}

/* An iPAddress SAN: 4 or 16 octets (RFC 5280 section 4.2.1.6). */
static void ip_text(const ASN1_OCTET_STRING *o, char *dst, size_t n)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(ASN1_STRING_get0_data(o), (size_t)ASN1_STRING_length(o), &e);
    size_t len = tw_rd_left(&r);
    const uint8_t *b = tw_rd_take(&r, len);
    if (!b || (len != 4 && len != 16) ||
        !inet_ntop(len == 4 ? AF_INET : AF_INET6, b, dst, (socklen_t)n))
        snprintf(dst, n, "invalid-ip-%zu-bytes", len);
}

static void sans(X509 *x, struct tw_cert_summary *s)
{
    s->has_san_ext = X509_get_ext_by_NID(x, NID_subject_alt_name, -1) >= 0;
    GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; i < sk_GENERAL_NAME_num(g); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(g, i);
        if (gn->type != GEN_DNS && gn->type != GEN_IPADD)
            continue;
        if (s->san_count >= TW_CERT_MAX_SANS) {
            s->sans_dropped++;
            continue;
        }
        char *dst = s->sans[s->san_count];
        if (gn->type == GEN_DNS) {
            put_text(dst, TW_CERT_NAME_MAX, ASN1_STRING_get0_data(gn->d.dNSName),
                     (size_t)ASN1_STRING_length(gn->d.dNSName), true);
            s->dns_san_count++;
        } else {
            ip_text(gn->d.iPAddress, dst, TW_CERT_NAME_MAX);
            s->san_ip[s->san_count] = true;
        }
        s->san_count++;
    }
    GENERAL_NAMES_free(g);
}

static void eku_text(X509 *x, struct tw_cert_summary *s)
{
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
    size_t o = 0;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku) && o < sizeof s->eku; i++) {
        char oid[64];
        const ASN1_OBJECT *obj = sk_ASN1_OBJECT_value(eku, i);
        int nid = OBJ_obj2nid(obj);
        if (nid != NID_undef)
            snprintf(oid, sizeof oid, "%s", OBJ_nid2sn(nid));
        else if (OBJ_obj2txt(oid, sizeof oid, obj, 1) < 0)
            snprintf(oid, sizeof oid, "?");
        int w = snprintf(s->eku + o, sizeof s->eku - o, "%s%s", o ? "," : "", oid);
        o += w > 0 ? (size_t)w : 0;
    }
    EXTENDED_KEY_USAGE_free(eku);
}

static void key_info(X509 *x, struct tw_cert_summary *s)
{
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (!pk) {
        ASN1_OBJECT *alg = NULL;
        X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, X509_get_X509_PUBKEY(x));
        if (!alg || OBJ_obj2txt(s->key_type, sizeof s->key_type, alg, 0) < 0)
            snprintf(s->key_type, sizeof s->key_type, "unknown");
        return;
    }
    const char *t;
    switch (EVP_PKEY_get_base_id(pk)) {
    case EVP_PKEY_RSA: t = "RSA"; break;
    case EVP_PKEY_RSA_PSS: t = "RSA-PSS"; break;
    case EVP_PKEY_EC: t = "EC"; break;
    case EVP_PKEY_DSA: t = "DSA"; break;
    case EVP_PKEY_ED25519: t = "Ed25519"; break;
    case EVP_PKEY_ED448: t = "Ed448"; break;
    default: t = "other"; break;
    }
    snprintf(s->key_type, sizeof s->key_type, "%s", t);
    s->key_bits = EVP_PKEY_get_bits(pk);
    if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
        !EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, s->key_curve,
                                        sizeof s->key_curve, NULL))
        s->key_curve[0] = '\0';
}

static void sig_info(X509 *x, struct tw_cert_summary *s)
{
    const X509_ALGOR *alg = NULL;
    const ASN1_OBJECT *obj = NULL;
    X509_get0_signature(NULL, &alg, x);
    X509_ALGOR_get0(&obj, NULL, NULL, alg);
    int nid = OBJ_obj2nid(obj);
    if (nid != NID_undef)
        snprintf(s->sig_alg, sizeof s->sig_alg, "%s", OBJ_nid2ln(nid));
    else if (!obj || OBJ_obj2txt(s->sig_alg, sizeof s->sig_alg, obj, 1) < 0)
        snprintf(s->sig_alg, sizeof s->sig_alg, "unknown");
}

static void serial_hex(X509 *x, struct tw_cert_summary *s)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *h = bn ? BN_bn2hex(bn) : NULL;
    if (h)
        snprintf(s->serial, sizeof s->serial, "%s", h);
    OPENSSL_free(h);
    BN_free(bn);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm):
 * timegm() is not C11, and the host's time zone must not matter. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool epoch(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm))
        return false;
    *out = days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return true;
}

void tw_cert_fmt_time(int64_t t, char *buf, size_t n)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, n, "@%lld", (long long)t);
}

static void reason(char *why, size_t whyn, const char *what)
{
    /* the earliest error is the root cause ("header too long"); later ones only wrap it */
    const char *r = ERR_reason_error_string(ERR_peek_error());
    snprintf(why, whyn, "%s (OpenSSL: %s)", what, r ? r : "no reason given");
    ERR_clear_error();
}

X509 *tw_cert_parse(const uint8_t *der, uint32_t len, struct tw_cert_summary *s, char *why,
                    size_t whyn)
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    memset(s, 0, sizeof *s);
    if (EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL))
        for (unsigned i = 0; i < mdlen && i < 32; i++)
            snprintf(s->sha256 + 2 * i, 3, "%02x", md[i]);

    ERR_clear_error();
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (!x) {
        reason(why, whyn, "the DER does not parse as a certificate");
        return NULL;
    }
    if (p != der + len) {
        snprintf(why, whyn, "%zu bytes follow the certificate's DER",
                 (size_t)(der + len - p));
        X509_free(x);
        return NULL;
    }
    if (!epoch(X509_get0_notBefore(x), &s->not_before) ||
        !epoch(X509_get0_notAfter(x), &s->not_after)) {
        reason(why, whyn, "notBefore or notAfter is not a valid time");
        X509_free(x);
        return NULL;
    }
    s->parsed = true;
    tw_cert_fmt_time(s->not_before, s->not_before_text, sizeof s->not_before_text);
    tw_cert_fmt_time(s->not_after, s->not_after_text, sizeof s->not_after_text);
    name_text(X509_get_subject_name(x), s->subject_dn, sizeof s->subject_dn, s->subject_cn,
              sizeof s->subject_cn);
    name_text(X509_get_issuer_name(x), s->issuer_dn, sizeof s->issuer_dn, s->issuer_cn,
              sizeof s->issuer_cn);
    sans(x, s);
    serial_hex(x, s);
    key_info(x, s);
    sig_info(x, s);
    uint32_t fl = X509_get_extension_flags(x);
    s->is_ca = (fl & EXFLAG_CA) != 0;
    s->self_signed = X509_self_signed(x, 1) == 1;
    s->has_eku = (fl & EXFLAG_XKUSAGE) != 0;
    s->eku_server_auth = s->has_eku && (X509_get_extended_key_usage(x) & XKU_SSL_SERVER) != 0;
    s->has_key_usage = (fl & EXFLAG_KUSAGE) != 0;
    s->key_usage = s->has_key_usage ? X509_get_key_usage(x) : 0;
    if (s->has_eku)
        eku_text(x, s);
    ERR_clear_error(); /* lookups above may leave entries; the next certificate starts clean */
    return x;
}
