/* fuzz_cert.c: libFuzzer harness for certificate analysis: arbitrary bytes as one or two DER
 * certificates, a name and a capture time, through tw_cert_analyse (parse, summary, chain
 * checks, verification, name matching, cache). Input layout:
 *   uint8  flags;          bit 0: pass a name; bit 1: the name is an IP literal
 *   uint32 capture_time;   seconds since the epoch
 *   opaque first<0..2^16-1>;
 *   opaque second[rest];   absent when empty
 * One context (system trust store, two cache entries) lives as long as the process: loading
 * the store costs ~90 ms, which would cap the harness at ~11 inputs per second. Reusing it
 * keeps runs reproducible: a cached result is a pure function of the chain's bytes (it is
 * keyed by their SHA-256), so no input changes what another one computes. This static is the
 * harness's, as libFuzzer's LLVMFuzzerInitialize intends; the library itself has none. */
#include <stddef.h>
#include <stdint.h>

#include "tlswhy/cert.h"
#include "tlswhy/rd.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tw_cert_ctx *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct tw_cert_opts o = {.cache_entries = 2};
    int err;
    (void)argc;
    (void)argv;
    ctx = tw_cert_ctx_new(&o, &err);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(data, size, &e);
    uint8_t flags = tw_rd_u8(&r);
    int64_t at = (int64_t)tw_rd_u32(&r);
    struct tw_rd first = tw_rd_vec(&r, 2);
    size_t rest = tw_rd_left(&r);
    const uint8_t *der[2];
    uint32_t len[2];
    if (e.code != TW_OK)
        return 0;
    len[0] = (uint32_t)tw_rd_left(&first);
    der[0] = tw_rd_take(&first, len[0]);
    len[1] = (uint32_t)rest;
    der[1] = tw_rd_take(&r, rest);
    if (!der[0] || !der[1])
        return 0;

    if (!ctx)
        return 0;
    const char *name = (flags & 1) ? ((flags & 2) ? "192.0.2.1" : "www.example.com") : NULL;
    size_t n = rest > 0 ? 2 : 1;
    /* twice: the second call takes the cached path */
    for (int i = 0; i < 2; i++)
        tw_chain_report_free(tw_cert_analyse(ctx, der, len, n, name, at + i * 86400));
    return 0;
}
