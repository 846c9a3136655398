/* check_tls_edge.c: TLS after a plaintext prefix (STARTTLS, PostgreSQL SSLRequest), a server
 * that answers in SSLv2, TLS 1.3 draft ServerHello, and an extension whose inside is malformed
 * while the ClientHello around it is well formed. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tls_fixture.h"
#include "tls_int.h"

static const struct fx_event *event_at(const struct fx *f, uint64_t frame, enum tw_dir d)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->ev[i].frame == frame && f->ev[i].dir == d && f->ev[i].kind == FX_DATA)
            return &f->ev[i];
    ck_abort_msg("no data in frame %llu", (unsigned long long)frame);
    return NULL;
}

static void say(struct fx_conn *c, enum tw_dir d, const char *text, uint64_t frame)
{
    tw_tls_data(c->t, &c->ev, d, (const uint8_t *)text, strlen(text), frame, 0);
}

/* SMTP STARTTLS: banner, EHLO, STARTTLS, 220, then the real hellos of tls12-ok. */
START_TEST(starttls_then_tls)
{
    struct fx f;
    struct fx_conn c;
    fx_load(&f, "tls12-ok");
    fx_conn_init(&c);
    say(&c, TW_DIR_S2C, "220 mail.example.com ESMTP\r\n", 1);
    say(&c, TW_DIR_C2S, "EHLO client.example.com\r\n", 2);
    say(&c, TW_DIR_S2C, "250-mail.example.com\r\n250 STARTTLS\r\n", 3);
    say(&c, TW_DIR_C2S, "STARTTLS\r\n", 4);
    say(&c, TW_DIR_S2C, "220 2.0.0 Ready to start TLS\r\n", 5);
    const struct fx_event *ch = event_at(&f, 4, TW_DIR_C2S), *sh = event_at(&f, 6, TW_DIR_S2C);
    tw_tls_data(c.t, &c.ev, TW_DIR_C2S, ch->data, ch->len, 6, 0);
    tw_tls_data(c.t, &c.ev, TW_DIR_S2C, sh->data, sh->len, 7, 0);
    tw_tls_end(c.t, &c.ev);
    const struct tw_ev_tls *x = c.ev.tls;
    ck_assert_int_eq(x->d[TW_DIR_S2C].probe.kind, TW_PROBE_OTHER);
    ck_assert_int_eq(x->d[TW_DIR_C2S].probe.kind, TW_PROBE_OTHER);
    ck_assert_mem_eq(x->d[TW_DIR_S2C].probe.first, "220 mail", 8);
    ck_assert_uint_eq(x->d[TW_DIR_C2S].tls_after_plaintext_frame, 6);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].tls_after_plaintext_frame, 7);
    ck_assert(x->ch.present && x->sh.present);
    ck_assert_str_eq(x->ch.sni, "www.example.com");
    ck_assert_uint_eq(x->cert.kept, 2);
    ck_assert_uint_eq(x->malformed_count, 0);
    fx_conn_clear(&c);
    fx_free(&f);
}
END_TEST

/* PostgreSQL: SSLRequest (length 8, code 80877103), the server's one-byte 'S', then TLS. The
 * 'S' alone could still be "SSH-": the next chunk decides, and it starts a ServerHello. */
START_TEST(postgres_sslrequest_then_tls)
{
    static const uint8_t sslrequest[] = {0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f};
    struct fx f;
    struct fx_conn c;
    fx_load(&f, "tls13-ok");
    fx_conn_init(&c);
    tw_tls_data(c.t, &c.ev, TW_DIR_C2S, sslrequest, sizeof sslrequest, 1, 0);
    say(&c, TW_DIR_S2C, "S", 2);
    const struct fx_event *ch = event_at(&f, 4, TW_DIR_C2S), *sh = event_at(&f, 6, TW_DIR_S2C);
    tw_tls_data(c.t, &c.ev, TW_DIR_C2S, ch->data, ch->len, 3, 0);
    tw_tls_data(c.t, &c.ev, TW_DIR_S2C, sh->data, sh->len, 4, 0);
    tw_tls_end(c.t, &c.ev);
    const struct tw_ev_tls *x = c.ev.tls;
    ck_assert_int_eq(x->d[TW_DIR_S2C].probe.kind, TW_PROBE_OTHER);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].tls_after_plaintext_frame, 4);
    ck_assert(x->sh.present);
    ck_assert_uint_eq(x->sh.version, 0x0304);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].enc_hs_records, 4);
    ck_assert_uint_eq(x->malformed_count, 0);
    fx_conn_clear(&c);
    fx_free(&f);
}
END_TEST

