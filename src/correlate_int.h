/* correlate_int.h: helpers shared by the correlate*.c files (not a contract: private to the
 * diagnosis layer). */
#ifndef TLSWHY_CORRELATE_INT_H
#define TLSWHY_CORRELATE_INT_H

#include "tlswhy/correlate.h"

/* The facts of one decision, passed to every rule. tls is NULL when no payload byte was seen. */
struct tw_corr_ctx {
    const struct tw_evidence *ev;
    const struct tw_ev_tcp *tcp;
    const struct tw_ev_tls *tls;
    const struct tw_chain_report *chain;
    const struct tw_corr_opts *o;
    struct tw_verdict *v;
};

/* Marks the verdict failed with cause at stage. */
void tw_corr_fail(struct tw_verdict *v, int cause, enum tw_stage stage);
/* Marks the verdict incomplete; the reason is also the explanation. */
void tw_corr_incomplete(struct tw_verdict *v, enum tw_stage stage, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes / appends to the explanation (truncates at its size). */
void tw_corr_say(struct tw_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tw_corr_add(struct tw_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds an evidence frame (0 is ignored, duplicates too); tw_corr_sort_frames orders them. */
void tw_corr_frame(struct tw_verdict *v, uint64_t frame);
void tw_corr_sort_frames(struct tw_verdict *v);
/* Adds a warning code once; NONE and the verdict's own cause are skipped. */
void tw_corr_warn(struct tw_verdict *v, int code);

/* First alert sent by dir (any visibility), or NULL. */
const struct tw_alert *tw_corr_first_alert(const struct tw_ev_tls *t, enum tw_dir dir);
/* First visible alert that ends the handshake (fatal, or any level but close_notify/
 * user_canceled/no_renegotiation/warning-level unrecognized_name) from either side; NULL. */
const struct tw_alert *tw_corr_decisive_alert(const struct tw_ev_tls *t);
/* "alert 42 bad_certificate" / "an encrypted alert" into buf; returns buf. */
const char *tw_corr_alert_label(const struct tw_alert *a, char *buf, size_t n);

/* The certificate defect that best explains a rejection: guided by the client's alert
 * description (alert_desc < 0: none visible), else the most likely one. NULL when the chain is
 * clean (or absent). */
const struct tw_cert_finding *tw_corr_pick_defect(const struct tw_chain_report *c, int alert_desc);
/* True for finding codes that can be a failure cause (kind F or B). */
bool tw_corr_is_defect(int code);

/* "TLSv1.3, TLSv1.2" from supported_versions (GREASE skipped) or legacy_version. */
const char *tw_corr_versions_offered(const struct tw_client_hello *ch, char *buf, size_t n);
/* Highest non-GREASE version offered. */
uint16_t tw_corr_max_offered(const struct tw_client_hello *ch);
const char *tw_corr_version_label(uint16_t v, char *buf, size_t n);
bool tw_corr_is_tls13(uint16_t v);

/* Milliseconds between two capture times; -1 when either is unknown (frame 0). */
double tw_corr_ms(uint64_t frame_a, int64_t a_us, uint64_t frame_b, int64_t b_us);
/* Capture time of frame in the ladder, or -1. */
int64_t tw_corr_step_ts(const struct tw_ev_tls *t, uint64_t frame);
/* Fills syn_to_synack_ms, hello_to_server_hello_ms, handshake_ms. */
void tw_corr_timing(const struct tw_corr_ctx *x);

/* The rules after the first bytes (correlate_tls.c). Each returns true when it decided. */
bool tw_corr_rule_alerts(const struct tw_corr_ctx *x);
bool tw_corr_rule_no_server_hello(const struct tw_corr_ctx *x);
bool tw_corr_rule_done(const struct tw_corr_ctx *x);
bool tw_corr_rule_lost(const struct tw_corr_ctx *x);
bool tw_corr_rule_client_reaction(const struct tw_corr_ctx *x);
bool tw_corr_rule_server_reaction(const struct tw_corr_ctx *x);
bool tw_corr_rule_ended(const struct tw_corr_ctx *x);

/* Frame where the client's second flight starts (ClientKeyExchange, its Certificate, CCS or,
 * in TLS 1.3, its first encrypted record), or 0. An encrypted client alert that comes first
 * is a rejection, not a flight. */
uint64_t tw_corr_client_flight(const struct tw_ev_tls *t);
/* The earliest FIN or RST a side sent (frame 0: none). */
struct tw_corr_closing {
    uint64_t frame;
    int64_t ts;
    const char *what; /* "FIN" or "RST" */
};
struct tw_corr_closing tw_corr_close_of(const struct tw_ev_tcp *tcp, enum tw_dir d);
/* Adds ServerHello, Certificate and both Finished frames. */
void tw_corr_handshake_frames(struct tw_verdict *v, const struct tw_ev_tls *t);
/* The server sent a CertificateRequest and the client no certificate (or an empty one). */
bool tw_corr_client_cert_missing(const struct tw_ev_tls *t);
/* Fails the verdict with client_cert_required; how = what the server did at frame. */
void tw_corr_say_client_cert(const struct tw_corr_ctx *x, const char *how, uint64_t frame);

/* Both Finished (TLS <= 1.2), or the client's encrypted flight (TLS 1.3). */
bool tw_corr_handshake_done(const struct tw_ev_tls *t);

/* What would show TLS 1.3's encrypted messages: "a key log (SSLKEYLOGFILE)", or, when one was
 * given and did not open this connection, what is wrong with it. */
const char *tw_corr_key_hint(const struct tw_ev_tls *t);

#endif
