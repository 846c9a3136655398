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

/* A dissector reads one whole message body through m and appends facts to ev. Returns TW_OK,
 * or TW_E_MALFORMED after recording a malformed fact. It never sees partial data. */
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
/* Feeds in-order stream bytes of direction d. ev->tls must be allocated. Returns
 * TW_STREAM_MORE, or TW_STREAM_DONE once nothing more in that direction can change the verdict
 * (application data flowing after the handshake). Buffers only partial records, capped. */
int tw_tls_data(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d, const uint8_t *data,
                size_t len, uint64_t frame, int64_t ts_us);
/* len bytes of direction d are missing: the partial record is dropped and framing resumes only
 * if it can resync (it records that the stream lost data). */
void tw_tls_gap(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d, uint64_t len,
                uint64_t frame, int64_t ts_us);
/* The connection ended: partial records/messages are recorded as incomplete bytes. */
void tw_tls_end(struct tw_tls_conn *t, struct tw_evidence *ev);

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
