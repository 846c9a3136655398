/* capture.h: frames in, from capture files (pcap, pcapng, stdin) or a live interface. libpcap
 * stays behind this header: no pcap type appears here, and frames come out as struct tw_frame. */
#ifndef TLSWHY_CAPTURE_H
#define TLSWHY_CAPTURE_H

#include <stdio.h>

#include "tlswhy/frame.h"

/* One open capture source. Opaque: create with tw_cap_open_file/tw_cap_open_live, free with
 * tw_cap_close. Not thread-safe, except tw_cap_break (see below). */
struct tw_cap;

/* Options of a live capture. Zero values pick the defaults given per field. */
struct tw_cap_live_opts {
    const char *iface;  /* interface name, e.g. "eth0" or "any"; required */
    const char *filter; /* BPF filter in tcpdump syntax; NULL or "" for none */
    int snaplen;        /* bytes kept per frame; 0: 262144 (whole frames) */
    int buffer_size;    /* kernel ring buffer, bytes; 0: libpcap's default */
    int timeout_ms;     /* read timeout: tw_cap_next returns 0 after it; 0: 200 ms */
    bool immediate;     /* deliver each frame at once instead of batching */
    bool promisc;       /* promiscuous mode */
};

/* Counters from libpcap's pcap_stats (live captures; a file reports zeros). */
struct tw_cap_stats {
    uint64_t received;       /* frames the filter accepted (platform-defined, see pcap_stats) */
    uint64_t dropped_kernel; /* dropped because the buffer was full */
    uint64_t dropped_iface;  /* dropped by the interface or its driver */
};

/* One capture interface, as tw_cap_list returns it. */
struct tw_cap_iface {
    char *name;        /* e.g. "eth0"; owned by the list */
    char *description; /* human-readable description, or NULL when libpcap has none */
    bool is_loopback;
    bool is_up;
};

/* Opens a capture file: classic pcap (micro- or nanosecond) or pcapng, detected from its header
 * whatever the file name says; "-" reads standard input. filter (NULL or "" for none) is a BPF
 * expression applied to every frame as tcpdump applies it, but frames it rejects still take a
 * frame number, so numbers match Wireshark's for the same file. Frame numbers start at 1; for
 * several files read in order, carry the count over with tw_cap_set_next_no. On success returns
 * TW_OK and *out (the caller frees it with tw_cap_close). On failure returns TW_E_IO (cannot
 * open, empty, not a capture) or TW_E_USAGE (bad filter, NULL or "" path), leaves *out alone
 * and writes a one-line message naming the file into err (errlen bytes, NUL-terminated). */
int tw_cap_open_file(const char *path, const char *filter, struct tw_cap **out, char *err,
                     size_t errlen);

/* Opens a live capture on o->iface with the options in *o (pcap_create, the options, then
 * pcap_activate; the filter is compiled with the interface's netmask and set in the kernel).
 * Returns TW_OK and *out, or TW_E_IO (no such device, no permission, ...) / TW_E_USAGE (bad
 * filter or options) with a one-line message in err. Warnings from pcap_activate are not
 * errors. Frames are numbered from 1 in the order they arrive (only those the filter accepts). */
int tw_cap_open_live(const struct tw_cap_live_opts *o, struct tw_cap **out, char *err,
                     size_t errlen);

/* Reads the next frame into *f. Returns 1 with a frame (f->bytes is valid until the next call
 * or tw_cap_close); 0 when there is nothing now: the end of a file, a live read timeout, or
 * after tw_cap_break (tw_cap_done tells which); or a negative tw_err (TW_E_IO) on error, with
 * the message in tw_cap_error(): for a file cut in the middle of a record, every complete frame
 * is delivered first and then the error reads "FILE: frame N: truncated record". No allocation
 * per frame. */
int tw_cap_next(struct tw_cap *c, struct tw_frame *f);

/* True once the input is over: end of file, an error, or tw_cap_break was called. A live capture
 * that timed out is not done. */
bool tw_cap_done(const struct tw_cap *c);

/* Text of the last error (one line, names the file or interface); "" when there was none. The
 * string belongs to c. */
const char *tw_cap_error(const struct tw_cap *c);

/* The number the next frame will get. After the last frame of a file, pass it to
 * tw_cap_set_next_no on the next file so numbers run on as if the files were concatenated
 * (mergecap -a). */
uint64_t tw_cap_next_no(const struct tw_cap *c);
void tw_cap_set_next_no(struct tw_cap *c, uint64_t no);

/* Link type of the source as a DLT_* value (the number tw_frame.linktype carries), and its name
 * ("EN10MB", "LINUX_SLL2", ...; "unknown" when libpcap has none). The name is static. */
int tw_cap_linktype(const struct tw_cap *c);
const char *tw_cap_linktype_name(int dlt);

/* The source's counters into *s. Returns TW_OK, or TW_E_IO when libpcap cannot tell (then *s is
 * zeroed). For a file, all counters are zero. */
int tw_cap_stats(struct tw_cap *c, struct tw_cap_stats *s);

/* Makes the read loop stop: the current or next tw_cap_next returns 0 and tw_cap_done becomes
 * true. Safe to call from a signal handler (it only sets a flag; pcap_breakloop). */
void tw_cap_break(struct tw_cap *c);

/* A file descriptor that becomes readable when frames are waiting (live captures, for poll or
 * select); -1 for files or when the platform has none. */
int tw_cap_fd(const struct tw_cap *c);

/* Closes the source and frees c. NULL does nothing. */
void tw_cap_close(struct tw_cap *c);

/* Lists the capture interfaces (pcap_findalldevs) into a new array *list of *n entries, which the
 * caller frees with tw_cap_list_free. Returns TW_OK (possibly with *n == 0 and *list == NULL),
 * TW_E_IO with a message in err, or TW_E_NOMEM. Prints nothing. */
int tw_cap_list(struct tw_cap_iface **list, size_t *n, char *err, size_t errlen);
void tw_cap_list_free(struct tw_cap_iface *list, size_t n);

/* pcapng Decryption Secrets Blocks (block type 0x0000000A; what `editcap --inject-secrets`
 * writes). libpcap skips them, so tw_cap_pcapng_secrets walks the file's block structure itself
 * and calls fn for each DSB of secrets type TW_DSB_TLS_KEYLOG ('TLSK', an NSS key log) with its
 * data. Files only (it reads the file once more; stdin cannot be read twice). A file that is not
 * pcapng has no such block: returns TW_OK after 0 calls. Returns TW_OK, TW_E_IO (cannot open or
 * read) or TW_E_MALFORMED (a broken block structure: blocks before it were still reported), with
 * a message in err, or the first error fn returned. A DSB longer than TW_DSB_MAX is skipped and
 * counted in *skipped. */
#define TW_DSB_TLS_KEYLOG 0x544c534bu
#define TW_DSB_MAX (16u << 20)
typedef int (*tw_cap_secrets_fn)(void *ctx, const uint8_t *data, size_t len);
int tw_cap_pcapng_secrets(const char *path, tw_cap_secrets_fn fn, void *ctx, size_t *skipped,
                          char *err, size_t errlen);
/* The same on an open stream (read from its current position; not closed); path names it in
 * messages. */
int tw_cap_pcapng_secrets_fp(FILE *f, const char *path, tw_cap_secrets_fn fn, void *ctx,
                             size_t *skipped, char *err, size_t errlen);

#endif
