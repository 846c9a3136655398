/* cert.c: certificate analysis entry points: the trust store, the per-chain cache, and the
 * checks that depend on the capture time and the name. The chain as sent is the TLS
 * Certificate message's certificate_list (RFC 8446 section 4.4.2, RFC 5246 section 7.4.2):
 *   opaque ASN.1Cert<1..2^24-1>;  ASN.1Cert certificate_list<0..2^24-1>;  (leaf first)
 * already split by the dissector; here each entry is one DER X.509 certificate (RFC 5280).
 *
 * Caching: everything that depends only on the chain's bytes (summaries, order, trust, weak
 * keys, serverAuth) is computed once per distinct chain and kept in a bounded LRU keyed by the
 * chain's bytes (chain_key). Trust is verified with X509_V_FLAG_NO_CHECK_TIME, so that result holds
 * for every capture time; the dates (expired, not yet valid, expires soon) are then compared
 * with the capture time on every call, which is a few integer compares on the cached notBefore
 * and notAfter. The name is checked on every call too (string compares on the cached SANs), so
 * one cache entry serves every SNI a chain is presented for. Verifying with the capture time
 * inside OpenSSL instead would need the time in the key and would re-verify every chain for
 * every distinct second of the capture. */
#include "tlswhy/cert.h"

#include "cert_int.h"
#include "tlswhy/log.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct tw_cert_ctx {
    X509_STORE *store;
    bool defaults_pending; /* the system store is loaded at the first chain to verify */
    EVP_MD *sha256;        /* fetched once for the cache key of a long chain */
    uint8_t *key;          /* the cache key being built (TW_CERT_KEY_MAX bytes) */
    int64_t soon_s; /* expires-soon window in seconds; < 0: disabled */
    struct tw_cert_cache *cache;
    struct tw_cert_stats st;
};

static bool readable_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

struct tw_cert_ctx *tw_cert_ctx_new(const struct tw_cert_opts *o, int *err)
{
    struct tw_cert_ctx *c = calloc(1, sizeof *c);
    size_t entries = o && o->cache_entries ? o->cache_entries : TW_CERT_CACHE_DEFAULT;
    int days = o && o->expires_soon_days ? o->expires_soon_days : 30;
    const char *file = o ? o->ca_file : NULL, *path = o ? o->ca_path : NULL;
    *err = TW_E_NOMEM;
    if (!c)
        goto out;
    c->soon_s = days < 0 ? -1 : (int64_t)days * 86400;
    c->cache = tw_cert_cache_new(entries < TW_CERT_CACHE_MAX ? entries : TW_CERT_CACHE_MAX);
    c->store = X509_STORE_new();
    c->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    c->key = malloc(TW_CERT_KEY_MAX);
    if (!c->cache || !c->store || !c->sha256 || !c->key)
        goto out;
    int ok = 1;
    if (file || path) {
        /* add_dir looks files up lazily and never fails: check the directory exists now */
        ok = (!path || readable_dir(path)) && X509_STORE_load_locations(c->store, file, path);
    } else {
        /* Parsing the system bundle costs about 195 M instructions, more than analysing
         * thousands of connections; a capture without a certificate to verify (TLS 1.3, or
         * failures before the server's flight) never needs it. X509_STORE_set_default_paths
         * fails only when out of memory, so deferring it changes no outcome. */
        c->defaults_pending = true;
    }
    ERR_clear_error();
    *err = ok ? TW_OK : TW_E_IO;
out:
    if (*err != TW_OK) {
        tw_cert_ctx_free(c);
        c = NULL;
    }
    return c;
}

void tw_cert_ctx_free(struct tw_cert_ctx *c)
{
    if (!c)
        return;
    tw_cert_cache_free(c->cache);
    X509_STORE_free(c->store);
    EVP_MD_free(c->sha256);
    free(c->key);
    free(c);
}

const struct tw_cert_stats *tw_cert_stats(const struct tw_cert_ctx *c)
{
    return &c->st;
}

void tw_chain_report_free(struct tw_chain_report *r)
{
    if (!r)
        return;
    if (r->ref && --r->ref->refs == 0)
        free(r->ref);
    free(r);
}

void tw_cert_add_finding(struct tw_chain_report *r, int code, int cert_index, const char *fmt,
                         ...)
{
    if (r->finding_count >= TW_CERT_MAX_FINDINGS) {
        r->findings_dropped++;
        return;
    }
    struct tw_cert_finding *f = &r->findings[r->finding_count++];
    f->code = code;
    f->cert_index = cert_index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->text, sizeof f->text, fmt, ap);
    va_end(ap);
}

