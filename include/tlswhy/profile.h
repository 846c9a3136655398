/* profile.h: an edge profile, the rules one kind of client (CloudFront, a careful client,
 * OpenSSL) applies when it connects to an origin. A diagnosis input (diag_profile*.c): parsed
 * from a small `key = value  # source: URL` text file, shipped ones embedded in the binary
 * (profiles/NAME.profile). The format is documented in docs/profiles.md. */
#ifndef TLSWHY_PROFILE_H
#define TLSWHY_PROFILE_H

#include <stddef.h>

#include "tlswhy/base.h"

/* The keys, in the order the files list them. */
enum tw_profile_key {
    TW_PK_NAME = 0,
    TW_PK_DESCRIPTION,
    TW_PK_VERSIONS,
    TW_PK_CIPHERS,
    TW_PK_GROUPS,
    TW_PK_SIGNATURE_SCHEMES,
    TW_PK_CHAIN_ORDER,
    TW_PK_FULL_CHAIN,
    TW_PK_TRUST_STORE,
    TW_PK_NAME_CHECK,
    TW_PK_CONNECT_TIMEOUT,
    TW_PK_CONNECT_ATTEMPTS,
    TW_PK_RESPONSE_TIMEOUT,
    TW_PK_KEEPALIVE_TIMEOUT,
    TW_PK_ALERTS,
    TW_PK_COUNT
};
/* "versions", "chain_order", ...; NULL out of range. */
const char *tw_profile_key_name(enum tw_profile_key k);

#define TW_PROFILE_LIST_MAX 64
/* A set of 16-bit IANA codes; any = the key is absent or "any": not judged. */
struct tw_profile_list {
    bool any;
    uint16_t n;
    uint16_t v[TW_PROFILE_LIST_MAX];
};
bool tw_profile_list_has(const struct tw_profile_list *l, uint16_t code);

enum tw_name_check { TW_NAME_CHECK_SNI = 0, TW_NAME_CHECK_HOST, TW_NAME_CHECK_NONE };
enum tw_trust_store { TW_TRUST_SYSTEM = 0, TW_TRUST_MOZILLA };

#define TW_PROFILE_NAME_MAX 32
#define TW_PROFILE_TEXT_MAX 160
#define TW_PROFILE_SOURCE_MAX 200
struct tw_profile {
    char name[TW_PROFILE_NAME_MAX];        /* [a-z0-9_.-]+ */
    char description[TW_PROFILE_TEXT_MAX];
    struct tw_profile_list versions, ciphers, groups, sig_schemes;
    bool chain_order_strict;               /* chain_order = strict: each cert certifies the one
                                            * before it (a misordered chain fails) */
    bool full_chain;                       /* full_chain = yes: the origin must send its
                                            * intermediates (no AIA fetching) */
    enum tw_trust_store trust_store;       /* both mean the store tlswhy loaded (--ca-file) */
    enum tw_name_check name_check;
    int64_t connect_timeout_us;            /* 0: not judged */
    unsigned connect_attempts;             /* 0: not said */
    int64_t response_timeout_us;
    int64_t keepalive_timeout_us;
    bool alerts;                           /* the edge sends an alert when it gives up (else it
                                            * just closes the TCP connection) */
    bool set[TW_PK_COUNT];                 /* the key was given */
    char source[TW_PK_COUNT][TW_PROFILE_SOURCE_MAX]; /* its "# source: ..." text, or "" */
};

#define TW_PROFILE_MAX_BYTES 65536 /* larger files are refused */
#define TW_PROFILE_LINE_MAX 1024

struct tw_profile_err {
    unsigned line; /* 1-based; 0: not about one line (size, missing key, unreadable file) */
    char msg[160];
};

/* Parses text[0..len) (not NUL-terminated; NUL bytes are an error). Defaults for absent keys:
 * lists any, chain_order any, full_chain no, trust_store system, name_check sni, timeouts 0,
 * alerts yes. name is required. Returns TW_OK, or TW_E_MALFORMED with err filled (the first
 * error). out is always written (zeroed on error). */
int tw_profile_parse(const char *text, size_t len, struct tw_profile *out,
                     struct tw_profile_err *err);

/* The text of a shipped profile (profiles/NAME.profile, embedded at build time), or NULL. */
const char *tw_profile_builtin(const char *name, size_t *len);
/* Names of the shipped profiles, NULL-terminated. */
extern const char *const tw_profile_builtin_names[];

/* NAME of a shipped profile, else a FILE path: parsed into out. TW_E_IO when the file cannot
 * be read (or is larger than TW_PROFILE_MAX_BYTES), TW_E_MALFORMED on a parse error; err says
 * which line and why. */
int tw_profile_load(const char *name_or_file, struct tw_profile *out, struct tw_profile_err *err);

#endif
