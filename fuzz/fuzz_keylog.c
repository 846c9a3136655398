/* fuzz_keylog.c: libFuzzer harness for the key log parser (tls_keylog.c) and the pcapng
 * Decryption Secrets Block walker (capture_dsb.c). The first byte picks which: even = the rest
 * is key log text (with a cap of 4 connections, so the cap is hit); odd = the rest is a pcapng
 * file whose TLS key log blocks go to the parser. Every stored secret is then looked up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlswhy/capture.h"
#include "tlswhy/keylog.h"
#include "tlswhy/rd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int add_block(void *ctx, const uint8_t *p, size_t n)
{
    return tw_keylog_add_text(ctx, p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(data, size, &e);
    uint8_t mode = tw_rd_u8(&r);
    size_t n = tw_rd_left(&r);
    /* an exact-size copy so any over-read is caught */
    uint8_t *copy = malloc(n ? n : 1);
    struct tw_keylog *k = tw_keylog_new(4);
    if (!copy || !k)
        goto out;
    if (n)
        memcpy(copy, tw_rd_take(&r, n), n);
    if (mode % 2 == 0) {
        (void)tw_keylog_add_text(k, copy, n);
    } else if (n > 0) {
        FILE *f = fmemopen(copy, n, "rb");
        char err[256];
        size_t skipped = 0;
        if (f) {
            (void)tw_cap_pcapng_secrets_fp(f, "fuzz", add_block, k, &skipped, err, sizeof err);
            fclose(f);
        }
    }
    /* look up the random at the start of the text, if it is hex */
    uint8_t cr[32] = {0};
    const uint8_t *sec;
    size_t len;
    for (int i = 0; i < TW_SEC_COUNT; i++)
        (void)tw_keylog_get(k, cr, (enum tw_secret)i, &sec, &len);
out:
    tw_keylog_free(k);
    free(copy);
    return 0;
}
