/* ev_tls.h: TLS facts about one connection, appended by the dissectors (dissectors/).
 * Fixed-capacity lists keep per-connection memory bounded; each counts what it dropped. */
#ifndef TLSWHY_EV_TLS_H
#define TLSWHY_EV_TLS_H

#include "tlswhy/base.h"

/* A list of 16-bit wire values with a fixed capacity: TW_LIST(64) x; TW_LIST_PUSH(x, v). */
#define TW_LIST(cap)                                                                           \
    struct {                                                                                   \
        uint16_t n, dropped;                                                                   \
        uint16_t v[cap];                                                                       \
    }
#define TW_LIST_CAP(l) (sizeof(l).v / sizeof(l).v[0])
/* x is evaluated exactly once, even when the list is full (so x may be a reader call). */
#define TW_LIST_PUSH(l, x)                                                                     \
    do {                                                                                       \
        uint16_t tw_list_x_ = (uint16_t)(x);                                                   \
        if ((l).n < TW_LIST_CAP(l))                                                            \
            (l).v[(l).n++] = tw_list_x_;                                                       \
        else                                                                                   \
            (l).dropped++;                                                                     \
    } while (0)

enum tw_content_type {
    TW_CT_CHANGE_CIPHER_SPEC = 20,
    TW_CT_ALERT = 21,
    TW_CT_HANDSHAKE = 22,
    TW_CT_APPLICATION_DATA = 23,
    TW_CT_HEARTBEAT = 24,
};

enum tw_hs_type {
    TW_HS_HELLO_REQUEST = 0,
    TW_HS_CLIENT_HELLO = 1,
    TW_HS_SERVER_HELLO = 2,
    TW_HS_NEW_SESSION_TICKET = 4,
    TW_HS_END_OF_EARLY_DATA = 5,
    TW_HS_ENCRYPTED_EXTENSIONS = 8,
    TW_HS_CERTIFICATE = 11,
    TW_HS_SERVER_KEY_EXCHANGE = 12,
    TW_HS_CERTIFICATE_REQUEST = 13,
    TW_HS_SERVER_HELLO_DONE = 14,
    TW_HS_CERTIFICATE_VERIFY = 15,
    TW_HS_CLIENT_KEY_EXCHANGE = 16,
    TW_HS_FINISHED = 20,
    TW_HS_CERTIFICATE_STATUS = 22,
    TW_HS_KEY_UPDATE = 24,
    TW_HS_MESSAGE_HASH = 254,
};

/* What the first bytes of a direction are (tls_probe.c). */
enum tw_probe_kind {
    TW_PROBE_NONE = 0,      /* no byte seen yet */
    TW_PROBE_TLS,
    TW_PROBE_SSLV2,         /* SSLv2 record header (SSLv2-compatible ClientHello or SSLv2) */
    TW_PROBE_HTTP_REQUEST,  /* "GET / HTTP/1.1" ... */
    TW_PROBE_HTTP_RESPONSE, /* "HTTP/1.1 400 Bad Request" */
    TW_PROBE_SSH,           /* "SSH-2.0-..." */
    TW_PROBE_OTHER,
};

#define TW_FIRST_BYTES 64
struct tw_probe {
    enum tw_probe_kind kind;
    uint64_t frame;
    uint16_t len;                    /* bytes kept in first[] (raw, not printable-escaped) */
    uint8_t first[TW_FIRST_BYTES];   /* the first bytes of the direction, as data */
};

