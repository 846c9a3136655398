/* capture_dsb.c: Decryption Secrets Blocks of a pcapng file (draft-ietf-opsawg-pcapng §4.7):
 *   uint32 block type = 0x0000000A; uint32 block total length;
 *   uint32 secrets type; uint32 secrets length; secrets data, padded to 32 bits;
 *   options; uint32 block total length.
 * Every block starts with type and total length (a multiple of 4, >= 12) in the byte order of
 * its section, given by the Section Header Block's byte-order magic 0x1A2B3C4D. */
#include "tlswhy/capture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlswhy/rd.h"

#define SHB 0x0A0D0D0Au
#define DSB 0x0000000Au
#define MAGIC 0x1A2B3C4Du

static uint32_t u32(const uint8_t *p, bool le)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(p, 4, &e);
    return le ? tw_rd_u32le(&r) : tw_rd_u32(&r);
}

static int broken(char *err, size_t n, const char *path, long off, const char *why)
{
    snprintf(err, n, "%s: pcapng block at offset %ld: %s (secrets blocks after it not read)",
             path, off, why);
    return TW_E_MALFORMED;
}

/* Reads a DSB body (total length len, header already read) and hands TLS key logs to fn. */
static int read_dsb(FILE *f, uint32_t len, bool le, tw_cap_secrets_fn fn, void *ctx,
                    size_t *skipped)
{
    size_t body = len - 8;
    if (len > TW_DSB_MAX) {
        (*skipped)++;
        return fseek(f, (long)body, SEEK_CUR) == 0 ? TW_OK : TW_E_IO;
    }
    uint8_t *b = malloc(body);
    if (!b)
        return TW_E_NOMEM;
    int rc = TW_OK;
    if (fread(b, 1, body, f) != body) {
        rc = TW_E_IO;
    } else {
        struct tw_rd_err e;
        struct tw_rd r = tw_rd_make(b, body, &e);
        const uint8_t *h = tw_rd_take(&r, 8);
        uint32_t type = h ? u32(h, le) : 0, n = h ? u32(h + 4, le) : 0;
        const uint8_t *data = tw_rd_take(&r, n);
        if (!data)
            rc = TW_E_MALFORMED;
        else if (type == TW_DSB_TLS_KEYLOG)
            rc = fn(ctx, data, n);
    }
    free(b);
    return rc;
}

int tw_cap_pcapng_secrets(const char *path, tw_cap_secrets_fn fn, void *ctx, size_t *skipped,
                          char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return TW_E_IO;
    }
    int rc = tw_cap_pcapng_secrets_fp(f, path, fn, ctx, skipped, err, errlen);
    fclose(f);
    return rc;
}

int tw_cap_pcapng_secrets_fp(FILE *f, const char *path, tw_cap_secrets_fn fn, void *ctx,
                             size_t *skipped, char *err, size_t errlen)
{
    bool le = true, first = true;
    int rc = TW_OK;
    for (;;) {
        long off = ftell(f);
        uint8_t h[12];
        size_t got = fread(h, 1, 8, f);
        if (got == 0)
            break;
        if (got < 8) {
            rc = broken(err, errlen, path, off, "truncated block header");
            break;
        }
        uint32_t type = u32(h, true); /* SHB's type reads the same in both orders */
        if (first && type != SHB)
            break; /* not pcapng (classic pcap): no secrets blocks */
        first = false;
        if (type == SHB) {
            if (fread(h + 8, 1, 4, f) != 4) {
                rc = broken(err, errlen, path, off, "truncated section header");
                break;
            }
            if (u32(h + 8, true) == MAGIC)
                le = true;
            else if (u32(h + 8, false) == MAGIC)
                le = false;
            else {
                rc = broken(err, errlen, path, off, "bad byte-order magic");
                break;
            }
            if (fseek(f, -4, SEEK_CUR) != 0) {
                rc = TW_E_IO;
                break;
            }
        }
        uint32_t len = u32(h + 4, le);
        if (len < 12 || len % 4) {
            rc = broken(err, errlen, path, off, "bad block total length");
            break;
        }
        if (u32(h, le) == DSB)
            rc = read_dsb(f, len, le, fn, ctx, skipped);
        else
            rc = fseek(f, (long)len - 8, SEEK_CUR) == 0 ? TW_OK : TW_E_IO;
        if (rc == TW_E_MALFORMED)
            rc = broken(err, errlen, path, off, "secrets longer than the block");
        if (rc != TW_OK)
            break;
    }
    if (rc == TW_E_IO)
        snprintf(err, errlen, "%s: read error", path);
    return rc;
}
