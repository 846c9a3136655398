/* decode_ip.c: IPv4 (RFC 791) and IPv6 (RFC 8200) down to the transport header; fragments are
 * counted and skipped, not reassembled. */
#include "tlswhy/packet.h"

#include <string.h>

#include "decode_internal.h"

/* why strings must be static, so each too-small header length gets its own. */
static const char *const IHL_TOO_SMALL[5] = {
    "ipv4: header length 0 < 5", "ipv4: header length 1 < 5", "ipv4: header length 2 < 5",
    "ipv4: header length 3 < 5", "ipv4: header length 4 < 5",
};

static void set_addr(struct tw_ip *ip, uint8_t family, const uint8_t *b, size_t n)
{
    memset(ip, 0, sizeof *ip);
    ip->family = family;
    if (b)
        memcpy(ip->b, b, n);
}

static int not_tcp(struct tw_dec_ctx *c, struct tw_rd *r, const char *why)
{
    c->st->not_tcp++;
    return tw_dec_skip(r, why);
}

/* The protocol after an IP header (IPv4 protocol or the last IPv6 next header). */
static int upper(struct tw_dec_ctx *c, struct tw_rd *r, uint8_t protocol)
{
    switch (protocol) {
    case 6:
        return tw_dec_tcp(c, r);
    case 17:
        return tw_dec_udp(c, r);
    case 4:  /* IPv4 in IP, RFC 2003 */
    case 41: /* IPv6 in IP, RFC 4213 */
        if (tw_dec_tunnel_enter(c, r) != TW_OK)
            return TW_E_MALFORMED;
        c->st->ip_in_ip++;
        return tw_dec_ip(c, r, protocol == 4 ? 4 : 6);
    default:
        return not_tcp(c, r, "ip: not TCP");
    }
}

/* IPv4 header, RFC 791 §3.1:
 *   uint8 version(4) ihl(4); uint8 tos; uint16 total_length; uint16 identification;
 *   uint16 flags(3) fragment_offset(13); uint8 ttl; uint8 protocol; uint16 header_checksum;
 *   uint8 source[4]; uint8 destination[4]; opaque options[(ihl - 5) * 4]; */
static int ipv4(struct tw_dec_ctx *c, struct tw_rd *r)
{
    if (tw_dec_need(c, r, 20, "ipv4: header longer than frame", "ipv4: header cut by snaplen"))
        return TW_E_MALFORMED;
    /* The fixed part is read from a copy, a 32-bit word at a time (this runs for every frame);
     * r then takes the whole header, options included, for the checksum. */
    struct tw_rd h = *r;
    uint32_t w0 = tw_rd_u32(&h);                       /* version, ihl, tos, total_length */
    uint16_t frag = (uint16_t)tw_rd_u32(&h);           /* identification, flags, fragment_offset */
    uint8_t protocol = (uint8_t)(tw_rd_u32(&h) >> 16); /* ttl, protocol, header_checksum */
    uint8_t vihl = (uint8_t)(w0 >> 24);
    uint16_t total_length = (uint16_t)w0;
    const uint8_t *src = tw_rd_take(&h, 4);
    const uint8_t *dst = tw_rd_take(&h, 4);

    if (vihl >> 4 != 4)
        return tw_dec_malformed(r, "ipv4: version is not 4");
    size_t ihl = vihl & 0x0f;
    if (ihl < 5)
        return tw_dec_malformed(r, IHL_TOO_SMALL[ihl]);
    if (tw_dec_need(c, r, ihl * 4, "ipv4: options longer than frame",
                    "ipv4: options cut by snaplen"))
        return TW_E_MALFORMED;
    const uint8_t *hdr = tw_rd_take(r, ihl * 4);
    if (tw_dec_csum_fold(tw_dec_csum_add32(0, hdr, ihl)) != 0xffff) {
        c->st->bad_ip_csum++;
        c->out->ip_csum_bad = true;
    }
    /* 0: segmentation offload on the sending host left it for the NIC to fill in. */
    if (total_length != 0) {
        if (total_length < ihl * 4)
            return tw_dec_malformed(r, "ipv4: total length shorter than header");
        if (tw_dec_trim(c, r, total_length - ihl * 4, "ipv4: total length exceeds frame"))
            return TW_E_MALFORMED;
    }
    set_addr(&c->out->src.ip, 4, src, 4);
    set_addr(&c->out->dst.ip, 4, dst, 4);
    c->out->ip_version = 4;
    if ((frag & 0x2000) != 0 || (frag & 0x1fff) != 0) { /* MF, or a later fragment */
        c->st->ip_fragments++;
        return tw_dec_skip(r, "ipv4: fragment");
    }
    return upper(c, r, protocol);
}

