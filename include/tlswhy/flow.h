/* flow.h: the connection table and per-direction reassembly (flow.c, reasm.c). */
#ifndef TLSWHY_FLOW_H
#define TLSWHY_FLOW_H

#include "tlswhy/stream.h"

struct tw_flow_table;

struct tw_flow_stats {
    uint64_t conns_total;     /* connections ever opened */
    uint64_t conns_live;      /* open now */
    uint64_t conns_peak;
    uint64_t evicted;         /* closed early because max_conns was reached */
    uint64_t ooo_bytes_live;  /* out-of-order bytes held now, all connections */
    uint64_t ooo_bytes_peak;
    uint64_t ooo_dropped_segs;/* out-of-order segments dropped by a cap */
    uint64_t timeouts;
    uint64_t ooo_evicted;     /* directions whose held bytes were given up (as gaps) because
                                 max_ooo_bytes_total was reached, least recently buffered first */
    uint64_t lingering;       /* closed connections kept briefly to absorb their last packets */
    uint64_t mem_bytes;       /* heap the table holds now: the table, its hash buckets, connection
                                 records, and out-of-order buffers with their headers (not the
                                 allocator's own overhead, nor what consumers attach) */
    uint64_t mem_peak;
};

/* A table that calls ops with ctx. lim is copied. Returns NULL on allocation failure. */
struct tw_flow_table *tw_flow_new(const struct tw_limits *lim, const struct tw_stream_ops *ops,
                                  void *ctx);
/* Frees the table and every connection without calling on_close (call tw_flow_finish first). */
void tw_flow_free(struct tw_flow_table *t);
/* Feeds one decoded TCP segment. Advances the capture clock to the packet's time first, which
 * closes connections idle past the timeout. Returns TW_OK or TW_E_NOMEM. */
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

#endif