const char *tw_cert_who(const struct tw_chain_report *r, int i, char *buf, size_t n)
{
    const struct tw_cert_summary *s = i >= 0 && i < r->n ? &r->certs[i] : NULL;
    if (s && s->subject_cn[0])
        snprintf(buf, n, "cert %d (CN=%s)", i, s->subject_cn);
    else if (s && s->subject_dn[0])
        snprintf(buf, n, "cert %d (%s)", i, s->subject_dn);
    else
        snprintf(buf, n, "cert %d", i);
    return buf;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The cache key of a chain into c->key; its length, or 0 on failure. The chain's count, then
 * each certificate's length and bytes (the lengths keep two different splits of the same bytes
 * apart), after a 'D'; or, for a chain longer than a key may be, 'S' and the SHA-256 of that.
 * The cache compares whole keys, so a short chain is found by its bytes themselves: no digest
 * (SHA-256 of 3 KB was nearly all of a cache hit). */
static size_t chain_key(struct tw_cert_ctx *c, const uint8_t *const *der, const uint32_t *len,
                        size_t n)
{
    size_t total = 1 + 4;
    for (size_t i = 0; i < n; i++)
        total += 4 + (size_t)len[i];
    uint8_t *k = c->key;
    if (total <= TW_CERT_KEY_MAX) {
        k[0] = 'D';
        put_be32(k + 1, (uint32_t)n);
        size_t at = 5;
        for (size_t i = 0; i < n; i++) {
            put_be32(k + at, len[i]);
            memcpy(k + at + 4, der[i], len[i]);
            at += 4 + (size_t)len[i];
        }
        return at;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md && EVP_DigestInit_ex(md, c->sha256, NULL);
    uint8_t b[4];
    put_be32(b, (uint32_t)n);
    ok = ok && EVP_DigestUpdate(md, b, 4);
    for (size_t i = 0; ok && i < n; i++) {
        put_be32(b, len[i]);
        ok = EVP_DigestUpdate(md, b, 4) && EVP_DigestUpdate(md, der[i], len[i]);
    }
    unsigned int out = 0;
    k[0] = 'S';
    ok = ok && EVP_DigestFinal_ex(md, k + 1, &out) && out == 32;
    EVP_MD_CTX_free(md);
    return ok ? 1 + 32 : 0;
}

/* The time-independent part of the analysis of one chain: what the cache keeps. */
static struct tw_chain_report *analyse_chain(struct tw_cert_ctx *c, const uint8_t *const *der,
                                             const uint32_t *len, size_t n)
{
    struct tw_chain_report *r = calloc(1, sizeof *r);
    X509 *x[TW_CERT_MAX_CHAIN] = {NULL};
    if (!r)
        return NULL;
    r->ref = calloc(1, sizeof *r->ref + n * sizeof r->ref->certs[0]);
    if (!r->ref) {
        free(r);
        return NULL;
    }
    r->ref->refs = 1;
    r->ref->n = (uint16_t)n;
    r->n = (uint16_t)n;
    r->certs = r->ref->certs;
    for (size_t i = 0; i < n; i++) {
        char why[200];
        x[i] = tw_cert_parse(der[i], len[i], &r->certs[i], why, sizeof why);
        if (!x[i])
            tw_cert_add_finding(r, TW_CAUSE_CERT_UNPARSEABLE, (int)i, "cert %zu (%u bytes): %s",
                                i, (unsigned)len[i], why);
    }
    if (c->defaults_pending) {
        c->defaults_pending = false;
        if (!X509_STORE_set_default_paths(c->store))
            tw_log(TW_LOG_WARN, "cert: could not load the system trust store (out of memory)");
        ERR_clear_error();
    }
    if (tw_cert_check_chain(c->store, x, n, r))
        c->st.verifications++;
    for (size_t i = 0; i < n; i++)
        X509_free(x[i]);
    return r;
}

/* notBefore <= capture time <= notAfter, as OpenSSL's own check; expires-soon only for a
 * certificate that is valid now. Only the certificates the server sent are checked: an
 * anchor from the trust store is the client's business. */
static void check_dates(struct tw_chain_report *r, int64_t at_s, int64_t soon_s)
{
    char now[32], who[300];
    tw_cert_fmt_time(at_s, now, sizeof now);
    for (int i = 0; i < r->n; i++) {
        const struct tw_cert_summary *s = &r->certs[i];
        if (!s->parsed)
            continue;
        int err = at_s > s->not_after    ? X509_V_ERR_CERT_HAS_EXPIRED
                  : at_s < s->not_before ? X509_V_ERR_CERT_NOT_YET_VALID
                                         : X509_V_OK;
        if (err != X509_V_OK && r->verify_error == X509_V_OK) {
            /* what X509_verify_cert would have said with the capture time set */
            r->trusted = false;
            r->verify_error = err;
            snprintf(r->verify_error_text, sizeof r->verify_error_text, "%s",
                     X509_verify_cert_error_string(err));
        }
        if (err == X509_V_ERR_CERT_HAS_EXPIRED)
            tw_cert_add_finding(r, TW_CAUSE_CERT_EXPIRED, i, "%s: notAfter %s < capture time %s",
                                tw_cert_who(r, i, who, sizeof who), s->not_after_text, now);
        else if (err == X509_V_ERR_CERT_NOT_YET_VALID)
            tw_cert_add_finding(r, TW_CAUSE_CERT_NOT_YET_VALID, i,
                                "%s: notBefore %s > capture time %s",
                                tw_cert_who(r, i, who, sizeof who), s->not_before_text, now);
        else if (soon_s >= 0 && s->not_after - at_s < soon_s)
            tw_cert_add_finding(r, TW_CAUSE_CERT_EXPIRES_SOON, i,
                                "%s: notAfter %s is %lld days after capture time %s (warning "
                                "window %lld days)",
                                tw_cert_who(r, i, who, sizeof who), s->not_after_text,
                                (long long)((s->not_after - at_s) / 86400), now,
                                (long long)(soon_s / 86400));
    }
}

/* Most decisive first (see cert.h); ties keep their order. */
static int rank(int code)
{
    static const int order[] = {
        TW_CAUSE_CERT_UNPARSEABLE,   TW_CAUSE_CERT_SELF_SIGNED,  TW_CAUSE_CERT_CHAIN_INCOMPLETE,
        TW_CAUSE_CERT_UNTRUSTED,     TW_CAUSE_CERT_EXPIRED,      TW_CAUSE_CERT_NOT_YET_VALID,
        TW_CAUSE_CERT_NAME_MISMATCH, TW_CAUSE_CERT_NOT_SERVER_AUTH, TW_CAUSE_CERT_WEAK_KEY,
        TW_CAUSE_CERT_CHAIN_MISORDERED, TW_CAUSE_CERT_EXPIRES_SOON,
    };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (order[i] == code)
            return (int)i;
    return (int)(sizeof order / sizeof order[0]);
}

static void sort_findings(struct tw_chain_report *r)
{
    for (uint16_t i = 1; i < r->finding_count; i++) {
        struct tw_cert_finding f = r->findings[i];
        uint16_t j = i;
        for (; j > 0 && rank(r->findings[j - 1].code) > rank(f.code); j--)
            r->findings[j] = r->findings[j - 1];
        r->findings[j] = f;
    }
}

struct tw_chain_report *tw_cert_analyse(struct tw_cert_ctx *c, const uint8_t *const *der,
                                        const uint32_t *len, size_t n, const char *name,
                                        int64_t at_s)
{
    struct tw_chain_report *tmpl = NULL, *r = NULL;
    bool cached = false;
    c->st.analysed++;
    if (n > TW_CERT_MAX_CHAIN)
        n = TW_CERT_MAX_CHAIN;
    size_t keylen = chain_key(c, der, len, n);
    if (keylen && (tmpl = tw_cert_cache_get(c->cache, c->key, keylen)) != NULL) {
        c->st.cache_hits++;
        cached = true;
    } else if ((tmpl = analyse_chain(c, der, len, n)) == NULL) {
        return NULL;
    }
    r = malloc(sizeof *r);
    if (r) {
        *r = *tmpl;
        r->ref->refs++;
        check_dates(r, at_s, c->soon_s);
        tw_cert_check_name(r, name);
        sort_findings(r);
    }
    if (!cached) {
        /* the cache takes the template's reference; without a key it cannot be found again */
        int evicted = keylen ? tw_cert_cache_put(c->cache, c->key, keylen, tmpl) : -1;
        if (evicted >= 0)
            c->st.cache_evictions += (uint64_t)evicted;
        else
            tw_chain_report_free(tmpl);
    }
    return r;
}
