/* check_tls_framer.c: framing corner cases on real and hand-made bytes: handshake messages
 * across records and several per record, caps, gaps and resync, bad headers, SSLv2 hello,
 * plaintext probes, incomplete streams, TLS 1.2 encrypted alerts. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tls_fixture.h"
#include "tls_int.h"

/* Feeds the events of f with frame <= upto (and not in skip) without stopping at DONE. */
static void feed_upto(struct fx_conn *c, const struct fx *f, uint64_t upto, uint64_t skip_from,
                      uint64_t skip_to)
{
    for (size_t i = 0; i < f->n; i++) {
        const struct fx_event *e = &f->ev[i];
        if (e->kind != FX_DATA || e->frame > upto)
            continue;
        if (e->frame >= skip_from && e->frame <= skip_to)
            continue;
        c->rc[e->dir] = tw_tls_data(c->t, &c->ev, e->dir, e->data, e->len, e->frame, 0);
    }
}

static const struct fx_event *event_at(const struct fx *f, uint64_t frame, enum tw_dir d)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->ev[i].frame == frame && f->ev[i].dir == d && f->ev[i].kind == FX_DATA)
            return &f->ev[i];
    ck_abort_msg("no data in frame %llu", (unsigned long long)frame);
    return NULL;
}

/* The server's flight of tls12-ok (4 records: ServerHello, Certificate, ServerKeyExchange,
 * ServerHelloDone) repacked as one record holding all four messages, and as records of 7
 * bytes each (every message split across records): same facts as the original. */
START_TEST(handshake_messages_across_and_within_records)
{
    struct fx f;
    fx_load(&f, "tls12-ok");
    const struct fx_event *ch = event_at(&f, 4, TW_DIR_C2S);
    const struct fx_event *fl = event_at(&f, 6, TW_DIR_S2C);
    /* join the handshake bytes of the flight's records */
    uint8_t *hs = malloc(fl->len);
    size_t hl = 0;
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(fl->data, fl->len, &e);
    while (tw_rd_left(&r) > 0) {
        tw_rd_skip(&r, 3); /* type, version */
        struct tw_rd frag = tw_rd_vec(&r, 2);
        size_t n = tw_rd_left(&frag);
        memcpy(hs + hl, tw_rd_take(&frag, n), n);
        hl += n;
    }
    ck_assert_int_eq(e.code, TW_OK);
    for (size_t piece = 7; piece <= hl; piece += hl - 7) { /* 7-byte records, then one */
        struct fx_conn c;
        fx_conn_init(&c);
        tw_tls_data(c.t, &c.ev, TW_DIR_C2S, ch->data, ch->len, 4, 0);
        uint8_t *out = malloc(hl + (hl / piece + 1) * 5);
        size_t ol = 0;
        for (size_t off = 0; off < hl; off += piece) {
            size_t n = hl - off < piece ? hl - off : piece;
            uint8_t hdr[5] = {22, 3, 3, (uint8_t)(n >> 8), (uint8_t)n}; /* handshake record */
            memcpy(out + ol, hdr, 5);
            memcpy(out + ol + 5, hs + off, n);
            ol += 5 + n;
        }
        tw_tls_data(c.t, &c.ev, TW_DIR_S2C, out, ol, 6, 0);
        tw_tls_end(c.t, &c.ev);
        const struct tw_ev_tls *x = c.ev.tls;
        ck_assert(x->sh.present);
        ck_assert_uint_eq(x->sh.cipher_suite, 0xc030);
        ck_assert_uint_eq(x->cert.kept, 2);
        ck_assert_uint_eq(x->server_kx_group, 0x001d);
        ck_assert_uint_eq(x->server_hello_done_frame, 6);
        ck_assert_uint_eq(x->malformed_count, 0);
        ck_assert_uint_eq(x->d[TW_DIR_S2C].records, piece == 7 ? (hl + 6) / 7 : 1);
        free(out);
        fx_conn_clear(&c);
    }
    free(hs);
    fx_free(&f);
}
END_TEST