#define TW_SNI_MAX 255
#define TW_ALPN_MAX 128
struct tw_client_hello {
    bool present;
    uint64_t frame; /* frame that completed the message */
    int64_t ts_us;
    bool sslv2_format;       /* SSLv2-compatible ClientHello */
    uint16_t record_version; /* version in the record header that carried it */
    uint16_t legacy_version;
    uint8_t session_id_len;
    uint8_t compression_count;
    TW_LIST(512) cipher_suites;  /* wire order, GREASE included (see tw_tls_is_grease) */
    TW_LIST(64) extensions;      /* extension types in wire order, GREASE included */
    TW_LIST(32) versions;        /* supported_versions */
    TW_LIST(64) groups;          /* supported_groups */
    TW_LIST(64) sig_algs;        /* signature_algorithms */
    TW_LIST(16) key_share_groups;
    TW_LIST(16) ec_point_formats;
    TW_LIST(8) psk_modes;
    bool has_sni;
    uint16_t sni_len;
    char sni[TW_SNI_MAX + 1]; /* host_name as sent (NUL-terminated; may hold any byte) */
    uint16_t alpn_len;        /* ALPN protocol_name_list as sent: <1-byte len><name>... */
    uint8_t alpn[TW_ALPN_MAX];
    uint8_t alpn_count;
    bool has_status_request, has_ems, has_reneg_info, has_session_ticket;
    bool has_psk, has_early_data, has_ech, has_post_handshake_auth;
    uint8_t random[32]; /* ClientHello.random (SSLv2: the challenge, right-aligned) */
};

struct tw_server_hello {
    bool present;
    uint64_t frame;
    int64_t ts_us;
    uint16_t legacy_version;
    uint16_t version;        /* negotiated: supported_versions if present, else legacy_version */
    uint16_t cipher_suite;
    uint8_t compression;
    bool is_hrr;             /* HelloRetryRequest (RFC 8446 §4.1.3 special random) */
    uint16_t key_share_group;/* ServerHello: the group used; HRR: the group asked for */
    TW_LIST(64) extensions;
    char alpn[64];           /* selected protocol, NUL-terminated */
    uint8_t downgrade;       /* 0, or 12 / 11: RFC 8446 §4.1.3 sentinel "DOWNGRD\1" / "\0" */
    bool has_ems, has_reneg_info;
    uint8_t random[32];
};

#define TW_MAX_ALERTS 8
struct tw_alert {
    uint64_t frame;
    int64_t ts_us;
    uint8_t dir;        /* enum tw_dir of the sender */
    uint8_t level;      /* 1 warning, 2 fatal; 0 unknown (encrypted) */
    uint8_t desc;       /* description code; meaningless when !visible */
    bool encrypted;     /* sent after the direction became encrypted */
    bool visible;       /* level/desc known (plaintext, or decrypted) */
    uint16_t record_len;/* length of the record that carried it */
    bool probable;      /* inferred from record size and timing (TLS 1.3 application_data
                         * record of alert size, see dissector.h), not from content type 21 */
};

#define TW_MAX_STEPS 48 /* <= 64: steps_decrypted is a bit mask */
/* One line of the handshake ladder (-v, the report's diagram). TCP events come from ev_tcp. */
enum tw_step_kind {
    TW_STEP_HANDSHAKE = 1, /* type = handshake type */
    TW_STEP_CCS,
    TW_STEP_ALERT,         /* type = description (if visible) */
    TW_STEP_ENC_HANDSHAKE, /* encrypted handshake record */
    TW_STEP_APP_DATA,      /* first application-data record of a run */
    TW_STEP_PLAINTEXT,     /* non-TLS bytes (see probe) */
    TW_STEP_MALFORMED,
};
struct tw_step {
    uint64_t frame;
    int64_t ts_us;
    uint8_t dir;
    uint8_t kind;
    uint8_t type;
    uint32_t len;
};

struct tw_cert_der {
    uint8_t *der; /* heap copy, owned by the evidence (freed by tw_ev_tls_free) */
    uint32_t len;
};

#define TW_MAX_CERTS 10
struct tw_cert_msg {
    bool present;
    uint64_t first_frame, frame; /* frames of its first and last byte */
    int64_t ts_us;               /* capture time of the frame that completed it */
    bool tls13;                  /* TLS 1.3 form (context + per-certificate extensions) */
    bool decrypted;
    uint16_t count;              /* certificates listed in the message */
    uint16_t kept;               /* certificates copied into der[] (caps: max_certs, max_cert_der) */
    struct tw_cert_der der[TW_MAX_CERTS];
};

