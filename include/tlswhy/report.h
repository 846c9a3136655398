/* report.h: verdicts -> output. A reporter formats; it never decides. */
#ifndef TLSWHY_REPORT_H
#define TLSWHY_REPORT_H

#include <stdio.h>

#include "tlswhy/verdict.h"

/* Facts about the whole run, for summaries. */
struct tw_run_info {
    const char *const *inputs; /* files read or interfaces, in order */
    size_t input_count;
    const char *command_line;
    uint64_t frames, tcp_packets, bad_tcp_csum, bad_ip_csum, ip_fragments, truncated, malformed;
    uint64_t conns;        /* TCP connections seen (TLS or not) */
    uint64_t evicted, kernel_drops, if_drops;
    uint64_t ooo_dropped_segs, ooo_given_up; /* out-of-order data dropped by the memory caps */
    uint64_t input_errors; /* inputs that could not be opened or read to the end */
    int64_t first_ts_us, last_ts_us;
};

struct tw_reporter {
    void *self;
    int (*begin)(void *self, const struct tw_run_info *run);
    int (*emit)(void *self, const struct tw_verdict *v);
    int (*end)(void *self, const struct tw_run_info *run);
    void (*free)(void *self);
};

#endif
