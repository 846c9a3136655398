/* check_diag_fp_memo.c: the fingerprint memo (src/diag_fp_memo.c) gives exactly what the
 * general path gives. Every connection of every sample capture and every peer capture
 * (../shared/peer-pcaps, TW_PEER_PCAPS overrides) goes through capture, decode, flow and the
 * TLS dissectors; at its close, tw_fp_connection (memo) and tw_fp_client + tw_fp_server
 * (general) must agree on all four strings, over two passes (the second all hits). Then
 * mutations of a real hello (GREASE added: same entry; one value changed, a list cut, ALPN
 * variants: another entry), a hello too long to memoise, and eviction: the least recently used
 * way goes, so a hello asked again between inserts stays, and one left alone is evicted. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "tlswhy/capture.h"
#include "tlswhy/dissector.h"
#include "tlswhy/fingerprint.h"
#include "tlswhy/flow.h"
#include "tlswhy/packet.h"

struct app {
    struct tw_ev_tls tls;
    struct tw_tls_conn *framer;
};

struct run {
    struct tw_limits lim;
    size_t conns, client_hellos, server_hellos;
    struct tw_client_hello *keep; /* the first ClientHello seen, for the mutation tests */
};

static void compare(const struct tw_ev_tls *t, const char *what)
{
    struct tw_fingerprints memo, general;
    memset(&memo, 'x', sizeof memo);
    memset(&general, 'y', sizeof general);
    tw_fp_connection(t, &memo);
    tw_fp_client(&t->ch, &general);
    tw_fp_server(t->hrr.present ? &t->hrr : &t->sh, &general);
    ck_assert_msg(strcmp(memo.ja4, general.ja4) == 0 && strcmp(memo.ja4_o, general.ja4_o) == 0 &&
                      strcmp(memo.ja3, general.ja3) == 0 && strcmp(memo.ja3s, general.ja3s) == 0,
                  "%s: memo %s %s %s %s, general %s %s %s %s", what, memo.ja4, memo.ja4_o,
                  memo.ja3, memo.ja3s, general.ja4, general.ja4_o, general.ja3, general.ja3s);
}

static struct app *app_of(struct run *r, struct tw_conn *c)
{
    struct app *a = tw_conn_app(c);
    if (!a) {
        a = calloc(1, sizeof *a);
        ck_assert_ptr_nonnull(a);
        a->framer = tw_tls_new(&r->lim);
        ck_assert_ptr_nonnull(a->framer);
        tw_conn_set_app(c, a);
    }
    return a;
}

static void evidence_of(struct tw_conn *c, struct app *a, struct tw_evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->conn_id = tw_conn_id(c);
    ev->tcp = tw_conn_tcp(c);
    ev->tls = &a->tls;
}

static void on_open(void *ctx, struct tw_conn *c, const struct tw_pkt *p)
{
    (void)ctx, (void)c, (void)p;
}

static int on_data(void *ctx, struct tw_conn *c, enum tw_dir d, const uint8_t *data, size_t len,
                   uint64_t frame, int64_t ts_us)
{
    struct app *a = app_of(ctx, c);
    struct tw_evidence ev;
    evidence_of(c, a, &ev);
    return tw_tls_data(a->framer, &ev, d, data, len, frame, ts_us);
}

static void on_gap(void *ctx, struct tw_conn *c, enum tw_dir d, uint64_t off, uint64_t len,
                   uint64_t frame, int64_t ts_us)
{
    (void)off;
    struct app *a = app_of(ctx, c);
    struct tw_evidence ev;
    evidence_of(c, a, &ev);
    tw_tls_gap(a->framer, &ev, d, len, frame, ts_us);
}

static void on_event(void *ctx, struct tw_conn *c, const struct tw_tcp_event *e)
{
    (void)ctx, (void)c, (void)e;
}

