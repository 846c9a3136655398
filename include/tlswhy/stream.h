/* stream.h: flow/reassembly -> consumers. What a connection's consumer is told, in order. */
#ifndef TLSWHY_STREAM_H
#define TLSWHY_STREAM_H

#include "tlswhy/ev_tcp.h"
#include "tlswhy/packet.h"

struct tw_conn; /* owned by the flow table; see flow.h for accessors */

/* on_data's answer: keep delivering this direction, or stop buffering it for good (from then
 * on only FIN/RST/timeout cost anything for that direction). */
enum tw_stream_rc { TW_STREAM_MORE = 0, TW_STREAM_DONE = 1 };

/* TCP events, delivered as they are seen; the same facts are also in the connection's
 * struct tw_ev_tcp. */
enum tw_tcp_event_kind {
    TW_TCP_EV_SYN = 1,   /* client SYN (first) */
    TW_TCP_EV_SYN_RETX,  /* client SYN again, no answer yet */
    TW_TCP_EV_SYNACK,
    TW_TCP_EV_FIN,
    TW_TCP_EV_RST,
};

struct tw_tcp_event {
    enum tw_tcp_event_kind kind;
    enum tw_dir dir;     /* who sent it */
    uint64_t frame;
    int64_t ts_us;
    uint64_t stream_off; /* bytes that side had sent before this event */
};

/* The consumer of reassembled streams (run.c wires the TLS layer in). Every callback gets the
 * ctx given to tw_flow_new. Callbacks must not call back into the flow table. */
struct tw_stream_ops {
    /* A new connection. p is its first packet. */
    void (*on_open)(void *ctx, struct tw_conn *c, const struct tw_pkt *p);
    /* In-order stream bytes of one direction; data is valid only during the call. frame/ts are
     * those of the segment that completed these bytes. Returns enum tw_stream_rc. */
    int (*on_data)(void *ctx, struct tw_conn *c, enum tw_dir d, const uint8_t *data, size_t len,
                   uint64_t frame, int64_t ts_us);
    /* len bytes at stream offset off of direction d will never arrive (lost by the capture or
     * dropped by a cap); delivery resumes after them. */
    void (*on_gap)(void *ctx, struct tw_conn *c, enum tw_dir d, uint64_t off, uint64_t len,
                   uint64_t frame, int64_t ts_us);
    void (*on_event)(void *ctx, struct tw_conn *c, const struct tw_tcp_event *e);
    /* The last call for c: its struct tw_ev_tcp is final (close_reason set). The consumer frees
     * whatever it attached to c. Also called for every open connection by tw_flow_finish. */
    void (*on_close)(void *ctx, struct tw_conn *c);
};

#endif
