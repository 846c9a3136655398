/* tls_aead.c: opening one protected record with OpenSSL EVP: TLS 1.3 (RFC 8446 §5.2-5.3:
 * nonce = iv XOR seq, AAD = the record header) and TLS 1.2 AEAD (RFC 5246 §6.2.3.3: AAD =
 * seq + type + version + length; GCM nonce = salt + explicit 8 bytes (RFC 5288), ChaCha20-
 * Poly1305 nonce = iv XOR seq (RFC 7905)). */
#include "tls_decrypt.h"

#include <openssl/evp.h>
#include <string.h>

#include "tlswhy/rd.h"

static const EVP_CIPHER *cipher_of(const char *name)
{
    if (strcmp(name, "AES-128-GCM") == 0)
        return EVP_aes_128_gcm();
    if (strcmp(name, "AES-256-GCM") == 0)
        return EVP_aes_256_gcm();
    return EVP_chacha20_poly1305();
}

static void xor_seq(uint8_t nonce[12], uint64_t seq)
{
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
}

static int aead_open(const struct tw_tls_keys *k, const uint8_t nonce[12], const uint8_t *aad,
                     size_t aad_len, const uint8_t *ct, size_t ct_len, const uint8_t *tag,
                     uint8_t *out)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    bool ok = c && EVP_DecryptInit_ex(c, cipher_of(k->aead->cipher), NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1 &&
              EVP_DecryptInit_ex(c, NULL, NULL, k->key, nonce) == 1 &&
              EVP_DecryptUpdate(c, NULL, &n, aad, (int)aad_len) == 1 &&
              (ct_len == 0 || EVP_DecryptUpdate(c, out, &n, ct, (int)ct_len) == 1) &&
              EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, TW_AEAD_TAG, (void *)tag) == 1 &&
              EVP_DecryptFinal_ex(c, out + (ct_len ? n : 0), &fin) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? TW_OK : TW_E_LIMIT;
}

int tw_tls_open_record(struct tw_tls_keys *k, const uint8_t hdr[5], const uint8_t *body,
                       size_t len, uint8_t *out, size_t *out_len)
{
    const struct tw_tls_aead *a = k->aead;
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(body, len, &e);
    uint8_t nonce[12], aad[13];
    size_t aad_len;
    if (a->explicit_nonce) {
        memcpy(nonce, k->iv, 4);
        const uint8_t *x = tw_rd_take(&r, 8);
        if (!x)
            return TW_E_MALFORMED;
        memcpy(nonce + 4, x, 8);
    } else {
        memcpy(nonce, k->iv, 12);
        xor_seq(nonce, k->seq);
    }
    if (tw_rd_left(&r) < TW_AEAD_TAG)
        return TW_E_MALFORMED;
    size_t ct_len = tw_rd_left(&r) - TW_AEAD_TAG;
    const uint8_t *ct = tw_rd_take(&r, ct_len);
    const uint8_t *tag = tw_rd_take(&r, TW_AEAD_TAG);
    if (a->tls13) {
        memcpy(aad, hdr, 5);
        aad_len = 5;
    } else {
        for (int i = 0; i < 8; i++)
            aad[i] = (uint8_t)(k->seq >> (56 - 8 * i));
        memcpy(aad + 8, hdr, 3); /* type, version */
        aad[11] = (uint8_t)(ct_len >> 8);
        aad[12] = (uint8_t)ct_len;
        aad_len = 13;
    }
    int rc = aead_open(k, nonce, aad, aad_len, ct, ct_len, tag, out);
    if (rc != TW_OK)
        return rc;
    k->seq++;
    *out_len = ct_len;
    return TW_OK;
}