/* A plaintext direction never turns into TLS on bytes that only look like a record. */
START_TEST(plaintext_stays_plaintext)
{
    struct fx_conn c;
    fx_conn_init(&c);
    say(&c, TW_DIR_S2C, "HTTP/1.1 200 OK\r\n\r\n", 1);
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    tw_tls_data(c.t, &c.ev, TW_DIR_S2C, alert, sizeof alert, 2, 0);
    tw_tls_end(c.t, &c.ev);
    ck_assert_int_eq(c.ev.tls->d[TW_DIR_S2C].probe.kind, TW_PROBE_HTTP_RESPONSE);
    ck_assert_uint_eq(c.ev.tls->d[TW_DIR_S2C].tls_after_plaintext_frame, 0);
    ck_assert_uint_eq(c.ev.tls->alert_count, 0);
    fx_conn_clear(&c);
}
END_TEST

/* The server answers an SSLv2 hello in SSLv2 (SERVER-HELLO): the probe says so, and nothing
 * after the hellos is framed as TLS (no malformed facts from SSLv2 records). */
START_TEST(sslv2_server)
{
    static const uint8_t ch[] = {
        0x80, 0x1f,                         /* SSLv2 header, length 31 */
        0x01, 0x00, 0x02, 0x00, 0x06,       /* CLIENT-HELLO, version 2, cipher_spec_length 6 */
        0x00, 0x00, 0x00, 0x10,             /* session_id_length 0, challenge_length 16 */
        0x01, 0x00, 0x80, 0x00, 0x00, 0x2f, /* SSL2_RC4_128_WITH_MD5, TLS 0x002f */
        0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
        0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, /* challenge */
    };
    static const uint8_t sh[] = {
        0x80, 0x0e,                   /* SSLv2 header, length 14 */
        0x04, 0x00, 0x01, 0x00, 0x02, /* SERVER-HELLO, no session hit, X.509, version 2 */
        0x00, 0x00, 0x00, 0x03,       /* certificate_length 0, cipher_specs_length 3 */
        0x00, 0x00,                   /* connection_id_length 0 */
        0x01, 0x00, 0x80,             /* SSL2_RC4_128_WITH_MD5 */
    };
    static const uint8_t master_key[] = {0x80, 0x05, 0x02, 0x01, 0x00, 0x80, 0x00};
    struct fx_conn c;
    fx_conn_init(&c);
    tw_tls_data(c.t, &c.ev, TW_DIR_C2S, ch, sizeof ch, 1, 0);
    tw_tls_data(c.t, &c.ev, TW_DIR_S2C, sh, sizeof sh, 2, 0);
    tw_tls_data(c.t, &c.ev, TW_DIR_C2S, master_key, sizeof master_key, 3, 0);
    tw_tls_end(c.t, &c.ev);
    const struct tw_ev_tls *x = c.ev.tls;
    ck_assert_int_eq(x->d[TW_DIR_C2S].probe.kind, TW_PROBE_SSLV2);
    ck_assert_int_eq(x->d[TW_DIR_S2C].probe.kind, TW_PROBE_SSLV2);
    ck_assert(x->ch.present && x->ch.sslv2_format);
    ck_assert_uint_eq(x->ch.legacy_version, 0x0002);
    ck_assert_uint_eq(x->ch.cipher_suites.n, 1);
    ck_assert(!x->sh.present);
    ck_assert_uint_eq(x->malformed_count, 0);
    fx_conn_clear(&c);
}
END_TEST

static int run(tw_dissect_fn fn, struct tw_ev_tls *tls, const uint8_t *b, size_t n)
{
    struct tw_limits lim;
    tw_limits_default(&lim);
    struct tw_evidence ev = {.tls = tls};
    struct tw_msg msg = {
        .dir = TW_DIR_S2C, .content_type = 22, .last_frame = 5, .len = (uint32_t)n, .lim = &lim};
    uint8_t *copy = malloc(n);
    memcpy(copy, b, n);
    struct tw_rd_err e;
    struct tw_rd m = tw_rd_make(copy, n, &e);
    int rc = fn(&m, &msg, &ev);
    free(copy);
    return rc;
}

/* TLS 1.3 draft 18 ServerHello: version 0x7f12 in the first field, no session id, no
 * compression (draft-ietf-tls-tls13-18 §4.1.3). */