/* A handshake message longer than max_hs_msg is skipped (limit fact), framing goes on. */
START_TEST(handshake_message_over_cap_is_skipped)
{
    struct fx f;
    struct fx_conn c;
    fx_load(&f, "tls12-ok");
    fx_conn_init(&c);
    c.lim.max_hs_msg = 1000; /* the Certificate message is 1627 bytes */
    fx_replay(&c, &f, 0, SIZE_MAX, 0);
    const struct tw_ev_tls *x = c.ev.tls;
    ck_assert(!x->cert.present);
    ck_assert_uint_eq(x->malformed_count, 1);
    ck_assert_str_eq(x->malformed.why, "message longer than max_hs_msg");
    ck_assert_uint_eq(x->malformed.frame, 6);
    ck_assert_uint_eq(x->server_kx_frame, 6); /* the next message was still framed */
    ck_assert_uint_eq(x->server_hello_done_frame, 6);
    fx_conn_clear(&c);
    /* the same with the stream fed byte by byte */
    fx_conn_init(&c);
    c.lim.max_hs_msg = 1000;
    fx_replay(&c, &f, 1, SIZE_MAX, 0);
    ck_assert(!c.ev.tls->cert.present);
    ck_assert_uint_eq(c.ev.tls->server_hello_done_frame, 6);
    fx_conn_clear(&c);
    fx_free(&f);
}
END_TEST

START_TEST(certificate_caps)
{
    struct fx f;
    struct fx_conn c;
    fx_load(&f, "tls12-ok");
    fx_conn_init(&c);
    c.lim.max_certs = 1;
    fx_replay(&c, &f, 0, SIZE_MAX, 0);
    ck_assert_uint_eq(c.ev.tls->cert.count, 2);
    ck_assert_uint_eq(c.ev.tls->cert.kept, 1);
    fx_conn_clear(&c);
    fx_conn_init(&c);
    c.lim.max_cert_der = 100;
    fx_replay(&c, &f, 0, SIZE_MAX, 0);
    ck_assert_uint_eq(c.ev.tls->cert.count, 2);
    ck_assert_uint_eq(c.ev.tls->cert.kept, 0);
    fx_conn_clear(&c);
    fx_free(&f);
}
END_TEST

/* A gap inside the server's flight: the partial record is dropped; framing resumes at the next
 * chunk that starts with a plausible record header. */
START_TEST(gap_then_resync)
{
    struct fx f;
    struct fx_conn c;
    fx_load(&f, "tls12-ok");
    fx_conn_init(&c);
    const struct fx_event *fl = event_at(&f, 6, TW_DIR_S2C);
    feed_upto(&c, &f, 4, 0, 0);
    tw_tls_data(c.t, &c.ev, TW_DIR_S2C, fl->data, 100, 6, 0); /* SH + start of Certificate */
    tw_tls_gap(c.t, &c.ev, TW_DIR_S2C, fl->len - 100, 7, 0);
    feed_upto(&c, &f, 9, 0, 6); /* frames 8 and 9: CKE/CCS/Finished, NST/CCS/Finished */
    tw_tls_end(c.t, &c.ev);
    const struct tw_ev_tls *x = c.ev.tls;
    ck_assert(x->sh.present);
    ck_assert(!x->cert.present);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].gaps, 1);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].resyncs, 1);
    ck_assert_uint_eq(x->new_session_ticket_frame, 9);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].ccs_frame, 9);
    ck_assert_uint_eq(x->d[TW_DIR_S2C].incomplete_bytes, 0);
    fx_conn_clear(&c);
    fx_free(&f);
}
END_TEST

/* After the ClientHello, a record header with content type 99: malformed fact, framing waits
 * for a plausible header. */
START_TEST(bad_record_header)
{
    struct fx f;
    struct fx_conn c;
    fx_load(&f, "tls12-ok");
    fx_conn_init(&c);
    feed_upto(&c, &f, 4, 0, 0);
    /* type 99, version 3,3, length 2, two bytes; then a valid alert record */
    static const uint8_t bad[] = {99, 3, 3, 0, 2, 1, 2};
    static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40}; /* fatal handshake_failure */
    tw_tls_data(c.t, &c.ev, TW_DIR_C2S, bad, sizeof bad, 5, 0);
    tw_tls_data(c.t, &c.ev, TW_DIR_C2S, alert, sizeof alert, 6, 0);
    tw_tls_end(c.t, &c.ev);
    ck_assert_uint_eq(c.ev.tls->malformed_count, 1);
    ck_assert_str_eq(c.ev.tls->malformed.what, "record");
    ck_assert_str_eq(c.ev.tls->malformed.why, "unknown content type");
    ck_assert_uint_eq(c.ev.tls->malformed.frame, 5);
    ck_assert_uint_eq(c.ev.tls->alert_count, 1);
    ck_assert_uint_eq(c.ev.tls->alerts[0].desc, 40);
    /* a record length over 2^14 + 2048 is refused the same way */
    fx_conn_clear(&c);
    fx_conn_init(&c);
    static const uint8_t huge[] = {23, 3, 3, 0x48, 0x01};
    tw_tls_data(c.t, &c.ev, TW_DIR_S2C, huge, sizeof huge, 3, 0);
    ck_assert_str_eq(c.ev.tls->malformed.why, "record longer than 2^14+2048");
    fx_conn_clear(&c);
    fx_free(&f);
}
END_TEST

