/* evidence.h: flow + dissectors -> analysis. Everything observed about one connection. */
#ifndef TLSWHY_EVIDENCE_H
#define TLSWHY_EVIDENCE_H

#include "tlswhy/ev_tcp.h"
#include "tlswhy/ev_tls.h"

struct tw_evidence {
    uint64_t conn_id;
    struct tw_endpoint client, server;
    const struct tw_ev_tcp *tcp; /* owned by the flow table */
    struct tw_ev_tls *tls;       /* NULL until the first payload byte; owned by the consumer */
};

#endif
