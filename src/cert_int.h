/* cert_int.h: what the cert*.c files share among themselves (OpenSSL types allowed here, and
 * nowhere under include/). Not part of any contract: only src/cert*.c include it. */
#ifndef TLSWHY_CERT_INT_H
#define TLSWHY_CERT_INT_H

#include "tlswhy/cert.h"
#include "tlswhy/causes.h" /* enum tw_cause */

#include <openssl/x509.h>

/* The summaries of one chain, shared by the cache entry and every report copied from it. */
struct tw_cert_chain_ref {
    unsigned refs;
    uint16_t n;
    struct tw_cert_summary certs[]; /* n of them */
};

/* cert_summary.c: parses der[0..len) into *s (always zeroed first; sha256 always set). Returns
 * the certificate (caller frees with X509_free), or NULL with a reason in why[0..whyn). */
X509 *tw_cert_parse(const uint8_t *der, uint32_t len, struct tw_cert_summary *s, char *why,
                    size_t whyn);
/* "2024-11-15T23:59:59Z"; n >= 21. */
void tw_cert_fmt_time(int64_t t, char *buf, size_t n);

/* cert.c: appends a finding (dropped and counted past TW_CERT_MAX_FINDINGS). */
void tw_cert_add_finding(struct tw_chain_report *r, int code, int cert_index, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "cert 2 (CN=tlswhy Test Root)", or the DN when there is no CN. */
const char *tw_cert_who(const struct tw_chain_report *r, int i, char *buf, size_t n);

/* cert_chain.c: the time-independent chain checks (order, trust, weak keys and signatures,
 * serverAuth) on x[0..n) (NULL where the DER did not parse), with summaries r->certs. Returns
 * true when X509_verify_cert ran. */
bool tw_cert_check_chain(X509_STORE *store, X509 *const *x, size_t n, struct tw_chain_report *r);

/* cert_name.c: the name check on the leaf of r (sets name_checked and name_ok). */
void tw_cert_check_name(struct tw_chain_report *r, const char *name);

/* cert_cache.c: a bounded LRU of chain reports keyed by byte strings of at most
 * TW_CERT_KEY_MAX bytes, each entry keeping a copy of its key (a hit is an equal key). The
 * cache holds one reference to each value and frees it with tw_chain_report_free on eviction. */
struct tw_cert_cache;
#define TW_CERT_CACHE_MAX ((size_t)1 << 20) /* larger requests are clamped to this */
#define TW_CERT_KEY_MAX ((size_t)16 << 10)  /* bytes of one key, i.e. of a chain kept as is */
/* NULL when cap is 0 or above TW_CERT_CACHE_MAX, or out of memory. */
struct tw_cert_cache *tw_cert_cache_new(size_t cap);
void tw_cert_cache_free(struct tw_cert_cache *c);
/* The value for key[0..keylen), now the most recently used; NULL when absent. */
struct tw_chain_report *tw_cert_cache_get(struct tw_cert_cache *c, const uint8_t *key,
                                          size_t keylen);
/* Inserts (key must be absent) a copy of the key; evicts the least recently used entry when
 * full and returns how many it evicted (0 or 1); -1 (nothing inserted, v still the caller's)
 * when keylen > TW_CERT_KEY_MAX or out of memory. */
int tw_cert_cache_put(struct tw_cert_cache *c, const uint8_t *key, size_t keylen,
                      struct tw_chain_report *v);

#endif
