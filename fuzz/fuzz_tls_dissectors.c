/* fuzz_tls_dissectors.c: libFuzzer harness for every dissector in the registry, found with
 * tw_tls_dissector_at, so a new line in dissectors.def is fuzzed without touching this file.
 * Input: byte 0 picks the dissector (modulo the count); byte 1 picks the connection state the
 * dissector may read (negotiated version and a cipher suite: ECDHE, DHE, RSA, TLS 1.3); the
 * rest is the message body, copied to an exact-size buffer. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "tlswhy/dissector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    uint16_t version, suite;
} states[] = {
    {0, 0},           {0x0303, 0xc02f}, {0x0303, 0x009e}, {0x0303, 0x002f},
    {0x0304, 0x1301}, {0x0301, 0xc013}, {0x0303, 0xc018}, /* ECDH_anon */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tw_rd_err e;
    struct tw_rd in = tw_rd_make(data, size, &e);
    size_t count = tw_tls_dissector_count();
    const struct tw_dissector *ds = tw_tls_dissector_at(tw_rd_u8(&in) % count);
    uint8_t st = tw_rd_u8(&in) % (sizeof states / sizeof states[0]);
    size_t n = tw_rd_left(&in);
    const uint8_t *body = tw_rd_take(&in, n);
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy || !ds)
        goto out;
    if (n)
        memcpy(copy, body, n);

    struct tw_limits lim;
    tw_limits_default(&lim);
    struct tw_ev_tls tls;
    memset(&tls, 0, sizeof tls);
    struct tw_evidence ev = {.tls = &tls};
    if (states[st].version) {
        tls.sh.present = true;
        tls.sh.version = states[st].version;
        tls.sh.cipher_suite = states[st].suite;
    }
    struct tw_msg msg = {.dir = (st & 1) ? TW_DIR_S2C : TW_DIR_C2S,
                         .content_type = ds->content_type,
                         .hs_type = ds->hs_type < 0 ? 0 : (uint8_t)ds->hs_type,
                         .record_version = 0x0303,
                         .first_frame = 1,
                         .last_frame = 2,
                         .len = (uint32_t)n,
                         .lim = &lim};
    struct tw_rd m = tw_rd_make(copy, n, &e);
    int rc = ds->fn(&m, &msg, &ev);
    assert(rc == TW_OK || rc == TW_E_MALFORMED || rc == TW_E_NOMEM);
    assert(rc != TW_E_MALFORMED || tls.malformed_count == 1);
    tw_ev_tls_clear(&tls);
out:
    free(copy);
    return 0;
}
