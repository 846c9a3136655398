/* capture_write.h: frames out, to a pcap file (-w). libpcap stays behind this header, as it does
 * behind capture.h: the writer takes struct tw_frame values and the source's link type. */
#ifndef TLSWHY_CAPTURE_WRITE_H
#define TLSWHY_CAPTURE_WRITE_H

#include "tlswhy/frame.h"

struct tw_cap_writer;

/* Creates (or truncates) path as a classic pcap file with microsecond timestamps, link type
 * linktype (a DLT_* value, tw_cap_linktype of the source) and snaplen. Returns TW_OK and *out,
 * or TW_E_IO / TW_E_NOMEM with a one-line message naming the file in err. */
int tw_cap_writer_open(const char *path, int linktype, int snaplen, struct tw_cap_writer **out,
                       char *err, size_t errlen);

/* Appends one frame (its time, captured and wire lengths and bytes; f->linktype is not looked
 * at). Returns TW_OK or TW_E_IO (the disk is full, ...; the message is in tw_cap_writer_error). */
int tw_cap_writer_put(struct tw_cap_writer *w, const struct tw_frame *f);

/* Pushes what is buffered to the file (after each connection, so the file is usable while the
 * capture runs). Returns TW_OK or TW_E_IO. */
int tw_cap_writer_flush(struct tw_cap_writer *w);

const char *tw_cap_writer_error(const struct tw_cap_writer *w);

/* Flushes, closes and frees w (NULL does nothing). Returns TW_OK or TW_E_IO. */
int tw_cap_writer_close(struct tw_cap_writer *w);

#endif
