/* reasm.h: private to the flow layer (flow*.c, reasm.c): the connection record and the
 * per-direction reassembler. Nothing outside src/flow*.c and src/reasm.c includes this. */
#ifndef TLSWHY_REASM_H
#define TLSWHY_REASM_H

#include <string.h>

#include "tlswhy/flow.h"

/* One held out-of-order piece: stream bytes [off, off + len), copied from the frame. */
struct tw_reasm_seg {
    struct tw_reasm_seg *next; /* sorted by off; pieces never overlap */
    uint64_t off;
    uint32_t len;
    uint8_t data[];
};

/* Allocated only while a direction holds out-of-order bytes, so a connection that never sees
 * reordering (and every SYN-only entry) pays nothing for it. */
struct tw_reasm_ooo {
    struct tw_reasm_seg *segs;
    size_t bytes;
    struct tw_reasm_ooo *prev, *next; /* the pool's list, least recently buffered first */
    struct tw_conn *conn;
    enum tw_dir dir;
};

enum {
    TW_RA_HAS_ISN = 0x01,  /* isn is known (SYN seen, or first segment of a mid-stream) */
    TW_RA_DONE = 0x02,     /* the consumer said TW_STREAM_DONE: count, never buffer */
    TW_RA_FIN = 0x04,      /* a FIN was seen; fin_off is valid */
    TW_RA_FIN_SENT = 0x08, /* the FIN event was delivered (the stream reached fin_off) */
    TW_RA_ISN_ALT = 0x10,  /* the connection's isn_alt holds another SYN-ACK's ISN + 1, not yet
                            * chosen or dropped (server direction only) */
};

/* One direction of a connection, embedded in it. Stream offsets are 64-bit: offset 0 is the
 * byte after the SYN (or the first byte seen, mid-stream), and 32-bit sequence numbers are
 * unwrapped against next, which makes wraparound invisible above this layer. */
struct tw_reasm {
    struct tw_reasm_ooo *ooo; /* NULL unless out-of-order bytes are held */
    uint64_t next;            /* offset of the next byte to deliver (delivered + gaps) */
    uint64_t fin_off;         /* offset the FIN occupies (= stream length), if TW_RA_FIN */
    uint32_t isn;             /* sequence number of offset 0 */
    uint8_t flags;            /* TW_RA_* */
};

/* Table-wide out-of-order accounting, and who to tell when another connection's buffer has
 * to be given up to make room. */
struct tw_reasm_pool {
    const struct tw_stream_ops *ops;
    void *ctx;
    struct tw_reasm_ooo *head, *tail;
    size_t cap_dir, cap_total;
    struct tw_flow_stats *st; /* ooo_* counters are kept here */
};

/* Counts heap held by the flow layer (tw_flow_stats.mem_bytes); delta may be negative. */
static inline void tw_flow_mem(struct tw_flow_stats *st, int64_t delta)
{
    st->mem_bytes = (uint64_t)((int64_t)st->mem_bytes + delta);
    if (st->mem_bytes > st->mem_peak)
        st->mem_peak = st->mem_bytes;
}

/* Activity lists: bare-SYN entries (syn_timeout), live ones (idle_timeout), closed ones that
 * linger. Each is ordered by last activity, so expiry looks only at heads. */
enum { TW_LIST_SYN = 0, TW_LIST_LIVE = 1, TW_LIST_TOMB = 2, TW_LIST_N = 3 };

enum {
    TW_CONN_OPENED = 0x01,  /* on_open was called */
    TW_CONN_CLOSED = 0x02,  /* on_close was called: it lingers (see flow.h) */
    TW_CONN_SETTLED = 0x04, /* tw_conn_settle: keep only the post-verdict facts (flow_after.c) */
    TW_CONN_MID = 0x08,     /* mid_stream, while the facts are in the post-verdict form */
};

/* The post-verdict form of a settled connection's facts (tw_conn_settle, flow_after.c): what
 * the checks and reports at its close read, frames and times relative to the connection's
 * first frame (so 32 bits each), nothing else. Index: TW_AF_*. */
