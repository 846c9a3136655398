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
    /* Added by the certificate layer (additive): */
    bool has_san_ext;                     /* a subjectAltName extension is present (even if it
                                           * could not be decoded): then CN is never matched */
    uint16_t dns_san_count;               /* how many of sans[] are dNSName entries */
    bool san_ip[TW_CERT_MAX_SANS];        /* sans[i] is an iPAddress (else a dNSName) */
    char eku[128];                        /* extendedKeyUsage short names, "clientAuth,..." */
    char not_before_text[24], not_after_text[24]; /* "2024-11-15T23:59:59Z" */
};

/* One problem found in the chain. code is an enum tw_cause value (causes.def). */
struct tw_cert_finding {
    int code;
    int cert_index;   /* position in the chain as sent (0 = leaf), -1 for the chain as a whole */
    char text[400];   /* the exact values compared, e.g. "notAfter 2024-11-15T23:59:59Z < capture
                       * time 2024-11-16T08:12:03Z" */
};

/* Shared, reference-counted storage of the summaries (private to cert*.c). */
struct tw_cert_chain_ref;

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
    /* Added by the certificate layer (additive): */
    uint16_t findings_dropped;           /* findings past TW_CERT_MAX_FINDINGS */
    struct tw_cert_chain_ref *ref;       /* private: owns certs, shared with the cache */
};

struct tw_cert_opts {
    const char *ca_file;     /* NULL: system default store */
    const char *ca_path;
    int expires_soon_days;   /* warning window; 0 means the default 30, < 0 disables it */
    size_t cache_entries;    /* parsed chains kept (LRU); 0 means TW_CERT_CACHE_DEFAULT */
};
#define TW_CERT_CACHE_DEFAULT 1024
#define TW_CERT_MAX_CHAIN 32     /* certificates analysed per chain; later ones are ignored */

struct tw_cert_ctx;

/* Loads the trust store: ca_file and/or ca_path when given (a missing or unreadable file or
 * directory is TW_E_IO), else OpenSSL's default paths (the system store); o == NULL means all
 * defaults. Returns NULL and sets *err (TW_E_IO, TW_E_NOMEM) on failure. The caller frees the
 * context with tw_cert_ctx_free (NULL is fine); reports it returned outlive it. */
struct tw_cert_ctx *tw_cert_ctx_new(const struct tw_cert_opts *o, int *err);
void tw_cert_ctx_free(struct tw_cert_ctx *c);

/* Analyses the chain der[0..n) (leaf first, as sent) for name (NULL: the client sent no SNI)
 * at capture time at_s (seconds since the epoch). Returns a report the caller frees with
 * tw_chain_report_free, or NULL on allocation failure. Results are cached by the chain's
 * SHA-256, so repeated chains cost one hash. Findings come most decisive first: unparseable,
 * trust (self-signed, incomplete, untrusted), dates, name, serverAuth, weak key, order, and
 * last the expires-soon warning. The report's certs are shared with the cache: read-only.
 * name may be an IP address (from --host): then only IP SANs match it. When the leaf does not
 * parse, name_checked is set, name_ok is false, and cert_unparseable says why. n == 0 gives
 * an empty report; only the first TW_CERT_MAX_CHAIN certificates are analysed. */
struct tw_chain_report *tw_cert_analyse(struct tw_cert_ctx *c, const uint8_t *const *der,
                                        const uint32_t *len, size_t n, const char *name,
                                        int64_t at_s);
/* Frees a report (NULL is fine): one free and one reference drop, never a deep copy. */
void tw_chain_report_free(struct tw_chain_report *r);

/* RFC 6125 name matching, exposed for tests: does pattern (a SAN or CN) cover host?
 * Case-insensitive, one trailing dot ignored on either side, A-labels compared as ASCII (a
 * U-label host never matches). A wildcard is only a whole left-most label "*" and covers
 * exactly one label: never the apex, never two labels, never a public suffix ("*.com",
 * "*.co.uk": a small built-in list in cert_name.c). Partial wildcards ("f*.example.com") are
 * rejected, as RFC 6125 section 6.4.3 allows and browsers do. An IP-address host matches only
 * an equal IP-address pattern. NULL or empty input: false. */
bool tw_cert_name_matches(const char *pattern, const char *host);

struct tw_cert_stats {
    uint64_t analysed, cache_hits, verifications;
    uint64_t cache_evictions;            /* added: entries dropped by the LRU */
};
/* Counters since tw_cert_ctx_new; the pointer lives as long as the context. */
const struct tw_cert_stats *tw_cert_stats(const struct tw_cert_ctx *c);

#endif
