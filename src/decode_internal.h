/* decode_internal.h: what the decode_*.c files share: the per-frame context, the layer entry
 * points (link -> ethertype -> IP -> TCP, and UDP -> tunnel -> link again) and checksums. */
#ifndef TLSWHY_DECODE_INTERNAL_H
#define TLSWHY_DECODE_INTERNAL_H

#include <string.h>

#include "tlswhy/packet.h"

/* Link types by their DLT_* numbers (as pcap_datalink returns them on Linux), so that decode
 * never includes pcap.h. */
enum {
    TW_DLT_NULL = 0,
    TW_DLT_EN10MB = 1,
    TW_DLT_RAW = 12,           /* DLT_RAW on Linux and most systems */
    TW_DLT_LINKTYPE_RAW = 101, /* LINKTYPE_RAW, as stored in files */
    TW_DLT_LOOP = 108,
    TW_DLT_LINUX_SLL = 113,
    TW_DLT_IPV4 = 228,
    TW_DLT_IPV6 = 229,
    TW_DLT_LINUX_SLL2 = 276,
};

/* Tunnels inside tunnels beyond this are malformed (and counted), so a crafted frame cannot
 * make us recurse without bound. */
#define TW_DEC_MAX_TUNNELS 4

/* State of one tw_dec_frame call. The reader each layer gets covers the captured bytes of that
 * layer; `cut` says how many more bytes of it were on the wire but cut off by the snaplen. */
struct tw_dec_ctx {
    const struct tw_frame *f;
    struct tw_pkt *out;
    struct tw_dec_stats *st;
    uint32_t cut;
    int depth; /* tunnel layers removed so far */
};

/* Failure helpers: record why (first error wins) and return the code. */
int tw_dec_malformed(struct tw_rd *r, const char *why);
int tw_dec_skip(struct tw_rd *r, const char *why); /* TW_E_UNSUPPORTED */

/* Makes r cover exactly the `len` bytes a length field announced, dropping trailing padding;
 * bytes missing past the capture go into c->cut. Returns TW_OK, or TW_E_MALFORMED (why) when
 * len is more than the frame held on the wire. */
int tw_dec_trim(struct tw_dec_ctx *c, struct tw_rd *r, size_t len, const char *why);
/* A header of `need` bytes is about to be read: TW_OK if captured whole, else malformed, with
 * `cut_why` when the snaplen cut it and `short_why` when the frame itself is too short. */
int tw_dec_need(struct tw_dec_ctx *c, struct tw_rd *r, size_t need, const char *short_why,
                const char *cut_why);

/* Enters one more tunnel layer (VXLAN, GENEVE, GTP-U, IP in IP): TW_OK, or TW_E_MALFORMED
 * past TW_DEC_MAX_TUNNELS. */
int tw_dec_tunnel_enter(struct tw_dec_ctx *c, struct tw_rd *r);

/* decode_link.c */
int tw_dec_link(struct tw_dec_ctx *c, struct tw_rd *r, int linktype);
int tw_dec_ether(struct tw_dec_ctx *c, struct tw_rd *r);
int tw_dec_ethertype(struct tw_dec_ctx *c, struct tw_rd *r, uint16_t type);
/* decode_ip.c: IPv4 or IPv6 after a link layer; `version` 0 means "look at the first nibble". */
int tw_dec_ip(struct tw_dec_ctx *c, struct tw_rd *r, int version);
/* decode_tunnel.c: a UDP datagram (header included) inside IP. */
int tw_dec_udp(struct tw_dec_ctx *c, struct tw_rd *r);
/* decode_tcp.c: a TCP segment (header included); the IP layer filled out->src/dst. */
int tw_dec_tcp(struct tw_dec_ctx *c, struct tw_rd *r);

/* TCP options (MSS, window scale) from opts[0..n) into p; a broken list only ends the walk. */
void tw_dec_tcp_options(struct tw_pkt *p, const uint8_t *opts, size_t n);
/* Checks the TCP checksum of the whole captured segment seg[0..len) (p's addresses already
 * set), flagging p and counting in st when it is wrong. seg comes from tw_rd_take. */
void tw_dec_tcp_csum(struct tw_pkt *p, const uint8_t *seg, size_t len, struct tw_dec_stats *st);

/* decode_fast.c: Ethernet + IPv4 without options + TCP, captured whole and not a fragment:
 * fills *out as the general path would and returns true; false (nothing written, nothing
 * counted) for anything else, which then takes the general path. */
bool tw_dec_fast(const struct tw_frame *f, struct tw_pkt *out, struct tw_dec_stats *st);
/* The general path alone (decode_link.c), for the test that compares the two. */
int tw_dec_frame_general(const struct tw_frame *f, struct tw_pkt *out, struct tw_dec_stats *st,
                         struct tw_rd_err *why);

/* decode_csum.c: the Internet checksum (RFC 1071): add n bytes at p to an accumulator (an
 * even number of bytes, except in the last call), then fold to 16 bits. p must come from
 * tw_rd_take. tw_dec_csum_add uses the CPU's add-with-carry where it can (x86-64);
 * tw_dec_csum_add_c is the portable one it falls back to, kept apart for the test that
 * compares them (tests/check_dec_csum.c). */
uint64_t tw_dec_csum_add(uint64_t sum, const uint8_t *p, size_t n);
uint64_t tw_dec_csum_add_c(uint64_t sum, const uint8_t *p, size_t n);

/* The sum folded to 16 bits in four fixed steps (no loop): each keeps it congruent mod 0xffff
 * and nonzero when it was, and after them it is at most 0xffff. */
static inline uint16_t tw_dec_csum_fold(uint64_t sum)
{
    sum = (sum >> 32) + (sum & 0xffffffff);
    sum = (sum >> 16) + (sum & 0xffff);
    sum = (sum >> 16) + (sum & 0xffff);
    sum = (sum >> 16) + (sum & 0xffff);
    return (uint16_t)sum;
}

/* Fixed-size headers: words 4-byte words at p added as 32-bit numbers (congruent to their
 * 16-bit sum, see decode_csum.c), inline so that a 20-byte IP header costs no call. */
static inline uint64_t tw_dec_csum_add32(uint64_t sum, const uint8_t *p, size_t words)
{
    for (size_t i = 0; i < words; i++) {
        uint32_t w;
        memcpy(&w, p + 4 * i, 4);
        sum += w;
    }
    return sum;
}

#endif
