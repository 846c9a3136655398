/* run_conn.h: the consumer of reassembled connections: TLS framing per connection, then at
 * close the certificate analysis, the diagnosis and the reporters. */
#ifndef TLSWHY_RUN_CONN_H
#define TLSWHY_RUN_CONN_H

#include "tlswhy/cert.h"
#include "tlswhy/report.h"
#include "tlswhy/stream.h"
#include "tlswhy/verdict.h"

#define TW_MAX_REPORTERS 8

struct tw_run_conns {
    const struct tw_limits *lim;
    struct tw_cert_ctx *certs;
    struct tw_corr_opts corr;
    struct tw_keylog *keys; /* --keylog and pcapng secrets; NULL: none */
    struct tw_probe_cache *probes; /* --probe; NULL: off */
    struct tw_reporter *reps[TW_MAX_REPORTERS];
    size_t rep_count;
    uint64_t reported, failed;
    int error; /* first reporter error (TW_E_IO), kept for the exit status */
};

/* The stream callbacks; ctx is a struct tw_run_conns. */
extern const struct tw_stream_ops tw_run_conn_ops;

#endif
