/* frame.h: capture -> decode. One captured frame, as libpcap delivered it. */
#ifndef TLSWHY_FRAME_H
#define TLSWHY_FRAME_H

#include "tlswhy/base.h"

struct tw_frame {
    uint64_t no;          /* 1-based over the whole run, as Wireshark counts; undecodable ones too */
    int64_t ts_us;        /* capture time, microseconds since the Unix epoch */
    uint32_t caplen;      /* bytes captured (bytes[0..caplen)) */
    uint32_t wirelen;     /* bytes on the wire; > caplen when the snaplen cut the frame */
    int linktype;         /* DLT_* value of the file or interface */
    const uint8_t *bytes; /* valid for the duration of this frame only */
};

#endif