struct tw_dir_tls {
    struct tw_probe probe;
    uint64_t ccs_frame;          /* ChangeCipherSpec sent */
    uint64_t encrypted_from;     /* first frame whose records this side sent encrypted */
    uint64_t finished_frame;     /* Finished (plaintext, decrypted, or the first encrypted
                                  * handshake record after CCS in TLS <= 1.2) */
    uint32_t records;
    uint32_t enc_hs_records;     /* encrypted handshake records */
    uint32_t app_records;
    uint64_t app_bytes;
    uint64_t first_app_frame;
    int64_t first_app_ts;
    uint64_t incomplete_bytes;   /* bytes of a partial record/message when the stream ended */
    uint32_t gaps;               /* holes reported by tw_tls_gap */
    uint32_t resyncs;            /* times record framing resumed after a gap or a bad header */
    uint32_t heartbeat_records;
    uint64_t tls_after_plaintext_frame; /* a TLS hello began here after plaintext (STARTTLS,
                                         * HTTP CONNECT, SOCKS, ...); probe keeps the first bytes */
};

struct tw_malformed {
    uint64_t frame;
    uint8_t dir;
    const char *what; /* static: "client_hello", "record", ... */
    const char *why;  /* static, from tw_rd_err */
    uint32_t off;
};

/* Decryption with a key log (--keylog, pcapng Decryption Secrets Block): what was found and
 * done for this connection. keylog is false when no key log was given. */
struct tw_decryption {
    bool keylog;              /* a key log was given */
    uint8_t secrets;          /* bit (1 << enum tw_secret) for each secret held for this
                               * connection's ClientHello.random (keylog.h) */
    uint32_t records[2];      /* records decrypted, per direction */
    uint64_t failed_frame;    /* first record that failed authentication (0: none); that
                               * direction is not decrypted any further */
    uint8_t failed_dir;
    const char *unsupported;  /* static: why the keys could not be used (cipher suite), or NULL */
};

struct tw_ev_tls {
    struct tw_dir_tls d[2];                /* indexed by enum tw_dir */
    struct tw_client_hello ch;             /* the first ClientHello */
    struct tw_client_hello ch2;            /* the second one, after a HelloRetryRequest */
    struct tw_server_hello hrr;            /* HelloRetryRequest, if any */
    struct tw_server_hello sh;             /* the real ServerHello */
    struct tw_cert_msg cert;               /* the server's Certificate */
    struct tw_cert_msg client_cert;        /* the client's Certificate (counted, DER not kept) */
    uint64_t cert_request_frame;           /* CertificateRequest */
    uint64_t cert_status_frame;            /* CertificateStatus (OCSP stapling) */
    uint64_t server_kx_frame;              /* ServerKeyExchange */
    uint16_t server_kx_group;              /* named curve (ECDHE) */
    uint16_t server_kx_dh_bits;            /* DHE prime size */
    uint64_t server_hello_done_frame;
    uint64_t client_kx_frame;
    uint64_t encrypted_extensions_frame;
    uint64_t new_session_ticket_frame;
    uint16_t alert_count;
    struct tw_alert alerts[TW_MAX_ALERTS];
    uint16_t step_count, steps_dropped;
    struct tw_step steps[TW_MAX_STEPS];
    uint16_t malformed_count;
    struct tw_malformed malformed;         /* the first one */
    uint16_t version_seen;                 /* highest record-layer version seen (diagnostics) */
    uint16_t alerts_dropped;               /* alerts past TW_MAX_ALERTS (counted only) */
    uint32_t cert_status_len;              /* OCSP response length in CertificateStatus */
    uint16_t server_kx_sig_alg;            /* ServerKeyExchange signature scheme (TLS 1.2) */
    uint64_t hello_request_frame;          /* HelloRequest (server asks to renegotiate) */
    struct tw_decryption dec;              /* key log decryption (tls_decrypt.c) */
    uint64_t steps_decrypted;              /* bit i: steps[i] was read with a key log */
};

/* Frees the DER copies held by t (not t itself). NULL is fine. */
void tw_ev_tls_clear(struct tw_ev_tls *t);

#endif