START_TEST(tls13_draft_server_hello)
{
    uint8_t b[2 + 32 + 2 + 2 + 10] = {0x7f, 0x12};         /* version draft 18; random zeros */
    static const uint8_t tail[] = {0x13, 0x01,             /* TLS_AES_128_GCM_SHA256 */
                                   0x00, 0x0a,             /* extensions length 10 */
                                   0x00, 0x33, 0x00, 0x06, /* key_share, length 6 */
                                   0x00, 0x1d, 0x00, 0x02, /* x25519, key length 2 */
                                   0xaa, 0xbb};
    memcpy(b + 34, tail, sizeof tail);
    struct tw_ev_tls tls;
    memset(&tls, 0, sizeof tls);
    ck_assert_int_eq(run(tw_tls_server_hello, &tls, b, sizeof b), TW_OK);
    ck_assert(tls.sh.present);
    ck_assert_uint_eq(tls.sh.version, 0x7f12);
    ck_assert_str_eq(tw_tls_version_name(tls.sh.version), "TLSv1.3-draft18");
    ck_assert_uint_eq(tls.sh.cipher_suite, 0x1301);
    ck_assert_uint_eq(tls.sh.key_share_group, 0x001d);
    for (size_t k = 0; k < sizeof b; k++) { /* prefixes: safe, and never the full answer */
        memset(&tls, 0, sizeof tls);
        int rc = run(tw_tls_server_hello, &tls, b, k);
        ck_assert(rc == TW_E_MALFORMED || (rc == TW_OK && k == 36));
    }
}
END_TEST

/* A ClientHello whose outer lengths agree but whose supported_groups list is 3 bytes long
 * (the samples/alert-other.pcap case): kept, with a malformed fact naming the extension. */
START_TEST(malformed_extension_inside_good_hello)
{
    static const uint8_t ch[] =
        {
            0x03, 0x03, /* legacy_version TLS 1.2 */
            0,    1,    2,    3,    4,    5,   6,   7,   8,   9,   10,
            11,   12,   13,   14,   15,   16,  17,  18,  19,  20,  21,
            22,   23,   24,   25,   26,   27,  28,  29,  30,  31, /* random */
            0x00,                                                 /* legacy_session_id: empty */
            0x00, 0x02, 0xc0, 0x2f,                               /* cipher_suites: one */
            0x01, 0x00,                                           /* compression: null */
            0x00, 0x1d,                                           /* extensions length 29 */
            0x00, 0x00, 0x00, 0x10,                               /* server_name, length 16 */
            0x00, 0x0e, 0x00, 0x00, 0x0b, /* list 14, host_name, length 11 */
            'o',  'r',  'i',  'g',  'i',  'n', '.', 't', 'e', 's', 't',
            0x00, 0x0a, 0x00, 0x05,       /* supported_groups, length 5 */
            0x00, 0x03, 0x00, 0x1d, 0x17, /* list length 3: odd */
        };
    struct tw_ev_tls tls;
    memset(&tls, 0, sizeof tls);
    ck_assert_int_eq(run(tw_tls_client_hello, &tls, ch, sizeof ch), TW_E_MALFORMED);
    ck_assert(tls.ch.present);
    ck_assert_str_eq(tls.ch.sni, "origin.test");
    ck_assert_uint_eq(tls.ch.cipher_suites.n, 1);
    ck_assert_uint_eq(tls.ch.extensions.n, 2);
    ck_assert_uint_eq(tls.malformed_count, 1);
    ck_assert_str_eq(tls.malformed.what, "client_hello extension");
    ck_assert_str_eq(tls.malformed.why, "trailing bytes");
    ck_assert_uint_eq(tls.malformed.off, sizeof ch - 1); /* the odd byte */
}
END_TEST

/* ServerHello.random ending in "DOWNGRD\1" (a TLS 1.3 server negotiating TLS 1.2). */
START_TEST(downgrade_sentinel)
{
    uint8_t b[2 + 32 + 1 + 2 + 1] = {0x03, 0x03}; /* TLS 1.2, random, no session id, ... */
    static const uint8_t sentinel[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 1};
    memcpy(b + 2 + 24, sentinel, 8);
    b[35] = 0xc0; /* cipher_suite 0xc02f, compression null */
    b[36] = 0x2f;
    struct tw_ev_tls tls;
    memset(&tls, 0, sizeof tls);
    ck_assert_int_eq(run(tw_tls_server_hello, &tls, b, sizeof b), TW_OK);
    ck_assert_uint_eq(tls.sh.downgrade, 12);
    ck_assert_uint_eq(tls.sh.version, 0x0303);
    ck_assert(!tls.sh.is_hrr);
    b[2 + 31] = 0; /* "DOWNGRD\0": TLS 1.1 or below */
    memset(&tls, 0, sizeof tls);
    ck_assert_int_eq(run(tw_tls_server_hello, &tls, b, sizeof b), TW_OK);
    ck_assert_uint_eq(tls.sh.downgrade, 11);
}
END_TEST

