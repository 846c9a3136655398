/* fingerprint.h: client and server fingerprints of one connection, derived from the parsed
 * hellos (src/diag_fingerprint.c) once per connection by the diagnosis, so that reporters only
 * format them.
 *   JA4 (FoxIO, BSD-3-Clause method): t13d1516h2_8daaf6152771_e5627efa2ab1, with the raw (_r)
 *       and original-order (_o, _ro) variants of the FoxIO specification;
 *   JA3 / JA3S (Salesforce): MD5 of "version,ciphers,extensions,groups,point_formats" and of
 *       "version,cipher,extensions", GREASE removed.
 * JA4S, JA4X and the other JA4+ methods are not here: they are under the FoxIO License 1.1
 * (non-commercial use only), which would bind every user of tlswhy. */
#ifndef TLSWHY_FINGERPRINT_H
#define TLSWHY_FINGERPRINT_H

#include "tlswhy/ev_tls.h"

#define TW_JA4_LEN 37 /* "t13d1516h2_8daaf6152771_e5627efa2ab1" and the NUL */
#define TW_JA3_LEN 33 /* 32 hex digits of MD5 and the NUL */
/* Raw JA4: prefix, then every cipher, extension and signature algorithm a ClientHello can keep
 * (TW_LIST capacities in ev_tls.h) as 4 hex digits and a separator. */
#define TW_JA4_RAW_MAX (10 + 5 * (512 + 64 + 64) + 2)

/* Each string is "" when it could not be computed: no such hello, or a list of the hello was
 * longer than tlswhy keeps (TW_LIST dropped > 0), or its first ALPN value longer than the
 * bytes kept: a fingerprint of a truncated list would be a wrong one, so none is given. The
 * raw forms are not kept here (3 KB each, and a reporter may hold many verdicts): a reporter
 * that prints them asks tw_fp_ja4_raw. */
struct tw_fingerprints {
    char ja4[TW_JA4_LEN];
    char ja4_o[TW_JA4_LEN]; /* ciphers and extensions in wire order, SNI and ALPN kept */
    char ja3[TW_JA3_LEN];
    char ja3s[TW_JA3_LEN];
};

/* JA4 (and ja4_o) and JA3 of a ClientHello; clears them when ch is NULL or not present. */
void tw_fp_client(const struct tw_client_hello *ch, struct tw_fingerprints *out);
/* The raw JA4 of ch into out (cap bytes; TW_JA4_RAW_MAX always suffice): ja4_r, or ja4_ro when
 * original_order. False (out = "") when JA4 cannot be computed (see above). */
bool tw_fp_ja4_raw(const struct tw_client_hello *ch, bool original_order, char *out, size_t cap);
/* JA3S of a ServerHello (or HelloRetryRequest); clears it when sh is NULL or not present. */
void tw_fp_server(const struct tw_server_hello *sh, struct tw_fingerprints *out);
/* The same through a small bounded memo by hello (src/diag_fp_memo.c): equal output, computed
 * once per distinct client or server stack. One memo per process, for one analysis thread. */
void tw_fp_memo_client(const struct tw_client_hello *ch, struct tw_fingerprints *out);
void tw_fp_memo_server(const struct tw_server_hello *sh, struct tw_fingerprints *out);
struct tw_fp_memo_stats {
    uint64_t hits, misses, evictions;
    uint64_t too_big; /* hellos whose key was longer than an entry holds (not memoised) */
};
void tw_fp_memo_stats(struct tw_fp_memo_stats *client, struct tw_fp_memo_stats *server);
void tw_fp_memo_reset(void); /* empties the memo and zeroes its counters (tests) */
/* The connection's fingerprints, through the memo: the first ClientHello (FoxIO's Rust tool also takes only the
 * first), and the first ServerHello-shaped message the server sent (the HelloRetryRequest
 * when there was one). t may be NULL. */
void tw_fp_connection(const struct tw_ev_tls *t, struct tw_fingerprints *out);

#endif
