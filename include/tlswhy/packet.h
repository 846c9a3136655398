/* packet.h: decode -> flow. A frame decoded down to its TCP segment. */
#ifndef TLSWHY_PACKET_H
#define TLSWHY_PACKET_H

#include "tlswhy/frame.h"
#include "tlswhy/rd.h"

enum tw_tcp_flag {
    TW_TCP_FIN = 0x01,
    TW_TCP_SYN = 0x02,
    TW_TCP_RST = 0x04,
    TW_TCP_PSH = 0x08,
    TW_TCP_ACK = 0x10,
    TW_TCP_URG = 0x20,
    TW_TCP_ECE = 0x40,
    TW_TCP_CWR = 0x80,
};

struct tw_pkt {
    const struct tw_frame *frame; /* the frame this segment came from */
    struct tw_endpoint src, dst;
    uint8_t ip_version;   /* 4 or 6 (of the innermost IP header) */
    uint8_t tunnel_depth; /* tunnel layers removed: VXLAN, GENEVE, GTP-U, IP in IP */
    uint8_t flags;        /* TW_TCP_* */
    uint32_t seq, ack;
    uint16_t window;      /* raw, unscaled */
    bool has_wscale;
    uint8_t wscale;
    uint16_t mss;         /* 0: option absent; it and wscale are read on SYN segments only */
    const uint8_t *payload; /* captured payload bytes, valid for this frame only */
    uint32_t payload_len;   /* captured payload bytes */
    uint32_t lost;          /* payload bytes on the wire that the snaplen cut off */
    bool ip_csum_bad;       /* checked only when the header was captured whole */
    bool tcp_csum_bad;      /* checked only when the whole segment was captured */
};

/* Counters the decoder keeps for the run; shown in the summary. */
struct tw_dec_stats {
    uint64_t frames;
    uint64_t tcp;              /* frames that decoded to a TCP segment */
    uint64_t not_ip;           /* ARP, LLDP, ... */
    uint64_t not_tcp;          /* UDP (not a tunnel), ICMP, ... */
    uint64_t ip_fragments;     /* counted and reported, not reassembled */
    uint64_t bad_ip_csum;
    uint64_t bad_tcp_csum;     /* kept: checksum offload makes these normal on the origin */
    uint64_t truncated;        /* frames whose TCP payload was cut by the snaplen */
    uint64_t malformed;        /* a header contradicted itself or the capture length */
    uint64_t unsupported_link; /* frames of a link type we do not decode */
    uint64_t vxlan, geneve;    /* tunnel layers removed */
    uint64_t gtp, ip_in_ip;    /* GTP-U (UDP 2152) and IP-in-IP / 6in4 layers removed */
};

/* Decodes one frame down to TCP. Returns TW_OK and fills *out (pointing into f's bytes) for a
 * TCP segment; TW_E_UNSUPPORTED for anything else we skip (not IP, not TCP, an IP fragment, an
 * unknown link type); TW_E_MALFORMED with *why set when a header is broken (a header cut by the
 * snaplen is malformed only if the TCP header itself is incomplete; payload cut off is reported
 * in out->lost). Updates st in every case. Never reads outside f->bytes.
 * Details: every IP fragment is skipped, the first one too (without reassembly its TCP payload
 * is incomplete). On TW_E_UNSUPPORTED, why->why also says what was skipped ("ipv4: fragment").
 * why->why strings are static and name the layer ("ipv4: header length 4 < 5"); why->off is the
 * offset in the frame. *out is written only on TW_OK. why may be NULL. A bad IPv4 header or TCP
 * checksum does not stop decoding: it is flagged in *out and counted. An IPv4 total length (or
 * IPv6 payload length) of 0 is taken as "the rest of the frame", as segmentation offload writes
 * it on the sending host. */
int tw_dec_frame(const struct tw_frame *f, struct tw_pkt *out, struct tw_dec_stats *st,
                 struct tw_rd_err *why);

/* Whether tw_dec_frame decodes this link type (a DLT_* value as in tw_frame.linktype): Ethernet
 * (1), BSD null (0) and loop (108), raw IP (12, 101, 228, 229), Linux SLL (113) and SLL2 (276).
 * Frames of other link types are counted in unsupported_link and skipped; callers can use this
 * to say so once, up front. */
bool tw_dec_linktype_supported(int linktype);

#endif
