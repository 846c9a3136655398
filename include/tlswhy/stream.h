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
    TW_TCP_EV_SYN = 1,  /* client SYN (first) */
    TW_TCP_EV_SYN_RETX, /* client SYN again, no answer yet */
    TW_TCP_EV_SYNACK,
    TW_TCP_EV_FIN,
    TW_TCP_EV_RST,
};

struct tw_tcp_event {
    enum tw_tcp_event_kind kind;
    enum tw_dir dir; /* who sent it */
    uint64_t frame;
    int64_t ts_us;
    uint64_t stream_off; /* bytes that side had sent before this event */
};

/* The consumer of reassembled streams (run.c wires the TLS layer in). Every callback gets the
 * ctx given to tw_flow_new. Callbacks must not call back into the flow table. */
struct tw_stream_ops {
    /* A new connection; always the first callback for c. p is its first packet, except:
     * - a connection that has seen only bare client SYNs is reported (on_open, its SYN event,
     *   and one SYN_RETX carrying the last SYN's frame if there were several) when something
     *   answers or it closes, so that a SYN flood costs only a compact table entry; p is then
     *   the answering packet, or made from the first SYN (see below);
     * - for a connection whose SYN the capture missed (ev_tcp.mid_stream), on_open waits until the
     * client is known, i.e. the first packet with payload (a ClientHello's sender is the client,
     * see tw_flow_hello_side), or whatever first has to be reported (FIN, RST, a gap, the
     * close), and p is that packet. With no packet at hand (a silent mid-stream connection that
     * times out or is evicted), p is made from the connection's first frame: client to server,
     * no payload, frame->bytes NULL, flags SYN (and seq) if that frame was a SYN, else none. */
    void (*on_open)(void *ctx, struct tw_conn *c, const struct tw_pkt *p);
    /* In-order stream bytes of one direction; data is valid only during the call. frame/ts are
     * those of the segment that completed these bytes. Each stream byte is delivered exactly
     * once, in order; where retransmissions overlap, the first received bytes win. Bytes that
     * arrive in order come straight from the frame (no copy); bytes that arrive early are
     * copied, held (capped by max_ooo_bytes_per_dir/_total) and delivered once the hole before
     * them fills. Returns enum tw_stream_rc; after TW_STREAM_DONE nothing more is held or
     * delivered for d (no on_data, no on_gap), but its FIN/RST/close are still reported. */
    int (*on_data)(void *ctx, struct tw_conn *c, enum tw_dir d, const uint8_t *data, size_t len,
                   uint64_t frame, int64_t ts_us);
    /* len bytes at stream offset off of direction d will never arrive (lost by the capture or
     * dropped by a cap); delivery resumes after them. A hole is given up when the receiver's ACK
     * passes it (the endpoint got bytes the capture did not), when the snaplen cut a segment,
     * when a FIN/RST/close shows no more will come, or when a memory cap needs the room. off is
     * always exactly the number of bytes delivered or gapped before. */
    void (*on_gap)(void *ctx, struct tw_conn *c, enum tw_dir d, uint64_t off, uint64_t len,
                   uint64_t frame, int64_t ts_us);
    /* SYN, SYN_RETX (a client SYN again before any SYN-ACK), SYNACK: as seen, except that a
     * connection of bare SYNs is reported late (see on_open) with one SYN_RETX for the last
     * repeat (ev_tcp.syn_count has the count). FIN: once the direction's stream has reached the
     * FIN (after every byte before it was delivered or gapped), carrying the FIN's own frame
     * and ts and stream_off = the stream's length. RST: after both directions' holes were given
     * up, stream_off = the sender's stream position (from its sequence number, so bytes the
     * capture missed count). */
    void (*on_event)(void *ctx, struct tw_conn *c, const struct tw_tcp_event *e);
    /* The last call for c: its struct tw_ev_tcp is final (close_reason set). The consumer frees
     * whatever it attached to c. Also called for every open connection by tw_flow_finish. */
    void (*on_close)(void *ctx, struct tw_conn *c);
};

#endif
