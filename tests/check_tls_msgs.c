/* check_tls_msgs.c: each message dissector on real message bodies cut from the fixtures
 * (scripts/make-tls-fixtures.sh), the prefix loop (every truncation is safe and never
 * accepted as something else), and every length field off by one either way. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tls_fixture.h"
#include "tls_int.h"

/* One handshake message of type hs from direction d of a fixture: the plaintext handshake
 * records (before that side's ChangeCipherSpec) are joined and walked; returns a malloc'd copy
 * of the body (exactly len bytes, so ASan sees any over-read). */
static uint8_t *cut_message(const char *fixture, enum tw_dir d, uint8_t hs, size_t *len)
{
    struct fx f;
    fx_load(&f, fixture);
    size_t total = 0;
    for (size_t i = 0; i < f.n; i++)
        if (f.ev[i].dir == d && f.ev[i].kind == FX_DATA)
            total += f.ev[i].len;
    uint8_t *stream = malloc(total), *hsbuf = malloc(total);
    size_t off = 0, hslen = 0;
    ck_assert(stream && hsbuf);
    for (size_t i = 0; i < f.n; i++)
        if (f.ev[i].dir == d && f.ev[i].kind == FX_DATA) {
            memcpy(stream + off, f.ev[i].data, f.ev[i].len);
            off += f.ev[i].len;
        }
    fx_free(&f);
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(stream, total, &e);
    while (tw_rd_left(&r) > 0) { /* TLSPlaintext: type, version, <2-byte length> fragment */
        uint8_t ct = tw_rd_u8(&r);
        tw_rd_u16(&r);
        struct tw_rd frag = tw_rd_vec(&r, 2);
        if (ct == TW_CT_CHANGE_CIPHER_SPEC)
            break;
        if (ct != TW_CT_HANDSHAKE)
            continue;
        size_t n = tw_rd_left(&frag);
        memcpy(hsbuf + hslen, tw_rd_take(&frag, n), n);
        hslen += n;
    }
    uint8_t *out = NULL;
    r = tw_rd_make(hsbuf, hslen, &e);
    while (tw_rd_left(&r) > 0 && !out) { /* Handshake: type, <3-byte length> body */
        uint8_t type = tw_rd_u8(&r);
        struct tw_rd body = tw_rd_vec(&r, 3);
        if (type != hs)
            continue;
        *len = tw_rd_left(&body);
        out = malloc(*len ? *len : 1);
        ck_assert_ptr_nonnull(out);
        memcpy(out, tw_rd_take(&body, *len), *len);
    }
    ck_assert_msg(out != NULL, "%s: no handshake type %u", fixture, hs);
    free(stream);
    free(hsbuf);
    return out;
}

/* Runs fn on an exact-size heap copy of b[0..n) with a fresh evidence prepared by setup. */
struct env {
    struct tw_limits lim;
    struct tw_ev_tls tls;
    struct tw_evidence ev;
};

static void env_init(struct env *v, uint16_t sh_version, uint16_t suite)
{
    memset(v, 0, sizeof *v);
    tw_limits_default(&v->lim);
    v->ev.tls = &v->tls;
    if (sh_version) {
        v->tls.sh.present = true;
        v->tls.sh.version = sh_version;
        v->tls.sh.cipher_suite = suite;
    }
}

static int run(tw_dissect_fn fn, struct env *v, enum tw_dir d, uint8_t ct, uint8_t hs,
               const uint8_t *b, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(copy);
    if (n)
        memcpy(copy, b, n);
    struct tw_msg msg = {.dir = d,
                         .content_type = ct,
                         .hs_type = hs,
                         .record_version = 0x0303,
                         .first_frame = 7,
                         .last_frame = 7,
                         .len = (uint32_t)n,
                         .lim = &v->lim};
    struct tw_rd_err e;
    struct tw_rd m = tw_rd_make(copy, n, &e);
    int rc = fn(&m, &msg, &v->ev);
    free(copy);
    return rc;
}

