/* fuzz_tls_decrypt.c: libFuzzer harness for key log decryption (tls_decrypt.c, tls_aead.c) and,
 * through it, every dissector fed decrypted plaintext. The RFC 8448 §3 hellos are fed first
 * (TLS_AES_128_GCM_SHA256) with the RFC's four traffic secrets in the key log; then the input
 * is a script of records:
 *   control byte c: direction c & 1 (0 client, 1 server);
 *     c & 2: a raw record: a length byte n and n bytes fed as they are (framing, bad tags);
 *     else:  a length byte n, then a content type byte, then n content bytes, protected with
 *            that side's handshake (c & 0x80 clear) or application (c & 0x80) traffic keys and
 *            (c >> 2) & 7 bytes of zero padding, with the harness's own sequence numbers.
 * The decoder switches keys at each side's Finished by its own rule: when the script does not
 * follow it the records fail to authenticate, which is exercised too. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/rfc8448.h"
#include "tls_decrypt.h"
#include "tlswhy/dissector.h"
#include "tlswhy/keylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const secrets[2][2] = {
    /* [epoch][dir]: handshake, then application, client then server (RFC 8448 §3) */
    {"b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21",
     "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"},
    {"9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5",
     "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"},
};
static const char *const labels[2][2] = {
    {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET"},
    {"CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"},
};
static const char cr[] = "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7";

static size_t unhex(const char *h, uint8_t *out, size_t max)
{
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n && i < max; i++) {
        unsigned v = 0;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n < max ? n : max;
}

/* TLSCiphertext of inner plaintext pt[0..n) under k (AES-128-GCM, nonce iv ^ seq). */
static size_t seal(struct tw_tls_keys *k, const uint8_t *pt, size_t n, uint8_t *rec)
{
    uint8_t nonce[12];
    int len = 0;
    memcpy(nonce, k->iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(k->seq >> (8 * i));
    k->seq++;
    size_t total = n + TW_AEAD_TAG;
    rec[0] = 23;
    rec[1] = 3;
    rec[2] = 3;
    rec[3] = (uint8_t)(total >> 8);
    rec[4] = (uint8_t)total;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (!c)
        return 0;
    EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, k->key, nonce);
    EVP_EncryptUpdate(c, NULL, &len, rec, 5);
    EVP_EncryptUpdate(c, rec + 5, &len, pt, (int)n);
    EVP_EncryptFinal_ex(c, rec + 5 + n, &len);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, TW_AEAD_TAG, rec + 5 + n);
    EVP_CIPHER_CTX_free(c);
    return 5 + total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[1024], pt[300], rec[400];
    struct tw_limits lim;
    struct tw_ev_tcp tcp;
    struct tw_evidence ev;
    struct tw_tls_keys keys[2][2];
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(data, size, &e);
    tw_limits_default(&lim);
    memset(&tcp, 0, sizeof tcp);
    memset(&ev, 0, sizeof ev);
    ev.tcp = &tcp;
    ev.tls = calloc(1, sizeof *ev.tls);
    struct tw_keylog *kl = tw_keylog_new(0);
    struct tw_tls_conn *t = tw_tls_new(&lim);
    if (!ev.tls || !kl || !t)
        goto out;
    for (int ep = 0; ep < 2; ep++)
        for (int d = 0; d < 2; d++) {
            char line[256];
            uint8_t s[32];
            snprintf(line, sizeof line, "%s %s %s\n", labels[ep][d], cr, secrets[ep][d]);
            tw_keylog_add_text(kl, (const uint8_t *)line, strlen(line));
            unhex(secrets[ep][d], s, sizeof s);
            tw_tls13_traffic_keys(tw_tls_aead_of(0x1301), s, 32, &keys[ep][d]);
        }
    tw_tls_set_keylog(t, kl);
    uint64_t frame = 1;
    size_t n = unhex(rfc8448_client_hello_record, buf, sizeof buf);
    tw_tls_data(t, &ev, TW_DIR_C2S, buf, n, frame++, 0);
    n = unhex(rfc8448_server_hello_record, buf, sizeof buf);
    tw_tls_data(t, &ev, TW_DIR_S2C, buf, n, frame++, 0);
    while (tw_rd_left(&r) > 0) {
        uint8_t c = tw_rd_u8(&r);
        enum tw_dir d = (c & 1) ? TW_DIR_S2C : TW_DIR_C2S;
        size_t len = tw_rd_u8(&r);
        if (c & 2) {
            len = len < tw_rd_left(&r) ? len : tw_rd_left(&r);
            const uint8_t *p = tw_rd_take(&r, len);
            uint8_t *copy = malloc(len ? len : 1);
            if (!copy)
                break;
            if (len)
                memcpy(copy, p, len);
            tw_tls_data(t, &ev, d, copy, len, frame++, 0);
            free(copy);
            continue;
        }
        uint8_t type = tw_rd_u8(&r);
        len = len < tw_rd_left(&r) ? len : tw_rd_left(&r);
        size_t pad = (c >> 2) & 7;
        if (len)
            memcpy(pt, tw_rd_take(&r, len), len);
        pt[len] = type;
        memset(pt + len + 1, 0, pad);
        size_t rn = seal(&keys[(c & 0x80) ? 1 : 0][d], pt, len + 1 + pad, rec);
        uint8_t *copy = malloc(rn ? rn : 1);
        if (!copy)
            break;
        memcpy(copy, rec, rn);
        tw_tls_data(t, &ev, d, copy, rn, frame++, 0);
        free(copy);
    }
    tcp.fin_frame[0] = tcp.fin_frame[1] = frame;
    tw_tls_end(t, &ev);
out:
    tw_tls_free(t);
    tw_keylog_free(kl);
    if (ev.tls)
        tw_ev_tls_clear(ev.tls);
    free(ev.tls);
    return 0;
}