static void on_close(void *ctx, struct tw_conn *c)
{
    struct run *r = ctx;
    struct app *a = tw_conn_app(c);
    r->conns++;
    if (!a)
        return;
    struct tw_evidence ev;
    evidence_of(c, a, &ev);
    tw_tls_end(a->framer, &ev);
    r->client_hellos += a->tls.ch.present;
    r->server_hellos += a->tls.sh.present || a->tls.hrr.present;
    compare(&a->tls, "connection");
    if (!r->keep && a->tls.ch.present && a->tls.ch.extensions.n > 4) {
        r->keep = malloc(sizeof *r->keep);
        ck_assert_ptr_nonnull(r->keep);
        *r->keep = a->tls.ch;
    }
    tw_tls_free(a->framer);
    tw_ev_tls_clear(&a->tls);
    free(a);
    tw_conn_set_app(c, NULL);
}

static const struct tw_stream_ops ops = {on_open, on_data, on_gap, on_event, on_close};

/* One capture through the pipeline; a capture libpcap cannot open is skipped (counted). */
static bool run_file(struct run *r, const char *path)
{
    char err[512];
    struct tw_cap *cap = NULL;
    if (tw_cap_open_file(path, NULL, &cap, err, sizeof err) != TW_OK)
        return false;
    struct tw_flow_table *t = tw_flow_new(&r->lim, &ops, r);
    ck_assert_ptr_nonnull(t);
    struct tw_frame f;
    struct tw_pkt p;
    struct tw_dec_stats st = {0};
    while (tw_cap_next(cap, &f) == 1)
        if (tw_dec_frame(&f, &p, &st, NULL) == TW_OK)
            tw_flow_packet(t, &p);
    tw_flow_finish(t);
    tw_flow_free(t);
    tw_cap_close(cap);
    return true;
}

static bool is_capture(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".pcap") == 0) ||
           (n > 7 && strcmp(name + n - 7, ".pcapng") == 0);
}

/* Every capture under dir (one level of subdirectories, as in peer-pcaps/pcaps/<source>/). */
static size_t run_dir(struct run *r, const char *dir, int depth)
{
    size_t files = 0;
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (is_capture(e->d_name))
            files += run_file(r, path);
        else if (depth > 0)
            files += run_dir(r, path, depth - 1);
    }
    closedir(d);
    return files;
}

static const char *peer_dir(void)
{
    static char buf[4096];
    const char *d = getenv("TW_PEER_PCAPS");
    snprintf(buf, sizeof buf, "%s/pcaps", d && *d ? d : tw_test_src("../shared/peer-pcaps"));
    return buf;
}

START_TEST(memo_equals_general_on_every_capture)
{
    struct run r;
    memset(&r, 0, sizeof r);
    tw_limits_default(&r.lim);
    tw_fp_memo_reset();
    size_t files = 0;
    for (int pass = 0; pass < 2; pass++) {
        files = run_dir(&r, tw_test_src("samples"), 0);
        files += run_dir(&r, peer_dir(), 1);
    }
    struct tw_fp_memo_stats cs, ss;
    tw_fp_memo_stats(&cs, &ss);
    /* 65 samples and 140 peer captures when this was written; a handful libpcap refuses. */
    ck_assert_uint_ge(files, 150);
    ck_assert_uint_ge(r.client_hellos, 400);
    ck_assert_uint_eq(cs.hits + cs.misses + cs.too_big, r.client_hellos);
    ck_assert_uint_eq(ss.hits + ss.misses + ss.too_big, r.server_hellos);
    /* The second pass repeats the first: at least half of all hellos are hits. */
    ck_assert_uint_ge(cs.hits, r.client_hellos / 2);
    ck_assert_uint_ge(ss.hits, r.server_hellos / 2);
    free(r.keep);
}
END_TEST

/* The memo's answer for ch, checked against the general path; returns hits gained. */
static uint64_t ask(const struct tw_client_hello *ch, const char *what)
{
    struct tw_fp_memo_stats before, after;
    struct tw_fingerprints memo, general;
    tw_fp_memo_stats(&before, NULL);
    tw_fp_memo_client(ch, &memo);
    tw_fp_client(ch, &general);
    ck_assert_msg(strcmp(memo.ja4, general.ja4) == 0 && strcmp(memo.ja4_o, general.ja4_o) == 0 &&
                      strcmp(memo.ja3, general.ja3) == 0,
                  "%s: memo %s %s %s, general %s %s %s", what, memo.ja4, memo.ja4_o, memo.ja3,
                  general.ja4, general.ja4_o, general.ja3);
    tw_fp_memo_stats(&after, NULL);
    return after.hits - before.hits;
}

