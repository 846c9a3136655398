/* probe_offer.c: the failing ClientHello's offer, as OpenSSL settings. IANA cipher suite codes
 * are turned into OpenSSL's names with SSL_CIPHER_find (which knows every suite OpenSSL was
 * built with, enabled or not); groups through a table of the groups OpenSSL 3.0 supports. */
#include "probe_int.h"

#include <stdio.h>
#include <string.h>

#include "tlswhy/dissector.h"

static const struct {
    uint16_t code;
    const char *name;
} groups[] = {
    {23, "P-256"},        {24, "P-384"},        {25, "P-521"},        {29, "X25519"},
    {30, "X448"},         {256, "ffdhe2048"},   {257, "ffdhe3072"},   {258, "ffdhe4096"},
    {259, "ffdhe6144"},   {260, "ffdhe8192"},
};

static void append(char *buf, size_t n, const char *sep, const char *what)
{
    size_t used = strlen(buf);
    if (used + strlen(sep) + strlen(what) + 1 < n)
        snprintf(buf + used, n - used, "%s%s", used ? sep : "", what);
}

static void note(char *buf, size_t n, const char *kind, uint16_t code)
{
    char w[48];
    snprintf(w, sizeof w, "%s 0x%04x", kind, (unsigned)code);
    append(buf, n, ", ", w);
}

static int openssl_version(uint16_t v)
{
    switch (v) {
    case 0x0301:
        return TLS1_VERSION;
    case 0x0302:
        return TLS1_1_VERSION;
    case 0x0303:
        return TLS1_2_VERSION;
    case 0x0304:
        return TLS1_3_VERSION;
    default:
        return 0;
    }
}

static void versions(SSL_CTX *ctx, const struct tw_client_hello *ch, char *no, size_t n)
{
    int lo = 0, hi = 0;
    for (size_t i = 0; i < ch->versions.n; i++) {
        uint16_t v = ch->versions.v[i];
        int o = openssl_version(v);
        if (tw_tls_is_grease(v))
            continue;
        if (!o) {
            note(no, n, "version", v);
            continue;
        }
        lo = !lo || o < lo ? o : lo;
        hi = o > hi ? o : hi;
    }
    if (!hi) { /* no supported_versions: legacy_version and everything below it */
        hi = openssl_version(ch->legacy_version);
        lo = TLS1_VERSION;
    }
    if (hi) {
        SSL_CTX_set_min_proto_version(ctx, lo);
        SSL_CTX_set_max_proto_version(ctx, hi);
    }
}

static void suites(SSL_CTX *ctx, const struct tw_client_hello *ch, char *no, size_t n)
{
    char v13[512] = "", v12[4096] = "";
    SSL *tmp = SSL_new(ctx);
    if (!tmp)
        return;
    for (size_t i = 0; i < ch->cipher_suites.n; i++) {
        uint16_t s = ch->cipher_suites.v[i];
        if (tw_tls_is_grease(s) || s == 0x00ff || s == 0x5600) /* SCSVs are not suites */
            continue;
        uint8_t b[2] = {(uint8_t)(s >> 8), (uint8_t)s};
        const SSL_CIPHER *c = SSL_CIPHER_find(tmp, b);
        if (!c)
            note(no, n, "cipher suite", s);
        else if ((s >> 8) == 0x13)
            append(v13, sizeof v13, ":", SSL_CIPHER_get_name(c));
        else
            append(v12, sizeof v12, ":", SSL_CIPHER_get_name(c));
    }
    SSL_free(tmp);
    if (v13[0] && SSL_CTX_set_ciphersuites(ctx, v13) != 1)
        append(no, n, ", ", "the TLS 1.3 suites");
    if (v12[0] && SSL_CTX_set_cipher_list(ctx, v12) != 1)
        append(no, n, ", ", "the TLS <= 1.2 suites (none enabled in this OpenSSL)");
}

static void curves(SSL_CTX *ctx, const struct tw_client_hello *ch, char *no, size_t n)
{
    char list[256] = "";
    for (size_t i = 0; i < ch->groups.n; i++) {
        uint16_t g = ch->groups.v[i];
        const char *name = NULL;
        if (tw_tls_is_grease(g))
            continue;
        for (size_t k = 0; k < sizeof groups / sizeof groups[0]; k++)
            if (groups[k].code == g)
                name = groups[k].name;
        if (name)
            append(list, sizeof list, ":", name);
        else
            note(no, n, "group", g);
    }
    if (list[0] && SSL_CTX_set1_groups_list(ctx, list) != 1)
        append(no, n, ", ", "the groups");
}

void tw_probe_offer(SSL_CTX *ctx, const struct tw_client_hello *ch, char *not_offered, size_t n)
{
    not_offered[0] = '\0';
    if (!ch || !ch->present)
        return;
    versions(ctx, ch, not_offered, n);
    suites(ctx, ch, not_offered, n);
    curves(ctx, ch, not_offered, n);
}
