/* fuzz_decode.c: libFuzzer harness for tw_dec_frame over every supported link type.
 * Input: uint8 link (index into LINKS, modulo); uint8 cut (bytes the snaplen "removed": wirelen
 * = caplen + cut); opaque frame[]. The frame is the tail of libFuzzer's own buffer, so any read
 * past it is a heap overflow ASan reports. Seeds: fuzz/corpus/fuzz_decode/ (one frame per
 * encapsulation, written by scripts/make-decode-data.sh). */
#include <stdint.h>
#include <stdlib.h>

#include "tlswhy/packet.h"

static const int LINKS[] = {0, 1, 12, 101, 108, 113, 228, 229, 276};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size - 2 > UINT32_MAX - 255)
        return 0;
    struct tw_frame f = {
        .no = 1,
        .linktype = LINKS[data[0] % (sizeof LINKS / sizeof LINKS[0])],
        .caplen = (uint32_t)(size - 2),
        .wirelen = (uint32_t)(size - 2) + data[1],
        .bytes = data + 2,
    };
    struct tw_pkt p;
    struct tw_dec_stats st = {0};
    struct tw_rd_err why;
    int rc = tw_dec_frame(&f, &p, &st, &why);

    /* The contract, checked: one outcome, views inside the frame, lost only when cut. */
    if (rc != TW_OK && rc != TW_E_MALFORMED && rc != TW_E_UNSUPPORTED)
        abort();
    if (rc != TW_OK && (why.code != rc || why.why == NULL))
        abort();
    if (rc == TW_OK) {
        if (p.payload < f.bytes || p.payload_len > f.caplen ||
            (size_t)(p.payload - f.bytes) > f.caplen - p.payload_len)
            abort();
        if (p.lost > data[1] || p.tunnel_depth > 4 || st.tcp != 1)
            abort();
    }
    if (st.frames != 1 || (rc == TW_E_MALFORMED) != (st.malformed == 1))
        abort();
    return 0;
}
