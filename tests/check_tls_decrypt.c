/* check_tls_decrypt.c: key log decryption. Known answers from RFC 8448 §3 (HKDF-Expand-Label
 * key/iv from the server's and client's handshake traffic secrets; the server's protected
 * flight opened to the plaintext the RFC gives); the TLS 1.2 PRF against an independent HMAC
 * implementation; the key log parser; and the framer fed the RFC's records with only
 * SERVER_HANDSHAKE_TRAFFIC_SECRET in the key log, with a wrong secret, and with none. */
#include <check.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "rfc8448.h"
#include "test_util.h"
#include "tls_decrypt.h"
#include "tlswhy/dissector.h"
#include "tlswhy/keylog.h"

static size_t unhex(const char *h, uint8_t *out, size_t max)
{
    size_t n = strlen(h) / 2;
    ck_assert_uint_le(n, max);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        ck_assert_int_eq(sscanf(h + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static uint8_t rec[800], pt[800], out[800], sec[48], want[48];

START_TEST(kat_hkdf_expand_label)
{
    const struct tw_tls_aead *a = tw_tls_aead_of(0x1301);
    ck_assert_ptr_nonnull(a);
    struct tw_tls_keys k;
    size_t n = unhex(rfc8448_server_hs_secret, sec, sizeof sec);
    ck_assert_int_eq(tw_tls13_traffic_keys(a, sec, n, &k), TW_OK);
    unhex(rfc8448_server_hs_key, want, sizeof want);
    ck_assert_mem_eq(k.key, want, 16);
    unhex(rfc8448_server_hs_iv, want, sizeof want);
    ck_assert_mem_eq(k.iv, want, 12);
    n = unhex(rfc8448_client_hs_secret, sec, sizeof sec);
    ck_assert_int_eq(tw_tls13_traffic_keys(a, sec, n, &k), TW_OK);
    unhex(rfc8448_client_hs_key, want, sizeof want);
    ck_assert_mem_eq(k.key, want, 16);
    unhex(rfc8448_client_hs_iv, want, sizeof want);
    ck_assert_mem_eq(k.iv, want, 12);
}
END_TEST

START_TEST(kat_open_server_flight)
{
    struct tw_tls_keys k;
    size_t n = unhex(rfc8448_server_hs_secret, sec, sizeof sec);
    ck_assert_int_eq(tw_tls13_traffic_keys(tw_tls_aead_of(0x1301), sec, n, &k), TW_OK);
    size_t rn = unhex(rfc8448_server_flight_record, rec, sizeof rec);
    size_t pn = unhex(rfc8448_server_flight_plaintext, pt, sizeof pt);
    ck_assert_uint_eq(rn, 679);
    ck_assert_uint_eq(pn, 657);
    size_t on = 0;
    ck_assert_int_eq(tw_tls_open_record(&k, rec, rec + 5, rn - 5, out, &on), TW_OK);
    ck_assert_uint_eq(on, pn + 1); /* TLSInnerPlaintext: content + type, no padding */
    ck_assert_mem_eq(out, pt, pn);
    ck_assert_uint_eq(out[pn], 22);
    ck_assert_uint_eq(k.seq, 1);
}
END_TEST

START_TEST(open_rejects_tampering)
{
    struct tw_tls_keys k;
    size_t n = unhex(rfc8448_server_hs_secret, sec, sizeof sec);
    size_t rn = unhex(rfc8448_server_flight_record, rec, sizeof rec), on = 0;
    ck_assert_int_eq(tw_tls13_traffic_keys(tw_tls_aead_of(0x1301), sec, n, &k), TW_OK);
    rec[100] ^= 1;
    ck_assert_int_eq(tw_tls_open_record(&k, rec, rec + 5, rn - 5, out, &on), TW_E_LIMIT);
    rec[100] ^= 1;
    k.seq = 1; /* the right bytes under the wrong sequence number */
    ck_assert_int_eq(tw_tls_open_record(&k, rec, rec + 5, rn - 5, out, &on), TW_E_LIMIT);
    k.seq = 0;
    ck_assert_int_eq(tw_tls_open_record(&k, rec, rec + 5, 15, out, &on), TW_E_MALFORMED);
    ck_assert_int_eq(tw_tls_open_record(&k, rec, rec + 5, rn - 5, out, &on), TW_OK);
}
END_TEST

/* Expected values computed with Python's hmac module (P_hash of RFC 5246 §5, written out
 * separately): secret = bytes 0..47, label "key expansion", seed = 64 bytes 0x11. */
START_TEST(tls12_prf_matches_hmac)
{
    uint8_t s[48], seed[64], got[40];
    for (int i = 0; i < 48; i++)
        s[i] = (uint8_t)i;
    memset(seed, 0x11, sizeof seed);
    ck_assert_int_eq(tw_tls12_prf("SHA256", s, 48, "key expansion", seed, 64, got, 40), TW_OK);
    unhex("e0b20755c8bc47c4d9c1ff7d53b4fc9fcd1e31aeb5d7ebc77ab1fc548b4331eb0d98acf80cfef653",
          want, sizeof want);
    ck_assert_mem_eq(got, want, 40);
    ck_assert_int_eq(tw_tls12_prf("SHA384", s, 48, "key expansion", seed, 64, got, 40), TW_OK);
    unhex("90a518f21f8356690f7a22fe177db477b2ec1a6086193ba346d0a8599e345204fa9d6bcd8d0f744e",
          want, sizeof want);
    ck_assert_mem_eq(got, want, 40);
}
END_TEST

START_TEST(tls12_key_block_split)
{
    /* AES-128-GCM: client key = block[0..16), server key = [16..32), client IV = [32..36),
     * server IV = [36..40): the same PRF output cut in that order. */
    uint8_t s[48], cr[32], sr[32], seed[64], block[40];
    for (int i = 0; i < 48; i++)
        s[i] = (uint8_t)i;
    memset(cr, 0x11, 32);
    memset(sr, 0x22, 32);
    memcpy(seed, sr, 32);
    memcpy(seed + 32, cr, 32);
    ck_assert_int_eq(tw_tls12_prf("SHA256", s, 48, "key expansion", seed, 64, block, 40), TW_OK);
    const struct tw_tls_aead *a = tw_tls_aead_of(0xc02f);
    struct tw_tls_keys c, sv;
    ck_assert_int_eq(tw_tls12_keys(a, s, 48, cr, sr, true, &c), TW_OK);
    ck_assert_int_eq(tw_tls12_keys(a, s, 48, cr, sr, false, &sv), TW_OK);
    ck_assert_mem_eq(c.key, block, 16);
    ck_assert_mem_eq(sv.key, block + 16, 16);
    ck_assert_mem_eq(c.iv, block + 32, 4);
    ck_assert_mem_eq(sv.iv, block + 36, 4);
    ck_assert_ptr_null(tw_tls_aead_of(0xc013)); /* a CBC suite: not decrypted, said so */
}
END_TEST

static const char cr_hex[] = "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7";

START_TEST(keylog_lines)
{
    static const char text[] =
        "# SSL/TLS secrets log file\r\n"
        "\r\n"
        "SERVER_HANDSHAKE_TRAFFIC_SECRET CB34ECB1E78163BA1C38C6DACB196A6DFFA21A8D9912EC18A2EF6283024DECE7 "
        "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38\r\n"
        "EXPORTER_SECRET cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7 00\n"
        "CLIENT_RANDOM cb34ecb1 0011\n"                              /* short random: junk */
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET\tcb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283"
        "024dece7\tb3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21\n"
        "hello world\n"                                              /* junk */
        "SERVER_TRAFFIC_SECRET_0 cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7 "
        "zz\n"                                                       /* bad hex: junk */
        "CLIENT_TRAFFIC_SECRET_0 cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7 "
        "0102 extra"; /* a fourth field, and no final newline: junk */
    struct tw_keylog *k = tw_keylog_new(0);
    ck_assert_ptr_nonnull(k);
    ck_assert_int_eq(tw_keylog_add_text(k, (const uint8_t *)text, strlen(text)), TW_OK);
    const struct tw_keylog_stats *st = tw_keylog_stats(k);
    ck_assert_uint_eq(st->lines, 9);
    ck_assert_uint_eq(st->secrets, 2);
    ck_assert_uint_eq(st->ignored, 1);
    ck_assert_uint_eq(st->junk, 4);
    ck_assert_uint_eq(st->first_junk, 5);
    ck_assert_uint_eq(st->randoms, 1);
    uint8_t cr[32];
    unhex(cr_hex, cr, sizeof cr);
    const uint8_t *s;
    size_t n;
    ck_assert(tw_keylog_get(k, cr, TW_SEC_SERVER_HS, &s, &n));
    ck_assert_uint_eq(n, 32);
    unhex(rfc8448_server_hs_secret, want, sizeof want);
    ck_assert_mem_eq(s, want, 32);
    ck_assert(tw_keylog_get(k, cr, TW_SEC_CLIENT_HS, &s, &n));
    ck_assert(!tw_keylog_get(k, cr, TW_SEC_SERVER_AP, &s, &n));
    ck_assert(!tw_keylog_get(k, cr, TW_SEC_CLIENT_RANDOM, &s, &n));
    cr[31] ^= 1;
    ck_assert(!tw_keylog_get(k, cr, TW_SEC_SERVER_HS, &s, &n));
    ck_assert(!tw_keylog_get(NULL, cr, TW_SEC_SERVER_HS, &s, &n));
    tw_keylog_free(k);
}
END_TEST

START_TEST(keylog_caps)
{
    struct tw_keylog *k = tw_keylog_new(2);
    char line[256];
    for (int i = 0; i < 5; i++) {
        snprintf(line, sizeof line, "CLIENT_RANDOM %064x %096x\n", i, i + 1);
        ck_assert_int_eq(tw_keylog_add_text(k, (const uint8_t *)line, strlen(line)), TW_OK);
    }
    const struct tw_keylog_stats *st = tw_keylog_stats(k);
    ck_assert_uint_eq(st->randoms, 2);
    ck_assert_uint_eq(st->secrets, 2);
    ck_assert_uint_eq(st->dropped, 3);
    /* a secret longer than 48 bytes, and a line longer than TW_KEYLOG_LINE_MAX, are junk */
    char *big = malloc(TW_KEYLOG_LINE_MAX + 64);
    snprintf(line, sizeof line, "CLIENT_RANDOM %064x %0100x\n", 0, 1);
    ck_assert_int_eq(tw_keylog_add_text(k, (const uint8_t *)line, strlen(line)), TW_OK);
    memset(big, 'A', TW_KEYLOG_LINE_MAX + 10);
    big[TW_KEYLOG_LINE_MAX + 10] = '\n';
    ck_assert_int_eq(tw_keylog_add_text(k, (const uint8_t *)big, TW_KEYLOG_LINE_MAX + 11), TW_OK);
    ck_assert_uint_eq(st->junk, 2);
    free(big);
    tw_keylog_free(k);
}
END_TEST

START_TEST(keylog_file)
{
    const char *path = tw_test_tmp(".keylog");
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "SERVER_HANDSHAKE_TRAFFIC_SECRET %s %s\n", cr_hex, rfc8448_server_hs_secret);
    for (int i = 0; i < 3000; i++)
        fputc('x', f); /* an over-long last line without newline */
    fclose(f);
    struct tw_keylog *k = tw_keylog_new(0);
    char err[256];
    ck_assert_int_eq(tw_keylog_load_file(k, path, err, sizeof err), TW_OK);
    ck_assert_uint_eq(tw_keylog_stats(k)->secrets, 1);
    ck_assert_uint_eq(tw_keylog_stats(k)->junk, 1);
    ck_assert_uint_eq(tw_keylog_stats(k)->lines, 2);
    unlink(path);
    ck_assert_int_eq(tw_keylog_load_file(k, path, err, sizeof err), TW_E_IO);
    ck_assert_ptr_nonnull(strstr(err, path));
    tw_keylog_free(k);
}
END_TEST

START_TEST(keylog_follows_a_growing_file)
{
    const char *path = tw_test_tmp(".keylog");
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "# written while tlswhy runs\nSERVER_HANDSHAKE_TRAFFIC_SECRET %s ", cr_hex);
    fclose(f); /* the line is not finished yet */
    struct tw_keylog *k = tw_keylog_new(0);
    char err[256];
    uint8_t cr[32];
    const uint8_t *s;
    size_t n;
    unhex(cr_hex, cr, sizeof cr);
    ck_assert_int_eq(tw_keylog_follow(k, path, err, sizeof err), TW_OK);
    ck_assert(!tw_keylog_get(k, cr, TW_SEC_SERVER_HS, &s, &n));
    ck_assert_uint_eq(tw_keylog_stats(k)->junk, 0); /* the half line was left for later */
    f = fopen(path, "a");
    fprintf(f, "%s\nCLIENT_HANDSHAKE_TRAFFIC_SECRET %s %s\n", rfc8448_server_hs_secret, cr_hex,
            rfc8448_client_hs_secret);
    fclose(f);
    ck_assert(tw_keylog_get(k, cr, TW_SEC_SERVER_HS, &s, &n));
    unhex(rfc8448_server_hs_secret, want, sizeof want);
    ck_assert_mem_eq(s, want, 32);
    ck_assert(tw_keylog_get(k, cr, TW_SEC_CLIENT_HS, &s, &n));
    ck_assert_uint_eq(tw_keylog_stats(k)->secrets, 2);
    ck_assert_uint_eq(tw_keylog_stats(k)->lines, 3);
    unlink(path);
    ck_assert(!tw_keylog_get(k, cr, TW_SEC_SERVER_AP, &s, &n)); /* gone: still no crash */
    tw_keylog_free(k);
}
END_TEST

/* The RFC's ClientHello and ServerHello in frames 1 and 2, the server's protected flight in
 * frame 3, through the framer. */
static void feed_rfc8448(struct tw_keylog *k, struct tw_ev_tls *x)
{
    struct tw_limits lim;
    tw_limits_default(&lim);
    struct tw_tls_conn *t = tw_tls_new(&lim);
    tw_tls_set_keylog(t, k);
    struct tw_evidence ev = {.tls = x};
    size_t n = unhex(rfc8448_client_hello_record, rec, sizeof rec);
    tw_tls_data(t, &ev, TW_DIR_C2S, rec, n, 1, 1000);
    n = unhex(rfc8448_server_hello_record, rec, sizeof rec);
    tw_tls_data(t, &ev, TW_DIR_S2C, rec, n, 2, 2000);
    n = unhex(rfc8448_server_flight_record, rec, sizeof rec);
    tw_tls_data(t, &ev, TW_DIR_S2C, rec, n, 3, 3000);
    tw_tls_end(t, &ev);
    tw_tls_free(t);
}

static struct tw_keylog *keylog_of(const char *label, const char *secret_hex)
{
    char line[256];
    struct tw_keylog *k = tw_keylog_new(0);
    snprintf(line, sizeof line, "%s %s %s\n", label, cr_hex, secret_hex);
    ck_assert_int_eq(tw_keylog_add_text(k, (const uint8_t *)line, strlen(line)), TW_OK);
    return k;
}

START_TEST(server_secret_alone_opens_the_flight)
{
    struct tw_keylog *k = keylog_of("SERVER_HANDSHAKE_TRAFFIC_SECRET", rfc8448_server_hs_secret);
    struct tw_ev_tls *x = calloc(1, sizeof *x);
    feed_rfc8448(k, x);
    ck_assert(x->dec.keylog);
    ck_assert_uint_eq(x->dec.secrets, 1u << TW_SEC_SERVER_HS);
    ck_assert_uint_eq(x->dec.records[TW_DIR_S2C], 1);
    ck_assert_uint_eq(x->dec.failed_frame, 0);
    ck_assert_uint_eq(x->encrypted_extensions_frame, 3);
    ck_assert(x->cert.present && x->cert.decrypted && x->cert.tls13);
    ck_assert_uint_eq(x->cert.count, 1);
    ck_assert_uint_eq(x->cert.kept, 1);
    ck_assert_uint_eq(x->cert.der[0].len, 0x1b0); /* the RFC's "rsa" certificate */
    ck_assert_uint_eq(x->d[TW_DIR_S2C].finished_frame, 3);
    ck_assert_uint_eq(x->malformed_count, 0);
    bool cert_step = false; /* the ladder marks what the key log showed, and only that */
    for (uint16_t i = 0; i < x->step_count; i++) {
        bool dec = x->steps_decrypted >> i & 1;
        if (x->steps[i].kind == TW_STEP_HANDSHAKE && x->steps[i].type == TW_HS_CERTIFICATE)
            cert_step = dec;
        if (x->steps[i].kind == TW_STEP_HANDSHAKE && x->steps[i].type == TW_HS_SERVER_HELLO)
            ck_assert(!dec);
    }
    ck_assert(cert_step);
    tw_ev_tls_clear(x);
    free(x);
    tw_keylog_free(k);
}
END_TEST

START_TEST(wrong_secret_is_reported)
{
    struct tw_keylog *k = keylog_of("SERVER_HANDSHAKE_TRAFFIC_SECRET", rfc8448_client_hs_secret);
    struct tw_ev_tls *x = calloc(1, sizeof *x);
    feed_rfc8448(k, x);
    ck_assert_uint_eq(x->dec.failed_frame, 3);
    ck_assert_uint_eq(x->dec.failed_dir, TW_DIR_S2C);
    ck_assert_uint_eq(x->dec.records[TW_DIR_S2C], 0);
    ck_assert(!x->cert.present);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].enc_hs_records, 1); /* still counted, as ciphertext */
    tw_ev_tls_clear(x);
    free(x);
    tw_keylog_free(k);
}
END_TEST

