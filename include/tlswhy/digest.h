/* digest.h: message digests as lower-case hex, for fingerprints (JA3 is MD5, JA4 SHA-256).
 * Implemented in the certificate layer (src/cert_digest.c) because OpenSSL lives there. */
#ifndef TLSWHY_DIGEST_H
#define TLSWHY_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

enum tw_digest { TW_DIGEST_MD5, TW_DIGEST_SHA256 };

#define TW_DIGEST_HEX_MAX 65 /* SHA-256: 64 hex digits and the NUL */

/* Writes the digest of n bytes at p as lower-case hex (32 digits for MD5, 64 for SHA-256) and a
 * NUL into hex, which holds cap bytes. False (and hex = "" when cap > 0) if cap is too small or
 * OpenSSL fails (e.g. MD5 disabled by a FIPS configuration). */
bool tw_digest_hex(enum tw_digest alg, const void *p, size_t n, char *hex, size_t cap);

#endif