/* A header of the IPv6 extension chain needs `n` more bytes. */
static int ext_need(struct tw_dec_ctx *c, struct tw_rd *r, size_t n)
{
    return tw_dec_need(c, r, n, "ipv6: extension header longer than packet",
                       "ipv6: extension header cut by snaplen");
}

/* IPv6 extension headers, RFC 8200 §4, walked until a header we do not skip:
 *   generic (hop-by-hop 0, routing 43, destination options 60, mobility 135, HIP 139,
 *   shim6 140): uint8 next_header; uint8 hdr_ext_len; opaque data[hdr_ext_len * 8 + 6];
 *   fragment (44): uint8 next_header; uint8 reserved; uint16 offset(13) res(2) m(1);
 *                  uint32 identification;
 *   AH (51, RFC 4302 §2): uint8 next_header; uint8 payload_len; opaque rest[(payload_len+2)*4-2];
 * Each step consumes at least 8 bytes, so the walk ends with the packet. */
static int ipv6_chain(struct tw_dec_ctx *c, struct tw_rd *r, uint8_t nh)
{
    for (;;) {
        uint8_t len;
        switch (nh) {
        case 0:
        case 43:
        case 60:
        case 135:
        case 139:
        case 140:
            if (ext_need(c, r, 2))
                return TW_E_MALFORMED;
            nh = tw_rd_u8(r);
            len = tw_rd_u8(r);
            if (ext_need(c, r, (size_t)len * 8 + 6))
                return TW_E_MALFORMED;
            tw_rd_skip(r, (size_t)len * 8 + 6);
            break;
        case 44: {
            if (ext_need(c, r, 8))
                return TW_E_MALFORMED;
            nh = tw_rd_u8(r);
            tw_rd_u8(r); /* reserved */
            uint16_t off_m = tw_rd_u16(r);
            tw_rd_u32(r); /* identification */
            /* Offset 0 without M is an "atomic fragment" (RFC 6946): a whole packet. */
            if ((off_m & 0xfff8) != 0 || (off_m & 1) != 0) {
                c->st->ip_fragments++;
                return tw_dec_skip(r, "ipv6: fragment");
            }
            break;
        }
        case 51:
            if (ext_need(c, r, 2))
                return TW_E_MALFORMED;
            nh = tw_rd_u8(r);
            len = tw_rd_u8(r);
            if (ext_need(c, r, ((size_t)len + 2) * 4 - 2))
                return TW_E_MALFORMED;
            tw_rd_skip(r, ((size_t)len + 2) * 4 - 2);
            break;
        default:
            return upper(c, r, nh);
        }
    }
}

/* IPv6 header, RFC 8200 §3:
 *   uint32 version(4) traffic_class(8) flow_label(20); uint16 payload_length;
 *   uint8 next_header; uint8 hop_limit; uint8 source[16]; uint8 destination[16]; */
static int ipv6(struct tw_dec_ctx *c, struct tw_rd *r)
{
    if (tw_dec_need(c, r, 40, "ipv6: header longer than frame", "ipv6: header cut by snaplen"))
        return TW_E_MALFORMED;
    uint32_t vtf = tw_rd_u32(r);
    uint16_t payload_length = tw_rd_u16(r);
    uint8_t nh = tw_rd_u8(r);
    tw_rd_u8(r); /* hop_limit */
    const uint8_t *src = tw_rd_take(r, 16);
    const uint8_t *dst = tw_rd_take(r, 16);
    if (vtf >> 28 != 6)
        return tw_dec_malformed(r, "ipv6: version is not 6");
    /* 0: a jumbogram (RFC 2675) or segmentation offload; either way the rest of the frame. */
    if (payload_length != 0 &&
        tw_dec_trim(c, r, payload_length, "ipv6: payload length exceeds frame") != TW_OK)
        return TW_E_MALFORMED;
    set_addr(&c->out->src.ip, 6, src, 16);
    set_addr(&c->out->dst.ip, 6, dst, 16);
    c->out->ip_version = 6;
    return ipv6_chain(c, r, nh);
}

int tw_dec_ip(struct tw_dec_ctx *c, struct tw_rd *r, int version)
{
    if (version == 0) { /* raw IP: the first nibble says which */
        if (tw_dec_need(c, r, 1, "ip: empty packet", "ip: header cut by snaplen"))
            return TW_E_MALFORMED;
        struct tw_rd peek = *r;
        version = tw_rd_u8(&peek) >> 4;
        if (version != 4 && version != 6)
            return tw_dec_malformed(r, "ip: version is neither 4 nor 6");
    }
    return version == 4 ? ipv4(c, r) : ipv6(c, r);
}