/* SSLv2 record header 0x80 0x22 (34-byte body), the SSLv2-compatible ClientHello of
 * check_tls_msgs.c, then a TLS alert record: both parsed, each in its framing. */
START_TEST(sslv2_client_hello_then_tls)
{
    static const uint8_t in[] = {
        0x80, 0x22,                                     /* SSLv2 header, length 34 */
        0x01, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, /* CLIENT-HELLO, 3.1, specs 9, sid 0 */
        0x10, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x35,       /* challenge 16; {0,0x2f} {0,0x35} */
        0x07, 0x00, 0xc0,                               /* SSLv2 kind: skipped */
        0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, /* challenge */
        0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
        0x15, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00, /* alert record: warning close_notify */
    };
    for (size_t cut = 1; cut < sizeof in; cut++) {
        struct fx_conn c;
        fx_conn_init(&c);
        tw_tls_data(c.t, &c.ev, TW_DIR_C2S, in, cut, 1, 0);
        tw_tls_data(c.t, &c.ev, TW_DIR_C2S, in + cut, sizeof in - cut, 2, 0);
        tw_tls_end(c.t, &c.ev);
        const struct tw_ev_tls *x = c.ev.tls;
        ck_assert_int_eq(x->d[TW_DIR_C2S].probe.kind, TW_PROBE_SSLV2);
        ck_assert(x->ch.present && x->ch.sslv2_format);
        ck_assert_uint_eq(x->ch.legacy_version, 0x0301);
        ck_assert_uint_eq(x->ch.random[15], 0); /* 16-byte challenge, right-aligned */
        ck_assert_uint_eq(x->ch.random[16], 0xa0);
        ck_assert_uint_eq(x->ch.random[31], 0xaf);
        ck_assert_uint_eq(x->ch.cipher_suites.n, 2);
        ck_assert_uint_eq(x->ch.cipher_suites.v[1], 0x0035);
        ck_assert_uint_eq(x->alert_count, 1);
        ck_assert_uint_eq(x->alerts[0].level, 1);
        ck_assert_uint_eq(x->malformed_count, 0);
        fx_conn_clear(&c);
    }
}
END_TEST

START_TEST(plaintext_probes)
{
    static const struct {
        const char *bytes;
        enum tw_probe_kind kind;
    } cases[] = {
        {"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", TW_PROBE_HTTP_REQUEST},
        {"HTTP/1.0 400 Bad Request\r\n", TW_PROBE_HTTP_RESPONSE},
        {"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", TW_PROBE_SSH},
        {"220 mail.example.com ESMTP\r\n", TW_PROBE_OTHER},
        {"GE", TW_PROBE_OTHER}, /* too short to tell when the stream ends */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fx_conn c;
        fx_conn_init(&c);
        size_t n = strlen(cases[i].bytes);
        for (size_t k = 0; k < n; k++) /* one byte per call: the decision waits for enough */
            tw_tls_data(c.t, &c.ev, TW_DIR_S2C, (const uint8_t *)cases[i].bytes + k, 1, 3 + k, 0);
        tw_tls_end(c.t, &c.ev);
        const struct tw_probe *p = &c.ev.tls->d[TW_DIR_S2C].probe;
        ck_assert_int_eq(p->kind, cases[i].kind);
        ck_assert_uint_eq(p->frame, 3);
        ck_assert_uint_eq(p->len, n < TW_FIRST_BYTES ? n : TW_FIRST_BYTES);
        ck_assert_mem_eq(p->first, cases[i].bytes, p->len);
        ck_assert_uint_eq(c.ev.tls->d[TW_DIR_S2C].records, 0);
        fx_conn_clear(&c);
    }
    /* tw_tls_probe_kind alone: TLS needs content type 20..24, major 3, minor <= 4 */
    static const uint8_t tls[] = {0x16, 0x03, 0x01}, notls[] = {0x16, 0x03, 0x09};
    ck_assert_int_eq(tw_tls_probe_kind(tls, 3), TW_PROBE_TLS);
    ck_assert_int_eq(tw_tls_probe_kind(tls, 2), TW_PROBE_NONE);
    ck_assert_int_eq(tw_tls_probe_kind(notls, 3), TW_PROBE_OTHER);
}
END_TEST

/* No SYN seen (capture started mid-connection) and the first bytes are the middle of a
 * record: not called plaintext; framing resumes at the next record boundary. */
