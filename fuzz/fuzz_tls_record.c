/* fuzz_tls_record.c: libFuzzer harness for the TLS framers (tls_record.c, tls_handshake.c,
 * tls_encrypted.c) and, through them, every dissector. The input is a script of chunks:
 *   control byte c: 0xff / 0xfe = a 100-byte gap in C2S / S2C;
 *                   otherwise direction c & 1 and a chunk of (c >> 1) + 1 bytes that follow.
 * The first byte picks small or default limits so the caps are exercised too. At the end both
 * sides "closed" (FIN) so the close-time TLS 1.3 alert rule runs. */
#include <stdlib.h>
#include <string.h>

#include "tlswhy/dissector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tw_limits lim;
    struct tw_ev_tcp tcp;
    struct tw_evidence ev;
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(data, size, &e);
    tw_limits_default(&lim);
    if (tw_rd_u8(&r) & 1) {
        lim.max_hs_msg = 512;
        lim.max_record_buf = 300;
        lim.max_certs = 1;
        lim.max_cert_der = 64;
    }
    memset(&tcp, 0, sizeof tcp);
    memset(&ev, 0, sizeof ev);
    ev.tcp = &tcp;
    ev.tls = calloc(1, sizeof *ev.tls);
    struct tw_tls_conn *t = tw_tls_new(&lim);
    if (!ev.tls || !t)
        goto out;
    uint64_t frame = 1;
    while (tw_rd_left(&r) > 0) {
        uint8_t c = tw_rd_u8(&r);
        if (c >= 0xfe) {
            tw_tls_gap(t, &ev, c == 0xff ? TW_DIR_C2S : TW_DIR_S2C, 100, frame++, 0);
            continue;
        }
        enum tw_dir d = (c & 1) ? TW_DIR_S2C : TW_DIR_C2S;
        size_t n = (size_t)(c >> 1) + 1;
        if (n > tw_rd_left(&r))
            n = tw_rd_left(&r);
        const uint8_t *p = tw_rd_take(&r, n);
        /* an exact-size copy so any over-read of the chunk is caught */
        uint8_t *copy = malloc(n ? n : 1);
        if (!copy)
            break;
        memcpy(copy, p, n);
        tcp.bytes[d] += n;
        tw_tls_data(t, &ev, d, copy, n, frame, (int64_t)frame * 1000);
        frame++;
        free(copy);
    }
    tcp.fin_frame[0] = tcp.fin_frame[1] = frame;
    tw_tls_end(t, &ev);
out:
    tw_tls_free(t);
    tw_ev_tls_clear(ev.tls);
    free(ev.tls);
    return 0;
}
