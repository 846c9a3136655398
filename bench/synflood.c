/* synflood.c: feeds N distinct SYNs (default 1,000,000) to a flow table capped at max_conns
 * (default 100,000) and prints what it cost: evictions, the table's own memory count, and the
 * process's peak RSS. The figures in docs/tcp.md come from this program:
 *   cmake --build build --target tw_flow
 *   cc -std=c11 -O2 -D_DEFAULT_SOURCE -Iinclude bench/synflood.c build/libtw_flow.a \
 *      build/libtw_decode.a build/libtw_base.a -o build/synflood && build/synflood 1000000 100000
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "tlswhy/flow.h"

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void on_close(void *ctx, struct tw_conn *c)
{
    (void)c;
    ++*(uint64_t *)ctx;
}

int main(int argc, char **argv)
{
    unsigned long flood = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    unsigned long cap = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
    uint64_t closed = 0;
    const struct tw_stream_ops ops = {.on_close = on_close};
    struct tw_limits lim;
    tw_limits_default(&lim);
    lim.max_conns = cap;
    long rss0 = max_rss_kb();
    struct tw_flow_table *t = tw_flow_new(&lim, &ops, &closed);
    if (!t)
        return 1;
    struct tw_frame f = {.ts_us = 1700000000LL * 1000000};
    struct tw_pkt p = {.frame = &f, .ip_version = 4, .flags = TW_TCP_SYN};
    p.src.ip.family = p.dst.ip.family = 4;
    p.dst.ip.b[0] = 192, p.dst.ip.b[3] = 1;
    p.dst.port = 443;
    p.src.port = 40000;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a); /* benchmark only: the library never reads a clock */
    for (unsigned long i = 0; i < flood; i++) {
        f.no = i + 1;
        f.ts_us++;
        p.src.ip.b[0] = 10;
        p.src.ip.b[1] = (uint8_t)(i >> 16);
        p.src.ip.b[2] = (uint8_t)(i >> 8);
        p.src.ip.b[3] = (uint8_t)i;
        p.seq = (uint32_t)i * 2654435761u;
        if (tw_flow_packet(t, &p) != TW_OK)
            return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    const struct tw_flow_stats *st = tw_flow_stats(t);
    long rss = max_rss_kb();
    printf("syns %lu  max_conns %lu  live %" PRIu64 "  evicted %" PRIu64 "  closed %" PRIu64 "\n",
           flood, cap, st->conns_live, st->evicted, closed);
    printf("table memory peak %" PRIu64 " bytes = %.1f bytes per tracked connection\n",
           st->mem_peak, (double)st->mem_peak / (double)cap);
    printf("peak RSS %ld KiB (grew %ld KiB during the flood)\n", rss, rss - rss0);
    printf("%.0f SYNs/s\n",
           (double)flood / ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9));
    tw_flow_finish(t);
    tw_flow_free(t);
    return st->evicted == flood - cap ? 0 : 1;
}