enum {
    TW_AF_SYN, TW_AF_SYNACK,
    TW_AF_FIN, TW_AF_RST = TW_AF_FIN + 2, TW_AF_LAST = TW_AF_RST + 2,
    TW_AF_PREV = TW_AF_LAST + 2, TW_AF_LATE = TW_AF_PREV + 2, TW_AF_N = TW_AF_LATE + 2,
};
struct tw_tcp_after {
    uint64_t bytes[2];
    uint32_t frame[TW_AF_N]; /* frame - first_frame + 1; 0: none */
    int32_t us[TW_AF_N];     /* capture time - first_ts */
    uint32_t data_after_fin[2];
};

/* A connection. One that has seen only client SYNs (a scan, a flood, a refused or silent port)
 * is kept compact: tcp is NULL and its facts are the fields here, until it is answered (then
 * tcp is allocated and the consumer hears about it) or closed (then the table's scratch
 * tw_ev_tcp stands in for the duration of the callbacks). */
struct tw_conn {
    struct tw_conn *hnext;       /* hash chain */
    struct tw_conn *prev, *next; /* activity list (list), least recently active first */
    void *app;
    struct tw_ev_tcp *tcp; /* NULL while only client SYNs were seen, and while settled */
    struct tw_tcp_after *after; /* a settled connection's facts between its packets */
    uint64_t id;
    uint64_t first_frame, last_frame;
    int64_t first_ts, last_ts;
    struct tw_endpoint cli, srv;
    uint16_t syn_count; /* while tcp is NULL */
    uint8_t list;
    uint8_t state; /* TW_CONN_* */
    uint32_t isn_alt; /* see TW_RA_ISN_ALT (fits the padding before dir) */
    struct tw_reasm dir[2];
};

/* Sets offset 0 of r at sequence number isn. */
void tw_reasm_set_isn(struct tw_reasm *r, uint32_t isn);
/* The 64-bit stream offset of seq: the value congruent to seq - isn (mod 2^32) nearest to next.
 * Negative results (bytes before offset 0) are returned as negative numbers. */
int64_t tw_reasm_offset(const struct tw_reasm *r, uint32_t seq);

/* One segment's payload for direction d of c: data[0..len) at stream offset off (may be
 * negative or behind next), followed by lost bytes the snaplen cut off. Delivers what is in
 * order (straight from data), holds what is ahead, counts retransmissions and conflicts. */
void tw_reasm_data(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d, int64_t off,
                   const uint8_t *data, uint32_t len, uint32_t lost, uint64_t frame, int64_t ts);
/* The receiver of direction d acknowledged everything before stream offset acked: holes below
 * it were lost by the capture, not the network, so they are given up now. */
void tw_reasm_acked(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d, int64_t acked,
                    uint64_t frame, int64_t ts);
/* Gives up every hole of direction d (delivering gaps and held bytes), and the bytes up to
 * upto if that is further (the FIN or RST position): at FIN/RST/close and when a cap is hit. */
void tw_reasm_flush(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d, uint64_t upto,
                    uint64_t frame, int64_t ts);
/* Frees what direction d holds without delivering it (the table is being freed). */
void tw_reasm_discard(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d);

/* ---- the table (flow.c), shared with flow_packet.c ---- */

/* A connection closed by FIN or RST lingers this long (capture time, at most the idle timeout)
 * so its last ACKs and retransmitted FINs do not open phantom mid-stream connections. 2*MSL. */
#define TW_FLOW_LINGER_US (60 * 1000000LL)
/* A RST's sequence number is trusted as the sender's stream position only this far past what
 * was seen; further than that it is more likely garbage than lost bytes. */
#define TW_FLOW_RST_TRUST_BYTES (1u << 24)