/* A message as a test case: where it comes from and the state its dissector needs. */
struct mcase {
    const char *name;
    tw_dissect_fn fn;
    const char *fixture; /* NULL: bytes below */
    enum tw_dir dir;
    uint8_t ct, hs;
    uint16_t sh_version, suite;
    const uint8_t *bytes;
    size_t nbytes;
    size_t min_ok; /* shortest prefix that is itself a valid message (SIZE_MAX: none) */
};

/* Finished, TLS 1.2: verify_data[12] */
static const uint8_t FINISHED12[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
/* EncryptedExtensions: extensions<2> = 6: server_name (0x0000) len 0; ALPN (0x0010) len 0 */
static const uint8_t EE[] = {0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00};
/* Alert record body: level fatal(2), description unrecognized_name(112) */
static const uint8_t ALERT_112[] = {0x02, 0x70};
/* ChangeCipherSpec: type change_cipher_spec(1) */
static const uint8_t CCS[] = {0x01};
/* SSLv2-compatible ClientHello body (after the 2-byte header 0x80 0x2e):
 *   msg_type 1; version 0x0301; cipher_spec_length 9; session_id_length 0;
 *   challenge_length 16; specs {00 00 2f} {00 00 35} {07 00 c0} (an SSLv2 kind);
 *   challenge 16 bytes */
static const uint8_t CH_V2[] = {
    0x01, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x2f,
    0x00, 0x00, 0x35, 0x07, 0x00, 0xc0, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
    0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
};

static const struct mcase cases[] = {
    {"client_hello12", tw_tls_client_hello, "tls12-ok", TW_DIR_C2S, 22, 1, 0, 0, NULL, 0, 0},
    {"client_hello13", tw_tls_client_hello, "tls13-ok", TW_DIR_C2S, 22, 1, 0, 0, NULL, 0, 0},
    {"server_hello12", tw_tls_server_hello, "tls12-ok", TW_DIR_S2C, 22, 2, 0, 0, NULL, 0, 0},
    {"server_hello13", tw_tls_server_hello, "tls13-ok", TW_DIR_S2C, 22, 2, 0, 0, NULL, 0, 0},
    {"hrr", tw_tls_server_hello, "tls13-hrr", TW_DIR_S2C, 22, 2, 0, 0, NULL, 0, 0},
    {"certificate12", tw_tls_certificate, "tls12-ok", TW_DIR_S2C, 22, 11, 0x0303, 0xc030, NULL, 0,
     SIZE_MAX},
    {"client_certificate_empty", tw_tls_certificate, "tls12-client-cert-missing", TW_DIR_C2S, 22,
     11, 0x0303, 0xc030, NULL, 0, SIZE_MAX},
    {"ske_ecdhe", tw_tls_server_key_exchange, "tls12-ok", TW_DIR_S2C, 22, 12, 0x0303, 0xc030, NULL,
     0, SIZE_MAX},
    {"ske_dhe", tw_tls_server_key_exchange, "tls12-dhe", TW_DIR_S2C, 22, 12, 0x0303, 0x009e, NULL,
     0, SIZE_MAX},
    {"cert_request12", tw_tls_cert_request, "tls12-client-cert-missing", TW_DIR_S2C, 22, 13, 0x0303,
     0xc030, NULL, 0, SIZE_MAX},
    {"server_hello_done", tw_tls_server_hello_done, "tls12-ok", TW_DIR_S2C, 22, 14, 0x0303, 0xc030,
     NULL, 0, 0},
    {"client_key_exchange", tw_tls_client_key_exchange, "tls12-ok", TW_DIR_C2S, 22, 16, 0x0303,
     0xc030, NULL, 0, 1},
    {"certificate_status", tw_tls_certificate_status, "tls12-ocsp", TW_DIR_S2C, 22, 22, 0x0303,
     0xc030, NULL, 0, SIZE_MAX},
    {"new_session_ticket12", tw_tls_new_session_ticket, "tls12-ok", TW_DIR_S2C, 22, 4, 0x0303,
     0xc030, NULL, 0, SIZE_MAX},
    {"finished12", tw_tls_finished, NULL, TW_DIR_C2S, 22, 20, 0x0303, 0xc030, FINISHED12,
     sizeof FINISHED12, SIZE_MAX},
    {"encrypted_extensions", tw_tls_encrypted_extensions, NULL, TW_DIR_S2C, 22, 8, 0x0304, 0x1301,
     EE, sizeof EE, SIZE_MAX},
    {"alert", tw_tls_alert, NULL, TW_DIR_S2C, 21, 0, 0, 0, ALERT_112, sizeof ALERT_112, SIZE_MAX},
    {"ccs", tw_tls_ccs, NULL, TW_DIR_C2S, 20, 0, 0, 0, CCS, sizeof CCS, SIZE_MAX},
    {"client_hello_v2", tw_tls_client_hello_v2, NULL, TW_DIR_C2S, 0, 1, 0, 0, CH_V2, sizeof CH_V2,
     SIZE_MAX},
};
#define N_CASES (int)(sizeof cases / sizeof cases[0])

static uint8_t *case_bytes(const struct mcase *c, size_t *n)
{
    if (c->fixture)
        return cut_message(c->fixture, c->dir, c->hs, n);
    uint8_t *b = malloc(c->nbytes);
    ck_assert_ptr_nonnull(b);
    memcpy(b, c->bytes, c->nbytes);
    *n = c->nbytes;
    return b;
}

/* Every case parses whole without a malformed fact. */
START_TEST(whole_message_parses)
{
    const struct mcase *c = &cases[_i];
    size_t n;
    uint8_t *b = case_bytes(c, &n);
    struct env v;
    env_init(&v, c->sh_version, c->suite);
    int rc = run(c->fn, &v, c->dir, c->ct, c->hs, b, n);
    ck_assert_msg(rc == TW_OK, "%s: rc %d why %s", c->name, rc,
                  v.tls.malformed.why ? v.tls.malformed.why : "-");
    ck_assert_uint_eq(v.tls.malformed_count, 0);
    tw_ev_tls_clear(&v.tls);
    free(b);
}
END_TEST

/* Every strict prefix is either malformed (with a fact) or, for the few messages with optional
 * tails (ClientHello/ServerHello without extensions), accepted; never a crash or over-read. */
START_TEST(every_prefix_is_safe)
{
    const struct mcase *c = &cases[_i];
    size_t n;
    uint8_t *b = case_bytes(c, &n);
    for (size_t k = 0; k < n; k++) {
        struct env v;
        env_init(&v, c->sh_version, c->suite);
        int rc = run(c->fn, &v, c->dir, c->ct, c->hs, b, k);
        ck_assert(rc == TW_OK || rc == TW_E_MALFORMED);
        if (rc == TW_E_MALFORMED) {
            ck_assert_uint_eq(v.tls.malformed_count, 1);
            ck_assert_ptr_nonnull(v.tls.malformed.why);
            ck_assert_uint_le(v.tls.malformed.off, k);
        }
        if (c->min_ok == SIZE_MAX || k < c->min_ok)
            ck_assert_msg(rc == TW_E_MALFORMED, "%s: prefix %zu accepted", c->name, k);
        tw_ev_tls_clear(&v.tls);
    }
    free(b);
}
END_TEST

/* Every byte changed by +1 and -1: the dissector still answers OK or MALFORMED (the
 * sanitizers check it reads nothing outside the message). */
START_TEST(every_byte_off_by_one_is_safe)
{
    const struct mcase *c = &cases[_i];
    size_t n;
    uint8_t *b = case_bytes(c, &n);
    for (size_t k = 0; k < n; k++) {
        for (int delta = -1; delta <= 1; delta += 2) {
            uint8_t saved = b[k];
            b[k] = (uint8_t)(b[k] + delta);
            struct env v;
            env_init(&v, c->sh_version, c->suite);
            int rc = run(c->fn, &v, c->dir, c->ct, c->hs, b, n);
            ck_assert(rc == TW_OK || rc == TW_E_MALFORMED);
            tw_ev_tls_clear(&v.tls);
            b[k] = saved;
        }
    }
    free(b);
}
END_TEST

/* Big-endian length field at off, of size w bytes, changed by delta. */
static void bump(uint8_t *b, size_t off, int w, int delta)
{
    uint32_t v = 0;
    for (int i = 0; i < w; i++)
        v = v << 8 | b[off + (size_t)i];
    v = (uint32_t)((int64_t)v + delta);
    for (int i = w - 1; i >= 0; i--) {
        b[off + (size_t)i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

/* Length fields of a ClientHello (legacy_session_id, cipher_suites, compression methods,
 * extensions, and each extension's length), found by walking it. */
static size_t ch_length_fields(const uint8_t *b, size_t n, size_t *off, int *w, size_t max)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(b, n, &e);
    size_t k = 0;
    tw_rd_skip(&r, 2 + 32);
    for (int i = 0; i < 3; i++) { /* session_id<1>, cipher_suites<2>, compression<1> */
        off[k] = tw_rd_off(&r);
        w[k++] = i == 1 ? 2 : 1;
        tw_rd_vec(&r, i == 1 ? 2 : 1);
    }
    off[k] = tw_rd_off(&r);
    w[k++] = 2;
    struct tw_rd exts = tw_rd_vec(&r, 2);
    while (tw_rd_left(&exts) > 0 && k < max) {
        tw_rd_u16(&exts);
        off[k] = tw_rd_off(&exts);
        w[k++] = 2;
        tw_rd_vec(&exts, 2);
    }
    ck_assert_int_eq(e.code, TW_OK);
    return k;
}

START_TEST(client_hello_length_fields_off_by_one)
{
    static const char *const fixtures[] = {"tls12-ok", "tls13-ok", "tls13-hrr"};
    for (size_t fi = 0; fi < 3; fi++) {
        size_t n, off[80];
        int w[80];
        uint8_t *b = cut_message(fixtures[fi], TW_DIR_C2S, 1, &n);
        size_t nf = ch_length_fields(b, n, off, w, 80);
        ck_assert_uint_ge(nf, 8);
        for (size_t i = 0; i < nf; i++) {
            for (int delta = -1; delta <= 1; delta += 2) {
                bump(b, off[i], w[i], delta);
                struct env v;
                env_init(&v, 0, 0);
                int rc = run(tw_tls_client_hello, &v, TW_DIR_C2S, 22, 1, b, n);
                ck_assert_msg(rc == TW_E_MALFORMED, "%s: length at %zu %+d accepted", fixtures[fi],
                              off[i], delta);
                ck_assert_uint_eq(v.tls.malformed_count, 1);
                ck_assert(!v.tls.ch.present);
                bump(b, off[i], w[i], -delta);
            }
        }
        free(b);
    }
}
END_TEST

/* Certificate: the list length and each certificate's length, off by one either way. */
START_TEST(certificate_length_fields_off_by_one)
{
    size_t n;
    uint8_t *b = cut_message("tls12-ok", TW_DIR_S2C, 11, &n);
    size_t off[12];
    size_t nf = 0;
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(b, n, &e);
    off[nf++] = 0;
    struct tw_rd list = tw_rd_vec(&r, 3);
    while (tw_rd_left(&list) > 0 && nf < 12) {
        off[nf++] = tw_rd_off(&list);
        tw_rd_vec(&list, 3);
    }
    ck_assert_uint_eq(nf, 3);
    for (size_t i = 0; i < nf; i++)
        for (int delta = -1; delta <= 1; delta += 2) {
            bump(b, off[i], 3, delta);
            struct env v;
            env_init(&v, 0x0303, 0xc030);
            ck_assert_int_eq(run(tw_tls_certificate, &v, TW_DIR_S2C, 22, 11, b, n), TW_E_MALFORMED);
            ck_assert(!v.tls.cert.present);
            ck_assert_uint_eq(v.tls.cert.kept, 0);
            bump(b, off[i], 3, -delta);
        }
    free(b);
}
END_TEST

Suite *tw_tls_msgs_suite(void)
{
    Suite *s = suite_create("tls_msgs");
    TCase *tc = tcase_create("messages");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, whole_message_parses, 0, N_CASES);
    tcase_add_loop_test(tc, every_prefix_is_safe, 0, N_CASES);
    tcase_add_loop_test(tc, every_byte_off_by_one_is_safe, 0, N_CASES);
    tcase_add_test(tc, client_hello_length_fields_off_by_one);
    tcase_add_test(tc, certificate_length_fields_off_by_one);
    suite_add_tcase(s, tc);
    return s;
}
