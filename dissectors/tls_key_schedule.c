/* tls_key_schedule.c: traffic keys from key log secrets. TLS 1.3 HKDF-Expand-Label (RFC 8446
 * §7.1, §7.3) and the TLS 1.2 key block (RFC 5246 §6.3, AEAD suites: RFC 5288, RFC 7905), with
 * OpenSSL 3's EVP_KDF "HKDF" (expand only) and "TLS1-PRF". */
#include "tls_decrypt.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <string.h>

static const struct tw_tls_aead aeads[] = {
    {0x1301, "AES-128-GCM", "SHA256", 16, 12, false, true},
    {0x1302, "AES-256-GCM", "SHA384", 32, 12, false, true},
    {0x1303, "ChaCha20-Poly1305", "SHA256", 32, 12, false, true},
    {0x009c, "AES-128-GCM", "SHA256", 16, 4, true, false},  /* RSA_WITH_AES_128_GCM_SHA256 */
    {0x009d, "AES-256-GCM", "SHA384", 32, 4, true, false},
    {0x009e, "AES-128-GCM", "SHA256", 16, 4, true, false},  /* DHE_RSA */
    {0x009f, "AES-256-GCM", "SHA384", 32, 4, true, false},
    {0xc02b, "AES-128-GCM", "SHA256", 16, 4, true, false},  /* ECDHE_ECDSA */
    {0xc02c, "AES-256-GCM", "SHA384", 32, 4, true, false},
    {0xc02f, "AES-128-GCM", "SHA256", 16, 4, true, false},  /* ECDHE_RSA */
    {0xc030, "AES-256-GCM", "SHA384", 32, 4, true, false},
    {0xcca8, "ChaCha20-Poly1305", "SHA256", 32, 12, false, false}, /* ECDHE_RSA */
    {0xcca9, "ChaCha20-Poly1305", "SHA256", 32, 12, false, false}, /* ECDHE_ECDSA */
    {0xccaa, "ChaCha20-Poly1305", "SHA256", 32, 12, false, false}, /* DHE_RSA */
};

const struct tw_tls_aead *tw_tls_aead_of(uint16_t suite)
{
    for (size_t i = 0; i < sizeof aeads / sizeof aeads[0]; i++)
        if (aeads[i].suite == suite)
            return &aeads[i];
    return NULL;
}

static int derive(const char *kdf_name, OSSL_PARAM *params, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, kdf_name, NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    int ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) > 0;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok ? TW_OK : TW_E_UNSUPPORTED;
}

/* struct { uint16 length; opaque label<7..255> = "tls13 " + Label;
 *          opaque context<0..255>; } HkdfLabel; */
int tw_tls13_expand_label(const char *md, const uint8_t *secret, size_t secret_len,
                          const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
                          size_t out_len)
{
    uint8_t info[2 + 1 + 255 + 1 + 255];
    size_t ll = 6 + strlen(label);
    if (ll > 255 || ctx_len > 255 || out_len > 0xffff)
        return TW_E_UNSUPPORTED;
    size_t n = 0;
    info[n++] = (uint8_t)(out_len >> 8);
    info[n++] = (uint8_t)out_len;
    info[n++] = (uint8_t)ll;
    memcpy(info + n, "tls13 ", 6);
    memcpy(info + n + 6, label, ll - 6);
    n += ll;
    info[n++] = (uint8_t)ctx_len;
    if (ctx_len)
        memcpy(info + n, ctx, ctx_len);
    n += ctx_len;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM p[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n),
        OSSL_PARAM_construct_end(),
    };
    return derive("HKDF", p, out, out_len);
}

int tw_tls12_prf(const char *md, const uint8_t *secret, size_t secret_len, const char *label,
                 const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    uint8_t s[64 + 128];
    size_t ll = strlen(label);
    if (ll + seed_len > sizeof s)
        return TW_E_UNSUPPORTED;
    memcpy(s, label, ll);
    memcpy(s + ll, seed, seed_len);
    OSSL_PARAM p[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, s, ll + seed_len),
        OSSL_PARAM_construct_end(),
    };
    return derive("TLS1-PRF", p, out, out_len);
}

int tw_tls13_traffic_keys(const struct tw_tls_aead *a, const uint8_t *secret, size_t secret_len,
                          struct tw_tls_keys *k)
{
    memset(k, 0, sizeof *k);
    k->aead = a;
    int rc = tw_tls13_expand_label(a->md, secret, secret_len, "key", NULL, 0, k->key, a->key_len);
    if (rc == TW_OK)
        rc = tw_tls13_expand_label(a->md, secret, secret_len, "iv", NULL, 0, k->iv, a->iv_len);
    return rc;
}

/* key_block = PRF(master_secret, "key expansion", server_random + client_random), cut into
 * client_write_key, server_write_key, client_write_IV, server_write_IV (no MAC keys: AEAD). */
int tw_tls12_keys(const struct tw_tls_aead *a, const uint8_t *master, size_t master_len,
                  const uint8_t client_random[32], const uint8_t server_random[32], bool client,
                  struct tw_tls_keys *k)
{
    uint8_t seed[64], block[2 * 32 + 2 * 12];
    memset(k, 0, sizeof *k);
    k->aead = a;
    memcpy(seed, server_random, 32);
    memcpy(seed + 32, client_random, 32);
    size_t need = 2u * a->key_len + 2u * a->iv_len;
    int rc = tw_tls12_prf(a->md, master, master_len, "key expansion", seed, sizeof seed, block,
                          need);
    if (rc != TW_OK)
        return rc;
    memcpy(k->key, block + (client ? 0 : a->key_len), a->key_len);
    memcpy(k->iv, block + 2 * a->key_len + (client ? 0 : a->iv_len), a->iv_len);
    return TW_OK;
}
