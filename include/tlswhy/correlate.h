/* correlate.h: the diagnosis. TCP facts, TLS facts and the certificate analysis of one
 * connection -> one explained verdict (correlate*.c). */
#ifndef TLSWHY_CORRELATE_H
#define TLSWHY_CORRELATE_H

#include "tlswhy/verdict.h"

/* Decides what happened on one closed connection. ev must stay valid as long as out is used
 * (out->ev points to it); chain is the analysis of the server's Certificate (NULL when none was
 * seen or it could not be analysed) and is kept in out->chain the same way. o may be NULL
 * (no --host, default TLS ports).
 *
 * Always writes *out and returns TW_OK, except TW_E_USAGE when ev or out is NULL. A connection
 * that neither carried a ClientHello nor went to a TLS port (443, 8443, o->tls_ports) gets
 * out->relevant = false: the caller does not report it. */
int tw_corr_decide(const struct tw_evidence *ev, const struct tw_chain_report *chain,
                   const struct tw_corr_opts *o, struct tw_verdict *out);

/* Whether v, decided on a connection that is still open, is final, so it may be reported at
 * once and the connection's TLS state freed: the handshake completed, application data flowed
 * both ways (outcome ok), no decisive alert and no lost bytes. Call it only once the TLS facts
 * are settled (tw_tls_settled); later TCP facts (FIN, RST, more data) cannot change such a
 * verdict, only the post-verdict checks below can add to it. */
bool tw_corr_final(const struct tw_verdict *v);

/* A connection whose verdict was reported before it closed has closed: ev->tcp is final and
 * ev->tls is NULL (the TLS facts were freed with the early verdict); first is that verdict's
 * outcome. Returns true and fills *out when the close itself is worth a second report (say a
 * keep-alive race: the origin closed the idle connection as the edge sent its next request),
 * false when there is nothing to add. */
bool tw_corr_after_verdict(const struct tw_evidence *ev, enum tw_outcome first,
                           const struct tw_corr_opts *o, struct tw_verdict *out);

/* The defect of chain c a client most likely acted on: the one alert_desc (a TLS alert code, or
 * -1 when none was seen) points at, else by the order clients check. NULL when none. */
const struct tw_cert_finding *tw_corr_pick_defect(const struct tw_chain_report *c, int alert_desc);
/* True when port is 443, 8443 or one of o->tls_ports (o may be NULL). */
bool tw_corr_is_tls_port(const struct tw_corr_opts *o, uint16_t port);

#endif
