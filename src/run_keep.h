/* run_keep.h: -w. Holds each connection's frames until its verdict, then writes them to a pcap
 * (failed connections, or every reported one with -W all) or forgets them. Bounded per
 * connection, in total and in connections; what is not held is counted, never silently lost. */
#ifndef TLSWHY_RUN_KEEP_H
#define TLSWHY_RUN_KEEP_H

#include "tlswhy/capture_write.h"
#include "tlswhy/packet.h"
#include "tlswhy/verdict.h"

struct tw_keep_limits {
    size_t max_bytes_per_conn; /* frame bytes held for one connection (with a small header) */
    size_t max_bytes_total;    /* frame bytes held for all connections */
    size_t max_conns;          /* connections with held frames */
    int64_t linger_us;         /* after its verdict a connection's late frames (final ACKs, a
                                  RST) follow it to the file for this long; an undecided one
                                  with no frame for idle_us is forgotten */
    int64_t idle_us;
};

struct tw_keep_stats {
    uint64_t conns_written;
    uint64_t frames_written;
    uint64_t frames_not_kept; /* refused by a limit: the written connection lacks them */
    uint64_t frames_dropped;  /* held, then forgotten: not wanted, or no verdict came */
    uint64_t bytes_held, bytes_peak;
    uint64_t conns_held;
    int write_error; /* TW_OK or the first TW_E_IO */
};

struct tw_keep;

/* A store that writes to w (not owned) the frames of failed connections, or of every reported
 * one when all is true. NULL on allocation failure. */
struct tw_keep *tw_keep_new(const struct tw_keep_limits *lim, struct tw_cap_writer *w, bool all);
void tw_keep_free(struct tw_keep *k);

/* Brackets one segment's trip through the flow table: begin before tw_flow_packet, settle
 * after. A verdict given in between may take this very frame (the RST or FIN that decided it);
 * otherwise settle holds it for its connection (or writes it at once, after a verdict). */
void tw_keep_begin(struct tw_keep *k, const struct tw_pkt *p);
void tw_keep_settle(struct tw_keep *k);

/* The verdict of the connection v->ev describes: write its frames (when wanted) or forget them.
 * Verdicts may come at any moment (close, timeout, or earlier). */
void tw_keep_verdict(struct tw_keep *k, const struct tw_verdict *v);

/* Forgets connections idle at capture time now_us (see tw_keep_limits). Cheap to call often:
 * it scans at most once per second of capture time. */
void tw_keep_expire(struct tw_keep *k, int64_t now_us);

const struct tw_keep_stats *tw_keep_stats(const struct tw_keep *k);

#endif