START_TEST(no_keylog_no_change)
{
    struct tw_ev_tls *x = calloc(1, sizeof *x);
    feed_rfc8448(NULL, x);
    ck_assert(!x->dec.keylog);
    ck_assert(!x->cert.present);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].enc_hs_records, 1);
    struct tw_keylog *k = keylog_of("CLIENT_HANDSHAKE_TRAFFIC_SECRET", rfc8448_client_hs_secret);
    memset(x, 0, sizeof *x);
    feed_rfc8448(k, x); /* the client's secret does not open the server's records */
    ck_assert(x->dec.keylog);
    ck_assert_uint_eq(x->dec.secrets, 1u << TW_SEC_CLIENT_HS);
    ck_assert(!x->cert.present);
    ck_assert_uint_eq(x->dec.failed_frame, 0);
    tw_ev_tls_clear(x);
    free(x);
    tw_keylog_free(k);
}
END_TEST

/* A followed key log (live capture) that gets the server's secret only after its flight went
 * by: the flight waits and is decrypted at the end; without the secret by then, it is judged
 * as ciphertext, as without a key log. */
static void waiting_flight(bool write_secret)
{
    const char *path = tw_test_tmp(".keylog");
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    struct tw_keylog *k = tw_keylog_new(0);
    char err[256];
    ck_assert_int_eq(tw_keylog_follow(k, path, err, sizeof err), TW_OK);
    struct tw_limits lim;
    tw_limits_default(&lim);
    struct tw_tls_conn *t = tw_tls_new(&lim);
    struct tw_ev_tls *x = calloc(1, sizeof *x);
    struct tw_evidence ev = {.tls = x};
    tw_tls_set_keylog(t, k);
    size_t n = unhex(rfc8448_client_hello_record, rec, sizeof rec);
    tw_tls_data(t, &ev, TW_DIR_C2S, rec, n, 1, 1000);
    n = unhex(rfc8448_server_hello_record, rec, sizeof rec);
    tw_tls_data(t, &ev, TW_DIR_S2C, rec, n, 2, 2000);
    n = unhex(rfc8448_server_flight_record, rec, sizeof rec);
    tw_tls_data(t, &ev, TW_DIR_S2C, rec, n, 3, 3000);
    ck_assert(!x->cert.present);                         /* waiting */
    ck_assert_uint_eq(x->d[TW_DIR_S2C].enc_hs_records, 0); /* not even counted yet */
    if (write_secret) {
        f = fopen(path, "a");
        fprintf(f, "SERVER_HANDSHAKE_TRAFFIC_SECRET %s %s\n", cr_hex, rfc8448_server_hs_secret);
        fclose(f);
    }
    tw_tls_end(t, &ev);
    ck_assert(x->cert.present == write_secret);
    ck_assert_uint_eq(x->dec.records[TW_DIR_S2C], write_secret ? 1 : 0);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].enc_hs_records, 1);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].records, 2); /* ServerHello, flight: once each */
    tw_tls_free(t);
    tw_ev_tls_clear(x);
    free(x);
    tw_keylog_free(k);
    unlink(path);
}

START_TEST(followed_keylog_flight_waits_for_its_secret)
{
    waiting_flight(true);
    waiting_flight(false);
}
END_TEST

Suite *tw_tls_decrypt_suite(void)
{
    Suite *s = suite_create("tls_decrypt");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, kat_hkdf_expand_label);
    tcase_add_test(tc, kat_open_server_flight);
    tcase_add_test(tc, open_rejects_tampering);
    tcase_add_test(tc, tls12_prf_matches_hmac);
    tcase_add_test(tc, tls12_key_block_split);
    tcase_add_test(tc, keylog_lines);
    tcase_add_test(tc, keylog_caps);
    tcase_add_test(tc, keylog_file);
    tcase_add_test(tc, keylog_follows_a_growing_file);
    tcase_add_test(tc, server_secret_alone_opens_the_flight);
    tcase_add_test(tc, wrong_secret_is_reported);
    tcase_add_test(tc, no_keylog_no_change);
    tcase_add_test(tc, followed_keylog_flight_waits_for_its_secret);
    suite_add_tcase(s, tc);
    return s;
}