/* A real hello: the first of samples/cert-expired-tls13.pcap (OpenSSL's s_client), with "h2"
 * as its ALPN list so that the ALPN mutations below all differ from it. */
static void base_hello(struct tw_client_hello *ch)
{
    struct run r;
    memset(&r, 0, sizeof r);
    tw_limits_default(&r.lim);
    ck_assert(run_file(&r, tw_test_src("samples/cert-expired-tls13.pcap")));
    ck_assert_ptr_nonnull(r.keep);
    *ch = *r.keep;
    free(r.keep);
    memcpy(ch->alpn, "\x02h2", 3);
    ch->alpn_len = 3;
}

static void insert_front(uint16_t *v, uint16_t *n, size_t cap, uint16_t x)
{
    ck_assert_uint_lt(*n, cap);
    memmove(v + 1, v, *n * sizeof v[0]);
    v[0] = x;
    (*n)++;
}

START_TEST(mutations_hit_only_when_equal)
{
    struct tw_client_hello base, m;
    base_hello(&base);
    tw_fp_memo_reset();
    ck_assert_uint_eq(ask(&base, "first"), 0);
    ck_assert_uint_eq(ask(&base, "again"), 1);

    /* GREASE anywhere changes no fingerprint: the same entry answers. */
    m = base;
    insert_front(m.cipher_suites.v, &m.cipher_suites.n, TW_LIST_CAP(m.cipher_suites), 0x1a1a);
    insert_front(m.extensions.v, &m.extensions.n, TW_LIST_CAP(m.extensions), 0xfafa);
    insert_front(m.groups.v, &m.groups.n, TW_LIST_CAP(m.groups), 0x2a2a);
    insert_front(m.versions.v, &m.versions.n, TW_LIST_CAP(m.versions), 0x3a3a);
    insert_front(m.sig_algs.v, &m.sig_algs.n, TW_LIST_CAP(m.sig_algs), 0x4a4a);
    ck_assert_uint_eq(ask(&m, "GREASE added"), 1);

    /* Each of these differs in what a fingerprint reads: a miss the first time, then a hit. */
    for (int k = 0; k < 14; k++) {
        m = base;
        switch (k) {
        case 0: m.legacy_version ^= 1; break;
        case 1: m.cipher_suites.v[0] ^= 0x100; break;
        case 2: m.cipher_suites.dropped = 1; break;
        case 3: m.extensions.v[m.extensions.n - 1] = 0x7777; break; /* an unknown type */
        case 4: m.extensions.dropped = 2; break;
        case 5: insert_front(m.versions.v, &m.versions.n, TW_LIST_CAP(m.versions), 0x0305); break;
        case 6: m.versions.dropped = 1; break;
        case 7: insert_front(m.groups.v, &m.groups.n, TW_LIST_CAP(m.groups), 0x1234); break;
        case 8: m.groups.dropped = 1; break;
        case 9: insert_front(m.sig_algs.v, &m.sig_algs.n, TW_LIST_CAP(m.sig_algs), 0x0101); break;
        case 10: insert_front(m.ec_point_formats.v, &m.ec_point_formats.n,
                              TW_LIST_CAP(m.ec_point_formats), 7); break;
        case 11: memcpy(m.alpn, "\x02x9", 3); break;
        case 12: m.alpn[0] = 100; m.alpn_len = 3; break; /* first value longer than kept */
        case 13: m.alpn_len = 0; m.alpn[0] = 0; break;
        }
        char what[32];
        snprintf(what, sizeof what, "mutation %d", k);
        ck_assert_msg(ask(&m, what) == 0, "%s hit the base entry", what);
        ck_assert_uint_eq(ask(&m, what), 1);
    }
    /* ALPN bytes JA4 does not read (a second value) share the entry. */
    ask(&base, "base again");
    m = base;
    memcpy(m.alpn, "\x02h2\x08http/1.1", 12);
    m.alpn_len = 12;
    ck_assert_uint_eq(ask(&m, "a second ALPN value"), 1);
}
END_TEST

