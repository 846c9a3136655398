/* tls_decrypt.h: record decryption with key log secrets (tls_decrypt.c) and the key schedules
 * it needs (tls_key_schedule.c). Private to dissectors/ (and its tests). */
#ifndef TLSWHY_TLS_DECRYPT_H
#define TLSWHY_TLS_DECRYPT_H

#include "tlswhy/base.h"

#define TW_AEAD_TAG 16

/* What a cipher suite needs for decryption; NULL from tw_tls_aead_of when tlswhy cannot
 * decrypt it (CBC suites, CCM, anything unknown). */
struct tw_tls_aead {
    uint16_t suite;
    const char *cipher; /* "AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305" */
    const char *md;     /* "SHA256", "SHA384": HKDF (1.3) or PRF (1.2) hash */
    uint8_t key_len;
    uint8_t iv_len;       /* the fixed IV from the key schedule: 12, or 4 for TLS 1.2 GCM */
    bool explicit_nonce;  /* TLS 1.2 GCM: 8-byte nonce at the start of each record */
    bool tls13;
};
const struct tw_tls_aead *tw_tls_aead_of(uint16_t suite);

/* HKDF-Expand-Label(secret, "tls13 " + label, context, out_len) (RFC 8446 §7.1). Returns
 * TW_OK, or TW_E_UNSUPPORTED when OpenSSL refuses. */
int tw_tls13_expand_label(const char *md, const uint8_t *secret, size_t secret_len,
                          const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
                          size_t out_len);
/* The TLS 1.2 PRF (RFC 5246 §5): P_md(secret, label + seed). */
int tw_tls12_prf(const char *md, const uint8_t *secret, size_t secret_len, const char *label,
                 const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len);

/* The keys of one direction: a traffic key, its IV and the record sequence number. */
struct tw_tls_keys {
    const struct tw_tls_aead *aead;
    uint8_t key[32];
    uint8_t iv[12];
    uint64_t seq;
};
/* TLS 1.3: key and iv from a traffic secret ("key", "iv" labels). */
int tw_tls13_traffic_keys(const struct tw_tls_aead *a, const uint8_t *secret, size_t secret_len,
                          struct tw_tls_keys *k);
/* TLS 1.2: the client (client = true) or server write key and IV from the master secret. */
int tw_tls12_keys(const struct tw_tls_aead *a, const uint8_t *master, size_t master_len,
                  const uint8_t client_random[32], const uint8_t server_random[32], bool client,
                  struct tw_tls_keys *k);

/* Opens one record (body of length len, header hdr[5] as sent) with k and advances k->seq.
 * out must hold len bytes; *out_len gets the plaintext length (TLS 1.3: the inner plaintext,
 * content type and padding still on). Returns TW_OK, TW_E_MALFORMED (too short) or
 * TW_E_LIMIT (authentication failed: wrong key, or corrupted bytes). */
int tw_tls_open_record(struct tw_tls_keys *k, const uint8_t hdr[5], const uint8_t *body,
                       size_t len, uint8_t *out, size_t *out_len);

#endif