START_TEST(mid_stream_resyncs)
{
    struct fx f;
    struct fx_conn c;
    fx_load(&f, "tls12-ok");
    fx_conn_init(&c);
    c.tcp.mid_stream = true;
    const struct fx_event *app = event_at(&f, 11, TW_DIR_S2C); /* one 35-byte record */
    tw_tls_data(c.t, &c.ev, TW_DIR_S2C, app->data + 7, app->len - 7, 11, 0); /* mid-record */
    tw_tls_data(c.t, &c.ev, TW_DIR_S2C, app->data, app->len, 12, 0);         /* a whole one */
    tw_tls_end(c.t, &c.ev);
    const struct tw_dir_tls *s = &c.ev.tls->d[TW_DIR_S2C];
    ck_assert_int_eq(s->probe.kind, TW_PROBE_OTHER);
    ck_assert_uint_eq(s->resyncs, 1);
    ck_assert_uint_eq(s->app_records, 1);
    ck_assert_uint_eq(s->first_app_frame, 12);
    ck_assert_uint_eq(c.ev.tls->step_count, 1); /* the application data, no plaintext step */
    ck_assert_uint_eq(c.ev.tls->malformed_count, 0);
    fx_conn_clear(&c);
    fx_free(&f);
}
END_TEST

/* Half a record when the stream ends: counted as incomplete bytes. */
START_TEST(incomplete_at_end)
{
    struct fx f;
    struct fx_conn c;
    fx_load(&f, "tls12-ok");
    fx_conn_init(&c);
    const struct fx_event *ch = event_at(&f, 4, TW_DIR_C2S);
    tw_tls_data(c.t, &c.ev, TW_DIR_C2S, ch->data, 100, 4, 0);
    tw_tls_end(c.t, &c.ev);
    ck_assert(!c.ev.tls->ch.present);
    ck_assert_uint_eq(c.ev.tls->d[TW_DIR_C2S].incomplete_bytes, 100);
    fx_conn_clear(&c);
    fx_free(&f);
}
END_TEST

/* TLS 1.2: after CCS, an alert record keeps content type 21 but is encrypted (26 bytes). */
START_TEST(tls12_encrypted_alert)
{
    struct fx f;
    struct fx_conn c;
    fx_load(&f, "tls12-ok");
    fx_conn_init(&c);
    feed_upto(&c, &f, 13, 10, 12); /* handshake, then the client's close_notify (frame 13) */
    tw_tls_end(c.t, &c.ev);
    const struct tw_ev_tls *x = c.ev.tls;
    ck_assert_uint_eq(x->alert_count, 1);
    ck_assert_uint_eq(x->alerts[0].frame, 13);
    ck_assert_uint_eq(x->alerts[0].dir, TW_DIR_C2S);
    ck_assert_uint_eq(x->alerts[0].record_len, 26);
    ck_assert(x->alerts[0].encrypted && !x->alerts[0].visible && !x->alerts[0].probable);
    ck_assert_int_eq(c.rc[TW_DIR_C2S], TW_STREAM_MORE);
    fx_conn_clear(&c);
    fx_free(&f);
}
END_TEST

/* NULL and empty inputs do nothing. */
START_TEST(null_and_empty)
{
    struct fx_conn c;
    fx_conn_init(&c);
    ck_assert_int_eq(tw_tls_data(c.t, &c.ev, TW_DIR_C2S, NULL, 0, 1, 0), TW_STREAM_MORE);
    ck_assert_int_eq(tw_tls_data(NULL, &c.ev, TW_DIR_C2S, NULL, 0, 1, 0), TW_STREAM_MORE);
    tw_tls_end(c.t, &c.ev);
    tw_tls_end(c.t, &c.ev); /* twice is harmless */
    ck_assert_uint_eq(c.ev.tls->d[TW_DIR_C2S].records, 0);
    ck_assert_int_eq(c.ev.tls->d[TW_DIR_C2S].probe.kind, TW_PROBE_NONE);
    tw_tls_free(NULL);
    tw_ev_tls_clear(NULL);
    fx_conn_clear(&c);
}
END_TEST

Suite *tw_tls_framer_suite(void)
{
    Suite *s = suite_create("tls_framer");
    TCase *tc = tcase_create("framer");
    tcase_add_test(tc, handshake_messages_across_and_within_records);
    tcase_add_test(tc, handshake_message_over_cap_is_skipped);
    tcase_add_test(tc, certificate_caps);
    tcase_add_test(tc, gap_then_resync);
    tcase_add_test(tc, bad_record_header);
    tcase_add_test(tc, sslv2_client_hello_then_tls);
    tcase_add_test(tc, plaintext_probes);
    tcase_add_test(tc, incomplete_at_end);
    tcase_add_test(tc, mid_stream_resyncs);
    tcase_add_test(tc, tls12_encrypted_alert);
    tcase_add_test(tc, null_and_empty);
    suite_add_tcase(s, tc);
    return s;
}
