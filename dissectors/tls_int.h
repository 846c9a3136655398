/* tls_int.h: helpers shared by the files in dissectors/ only (not a layer contract): the
 * extension walker, evidence appenders, the probe and the handshake framer. */
#ifndef TLSWHY_TLS_INT_H
#define TLSWHY_TLS_INT_H

#include "tlswhy/dissector.h"

/* Every dissector in dissectors.def, declared once so a wrong signature fails to compile. */
#define TW_DISSECTOR(name, ct, hs, fn)                                                             \
    int fn(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev);
#include "dissectors.def"
#undef TW_DISSECTOR

/* Calls fn for each extension of an extensions block (already cut by tw_rd_vec): type and a
 * reader over its body. The extension framing (type, length) shares the caller's error, so a
 * bad length makes the whole message malformed. Each body gets a reader of its own: an error
 * inside one extension (say an odd supported_groups length) is recorded in *inner (the first
 * one, with its offset from the message start) and the walk goes on, so the message's other
 * facts are kept, as Wireshark does. */
typedef void (*tw_tls_ext_fn)(uint16_t type, struct tw_rd *body, void *ctx);
void tw_tls_ext_walk(struct tw_rd exts, tw_tls_ext_fn fn, void *ctx, struct tw_rd_err *inner);

/* Appends one ladder step (counts it in steps_dropped when the ladder is full). */
void tw_tls_ev_step(struct tw_evidence *ev, uint64_t frame, int64_t ts_us, enum tw_dir dir,
                    enum tw_step_kind kind, uint8_t type, uint32_t len);
/* Records a malformed fact for msg (the first one is kept in full, later ones are counted)
 * and a ladder step; returns TW_E_MALFORMED. */
int tw_tls_ev_malformed(struct tw_evidence *ev, const struct tw_msg *msg, const char *what,
                        const struct tw_rd_err *e);
/* The same for framing problems that have no whole message: direction, frame and reason. */
void tw_tls_ev_bad(struct tw_evidence *ev, enum tw_dir dir, uint64_t frame, int64_t ts_us,
                   const char *what, const char *why, uint32_t off);
/* Appends an alert (dropped, and counted in alerts_dropped, past TW_MAX_ALERTS) and its step. */
void tw_tls_ev_alert(struct tw_evidence *ev, const struct tw_alert *a);

/* Classifies the first bytes of a direction; TW_PROBE_NONE when n is too short to tell. */
enum tw_probe_kind tw_tls_probe_kind(const uint8_t *p, size_t n);

/* True for TLS 1.3 and its drafts (0x7fNN). */
bool tw_tls_is_13(uint16_t version);

/* Alert-sized encrypted TLS 1.3 record: a 2-byte alert + 1-byte inner content type + 16-byte
 * AEAD tag is 19 bytes; up to 5 bytes of padding are accepted (TW_TLS13_ALERT_MAX = 24). The
 * bound stops below 25, the size of an empty client Certificate (4 + 1 + 3 + 1 + 16), which
 * a client without a certificate sends first; the smallest Finished record is
 * 4 + 32 + 1 + 16 = 53 bytes. So a client's first encrypted record of 19..24 bytes is
 * neither: the client rejected the server's flight. */
#define TW_TLS13_ALERT_MIN 19
#define TW_TLS13_ALERT_MAX 24

/* Handshake-message framing of one direction (tls_handshake.c): messages split across
 * records and several messages per record. A partial message is buffered up to
 * lim->max_hs_msg; a longer one is skipped and recorded as a limit fact. */
struct tw_tls_hs {
    uint8_t hdr[4]; /* msg_type + uint24 length, as far as seen */
    uint8_t hdr_len;
    uint32_t msg_len; /* body length from the header */
    uint32_t got;     /* body bytes buffered */
    uint32_t skip;    /* body bytes of an over-cap message still to skip */
    uint8_t *buf;     /* body of a partial message; grown as needed, capped */
    size_t cap;
    uint64_t first_frame; /* frame of the message's first byte */
    uint16_t rec_version;
    bool decrypted;    /* the bytes fed are decrypted (tw_msg.decrypted) */
    uint32_t finished; /* Finished messages delivered (TLS 1.3 key change) */
};

/* Frames the plaintext handshake bytes of one record (p, n). rec_frame is the frame of the
 * record's first byte, frame/ts the one that completed it. Returns TW_OK or TW_E_NOMEM. */
int tw_tls_hs_feed(struct tw_tls_hs *h, struct tw_evidence *ev, const struct tw_limits *lim,
                   enum tw_dir d, const uint8_t *p, size_t n, uint16_t rec_version,
                   uint64_t rec_frame, uint64_t frame, int64_t ts_us);
/* Bytes of a partial message held (header included); 0 when between messages. */
size_t tw_tls_hs_pending(const struct tw_tls_hs *h);
/* Drops a partial message (gap, end). The buffer is kept for reuse. */
void tw_tls_hs_reset(struct tw_tls_hs *h);
void tw_tls_hs_free(struct tw_tls_hs *h);
/* Runs the registered dissector for one whole message and adds its ladder step. */
int tw_tls_dispatch(struct tw_evidence *ev, const struct tw_msg *msg, const uint8_t *body);

#endif
