/* edge.h: the edge-profile judgements of the diagnosis (diag_edge.c, diag_keepalive.c): would
 * the edge described by a profile (profile.h) accept this origin, and did the origin close a
 * kept-alive connection under a client that still meant to use it? Pure functions of the
 * evidence, so they can run at close or after an early verdict. */
#ifndef TLSWHY_EDGE_H
#define TLSWHY_EDGE_H

#include "tlswhy/profile.h"
#include "tlswhy/verdict.h"

/* A keep-alive race: the origin closed an idle connection (FIN), the client sent its next
 * request after that FIN, and the origin answered it with a RST. */
struct tw_keepalive_race {
    int64_t idle_us;          /* the origin's FIN minus the last exchange before it */
    uint64_t idle_from_frame; /* that last exchange (request or response, not a close_notify) */
    uint64_t close_frame;     /* the origin's FIN */
    uint64_t request_frame;   /* the client's first payload after that FIN */
    int64_t request_after_us; /* how long after the FIN it came */
    uint64_t rst_frame;       /* the origin's RST that answered it */
};

/* True (and *out filled) when ev shows a keep-alive race after a completed handshake in which
 * data flowed both ways. ev->tls NULL means the caller knows that much (an early ok verdict). */
bool tw_diag_keepalive_race(const struct tw_evidence *ev, struct tw_keepalive_race *out);

/* Turns the verdict v (decided without the race) into origin_keepalive_shorter when ev shows
 * one, quoting p's keep-alive timeout when it has one (p may be NULL). Returns true if it did.
 * Only an ok verdict is changed. */
bool tw_diag_keepalive_verdict(const struct tw_evidence *ev, const struct tw_profile *p,
                               struct tw_verdict *v);

/* Fills v->edge: the origin's side of the handshake (version, cipher, group, signature scheme,
 * certificate chain as judged in chain) and its timing, checked against p; also adds the
 * origin_connect_slow / origin_response_slow warnings. p NULL: v->edge stays empty. */
void tw_diag_edge_judge(const struct tw_evidence *ev, const struct tw_chain_report *chain,
                        const struct tw_profile *p, struct tw_verdict *v);

/* The profile rule (a key name) that decides a certificate finding, or NULL when p tolerates
 * it (chain order under chain_order = any, a missing intermediate under full_chain = no, the
 * name under name_check = none). Codes that are not certificate defects: NULL. */
const char *tw_diag_edge_cert_rule(const struct tw_profile *p, int code);

/* Appends to v's explanation the profile rule that makes its cause a failure for that edge, with
 * its source, when there is one (e.g. cert_chain_misordered under chain_order = strict). */
void tw_diag_edge_quote(const struct tw_profile *p, struct tw_verdict *v);

#endif
