/* keylog.h: TLS secrets from an NSS key log (SSLKEYLOGFILE, `openssl s_client -keylogfile`,
 * browsers, curl) or a pcapng Decryption Secrets Block, indexed by ClientHello.random. The
 * dissectors look secrets up when a connection's records turn encrypted (tls_decrypt*.c).
 * The text is untrusted: every line is read with the bounds-checked reader, lines it does not
 * understand are counted (never fatal), and the number of connections kept is capped. */
#ifndef TLSWHY_KEYLOG_H
#define TLSWHY_KEYLOG_H

#include "tlswhy/base.h"

/* The secrets tlswhy uses, one per key log label. */
enum tw_secret {
    TW_SEC_CLIENT_RANDOM = 0, /* CLIENT_RANDOM: the TLS <= 1.2 master secret (48 bytes) */
    TW_SEC_CLIENT_HS,         /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    TW_SEC_SERVER_HS,         /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
    TW_SEC_CLIENT_AP,         /* CLIENT_TRAFFIC_SECRET_0 */
    TW_SEC_SERVER_AP,         /* SERVER_TRAFFIC_SECRET_0 */
    TW_SEC_COUNT
};
/* The key log label of s ("SERVER_HANDSHAKE_TRAFFIC_SECRET"). */
const char *tw_secret_label(enum tw_secret s);

#define TW_SECRET_MAX 48          /* SHA-384 output, and the TLS 1.2 master secret */
#define TW_KEYLOG_LINE_MAX 1024   /* a longer line is junk (the longest valid one is ~170) */
#define TW_KEYLOG_DEFAULT_MAX 65536 /* connections (client randoms) kept */

struct tw_keylog_stats {
    uint64_t lines;      /* lines read (blank ones included) */
    uint64_t secrets;    /* secrets stored */
    uint64_t ignored;    /* well-formed lines with a label tlswhy does not use (EXPORTER_SECRET,
                          * CLIENT_EARLY_TRAFFIC_SECRET, RSA ...) */
    uint64_t junk;       /* lines that are not "LABEL <64 hex> <hex>" (comments excluded) */
    uint64_t dropped;    /* secrets of new client randoms past the cap */
    uint64_t first_junk; /* line number of the first junk line (0: none) */
    uint64_t randoms;    /* client randoms held */
};

struct tw_keylog;

/* max_randoms caps the connections kept (0: TW_KEYLOG_DEFAULT_MAX). NULL on allocation failure. */
struct tw_keylog *tw_keylog_new(size_t max_randoms);
void tw_keylog_free(struct tw_keylog *k);
/* Adds the lines of text[0..len) (LF or CRLF; '#' comments). A last line without a newline
 * counts. Returns TW_OK, or TW_E_NOMEM. Text may come in several calls, but each call must
 * hold whole lines. */
int tw_keylog_add_text(struct tw_keylog *k, const uint8_t *text, size_t len);
/* Reads a key log file. Returns TW_OK, or TW_E_IO with a message in err. */
int tw_keylog_load_file(struct tw_keylog *k, const char *path, char *err, size_t errn);
/* The same, then keeps following the file: a lookup that misses first reads what was appended
 * since (live captures, where SSLKEYLOGFILE grows while tlswhy runs; a line still being
 * written is left for the next time). */
int tw_keylog_follow(struct tw_keylog *k, const char *path, char *err, size_t errn);
/* Whether k follows a file (NULL: false). */
bool tw_keylog_following(const struct tw_keylog *k);
/* The secret s for a connection whose ClientHello.random is cr; its length in *len. False
 * when the key log does not hold it (after reading a followed file's new lines). k may be
 * NULL. The secret stays valid as long as k. */
bool tw_keylog_get(struct tw_keylog *k, const uint8_t cr[32], enum tw_secret s,
                   const uint8_t **secret, size_t *len);
const struct tw_keylog_stats *tw_keylog_stats(const struct tw_keylog *k);

#endif
