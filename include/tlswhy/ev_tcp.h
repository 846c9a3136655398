/* ev_tcp.h: TCP facts about one connection, recorded by the flow layer (flow.c, reasm.c).
 * Every fact carries the frame number that shows it; 0 means "not seen". */
#ifndef TLSWHY_EV_TCP_H
#define TLSWHY_EV_TCP_H

#include "tlswhy/base.h"

/* Why a connection's record ended: the last event the consumer receives (on_close). */
enum tw_close_reason {
    TW_CLOSE_FIN = 1,     /* both directions sent FIN */
    TW_CLOSE_RST = 2,     /* a RST ended it */
    TW_CLOSE_TIMEOUT = 3, /* idle longer than idle_timeout_us (capture time) */
    TW_CLOSE_EVICTED = 4, /* the table was full and this was the oldest idle connection */
    TW_CLOSE_END = 5,     /* the capture ended (or capture stopped) with the connection open */
    TW_CLOSE_REUSED = 6,  /* a new SYN arrived on the same tuple after it had closed */
};

struct tw_ev_tcp {
    uint64_t first_frame, last_frame;
    int64_t first_ts, last_ts;

    uint64_t syn_frame; /* first SYN from the client */
    int64_t syn_ts;
    uint16_t syn_count; /* SYNs sent, retransmissions included */
    uint64_t synack_frame;
    int64_t synack_ts;
    uint16_t synack_count;
    bool mid_stream; /* no SYN seen: the client was guessed (ClientHello, then port) */

    /* Indexed by enum tw_dir. */
    uint64_t fin_frame[2]; /* first FIN sent by each side */
    int64_t fin_ts[2];
    uint64_t rst_frame[2]; /* first RST sent by each side */
    int64_t rst_ts[2];
    uint64_t rst_after[2]; /* stream bytes that side had sent when it sent the RST */
    uint64_t bytes[2];     /* stream bytes per direction (delivered or lost in gaps) */
    uint64_t first_data_frame[2];
    int64_t first_data_ts[2];
    uint32_t gaps[2]; /* holes that never filled */
    uint64_t gap_bytes[2];
    uint64_t first_gap_frame[2];
    uint32_t retransmits[2];       /* segments wholly seen before (keep-alives not counted) */
    uint32_t overlap_conflicts[2]; /* overlapping bytes that differed (first received won);
                                      compared while the first copy is still held, not after
                                      it was delivered (delivered bytes are not kept) */
    uint32_t partial_overlaps[2];  /* segments partly seen before; only their new bytes count */
    uint32_t ooo_dropped[2];       /* out-of-order segments dropped by a memory cap */
    uint64_t snap_lost[2];         /* payload bytes cut by the snaplen */

    enum tw_close_reason close_reason; /* set before on_close */
    uint64_t close_frame;              /* frame that closed it (0 for timeout/end) */
    int64_t close_ts;                  /* capture time of the close decision */

    /* Kept for the judgements made after the handshake and after an early verdict
     * (tw_corr_after_verdict: keep-alive races), indexed by the sender. Payload segments only (a RST's payload is not stream data). */
    uint64_t last_data_frame[2]; /* its last payload segment before the other side's FIN */
    int64_t last_data_ts[2];
    uint64_t prev_data_frame[2]; /* the payload segment before that one */
    int64_t prev_data_ts[2];
    uint64_t late_data_frame[2]; /* its first payload segment after the other side's FIN */
    int64_t late_data_ts[2];
    uint64_t data_after_fin[2];  /* payload bytes it sent after the other side's FIN */
};

#endif