START_TEST(long_hello_not_memoised)
{
    struct tw_client_hello ch;
    base_hello(&ch);
    tw_fp_memo_reset();
    ch.cipher_suites.n = 0;
    for (uint16_t i = 0; i < 300; i++)
        TW_LIST_PUSH(ch.cipher_suites, 0x0100 + i);
    ck_assert_uint_eq(ask(&ch, "long"), 0);
    ck_assert_uint_eq(ask(&ch, "long again"), 0);
    struct tw_fp_memo_stats cs;
    tw_fp_memo_stats(&cs, NULL);
    ck_assert_uint_eq(cs.too_big, 2);
    ck_assert_uint_eq(cs.misses, 0);
}
END_TEST

START_TEST(least_recently_used_way_is_evicted)
{
    struct tw_client_hello a, x;
    base_hello(&a);
    tw_fp_memo_reset();
    ask(&a, "a");
    /* a is asked after every other insert: in a 2-way set the other way is always the one
     * replaced, so a never leaves. */
    for (uint16_t i = 0; i < 1000; i++) {
        x = a;
        x.cipher_suites.v[0] = (uint16_t)(0x4000 + i);
        ck_assert_uint_eq(ask(&x, "x"), 0);
        ck_assert_uint_eq(ask(&a, "a kept"), 1);
    }
    struct tw_fp_memo_stats cs;
    tw_fp_memo_stats(&cs, NULL);
    ck_assert_uint_gt(cs.evictions, 0);
    /* Left alone while 1000 more go in (128 entries), a is evicted and computed again. */
    for (uint16_t i = 0; i < 1000; i++) {
        x = a;
        x.cipher_suites.v[0] = (uint16_t)(0x8000 + i);
        ask(&x, "y");
    }
    ck_assert_uint_eq(ask(&a, "a evicted"), 0);
    tw_fp_memo_stats(&cs, NULL);
    ck_assert_uint_ge(cs.evictions, cs.misses - 128);
}
END_TEST

START_TEST(server_hellos)
{
    struct tw_server_hello sh, m;
    struct tw_fingerprints memo, general;
    struct tw_fp_memo_stats ss;
    memset(&sh, 0, sizeof sh);
    sh.present = true;
    sh.legacy_version = 771;
    sh.cipher_suite = 4865;
    TW_LIST_PUSH(sh.extensions, 51);
    TW_LIST_PUSH(sh.extensions, 43);
    tw_fp_memo_reset();
    for (int k = 0; k < 6; k++) {
        m = sh;
        if (k == 1)
            m.cipher_suite++;
        if (k == 2)
            m.extensions.dropped = 1;
        if (k == 3)
            TW_LIST_PUSH(m.extensions, 0x5a5a); /* GREASE: the same as k == 0 */
        if (k == 4)
            m.extensions.n = 0;
        if (k == 5)
            m.legacy_version = 770;
        for (int again = 0; again < 2; again++) {
            tw_fp_memo_server(&m, &memo);
            tw_fp_server(&m, &general);
            ck_assert_str_eq(memo.ja3s, general.ja3s);
        }
    }
    tw_fp_memo_stats(NULL, &ss);
    ck_assert_uint_eq(ss.misses, 5);
    ck_assert_uint_eq(ss.hits, 7);
    m.present = false;
    tw_fp_memo_server(&m, &memo);
    ck_assert_str_eq(memo.ja3s, "");
}
END_TEST

Suite *tw_diag_fp_memo_suite(void)
{
    Suite *s = suite_create("diag_fp_memo");
    TCase *tc = tcase_create("memo");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, memo_equals_general_on_every_capture);
    tcase_add_test(tc, mutations_hit_only_when_equal);
    tcase_add_test(tc, long_hello_not_memoised);
    tcase_add_test(tc, least_recently_used_way_is_evicted);
    tcase_add_test(tc, server_hellos);
    suite_add_tcase(s, tc);
    return s;
}
