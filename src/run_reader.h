/* run_reader.h: -j 2 on capture files. A reader thread reads and decodes frames into a bounded
 * pool of chunks; the analysis thread takes them whole, in capture order. Private to tw_run. */
#ifndef TLSWHY_RUN_READER_H
#define TLSWHY_RUN_READER_H

#include "tlswhy/capture.h"
#include "tlswhy/packet.h"
#include "tlswhy/rd.h"

/* One frame as the reader left it: its bytes live in the chunk, p points into them, dec_rc and
 * why are what tw_dec_frame returned. Valid until the next tw_reader_next. */
struct tw_reader_frame {
    struct tw_frame f;
    struct tw_pkt p; /* p.frame is &f; written only when dec_rc is TW_OK */
    int dec_rc;
    struct tw_rd_err why;
};

struct tw_reader;

/* Starts a reader thread on the open file capture cap, which it owns until tw_reader_finish.
 * max_frames > 0 stops it after that many frames (-c). Signals stay with the calling thread.
 * Returns TW_OK and *out, or TW_E_NOMEM (no pool, no thread). */
int tw_reader_start(struct tw_cap *cap, uint64_t max_frames, struct tw_reader **out);

/* The next frame in capture order, or NULL once the reader stopped and every frame was taken.
 * Waits for the reader when needed. Adds the decode counters of each chunk it starts to *dec,
 * so after the last frame *dec holds what decoding every frame in one thread would have. */
const struct tw_reader_frame *tw_reader_next(struct tw_reader *r, struct tw_dec_stats *dec);

/* Stops the reader (frames not taken are dropped), joins it and frees r. Returns TW_OK, the
 * negative tw_cap_next result that ended the file (its message is tw_cap_error(cap)), or
 * TW_E_NOMEM. NULL returns TW_OK. */
int tw_reader_finish(struct tw_reader *r);

#endif
