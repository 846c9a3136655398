/* cert.h: certificate analysis (cert*.c, the only files that include OpenSSL). Judges the chain
 * the server presented as the client would, at capture time. */
#ifndef TLSWHY_CERT_H
#define TLSWHY_CERT_H

#include "tlswhy/base.h"

#define TW_CERT_MAX_SANS 32
#define TW_CERT_NAME_MAX 256

/* What one certificate says, flattened to text (UTF-8, not escaped: reporters escape). */
struct tw_cert_summary {
    bool parsed;                          /* false: DER did not parse; only sha256 is set */
    char subject_cn[TW_CERT_NAME_MAX];
    char subject_dn[512];                 /* RFC 2253 form */
    char issuer_cn[TW_CERT_NAME_MAX];
    char issuer_dn[512];
    uint16_t san_count, sans_dropped;     /* DNS and IP SANs, in certificate order */
    char sans[TW_CERT_MAX_SANS][TW_CERT_NAME_MAX]; /* "DNS:" omitted; IPs as text */
    char serial[80];                      /* hex */
    int64_t not_before, not_after;        /* seconds since the epoch (UTC) */
    char key_type[16];                    /* "RSA", "EC", "Ed25519", ... */
    int key_bits;
    char key_curve[32];                   /* "prime256v1" for EC keys */
    char sig_alg[64];                     /* "sha256WithRSAEncryption" */
    char sha256[65];                      /* hex of the DER */
    bool is_ca;                           /* basicConstraints CA:TRUE */
    bool self_signed;                     /* issuer == subject and its own key verifies it */
    bool has_eku, eku_server_auth;        /* extendedKeyUsage present / allows serverAuth */
    bool has_key_usage;
    uint32_t key_usage;                   /* X509v3 KU bits as OpenSSL reports them */
};

/* One problem found in the chain. code is an enum tw_cause value (causes.def). */
struct tw_cert_finding {
    int code;
    int cert_index;   /* position in the chain as sent (0 = leaf), -1 for the chain as a whole */
    char text[400];   /* the exact values compared, e.g. "notAfter 2024-11-15T23:59:59Z < capture
                       * time 2024-11-16T08:12:03Z" */
};

#define TW_CERT_MAX_FINDINGS 16
/* The analysis of one chain for one name at one time. */
struct tw_chain_report {
    uint16_t n;                          /* certificates analysed */
    struct tw_cert_summary *certs;       /* n summaries, leaf first */
    uint16_t finding_count;
    struct tw_cert_finding findings[TW_CERT_MAX_FINDINGS];
    bool name_checked;                   /* a name (SNI or --host) was available */
    bool name_ok;
    bool trusted;                        /* X509_verify_cert succeeded at capture time */
    int verify_error;                    /* X509_V_ERR_* (0 = ok) */
    char verify_error_text[128];
};

struct tw_cert_opts {
    const char *ca_file;     /* NULL: system default store */
    const char *ca_path;
    int expires_soon_days;   /* warning window; default 30 */
    size_t cache_entries;    /* parsed chains kept (LRU) */
};

struct tw_cert_ctx;

/* Loads the trust store. Returns NULL and sets *err (TW_E_IO, TW_E_NOMEM) on failure. */
struct tw_cert_ctx *tw_cert_ctx_new(const struct tw_cert_opts *o, int *err);
void tw_cert_ctx_free(struct tw_cert_ctx *c);

/* Analyses the chain der[0..n) (leaf first, as sent) for name (NULL: the client sent no SNI)
 * at capture time at_s (seconds since the epoch). Returns a report the caller frees with
 * tw_chain_report_free, or NULL on allocation failure. Results are cached by the chain's
 * SHA-256, so repeated chains cost one hash. */
struct tw_chain_report *tw_cert_analyse(struct tw_cert_ctx *c, const uint8_t *const *der,
                                        const uint32_t *len, size_t n, const char *name,
                                        int64_t at_s);
void tw_chain_report_free(struct tw_chain_report *r);

/* RFC 6125 name matching, exposed for tests: does pattern (a SAN or CN) cover host? */
bool tw_cert_name_matches(const char *pattern, const char *host);

struct tw_cert_stats {
    uint64_t analysed, cache_hits, verifications;
};
const struct tw_cert_stats *tw_cert_stats(const struct tw_cert_ctx *c);

#endif
