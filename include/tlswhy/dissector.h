/* dissector.h: reassembled streams -> TLS facts. The framers (tls_record.c, tls_handshake.c)
 * cut each direction into whole messages and dispatch them through the registry. */
#ifndef TLSWHY_DISSECTOR_H
#define TLSWHY_DISSECTOR_H

#include "tlswhy/evidence.h"
#include "tlswhy/rd.h"
#include "tlswhy/stream.h" /* enum tw_stream_rc */

/* One whole message, as handed to a dissector. */
struct tw_msg {
    enum tw_dir dir;
    uint8_t content_type;    /* enum tw_content_type */
    uint8_t hs_type;         /* enum tw_hs_type, for handshake messages */
    uint16_t record_version; /* of the record that carried (the start of) it */
    uint64_t first_frame;    /* frame of its first byte */
    uint64_t last_frame;     /* frame that completed it */
    int64_t ts_us;           /* capture time of last_frame */
    uint32_t len;            /* body length */
    bool decrypted;          /* plaintext recovered with a key log */
    const struct tw_limits *lim;
};

/* A dissector reads one whole message body through m and appends facts to ev (ev->tls must be
 * allocated). Returns TW_OK, or TW_E_MALFORMED after recording a malformed fact; a hello whose
 * outer lengths agree but with a malformed extension inside is still recorded, with the fact.
 * TW_E_NOMEM only when a certificate copy cannot be allocated. It never sees partial data. */
typedef int (*tw_dissect_fn)(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev);

struct tw_dissector {
    const char *name;
    uint8_t content_type;
    int hs_type; /* -1 for non-handshake content types */
    tw_dissect_fn fn;
};

/* The registry (dissectors.def). NULL when nothing handles that message. */
const struct tw_dissector *tw_tls_lookup(uint8_t content_type, uint8_t hs_type);
size_t tw_tls_dissector_count(void);
const struct tw_dissector *tw_tls_dissector_at(size_t i);

/* Per-connection TLS framing state: record and handshake buffers for both directions. */
struct tw_tls_conn;

/* Returns NULL on allocation failure. lim must outlive the object. */
struct tw_tls_conn *tw_tls_new(const struct tw_limits *lim);
void tw_tls_free(struct tw_tls_conn *t);
/* Decrypt this connection's records with the secrets of keys (keylog.h), which must outlive
 * t; NULL: no key log (the default). Decrypted handshake messages and alerts go to the same
 * dissectors as plaintext (tw_msg.decrypted, tw_alert.encrypted and visible); what was found
 * and done is in ev->tls->dec. */
struct tw_keylog;
void tw_tls_set_keylog(struct tw_tls_conn *t, struct tw_keylog *keys);
/* Feeds in-order stream bytes of direction d. ev->tls must be allocated (zeroed); NULL t, ev
 * or ev->tls, or len 0, do nothing. Returns TW_STREAM_MORE, or TW_STREAM_DONE (for both
 * directions, from then on) once the client has sent application data and the server has
 * answered with application data after it: nothing later can change the verdict. Buffers only
 * partial records (<= lim->max_record_buf, and only plaintext ones: ciphertext is counted,
 * not copied) and partial handshake messages (<= lim->max_hs_msg).
 * The first bytes of each direction are kept in ev->tls->d[d].probe and classified
 * (tls_probe.c); a plaintext direction switches to TLS at a later chunk that starts with a
 * ClientHello (client) or ServerHello (server) record: STARTTLS, HTTP CONNECT, SOCKS,
 * PostgreSQL SSLRequest (d[d].tls_after_plaintext_frame). A server answering in SSLv2 gets
 * probe kind TW_PROBE_SSLV2 and neither direction is framed after the hellos.
 * Encrypted records: after a ChangeCipherSpec (TLS <= 1.2) a direction's handshake records
 * count as enc_hs_records (the first is its Finished) and content-type-21 records as alerts
 * with encrypted = true, visible = false. After a TLS 1.3 ServerHello everything is
 * application_data: server records before the client's first encrypted record are its
 * encrypted flight; the client's first record and the others in that frame are its Finished
 * flight, unless the first is 19..24 bytes (an alert-sized record: see tls_int.h), which is a
 * probable encrypted alert (struct tw_alert, probable = true); the rest is application data. */
int tw_tls_data(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d, const uint8_t *data,
                size_t len, uint64_t frame, int64_t ts_us);
/* len bytes of direction d are missing: the partial record is dropped and framing resumes only
 * if it can resync (it records that the stream lost data). */
void tw_tls_gap(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d, uint64_t len,
                uint64_t frame, int64_t ts_us);
/* The connection ended: partial records/messages are recorded as incomplete bytes, and first
 * bytes too few to classify become TW_PROBE_OTHER. Call it once ev->tcp is final (on_close):
 * in TLS 1.3 a side's last record, if it is alert-sized (19..24 bytes) and that side sent FIN
 * or RST at or after it (ev->tcp->fin_frame/rst_frame), is re-classified from application
 * data (or encrypted handshake) to a probable encrypted alert: close_notify after a normal
 * exchange, or a fatal alert (say certificate_required after the client's flight). Not done
 * when ev->tcp is NULL, or when delivery stopped with TW_STREAM_DONE before the side's last
 * byte (ev->tcp->bytes). A second call does nothing more. */
void tw_tls_end(struct tw_tls_conn *t, struct tw_evidence *ev);

/* Whether the facts in ev->tls are final: tw_tls_data has answered TW_STREAM_DONE and
 * tw_tls_end could not change them any more, i.e. no side's application data hangs on its last
 * record (in TLS 1.3, an alert-sized last record that a FIN right after it would re-classify as
 * a probable alert, see tw_tls_end). Then the verdict can be taken before the close. */
bool tw_tls_settled(const struct tw_tls_conn *t, const struct tw_evidence *ev);

/* Names from the IANA registries (tls_names.c); NULL when unknown. */
const char *tw_tls_version_name(uint16_t v);     /* "TLSv1.2", "SSLv3", "TLSv1.3-draft23" */
const char *tw_tls_alert_name(uint8_t desc);     /* "unrecognized_name" */
const char *tw_tls_suite_name(uint16_t suite);   /* "TLS_AES_128_GCM_SHA256" */
const char *tw_tls_hs_name(uint8_t hs_type);     /* "ClientHello" */
const char *tw_tls_ext_name(uint16_t ext);       /* "server_name" */
const char *tw_tls_group_name(uint16_t group);   /* "x25519" */
const char *tw_tls_sigalg_name(uint16_t sigalg); /* "rsa_pss_rsae_sha256" */
bool tw_tls_is_grease(uint16_t v);               /* RFC 8701 */

#endif
