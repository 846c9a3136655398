/* verdict.h: analysis -> report. The decision about one connection, with its evidence. */
#ifndef TLSWHY_VERDICT_H
#define TLSWHY_VERDICT_H

#include "tlswhy/causes.h"
#include "tlswhy/cert.h"
#include "tlswhy/evidence.h"
#include "tlswhy/fingerprint.h"

struct tw_profile;

enum tw_outcome { TW_OUTCOME_OK = 0, TW_OUTCOME_FAILED, TW_OUTCOME_INCOMPLETE };
const char *tw_outcome_name(enum tw_outcome o); /* "ok", "failed", "incomplete" */

/* Where the connection stopped. */
enum tw_stage {
    TW_STAGE_NONE = 0,
    TW_STAGE_TCP_CONNECT,
    TW_STAGE_CLIENT_HELLO,
    TW_STAGE_SERVER_FLIGHT,
    TW_STAGE_CLIENT_FLIGHT,
    TW_STAGE_AFTER_HANDSHAKE,
};
const char *tw_stage_name(enum tw_stage s); /* "tcp_connect", ... ; NULL for NONE */

/* One rule of an edge profile (profile.h) the origin breaks, for "would the edge accept it?". */
struct tw_edge_rule {
    const char *rule;   /* the profile key: "versions", "chain_order", ... (static) */
    int code;           /* enum tw_cause it would end in */
    bool certain;       /* false: judged from what the origin chose for this client; another
                         * offer might have worked (the capture cannot tell) */
    const char *source; /* the profile's "# source:" for that key, or "" (lives with the profile) */
    char text[400];
};
#define TW_MAX_EDGE_RULES 8
struct tw_edge_verdict {
    const char *profile; /* the profile's name; NULL without --edge (then nothing else is set) */
    int accepts;         /* 1 yes, 0 no (a certain rule fails), -1 unknown (only uncertain rules
                          * fail, or the origin's side was not seen) */
    uint16_t rule_count;
    struct tw_edge_rule rules[TW_MAX_EDGE_RULES];
};

#define TW_MAX_WARNINGS 12
#define TW_MAX_FRAMES 16
struct tw_verdict {
    const struct tw_evidence *ev;      /* everything observed */
    const struct tw_chain_report *chain; /* NULL when no certificate was seen */
    enum tw_outcome outcome;
    enum tw_cause cause;               /* TW_CAUSE_NONE unless failed */
    enum tw_stage stage;
    char explanation[640];             /* one sentence; wire strings unescaped (reporters escape) */
    const struct tw_alert *alert;      /* the alert that decided it, or NULL */
    uint16_t warning_count;
    uint16_t warnings[TW_MAX_WARNINGS];/* enum tw_cause values */
    uint16_t frame_count;
    uint64_t frames[TW_MAX_FRAMES];    /* evidence frames, ascending */
    double syn_to_synack_ms;           /* < 0: not measurable */
    double hello_to_server_hello_ms;
    double handshake_ms;
    /* Added for the reporters and the caller (additive). */
    bool relevant;                     /* false: no ClientHello and not a TLS port: not reported */
    char incomplete_reason[200];       /* why outcome is incomplete; "" otherwise */
    const char *name;                  /* the name judged (--host, else the SNI), or NULL; it
                                        * points into the options or the evidence */
    bool handshake_done;               /* both Finished (<= 1.2) / client flight seen (1.3) */
    bool early;                        /* reported before the connection closed: its close may
                                        * bring a second verdict (tw_corr_after_verdict) */
    struct tw_edge_verdict edge;       /* --edge: would that edge accept this origin? */
    struct tw_fingerprints fp;         /* JA4 / JA3 of the ClientHello, JA3S of the server */
    const struct tw_probe_result *probe; /* --probe: this server probed from here (probe.h),
                                          * not wire evidence; NULL when not probed */
};

struct tw_corr_opts {
    const char *host;        /* --host: the name the edge expects, instead of the SNI */
    const uint16_t *tls_ports; /* --tls-port values, besides 443 and 8443 (may be NULL) */
    size_t tls_port_count;
    const struct tw_profile *profile; /* --edge (profile.h), or NULL: today's OpenSSL-like rules */
};

#endif