/* GREASE (RFC 8701) in suites, extensions and supported_versions: kept in wire order. */
START_TEST(grease_values_kept_in_order)
{
    static const uint8_t ch[] = {
        0x03, 0x03, /* legacy_version */
        0,    1,    2,    3,    4,    5,    6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
        16,   17,   18,   19,   20,   21,   22, 23, 24, 25, 26, 27, 28, 29, 30, 31, /* random */
        0x00,                               /* legacy_session_id: empty */
        0x00, 0x04, 0x0a, 0x0a, 0x13, 0x01, /* suites: GREASE, AES_128_GCM */
        0x01, 0x00,                         /* compression: null */
        0x00, 0x11,                         /* extensions length 17 */
        0x1a, 0x1a, 0x00, 0x00,             /* GREASE extension, empty */
        0x00, 0x2b, 0x00, 0x05, 0x04,       /* supported_versions, 5; list 4 */
        0x2a, 0x2a, 0x03, 0x04,             /* GREASE, TLS 1.3 */
        0x00, 0x17, 0x00, 0x00,             /* extended_master_secret */
    };
    struct tw_ev_tls tls;
    memset(&tls, 0, sizeof tls);
    ck_assert_int_eq(run(tw_tls_client_hello, &tls, ch, sizeof ch), TW_OK);
    ck_assert_uint_eq(tls.ch.cipher_suites.n, 2);
    ck_assert(tw_tls_is_grease(tls.ch.cipher_suites.v[0]));
    ck_assert_uint_eq(tls.ch.extensions.n, 3);
    ck_assert_uint_eq(tls.ch.extensions.v[0], 0x1a1a);
    ck_assert_uint_eq(tls.ch.versions.n, 2);
    ck_assert(tw_tls_is_grease(tls.ch.versions.v[0]));
    ck_assert_uint_eq(tls.ch.versions.v[1], 0x0304);
    ck_assert(tls.ch.has_ems);
}
END_TEST

/* More values than a list holds (supported_groups: 64): the rest are counted as dropped and
 * the parse goes on (a fuzzer found this looping forever when TW_LIST_PUSH skipped the read). */
START_TEST(list_overflow_is_counted)
{
    enum { NG = 100 };
    static uint8_t ch[2 + 32 + 1 + 4 + 2 + 2 + 6 + 2 * NG];
    size_t o = 0;
    ch[o++] = 0x03; /* legacy_version 0x0303 */
    ch[o++] = 0x03;
    o += 32;     /* random: zeros */
    ch[o++] = 0; /* legacy_session_id: empty */
    ch[o++] = 0; /* cipher_suites length 2: 0x1301 */
    ch[o++] = 2;
    ch[o++] = 0x13;
    ch[o++] = 0x01;
    ch[o++] = 1; /* compression: null */
    ch[o++] = 0;
    ch[o++] = (uint8_t)((6 + 2 * NG) >> 8); /* extensions length */
    ch[o++] = (uint8_t)(6 + 2 * NG);
    ch[o++] = 0x00; /* supported_groups */
    ch[o++] = 0x0a;
    ch[o++] = (uint8_t)((2 + 2 * NG) >> 8); /* extension length */
    ch[o++] = (uint8_t)(2 + 2 * NG);
    ch[o++] = (uint8_t)((2 * NG) >> 8); /* named_group_list length */
    ch[o++] = (uint8_t)(2 * NG);
    for (int i = 0; i < NG; i++) { /* groups 0x0100 + i */
        ch[o++] = 0x01;
        ch[o++] = (uint8_t)i;
    }
    ck_assert_uint_eq(o, sizeof ch);
    struct tw_ev_tls tls;
    memset(&tls, 0, sizeof tls);
    ck_assert_int_eq(run(tw_tls_client_hello, &tls, ch, sizeof ch), TW_OK);
    ck_assert_uint_eq(tls.ch.groups.n, TW_LIST_CAP(tls.ch.groups));
    ck_assert_uint_eq(tls.ch.groups.dropped, NG - TW_LIST_CAP(tls.ch.groups));
    ck_assert_uint_eq(tls.ch.groups.v[63], 0x013f);
}
END_TEST

Suite *tw_tls_edge_suite(void)
{
    Suite *s = suite_create("tls_edge");
    TCase *tc = tcase_create("edge");
    tcase_add_test(tc, starttls_then_tls);
    tcase_add_test(tc, postgres_sslrequest_then_tls);
    tcase_add_test(tc, plaintext_stays_plaintext);
    tcase_add_test(tc, sslv2_server);
    tcase_add_test(tc, tls13_draft_server_hello);
    tcase_add_test(tc, malformed_extension_inside_good_hello);
    tcase_add_test(tc, downgrade_sentinel);
    tcase_add_test(tc, grease_values_kept_in_order);
    tcase_add_test(tc, list_overflow_is_counted);
    suite_add_tcase(s, tc);
    return s;
}
