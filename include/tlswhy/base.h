/* base.h: types every layer shares: errors, directions, endpoints, and every resource cap. */
#ifndef TLSWHY_BASE_H
#define TLSWHY_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Functions that can fail return TW_OK or one of these (negative). SHORT, MALFORMED, LIMIT and
 * UNSUPPORTED describe the traffic and become facts; NOMEM, IO and USAGE stop the input. */
enum tw_err {
    TW_OK = 0,
    TW_E_SHORT = -1,       /* out of bytes: a framer waits, a dissector reports malformed */
    TW_E_MALFORMED = -2,   /* a field contradicts the spec or its enclosing length */
    TW_E_LIMIT = -3,       /* a tw_limits cap was hit; data was dropped and counted */
    TW_E_UNSUPPORTED = -4, /* something we do not decode (non-IP, non-TCP, unknown link) */
    TW_E_NOMEM = -5,
    TW_E_IO = -6,
    TW_E_USAGE = -7,
};

/* Static name of an error code ("short", "malformed", ...); "unknown" for anything else. */
const char *tw_err_name(int err);

/* Direction of bytes inside a connection. The client is whoever sent the SYN (see flow.h). */
enum tw_dir { TW_DIR_C2S = 0, TW_DIR_S2C = 1 };
#define TW_DIR_OTHER(d) ((enum tw_dir)(1 - (int)(d)))

/* An IP address; IPv4 uses b[0..3]. family is 4 or 6 (0: unset). */
struct tw_ip {
    uint8_t family;
    uint8_t b[16];
};

struct tw_endpoint {
    struct tw_ip ip;
    uint16_t port;
};

/* Longest text tw_ip_format/tw_endpoint_format write, NUL included ("[v6]:65535"). */
#define TW_ENDPOINT_STRLEN 56

/* Writes the address as text (inet_ntop form) into buf; returns buf. Never fails: an unset
 * address prints as "?". */
const char *tw_ip_format(const struct tw_ip *ip, char *buf, size_t n);
/* "192.0.2.1:443" or "[2001:db8::1]:443"; returns buf. */
const char *tw_endpoint_format(const struct tw_endpoint *ep, char *buf, size_t n);
bool tw_ip_equal(const struct tw_ip *a, const struct tw_ip *b);

/* Every cap on memory driven by the wire, in one place. Fill with tw_limits_default() and
 * override from options; each layer reads only its own fields. */
struct tw_limits {
    size_t max_conns;              /* live connections tracked; the oldest idle is evicted */
    size_t max_ooo_bytes_per_dir;  /* out-of-order bytes held for one direction */
    size_t max_ooo_bytes_total;    /* out-of-order bytes held in all connections */
    size_t max_record_buf;         /* one partial TLS record (2^14 + 2048 + header) */
    size_t max_hs_msg;             /* one handshake message being reassembled */
    size_t max_certs;              /* certificates kept from one chain */
    size_t max_cert_der;           /* bytes of one certificate's DER kept */
    size_t cert_cache_entries;     /* parsed/verified chains kept (LRU) */
    int64_t idle_timeout_us;       /* capture time without packets before a connection ends */
    int64_t syn_timeout_us;        /* capture time a SYN waits for an answer */
};

void tw_limits_default(struct tw_limits *l);

#endif
