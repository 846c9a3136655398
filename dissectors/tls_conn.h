/* tls_conn.h: the per-connection framing state shared by tls_record.c (framing) and
 * tls_encrypted.c (records that cannot be read without keys). Private to dissectors/. */
#ifndef TLSWHY_TLS_CONN_H
#define TLSWHY_TLS_CONN_H

#include "tls_decrypt.h"
#include "tls_int.h"
#include "tlswhy/keylog.h"

enum tw_rec_class { TW_RC_NONE = 0, TW_RC_ENC_HS, TW_RC_APP, TW_RC_ALERT, TW_RC_OTHER };

/* Decryption of one direction with key log secrets (tls_decrypt.c). */
/* WAIT: a followed key log (live capture) lacks the secret yet; the records wait (tls_pending.c)
 * for it to be written, in epoch ds->epoch. */
enum tw_dec_state { TW_DEC_UNTRIED = 0, TW_DEC_ON, TW_DEC_OFF, TW_DEC_WAIT };
struct tw_tls_dec_side {
    uint8_t state; /* enum tw_dec_state */
    uint8_t epoch; /* TLS 1.3: 0 handshake traffic keys, 1 application traffic keys */
    struct tw_tls_keys k;
};

struct tw_tls_side {
    bool decided;   /* the probe has classified the first bytes */
    bool framing;   /* bytes go to the record framer (TLS or SSLv2 start) */
    bool v2;        /* the next record has an SSLv2 2-byte header */
    bool resync;    /* after a gap or bad header: wait for a plausible record header */
    bool encrypted; /* records from this side are ciphertext */
    bool done;
    bool gap_seen; /* stop keeping first bytes: they would not be contiguous */
    uint8_t hdr[5];
    uint8_t hdr_len;
    bool in_body;
    bool keep; /* the body is buffered (plaintext we parse) */
    uint8_t ct;
    uint16_t ver;
    uint32_t len, got;
    uint64_t rec_frame; /* frame of the record's first byte */
    uint8_t *buf;       /* body of a partial record, grown as needed, <= max_record_buf */
    size_t cap;
    uint64_t consumed;    /* stream bytes seen */
    uint32_t enc13;       /* TLS 1.3 application_data records sent */
    uint64_t enc13_frame; /* frame of the first of them */
    uint64_t last_frame;  /* the last record, for the close-time alert heuristic */
    int64_t last_ts;
    uint32_t last_len;
    uint8_t last_class;
    struct tw_tls_hs hs;
    bool dec_rec; /* this record's body is kept to be decrypted */
    struct tw_tls_dec_side dec;
};

struct tw_tls_conn {
    const struct tw_limits *lim;
    struct tw_tls_side s[2];
    bool tls13;             /* ServerHello chose TLS 1.3: everything after it is ciphertext */
    bool srv_app_after_cli; /* the server sent application data after the client did */
    struct tw_keylog *keys; /* NULL: no key log */
    uint8_t *pt;                  /* decrypted record, REC_MAX bytes once needed */
    struct tw_tls_pending *pend;  /* records waiting for a followed key log (tls_pending.c) */
    bool replaying;
};

/* One whole record (tls_record.c): body is NULL when it was not kept (ciphertext). */
int tw_tls_record(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d,
                  const uint8_t *body, uint64_t frame, int64_t ts_us);

/* Live captures with a followed key log: a client writes its secrets about when its peer's
 * records reach us, so a record whose secret is missing waits, and every record after it
 * (both directions, to keep their order) waits too, until the secrets are there, the queue
 * holds TW_TLS_PENDING_MAX bytes, or the connection ends; they are then framed in order
 * (tls_pending.c). Returns true when the record was queued. */
#define TW_TLS_PENDING_MAX (256u << 10)
bool tw_tls_pending_take(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d,
                         const uint8_t *body, uint64_t frame, int64_t ts_us);
bool tw_tls_pending_active(const struct tw_tls_conn *t);
/* Replays the queue; final: secrets still missing are given up on (the direction goes on as
 * ciphertext). */
void tw_tls_pending_flush(struct tw_tls_conn *t, struct tw_evidence *ev, bool final);
void tw_tls_pending_free(struct tw_tls_conn *t);
/* Tries a waiting direction's secret again (tls_decrypt.c): ON, or OFF when final, else WAIT. */
void tw_tls_dec_retry(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d, bool final);

/* TLSCiphertext.length bound, RFC 5246 §6.2.3 */
#define TW_TLS_REC_MAX ((1u << 14) + 2048)

/* Should the record whose header was just read in direction d be kept and decrypted? Sets
 * up the direction's keys at its first encrypted record. */
bool tw_tls_dec_wants(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d);
/* Decrypts a whole record kept for it and feeds its plaintext to the handshake framer, the
 * alert dissector or the application-data count. False when it could not (authentication
 * failed: recorded in ev->tls->dec, and the direction goes on without keys): the caller then
 * handles the record as ciphertext. */
bool tw_tls_dec_record(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d,
                       const uint8_t *body, uint64_t frame, int64_t ts_us);
/* Bytes of direction d were lost: its sequence numbers are unknown from here on. */
void tw_tls_dec_gap(struct tw_tls_conn *t, enum tw_dir d);
/* At the end: which secrets the key log holds for this connection (ev->tls->dec.secrets). */
void tw_tls_dec_end(struct tw_tls_conn *t, struct tw_evidence *ev);
/* Application data (plaintext count, ladder step). */
void tw_tls_app_data(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d, uint64_t frame,
                     int64_t ts_us, uint32_t len);

/* TLS <= 1.2 alerts after ChangeCipherSpec, and TLS 1.3 alert-sized records: an alert whose
 * level and description are not visible. */
void tw_tls_enc_alert(struct tw_evidence *ev, enum tw_dir d, uint64_t frame, int64_t ts_us,
                      uint32_t len, bool probable);
/* An encrypted handshake record (TLS <= 1.2 after CCS, or a TLS 1.3 flight). */
void tw_tls_enc_hs(struct tw_evidence *ev, enum tw_dir d, uint64_t frame, int64_t ts_us,
                   uint32_t len);
/* Classifies an application_data record; returns its enum tw_rec_class. */
uint8_t tw_tls_app_record(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d,
                          uint64_t frame, int64_t ts_us, uint32_t len);
/* Whether a ChangeCipherSpec from d leaves the direction in plaintext (TLS 1.3 compat). */
bool tw_tls_compat_ccs(const struct tw_tls_conn *t, const struct tw_evidence *ev, enum tw_dir d);
/* At the end: the close-time probable-alert rule for direction d. */
void tw_tls_reclassify_last(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d);

#endif
