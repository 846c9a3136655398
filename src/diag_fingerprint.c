/* diag_fingerprint.c: JA4 (FoxIO technical_details/JA4.md) and JA3/JA3S (Salesforce) from the
 * hellos the dissectors parsed. Every list is read from its TW_LIST in wire order; GREASE
 * values (RFC 8701) are skipped everywhere, as both specifications ask. */
#include "tlswhy/fingerprint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlswhy/digest.h"
#include "tlswhy/dissector.h"

/* A bounded string under construction; over is set (and the text kept short) when it did not
 * fit, which the sizes above rule out but the code does not assume. */
struct sb {
    char *p;
    size_t n, cap;
    bool over;
};

/* Appends s[0..len): all of it or, when it does not fit, nothing (over is set). Hand-made
 * instead of snprintf: these run for every value of every hello, and printf was the larger
 * part of the whole fingerprint cost. */
static void sb_mem(struct sb *b, const char *s, size_t len)
{
    if (b->over)
        return;
    if (len >= b->cap - b->n) {
        b->over = true;
        b->p[b->n] = '\0';
        return;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

static void sb_str(struct sb *b, const char *s)
{
    sb_mem(b, s, strlen(s));
}

/* A value as 4 lower-case hex digits (JA4) or in decimal (JA3). */
static void sb_val(struct sb *b, unsigned v, bool hex)
{
    static const char digits[] = "0123456789abcdef";
    char t[16];
    size_t i = sizeof t;
    if (hex) {
        do {
            t[--i] = digits[v & 15];
            v >>= 4;
        } while (v && i > 0);
        while (sizeof t - i < 4)
            t[--i] = '0';
    } else {
        do {
            t[--i] = (char)('0' + v % 10);
            v /= 10;
        } while (v && i > 0);
    }
    sb_mem(b, t + i, sizeof t - i);
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/* values[0..n) without GREASE (and without skip_a / skip_b, when not -1), separated by sep;
 * sorted ascending when sort. */
static void sb_list(struct sb *b, const uint16_t *values, size_t n, bool sort, long skip_a,
                    long skip_b, bool hex, const char *sep)
{
    uint16_t v[512];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof v / sizeof v[0]; i++)
        if (!tw_tls_is_grease(values[i]) && values[i] != skip_a && values[i] != skip_b)
            v[k++] = values[i];
    if (sort) /* qsort: an insertion sort of a 60-suite preference list was most of JA4 */
        qsort(v, k, sizeof v[0], cmp_u16);
    size_t seplen = strlen(sep);
    for (size_t i = 0; i < k; i++) {
        /* The common case written in place: a one-byte separator and 4 hex digits, with room
         * to spare (the general path below keeps the same result when near the end). */
        if (hex && seplen == 1 && !b->over && b->cap - b->n > 6) {
            static const char digits[] = "0123456789abcdef";
            char *o = b->p + b->n;
            if (i)
                *o++ = sep[0];
            o[0] = digits[v[i] >> 12];
            o[1] = digits[(v[i] >> 8) & 15];
            o[2] = digits[(v[i] >> 4) & 15];
            o[3] = digits[v[i] & 15];
            o[4] = '\0';
            b->n = (size_t)(o + 4 - b->p);
            continue;
        }
        if (i)
            sb_mem(b, sep, seplen);
        sb_val(b, v[i], hex);
    }
}

static size_t count_non_grease(const uint16_t *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += !tw_tls_is_grease(v[i]);
    return k;
}

/* JA4 "TLS version": the highest non-GREASE supported_versions entry, else the legacy version. */
static const char *ja4_version(const struct tw_client_hello *ch)
{
    uint16_t v = 0;
    for (size_t i = 0; i < ch->versions.n; i++)
        if (!tw_tls_is_grease(ch->versions.v[i]) && ch->versions.v[i] > v)
            v = ch->versions.v[i];
    if (v == 0)
        v = ch->legacy_version;
    switch (v) {
    case 0x0304:
        return "13";
    case 0x0303:
        return "12";
    case 0x0302:
        return "11";
    case 0x0301:
        return "10";
    case 0x0300:
        return "s3";
    case 0x0002:
        return "s2";
    case 0xfeff:
        return "d1";
    case 0xfefd:
        return "d2";
    case 0xfefc:
        return "d3";
    default:
        return "00";
    }
}

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* First and last character of the first ALPN value; "00" without one; when either end byte is
 * not alphanumeric, the first and last digit of the value's hex form. False when the first
 * value is longer than the bytes the dissector kept. */
static bool ja4_alpn(const struct tw_client_hello *ch, char out[3])
{
    static const char hex[] = "0123456789abcdef";
    out[0] = out[1] = '0';
    out[2] = '\0';
    if (ch->alpn_len == 0 || ch->alpn[0] == 0)
        return true;
    size_t len = ch->alpn[0];
    if (1 + len > ch->alpn_len)
        return false;
    uint8_t first = ch->alpn[1], last = ch->alpn[len];
    if (is_alnum(first) && is_alnum(last)) {
        out[0] = (char)first;
        out[1] = (char)last;
    } else {
        out[0] = hex[first >> 4];
        out[1] = hex[last & 15];
    }
    return true;
}

/* One JA4 form: prefix "_" ciphers "_" extensions ["_" signature algorithms], raw or hashed. */
static void ja4_form(const struct tw_client_hello *ch, const char *prefix, bool original, char *raw,
                     size_t raw_cap, char *hashed, size_t hashed_cap)
{
    char cbuf[5 * 512 + 1], ebuf[5 * (64 + 64) + 2], ch_hex[TW_DIGEST_HEX_MAX],
        eh_hex[TW_DIGEST_HEX_MAX];
    struct sb c = {cbuf, 0, sizeof cbuf, false}, e = {ebuf, 0, sizeof ebuf, false};
    cbuf[0] = ebuf[0] = '\0';
    sb_list(&c, ch->cipher_suites.v, ch->cipher_suites.n, !original, -1, -1, true, ",");
    /* The sorted forms leave SNI (0) and ALPN (16) out: the prefix already carries them. */
    sb_list(&e, ch->extensions.v, ch->extensions.n, !original, original ? -1 : 0,
            original ? -1 : 16, true, ",");
    /* "No extensions in the sorted list" (SNI and ALPN left out) zeroes the hash in the
     * original-order form too, as FoxIO's reference implementation does. */
    bool no_ext = true;
    for (size_t i = 0; i < ch->extensions.n; i++) {
        uint16_t x = ch->extensions.v[i];
        no_ext = no_ext && (tw_tls_is_grease(x) || x == 0 || x == 16);
    }
    if (count_non_grease(ch->sig_algs.v, ch->sig_algs.n) > 0) {
        sb_str(&e, "_");
        sb_list(&e, ch->sig_algs.v, ch->sig_algs.n, false, -1, -1, true, ",");
    }
    raw[0] = hashed[0] = '\0';
    if (c.over || e.over)
        return;
    int w = snprintf(raw, raw_cap, "%s_%s_%s", prefix, cbuf, ebuf);
    if (w < 0 || (size_t)w >= raw_cap) {
        raw[0] = '\0';
        return;
    }
    /* An empty list hashes to twelve zeros, so that "no values" stands out. */
    if (c.n == 0)
        snprintf(ch_hex, sizeof ch_hex, "000000000000");
    else if (!tw_digest_hex(TW_DIGEST_SHA256, cbuf, c.n, ch_hex, sizeof ch_hex))
        return;
    if (no_ext)
        snprintf(eh_hex, sizeof eh_hex, "000000000000");
    else if (!tw_digest_hex(TW_DIGEST_SHA256, ebuf, e.n, eh_hex, sizeof eh_hex))
        return;
    snprintf(hashed, hashed_cap, "%s_%.12s_%.12s", prefix, ch_hex, eh_hex);
}

/* JA4's first part ("t13d1516h2"); false when a list JA4 reads was cut by the dissector. */
static bool ja4_prefix(const struct tw_client_hello *ch, char prefix[16])
{
    char alpn[3];
    if (ch->cipher_suites.dropped || ch->extensions.dropped || ch->sig_algs.dropped ||
        ch->versions.dropped || !ja4_alpn(ch, alpn))
        return false;
    size_t nc = count_non_grease(ch->cipher_suites.v, ch->cipher_suites.n);
    size_t ne = count_non_grease(ch->extensions.v, ch->extensions.n);
    bool sni = false;
    for (size_t i = 0; i < ch->extensions.n; i++)
        sni = sni || ch->extensions.v[i] == 0;
    snprintf(prefix, 16, "t%s%c%02u%02u%s", ja4_version(ch), sni ? 'd' : 'i',
             (unsigned)(nc > 99 ? 99 : nc), (unsigned)(ne > 99 ? 99 : ne), alpn);
    return true;
}

static void ja4(const struct tw_client_hello *ch, struct tw_fingerprints *out)
{
    char prefix[16], raw[TW_JA4_RAW_MAX];
    if (!ja4_prefix(ch, prefix))
        return;
    ja4_form(ch, prefix, false, raw, sizeof raw, out->ja4, sizeof out->ja4);
    ja4_form(ch, prefix, true, raw, sizeof raw, out->ja4_o, sizeof out->ja4_o);
}

bool tw_fp_ja4_raw(const struct tw_client_hello *ch, bool original_order, char *out, size_t cap)
{
    char prefix[16], hashed[TW_JA4_LEN];
    if (cap)
        out[0] = '\0';
    if (!ch || !ch->present || !cap || !ja4_prefix(ch, prefix))
        return false;
    ja4_form(ch, prefix, original_order, out, cap, hashed, sizeof hashed);
    return out[0] != '\0';
}

/* JA3 string: SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats, each a
 * '-'-separated decimal list without GREASE. */
static void ja3(const struct tw_client_hello *ch, struct tw_fingerprints *out)
{
    char buf[6 * (512 + 64 + 64 + 16) + 16];
    struct sb b = {buf, 0, sizeof buf, false};
    if (ch->cipher_suites.dropped || ch->extensions.dropped || ch->groups.dropped ||
        ch->ec_point_formats.dropped)
        return;
    sb_val(&b, ch->legacy_version, false);
    sb_str(&b, ",");
    sb_list(&b, ch->cipher_suites.v, ch->cipher_suites.n, false, -1, -1, false, "-");
    sb_str(&b, ",");
    sb_list(&b, ch->extensions.v, ch->extensions.n, false, -1, -1, false, "-");
    sb_str(&b, ",");
    sb_list(&b, ch->groups.v, ch->groups.n, false, -1, -1, false, "-");
    sb_str(&b, ",");
    sb_list(&b, ch->ec_point_formats.v, ch->ec_point_formats.n, false, -1, -1, false, "-");
    if (!b.over)
        tw_digest_hex(TW_DIGEST_MD5, buf, b.n, out->ja3, sizeof out->ja3);
}

void tw_fp_client(const struct tw_client_hello *ch, struct tw_fingerprints *out)
{
    out->ja4[0] = out->ja4_o[0] = out->ja3[0] = '\0';
    if (!ch || !ch->present)
        return;
    ja4(ch, out);
    ja3(ch, out);
}

void tw_fp_server(const struct tw_server_hello *sh, struct tw_fingerprints *out)
{
    char buf[16 + 6 * 64];
    struct sb b = {buf, 0, sizeof buf, false};
    out->ja3s[0] = '\0';
    if (!sh || !sh->present || sh->extensions.dropped)
        return;
    sb_val(&b, sh->legacy_version, false);
    sb_str(&b, ",");
    sb_val(&b, sh->cipher_suite, false);
    sb_str(&b, ",");
    sb_list(&b, sh->extensions.v, sh->extensions.n, false, -1, -1, false, "-");
    if (!b.over)
        tw_digest_hex(TW_DIGEST_MD5, buf, b.n, out->ja3s, sizeof out->ja3s);
}

void tw_fp_connection(const struct tw_ev_tls *t, struct tw_fingerprints *out)
{
    tw_fp_memo_client(t ? &t->ch : NULL, out);
    tw_fp_memo_server(t ? (t->hrr.present ? &t->hrr : &t->sh) : NULL, out);
}
