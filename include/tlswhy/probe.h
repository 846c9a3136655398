/* probe.h: active confirmation (--probe, `tlswhy probe`). One TLS connection from this machine
 * to a server seen in the capture, offering what the failing client offered (SNI, versions,
 * cipher suites, groups), and the certificate analysis of the chain it presents. What a probe
 * finds is judged at the time of the probe (the wall clock), from this machine's network
 * position: it confirms, it is not wire evidence, and reports keep it apart. */
#ifndef TLSWHY_PROBE_H
#define TLSWHY_PROBE_H

#include "tlswhy/cert.h"
#include "tlswhy/ev_tls.h"

#define TW_PROBE_TIMEOUT_MS 5000 /* connect, and then the handshake, each */
#define TW_PROBE_MAX 64          /* distinct (address, port, SNI) probed in one run */

enum tw_probe_status {
    TW_PROBE_NOT_RUN = 0,
    TW_PROBE_DONE,          /* the handshake completed (the chain is judged, not trusted) */
    TW_PROBE_TLS_FAILED,    /* the server refused the handshake (chain, if any, still judged) */
    TW_PROBE_CONNECT_FAILED,/* refused, unreachable */
    TW_PROBE_TIMEOUT,
    TW_PROBE_SKIPPED,       /* more than TW_PROBE_MAX servers: not probed */
};
const char *tw_probe_status_name(enum tw_probe_status s); /* "done", "tls_failed", ... */

struct tw_probe_result {
    enum tw_probe_status status;
    struct tw_endpoint server;
    char sni[TW_SNI_MAX + 1];        /* "" when none was sent */
    int64_t at_s;                    /* wall-clock time of the probe: the analysis time */
    char version[16];                /* negotiated, "" when none */
    char cipher[64];
    char error[256];                 /* why it failed, "" when it did not */
    char not_offered[256];           /* what of the ClientHello OpenSSL cannot offer, "" if none */
    struct tw_chain_report *chain;   /* the presented chain judged at at_s, or NULL */
    const struct tw_cert_finding *defect; /* in chain: the defect a client would act on, or NULL */
};

struct tw_probe_opts {
    int timeout_ms; /* 0: TW_PROBE_TIMEOUT_MS */
};

/* Probes server once. ch is the failing ClientHello whose SNI, versions, cipher suites and
 * groups are offered (NULL: sni alone, OpenSSL's defaults otherwise); sni overrides ch's SNI
 * when not NULL; name is the name the chain is judged for (NULL: the SNI). Always fills *r
 * (status and error say what happened); free with tw_probe_result_clear. */
void tw_probe_server(const struct tw_endpoint *server, const struct tw_client_hello *ch,
                     const char *sni, const char *name, struct tw_cert_ctx *certs,
                     const struct tw_probe_opts *o, struct tw_probe_result *r);
void tw_probe_result_clear(struct tw_probe_result *r);

/* At most one probe per (address, port, SNI) per run, TW_PROBE_MAX in all. */
struct tw_probe_cache;
struct tw_probe_cache *tw_probe_cache_new(struct tw_cert_ctx *certs, const struct tw_probe_opts *o);
/* The result for that server, probing it the first time it is asked for. NULL only when out
 * of memory. Valid until tw_probe_cache_free. */
const struct tw_probe_result *tw_probe_once(struct tw_probe_cache *pc,
                                            const struct tw_endpoint *server,
                                            const struct tw_client_hello *ch, const char *name);
void tw_probe_cache_free(struct tw_probe_cache *pc);

#endif
