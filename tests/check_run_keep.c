/* check_run_keep.c: -w's frame store (src/run_keep.c) and the pcap writer under it. Frames are
 * held per connection until the verdict, written for the wanted ones in arrival order, and the
 * frame that decided a verdict (a RST) goes with it while a SYN that reuses the pair starts the
 * next connection. Limits count what they refuse. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/run_keep.h"
#include "test_util.h"
#include "tlswhy/capture.h"

#define NO_LIMIT ((size_t)1 << 30)

struct kfx {
    const char *path;
    struct tw_cap_writer *w;
    struct tw_keep *k;
    struct tw_endpoint cli, srv;
    uint8_t bytes[64];
};

static void kfx_open(struct kfx *x, bool all, size_t per_conn, size_t total)
{
    memset(x, 0, sizeof *x);
    x->path = tw_test_tmp(".pcap");
    char err[256];
    ck_assert_int_eq(tw_cap_writer_open(x->path, 1, 65535, &x->w, err, sizeof err), TW_OK);
    struct tw_keep_limits lim = {per_conn, total, 16, 60000000, 120000000};
    x->k = tw_keep_new(&lim, x->w, all);
    ck_assert_ptr_nonnull(x->k);
    x->cli = (struct tw_endpoint){{4, {192, 0, 2, 10}}, 40000};
    x->srv = (struct tw_endpoint){{4, {192, 0, 2, 20}}, 443};
}

/* One frame of the pair through begin/settle; byte 0 of the frame carries id, so the file
 * shows which frames were written. decide, when set, runs as the flow table would, inside. */
static void feed(struct kfx *x, uint8_t id, bool from_client, uint8_t flags,
                 const struct tw_verdict *decide)
{
    memset(x->bytes, 0, sizeof x->bytes);
    x->bytes[0] = id;
    struct tw_frame f = {.no = id,
                         .ts_us = 1000000LL * id,
                         .caplen = 60,
                         .wirelen = 60,
                         .linktype = 1,
                         .bytes = x->bytes};
    struct tw_pkt p = {.frame = &f, .flags = flags};
    p.src = from_client ? x->cli : x->srv;
    p.dst = from_client ? x->srv : x->cli;
    tw_keep_begin(x->k, &p);
    if (decide)
        tw_keep_verdict(x->k, decide);
    tw_keep_settle(x->k);
}

struct vfx {
    struct tw_evidence ev;
    struct tw_ev_tcp tcp;
    struct tw_verdict v;
};

static const struct tw_verdict *verdict(struct vfx *f, const struct kfx *x, enum tw_outcome o,
                                        enum tw_close_reason why)
{
    memset(f, 0, sizeof *f);
    f->ev.client = x->cli;
    f->ev.server = x->srv;
    f->ev.tcp = &f->tcp;
    f->tcp.close_reason = why;
    f->v.ev = &f->ev;
    f->v.outcome = o;
    f->v.relevant = true;
    return &f->v;
}

/* Closes the writer and returns the ids of the frames in the file, as a string "1,2,3,". */
static const char *written(struct kfx *x)
{
    static char ids[512];
    size_t used = 0;
    ck_assert_int_eq(tw_cap_writer_close(x->w), TW_OK);
    x->w = NULL;
    struct tw_cap *c = NULL;
    char err[256];
    ck_assert_int_eq(tw_cap_open_file(x->path, NULL, &c, err, sizeof err), TW_OK);
    ck_assert_int_eq(tw_cap_linktype(c), 1);
    struct tw_frame f;
    ids[0] = '\0';
    while (tw_cap_next(c, &f) > 0 && used < sizeof ids - 8) {
        ck_assert_uint_eq(f.caplen, 60);
        ck_assert_int_eq(f.ts_us, 1000000LL * f.bytes[0]);
        used += (size_t)snprintf(ids + used, sizeof ids - used, "%u,", f.bytes[0]);
    }
    tw_cap_close(c);
    remove(x->path);
    return ids;
}

START_TEST(failed_connection_written_with_its_rst)
{
    struct kfx x;
    struct vfx v;
    kfx_open(&x, false, NO_LIMIT, NO_LIMIT);
    feed(&x, 1, true, TW_TCP_SYN, NULL);
    /* the RST that decides it is written with the connection */
    feed(&x, 2, false, TW_TCP_RST | TW_TCP_ACK, verdict(&v, &x, TW_OUTCOME_FAILED, TW_CLOSE_RST));
    /* a late frame after the verdict follows the decision straight to the file */
    feed(&x, 3, true, TW_TCP_ACK, NULL);
    const struct tw_keep_stats *st = tw_keep_stats(x.k);
    ck_assert_uint_eq(st->conns_written, 1);
    ck_assert_uint_eq(st->frames_written, 3);
    ck_assert_uint_eq(st->frames_not_kept, 0);
    ck_assert_uint_eq(st->bytes_held, 0);
    ck_assert_str_eq(written(&x), "1,2,3,");
    tw_keep_free(x.k);
}
END_TEST

START_TEST(ok_connection_not_written_unless_all)
{
    for (int all = 0; all <= 1; all++) {
        struct kfx x;
        struct vfx v;
        kfx_open(&x, all, NO_LIMIT, NO_LIMIT);
        feed(&x, 1, true, TW_TCP_SYN, NULL);
        feed(&x, 2, false, TW_TCP_SYN | TW_TCP_ACK, NULL);
        feed(&x, 3, true, TW_TCP_FIN | TW_TCP_ACK, NULL);
        feed(&x, 4, false, TW_TCP_FIN | TW_TCP_ACK, verdict(&v, &x, TW_OUTCOME_OK, TW_CLOSE_FIN));
        feed(&x, 5, true, TW_TCP_ACK, NULL);
        const struct tw_keep_stats *st = tw_keep_stats(x.k);
        ck_assert_uint_eq(st->bytes_held, 0);
        if (all) {
            ck_assert_str_eq(written(&x), "1,2,3,4,5,");
        } else {
            ck_assert_uint_eq(st->frames_dropped, 4); /* held, then not wanted */
            ck_assert_str_eq(written(&x), "");
        }
        tw_keep_free(x.k);
    }
}
END_TEST

