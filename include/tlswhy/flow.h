/* flow.h: the connection table and per-direction reassembly (flow.c, reasm.c). */
#ifndef TLSWHY_FLOW_H
#define TLSWHY_FLOW_H

#include "tlswhy/stream.h"

struct tw_flow_table;

struct tw_flow_stats {
    uint64_t conns_total; /* connections ever opened */
    uint64_t conns_live;  /* open now */
    uint64_t conns_peak;
    uint64_t evicted;        /* closed early because max_conns was reached */
    uint64_t ooo_bytes_live; /* out-of-order bytes held now, all connections */
    uint64_t ooo_bytes_peak;
    uint64_t ooo_dropped_segs; /* out-of-order segments dropped by a cap */
    uint64_t timeouts;
    uint64_t ooo_evicted; /* directions whose held bytes were given up (as gaps) because
                             max_ooo_bytes_total was reached, least recently buffered first */
    uint64_t lingering;   /* closed connections kept briefly to absorb their last packets */
    uint64_t mem_bytes;   /* heap the table holds now: the table, its hash buckets, connection
                             records, and out-of-order buffers with their headers (not the
                             allocator's own overhead, nor what consumers attach) */
    uint64_t mem_peak;
};

/* Life of a connection (one entry per 5-tuple, both directions, IPv4 and IPv6):
 *  - A client SYN opens it (the SYN's sender is the client), a SYN-ACK too when the SYN was
 *    missed; any other first packet opens it "mid-stream" (see on_open in stream.h).
 *  - Both FINs reached, or a RST: on_close at once (close_reason FIN or RST). The entry then
 *    lingers silently (up to 60 s of capture time, never longer than the idle timeout) so the
 *    last ACKs and retransmitted FINs do not open phantom connections.
 *  - A new SYN on the tuple (another ISN, or from the other side) starts a new connection; an
 *    open one still on that tuple is closed first with TW_CLOSE_REUSED.
 *  - Capture time passing: a connection that has seen only client SYNs ends after
 *    syn_timeout_us without packets, any other after idle_timeout_us (TW_CLOSE_TIMEOUT).
 *  - Memory: at most max_conns entries (live + lingering). A new one first drops a lingering
 *    entry, else closes the least recently active live one (TW_CLOSE_EVICTED, counted). Held
 *    out-of-order bytes are capped per direction (the first hole is given up, then a segment
 *    that still does not fit is dropped and counted) and in total (the direction that buffered
 *    least recently gives up its holes, counted in ooo_evicted). No allocation per in-order
 *    segment. An entry that has seen only client SYNs is compact (200 bytes on x86-64, plus
 *    an 8-byte hash bucket): it gets its struct tw_ev_tcp (432 bytes) and is reported to the
 *    consumer only when answered or closed. See docs/tcp.md for measured figures. */

/* A table that calls ops with ctx. lim is copied (max_conns 0 is taken as 1). Returns NULL on
 * allocation failure. The hash table is sized from max_conns once, here. */
struct tw_flow_table *tw_flow_new(const struct tw_limits *lim, const struct tw_stream_ops *ops,
                                  void *ctx);
/* Frees the table and every connection without calling on_close (call tw_flow_finish first). */
void tw_flow_free(struct tw_flow_table *t);
/* Feeds one decoded TCP segment. Advances the capture clock to the packet's time first (it
 * never goes back), which closes connections idle past the timeout. Callbacks run before it
 * returns. Returns TW_OK, or TW_E_NOMEM when a new connection cannot be allocated (the
 * segment is dropped; the table stays consistent). */
int tw_flow_packet(struct tw_flow_table *t, const struct tw_pkt *p);
/* Closes connections idle at capture time now_us (live mode calls this when no packet comes). */
void tw_flow_expire(struct tw_flow_table *t, int64_t now_us);
/* The capture ended: closes every open connection (TW_CLOSE_END), oldest first frame first. */
void tw_flow_finish(struct tw_flow_table *t);
const struct tw_flow_stats *tw_flow_stats(const struct tw_flow_table *t);

/* The orientation heuristic for connections whose SYN the capture missed, exposed for tests:
 * 1 when data starts a TLS handshake record carrying a ClientHello (0x16 0x03 xx, length, then
 * handshake type 1) or an SSLv2-format CLIENT-HELLO, -1 for a ServerHello (type 2), 0 when it
 * tells nothing (including NULL/empty or too short). Reads through tw_rd only. */
int tw_flow_hello_side(const uint8_t *data, size_t len);

/* Accessors for the consumer. The pointers live as long as the connection (until on_close
 * returns). */
uint64_t tw_conn_id(const struct tw_conn *c); /* 1-based, in order of first packet */
const struct tw_endpoint *tw_conn_client(const struct tw_conn *c);
const struct tw_endpoint *tw_conn_server(const struct tw_conn *c);
const struct tw_ev_tcp *tw_conn_tcp(const struct tw_conn *c);
void *tw_conn_app(const struct tw_conn *c);
void tw_conn_set_app(struct tw_conn *c, void *app);
/* The consumer has reported c's verdict and from now on reads only what its close may add:
 * from the next packet on, the table keeps c's struct tw_ev_tcp in a compact form (about 120
 * bytes instead of 432) that holds FIN and RST per side, the last, previous and late payload
 * frames and times, data_after_fin, bytes, the SYN and SYN-ACK and the first/last frames and
 * times; the other facts read as 0 in its later callbacks (a gap or lost bytes after this keep
 * the full record instead). tw_conn_tcp(c) is then valid only inside callbacks for c. */
void tw_conn_settle(struct tw_conn *c);

#endif
