/* check_flow_flood.c: a SYN flood of 1,000,000 distinct tuples against max_conns = 100,000:
 * the table stays at its cap, evicts the 900,000 oldest (each reported), and its memory, by
 * its own count and by the process's peak RSS, stays bounded. (bench/synflood.c prints the
 * figures for docs/tcp.md.) */
#include <check.h>
#include <string.h>
#include <sys/resource.h>

#include "tlswhy/flow.h"

#define FLOOD 1000000u
#define MAX_CONNS 100000u

#if defined(__SANITIZE_ADDRESS__)
#define TW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TW_ASAN 1
#endif
#endif

struct counts {
    uint64_t opened, closed, evicted_seen, syn_events;
};

static void c_open(void *ctx, struct tw_conn *c, const struct tw_pkt *p)
{
    (void)c;
    (void)p;
    ((struct counts *)ctx)->opened++;
}

static void c_event(void *ctx, struct tw_conn *c, const struct tw_tcp_event *e)
{
    (void)c;
    if (e->kind == TW_TCP_EV_SYN)
        ((struct counts *)ctx)->syn_events++;
}

static void c_close(void *ctx, struct tw_conn *c)
{
    struct counts *n = ctx;
    n->closed++;
    n->evicted_seen += tw_conn_tcp(c)->close_reason == TW_CLOSE_EVICTED;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

START_TEST(syn_flood_stays_within_max_conns)
{
    static const struct tw_stream_ops ops = {
        .on_open = c_open, .on_event = c_event, .on_close = c_close};
    struct counts n = {0};
    struct tw_limits lim;
    tw_limits_default(&lim);
    lim.max_conns = MAX_CONNS;
    long rss0 = max_rss_kb();
    struct tw_flow_table *t = tw_flow_new(&lim, &ops, &n);
    ck_assert_ptr_nonnull(t);

    /* SYNs from 10.0.0.0/8, one per address, 1 us apart: no timeout fires during the flood. */
    struct tw_frame f = {.ts_us = 1700000000LL * 1000000};
    struct tw_pkt p = {.frame = &f, .ip_version = 4, .flags = TW_TCP_SYN};
    p.src.ip.family = p.dst.ip.family = 4;
    p.dst.ip.b[0] = 192, p.dst.ip.b[1] = 0, p.dst.ip.b[2] = 2, p.dst.ip.b[3] = 1;
    p.dst.port = 443;
    p.src.port = 40000;
    for (uint32_t i = 0; i < FLOOD; i++) {
        f.no = i + 1;
        f.ts_us++;
        p.src.ip.b[0] = 10;
        p.src.ip.b[1] = (uint8_t)(i >> 16);
        p.src.ip.b[2] = (uint8_t)(i >> 8);
        p.src.ip.b[3] = (uint8_t)i;
        p.seq = i * 2654435761u;
        ck_assert_int_eq(tw_flow_packet(t, &p), TW_OK);
    }
    const struct tw_flow_stats *st = tw_flow_stats(t);
    ck_assert_uint_eq(st->conns_total, FLOOD);
    ck_assert_uint_eq(st->conns_live, MAX_CONNS);
    ck_assert_uint_eq(st->conns_peak, MAX_CONNS);
    ck_assert_uint_eq(st->evicted, FLOOD - MAX_CONNS);
    ck_assert_uint_eq(n.evicted_seen, FLOOD - MAX_CONNS);

    /* The table's own count: SYN-only entries are compact, under 200 bytes each, plus the
     * hash buckets (a power of two >= max_conns, one pointer each: 131072 here). */
    ck_assert_uint_le(st->mem_peak, (uint64_t)MAX_CONNS * 200 + 131072 * sizeof(void *) + 4096);
    /* The process: no hidden growth beyond that (ASan's quarantine and redzones need room). */
    long grown_kb = max_rss_kb() - rss0;
#ifdef TW_ASAN
    ck_assert_int_le(grown_kb, 1024 * 1024);
#else
    ck_assert_int_le(grown_kb, (long)(2 * st->mem_peak / 1024) + 32 * 1024);
#endif
    tw_flow_finish(t);
    ck_assert_uint_eq(n.opened, FLOOD);
    ck_assert_uint_eq(n.closed, FLOOD);
    ck_assert_uint_eq(n.syn_events, FLOOD);
    ck_assert_uint_eq(st->conns_live, 0);
    tw_flow_free(t);
}
END_TEST

Suite *tw_flow_flood_suite(void)
{
    Suite *s = suite_create("flow_flood");
    TCase *tc = tcase_create("flood");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, syn_flood_stays_within_max_conns);
    suite_add_tcase(s, tc);
    return s;
}