START_TEST(reused_pair_starts_the_next_connection)
{
    struct kfx x;
    struct vfx v;
    kfx_open(&x, false, NO_LIMIT, NO_LIMIT);
    feed(&x, 1, true, TW_TCP_SYN, NULL);
    feed(&x, 2, false, TW_TCP_SYN | TW_TCP_ACK, NULL);
    /* a new SYN on the pair closes the first connection (REUSED): the SYN is not its frame */
    feed(&x, 3, true, TW_TCP_SYN, verdict(&v, &x, TW_OUTCOME_FAILED, TW_CLOSE_REUSED));
    feed(&x, 4, false, TW_TCP_RST | TW_TCP_ACK, verdict(&v, &x, TW_OUTCOME_FAILED, TW_CLOSE_RST));
    ck_assert_uint_eq(tw_keep_stats(x.k)->conns_written, 2);
    ck_assert_str_eq(written(&x), "1,2,3,4,");
    tw_keep_free(x.k);
}
END_TEST

START_TEST(timeout_verdict_does_not_take_the_new_frame)
{
    struct kfx x;
    struct vfx v;
    kfx_open(&x, false, NO_LIMIT, NO_LIMIT);
    feed(&x, 1, true, TW_TCP_SYN, NULL);
    feed(&x, 2, false, TW_TCP_SYN | TW_TCP_ACK, NULL);
    /* frame 3 arrives after the idle timeout: the old connection ends first, then frame 3
     * opens the next one (mid-stream), which an ok verdict later forgets */
    feed(&x, 3, true, TW_TCP_ACK, verdict(&v, &x, TW_OUTCOME_FAILED, TW_CLOSE_TIMEOUT));
    feed(&x, 4, true, TW_TCP_FIN | TW_TCP_ACK, verdict(&v, &x, TW_OUTCOME_OK, TW_CLOSE_FIN));
    ck_assert_str_eq(written(&x), "1,2,");
    tw_keep_free(x.k);
}
END_TEST

START_TEST(limits_count_what_they_refuse)
{
    struct kfx x;
    struct vfx v;
    /* room for two frames of this connection (60 bytes and a small header each) */
    kfx_open(&x, false, 2 * (60 + 64), NO_LIMIT);
    for (uint8_t i = 1; i <= 5; i++)
        feed(&x, i, i % 2, TW_TCP_ACK, NULL);
    const struct tw_keep_stats *st = tw_keep_stats(x.k);
    ck_assert_uint_eq(st->frames_not_kept, 3);
    ck_assert_uint_le(st->bytes_peak, 2 * (60 + 64));
    tw_keep_verdict(x.k, verdict(&v, &x, TW_OUTCOME_FAILED, TW_CLOSE_END));
    ck_assert_str_eq(written(&x), "1,2,");
    tw_keep_free(x.k);
    /* the total limit binds across connections */
    kfx_open(&x, false, NO_LIMIT, 60 + 64);
    feed(&x, 1, true, TW_TCP_SYN, NULL);
    x.cli.port++;
    feed(&x, 2, true, TW_TCP_SYN, NULL);
    ck_assert_uint_eq(tw_keep_stats(x.k)->frames_not_kept, 1);
    ck_assert_uint_eq(tw_keep_stats(x.k)->conns_held, 2);
    ck_assert_str_eq(written(&x), "");
    tw_keep_free(x.k);
}
END_TEST

START_TEST(idle_undecided_connections_are_forgotten)
{
    struct kfx x;
    kfx_open(&x, true, NO_LIMIT, NO_LIMIT);
    feed(&x, 1, true, TW_TCP_SYN, NULL);
    tw_keep_expire(x.k, 1000000LL * 1 + 120000000); /* exactly idle_us: kept */
    ck_assert_uint_eq(tw_keep_stats(x.k)->conns_held, 1);
    tw_keep_expire(x.k, 1000000LL * 3 + 120000000); /* past it */
    ck_assert_uint_eq(tw_keep_stats(x.k)->conns_held, 0);
    ck_assert_uint_eq(tw_keep_stats(x.k)->frames_dropped, 1);
    ck_assert_uint_eq(tw_keep_stats(x.k)->bytes_held, 0);
    ck_assert_str_eq(written(&x), "");
    tw_keep_free(x.k);
}
END_TEST

START_TEST(writer_reports_an_unwritable_path)
{
    struct tw_cap_writer *w = NULL;
    char err[256] = "";
    ck_assert_int_eq(tw_cap_writer_open("/nonexistent/dir/x.pcap", 1, 0, &w, err, sizeof err),
                     TW_E_IO);
    ck_assert_ptr_null(w);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/dir/x.pcap"));
}
END_TEST

Suite *tw_run_keep_suite(void)
{
    Suite *s = suite_create("run_keep");
    TCase *t = tcase_create("keep");
    tcase_add_test(t, failed_connection_written_with_its_rst);
    tcase_add_test(t, ok_connection_not_written_unless_all);
    tcase_add_test(t, reused_pair_starts_the_next_connection);
    tcase_add_test(t, timeout_verdict_does_not_take_the_new_frame);
    tcase_add_test(t, limits_count_what_they_refuse);
    tcase_add_test(t, idle_undecided_connections_are_forgotten);
    tcase_add_test(t, writer_reports_an_unwritable_path);
    suite_add_tcase(s, t);
    return s;
}
