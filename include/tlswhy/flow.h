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

/* Accessors for the consumer. The pointers live as long as the connection (until on_close
 * returns). */
uint64_t tw_conn_id(const struct tw_conn *c); /* 1-based, in order of first packet */
const struct tw_endpoint *tw_conn_client(const struct tw_conn *c);
const struct tw_endpoint *tw_conn_server(const struct tw_conn *c);
const struct tw_ev_tcp *tw_conn_tcp(const struct tw_conn *c);
void *tw_conn_app(const struct tw_conn *c);
void tw_conn_set_app(struct tw_conn *c, void *app);

#endif