struct tw_flow_table {
    struct tw_limits lim;
    struct tw_stream_ops ops;
    void *ctx;
    struct tw_conn **buckets;
    size_t mask;
    struct tw_conn *head[TW_LIST_N], *tail[TW_LIST_N];
    int64_t timeout[TW_LIST_N]; /* each list's, from lim, set once */
    size_t tracked; /* live + lingering */
    int64_t now;
    uint64_t next_id;
    struct tw_reasm_pool pool;
    struct tw_flow_stats st;
    struct tw_ev_tcp scratch; /* facts of a compact connection while it is being closed */
    struct tw_ev_tcp after_scratch; /* a settled connection's facts while it is handled */
    bool no_after_segment;   /* tests only: every settled packet takes the general path */
    uint64_t after_segments; /* segments tw_flow_after_segment applied (for the tests) */
};

/* Hash bucket of a tuple; both orders of a and b give the same bucket. */
size_t tw_flow_bucket(const struct tw_flow_table *t, const struct tw_endpoint *a,
                      const struct tw_endpoint *b);
/* Same family, address (all 16 bytes) and port. Inline, as two 8-byte compares: every packet's
 * lookup makes two to four of them. */
static inline bool tw_flow_ep_eq(const struct tw_endpoint *a, const struct tw_endpoint *b)
{
    uint64_t a0, a1, b0, b1;
    memcpy(&a0, a->ip.b, 8);
    memcpy(&a1, a->ip.b + 8, 8);
    memcpy(&b0, b->ip.b, 8);
    memcpy(&b1, b->ip.b + 8, 8);
    return a->port == b->port && a0 == b0 && a1 == b1 && a->ip.family == b->ip.family;
}
void tw_flow_list_unlink(struct tw_flow_table *t, struct tw_conn *c);
void tw_flow_list_append(struct tw_flow_table *t, struct tw_conn *c, uint8_t list);
/* Calls on_open once, before any other callback for c; p may be NULL (one is made up from the
 * connection's first frame). */
void tw_flow_open_conn(struct tw_flow_table *t, struct tw_conn *c, const struct tw_pkt *p);
void tw_flow_emit(struct tw_flow_table *t, struct tw_conn *c, enum tw_tcp_event_kind kind,
                  enum tw_dir d, uint64_t frame, int64_t ts, uint64_t off);
/* Gives up every hole, delivers pending FIN events, calls on_close; FIN/RST closes linger,
 * others are freed. */
void tw_flow_close_conn(struct tw_flow_table *t, struct tw_conn *c, enum tw_close_reason why,
                        uint64_t frame);
/* Delivers FIN events of directions whose stream reached their FIN; closes c (returning true)
 * when both have. */
bool tw_flow_check_fins(struct tw_flow_table *t, struct tw_conn *c, uint64_t frame);
/* Gives c its own struct tw_ev_tcp (filled from the compact fields) and reports it: on_open
 * with p, then its SYN events. Returns false when out of memory. */
bool tw_flow_promote(struct tw_flow_table *t, struct tw_conn *c, const struct tw_pkt *p);
/* flow_after.c: a settled connection's facts, unpacked into the table's after_scratch while a
 * packet or its close is handled (nothing if they are not packed), and packed again after
 * (or, when they do not fit the compact form, kept as a record of its own from then on). */
void tw_flow_after_unpack(struct tw_flow_table *t, struct tw_conn *c);
void tw_flow_after_pack(struct tw_flow_table *t, struct tw_conn *c);
/* A settled connection's (c->after, c->tcp NULL) segment in direction d that changes only what
 * the form holds in place: applies it there as the general path would and returns true; false,
 * with nothing changed, for anything else (the caller then unpacks). Not the activity list. */
bool tw_flow_after_segment(struct tw_conn *c, const struct tw_pkt *p, enum tw_dir d);
/* Frees c's record of facts, whichever form it is in. */
void tw_flow_tcp_free(struct tw_flow_table *t, struct tw_conn *c);

/* Unlinks and frees c without callbacks. */
void tw_flow_conn_free(struct tw_flow_table *t, struct tw_conn *c);
void tw_flow_evict_one(struct tw_flow_table *t);

#endif
