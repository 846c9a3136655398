/* decode_link.c: tw_dec_frame and the link layers: Ethernet with VLAN stacks, PPPoE, MPLS,
 * Linux cooked (SLL, SLL2), BSD null/loopback and raw IP. See http://www.tcpdump.org/linktypes. */
#include "tlswhy/packet.h"

#include <string.h>

#include "decode_internal.h"

int tw_dec_frame(const struct tw_frame *f, struct tw_pkt *out, struct tw_dec_stats *st,
                 struct tw_rd_err *why)
{
    if (tw_dec_fast(f, out, st)) {
        if (why)
            *why = (struct tw_rd_err){.code = TW_OK};
        return TW_OK;
    }
    return tw_dec_frame_general(f, out, st, why);
}

int tw_dec_frame_general(const struct tw_frame *f, struct tw_pkt *out, struct tw_dec_stats *st,
                         struct tw_rd_err *why)
{
    struct tw_rd_err local;
    struct tw_pkt pkt;
    struct tw_dec_ctx c = {.f = f, .out = &pkt, .st = st};

    if (!why)
        why = &local;
    memset(&pkt, 0, sizeof pkt);
    pkt.frame = f;
    c.cut = f->wirelen > f->caplen ? f->wirelen - f->caplen : 0;
    struct tw_rd r = tw_rd_make(f->bytes, f->bytes ? f->caplen : 0, why);
    st->frames++;
    int rc = tw_dec_link(&c, &r, f->linktype);
    if (rc == TW_OK) {
        st->tcp++;
        *out = pkt;
    } else if (rc == TW_E_MALFORMED) {
        st->malformed++;
    }
    return rc;
}

int tw_dec_malformed(struct tw_rd *r, const char *why)
{
    tw_rd_fail(r, TW_E_MALFORMED, why);
    return TW_E_MALFORMED;
}

int tw_dec_skip(struct tw_rd *r, const char *why)
{
    tw_rd_fail(r, TW_E_UNSUPPORTED, why);
    return TW_E_UNSUPPORTED;
}

int tw_dec_need(struct tw_dec_ctx *c, struct tw_rd *r, size_t need, const char *short_why,
                const char *cut_why)
{
    size_t left = tw_rd_left(r);
    if (left >= need)
        return TW_OK;
    return tw_dec_malformed(r, need - left <= c->cut ? cut_why : short_why);
}

int tw_dec_trim(struct tw_dec_ctx *c, struct tw_rd *r, size_t len, const char *why)
{
    size_t left = tw_rd_left(r);
    if (len <= left) {
        *r = tw_rd_sub(r, len); /* what follows (Ethernet padding, trailers) is not ours */
        c->cut = 0;
        return TW_OK;
    }
    if (len - left <= c->cut) {
        c->cut = (uint32_t)(len - left);
        return TW_OK;
    }
    return tw_dec_malformed(r, why);
}

static int not_ip(struct tw_dec_ctx *c, struct tw_rd *r, const char *why)
{
    c->st->not_ip++;
    return tw_dec_skip(r, why);
}

/* PPPoE session stage, RFC 2516 §4, carrying PPP (RFC 1661 §2):
 *   uint8 ver_type (0x11); uint8 code (0x00); uint16 session_id;
 *   uint16 length;                  (the PPP frame that follows)
 *   uint16 protocol;                (0x0021 IPv4, 0x0057 IPv6; 1 byte if compressed, RFC 1661 §6.5)
 *   opaque information[length - 2]; */
static int pppoe(struct tw_dec_ctx *c, struct tw_rd *r)
{
    if (tw_dec_need(c, r, 7, "pppoe: header longer than frame", "pppoe: header cut by snaplen"))
        return TW_E_MALFORMED;
    uint8_t ver_type = tw_rd_u8(r);
    uint8_t code = tw_rd_u8(r);
    tw_rd_u16(r); /* session_id */
    uint16_t length = tw_rd_u16(r);
    if (ver_type != 0x11)
        return tw_dec_malformed(r, "pppoe: version/type is not 1/1");
    if (code != 0)
        return tw_dec_malformed(r, "pppoe: session frame with a non-zero code");
    if (tw_dec_trim(c, r, length, "pppoe: length exceeds frame") != TW_OK)
        return TW_E_MALFORMED;
    if (tw_dec_need(c, r, 1, "ppp: no protocol field", "ppp: header cut by snaplen"))
        return TW_E_MALFORMED;
    uint16_t protocol = tw_rd_u8(r);
    if ((protocol & 1) == 0) { /* an uncompressed field's first byte is even */
        if (tw_dec_need(c, r, 1, "ppp: no protocol field", "ppp: header cut by snaplen"))
            return TW_E_MALFORMED;
        protocol = (uint16_t)(protocol << 8 | tw_rd_u8(r));
    }
    if (protocol == 0x0021)
        return tw_dec_ip(c, r, 4);
    if (protocol == 0x0057)
        return tw_dec_ip(c, r, 6);
    return not_ip(c, r, "ppp: not IP");
}

/* MPLS label stack, RFC 3032 §2.1: { uint32 label(20) tc(3) s(1) ttl(8); } until s == 1, then
 * the payload, which MPLS does not label: IPv4 or IPv6 by its first nibble, else skipped. */
static int mpls(struct tw_dec_ctx *c, struct tw_rd *r)
{
    uint32_t entry = 0;
    do {
        if (tw_dec_need(c, r, 4, "mpls: label stack longer than frame",
                        "mpls: label stack cut by snaplen"))
            return TW_E_MALFORMED;
        entry = tw_rd_u32(r);
    } while ((entry & 0x100) == 0);
    if (tw_dec_need(c, r, 1, "mpls: no payload", "mpls: payload cut by snaplen"))
        return TW_E_MALFORMED;
    struct tw_rd peek = *r;
    uint8_t nibble = tw_rd_u8(&peek) >> 4;
    if (nibble == 4 || nibble == 6)
        return tw_dec_ip(c, r, nibble);
    return not_ip(c, r, "mpls: payload is not IP");
}

/* What follows an ethertype (or SLL protocol): IP, VLAN tags, PPPoE or MPLS.
 *   802.1Q / 802.1ad / 0x9100 tag (IEEE 802.1Q §9.6): uint16 tci; uint16 ethertype; */
int tw_dec_ethertype(struct tw_dec_ctx *c, struct tw_rd *r, uint16_t type)
{
    for (;;) {
        switch (type) {
        case 0x0800:
            return tw_dec_ip(c, r, 4);
        case 0x86dd:
            return tw_dec_ip(c, r, 6);
        case 0x8100: /* 802.1Q */
        case 0x88a8: /* 802.1ad (QinQ outer tag) */
        case 0x9100: /* pre-standard QinQ */
            if (tw_dec_need(c, r, 4, "vlan: tag longer than frame", "vlan: tag cut by snaplen"))
                return TW_E_MALFORMED;
            tw_rd_u16(r); /* tci */
            type = tw_rd_u16(r);
            break; /* each tag consumes 4 bytes, so the loop ends with the frame */
        case 0x8864:
            return pppoe(c, r);
        case 0x8847: /* MPLS unicast */
        case 0x8848: /* MPLS multicast */
            return mpls(c, r);
        default:
            return not_ip(c, r, "link: not IP");
        }
    }
}

/* Ethernet II, IEEE 802.3 §3.1 (no preamble, no FCS as libpcap delivers it):
 *   uint8 destination[6]; uint8 source[6]; uint16 ethertype;   (<= 1500: an 802.3 length) */
int tw_dec_ether(struct tw_dec_ctx *c, struct tw_rd *r)
{
    if (tw_dec_need(c, r, 14, "ethernet: frame shorter than 14 bytes",
                    "ethernet: header cut by snaplen"))
        return TW_E_MALFORMED;
    tw_rd_skip(r, 12); /* destination, source */
    uint16_t type = tw_rd_u16(r);
    if (type <= 1500)
        return not_ip(c, r, "ethernet: 802.3 frame (LLC), not IP");
    return tw_dec_ethertype(c, r, type);
}

/* Linux cooked capture v1 (LINKTYPE_LINUX_SLL), 16 bytes:
 *   uint16 packet_type; uint16 arphrd_type; uint16 ll_addr_len; uint8 ll_addr[8]; uint16 protocol;
 * protocol is an ethertype, except for netlink (ARPHRD 824) and values below 1536. */
static int sll(struct tw_dec_ctx *c, struct tw_rd *r)
{
    if (tw_dec_need(c, r, 16, "sll: frame shorter than 16 bytes", "sll: header cut by snaplen"))
        return TW_E_MALFORMED;
    tw_rd_u16(r); /* packet_type */
    uint16_t arphrd = tw_rd_u16(r);
    tw_rd_skip(r, 10); /* ll_addr_len, ll_addr */
    uint16_t protocol = tw_rd_u16(r);
    if (arphrd == 824 || protocol < 1536)
        return not_ip(c, r, "sll: not IP");
    return tw_dec_ethertype(c, r, protocol);
}

/* Linux cooked capture v2 (LINKTYPE_LINUX_SLL2), 20 bytes:
 *   uint16 protocol; uint16 reserved; uint32 if_index; uint16 arphrd_type; uint8 packet_type;
 *   uint8 ll_addr_len; uint8 ll_addr[8]; */
static int sll2(struct tw_dec_ctx *c, struct tw_rd *r)
{
    if (tw_dec_need(c, r, 20, "sll2: frame shorter than 20 bytes", "sll2: header cut by snaplen"))
        return TW_E_MALFORMED;
    uint16_t protocol = tw_rd_u16(r);
    tw_rd_skip(r, 6); /* reserved, if_index */
    uint16_t arphrd = tw_rd_u16(r);
    tw_rd_skip(r, 10); /* packet_type, ll_addr_len, ll_addr */
    if (arphrd == 824 || protocol < 1536)
        return not_ip(c, r, "sll2: not IP");
    return tw_dec_ethertype(c, r, protocol);
}

/* BSD loopback: uint32 family; DLT_NULL writes it in the capturing host's byte order, DLT_LOOP
 * in network order. AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD) or
 * 30 (macOS). */
static int null_loop(struct tw_dec_ctx *c, struct tw_rd *r, bool network_order)
{
    if (tw_dec_need(c, r, 4, "null: frame shorter than 4 bytes", "null: header cut by snaplen"))
        return TW_E_MALFORMED;
    uint32_t family = network_order ? tw_rd_u32(r) : tw_rd_u32le(r);
    if (!network_order && family > 0xffff) /* written big-endian: swap */
        family =
            (family >> 24) | ((family >> 8) & 0xff00) | ((family << 8) & 0xff0000) | (family << 24);
    if (family == 2)
        return tw_dec_ip(c, r, 4);
    if (family == 24 || family == 28 || family == 30)
        return tw_dec_ip(c, r, 6);
    return not_ip(c, r, "null: address family is not IP");
}

int tw_dec_link(struct tw_dec_ctx *c, struct tw_rd *r, int linktype)
{
    switch (linktype) {
    case TW_DLT_EN10MB:
        return tw_dec_ether(c, r);
    case TW_DLT_LINUX_SLL:
        return sll(c, r);
    case TW_DLT_LINUX_SLL2:
        return sll2(c, r);
    case TW_DLT_NULL:
        return null_loop(c, r, false);
    case TW_DLT_LOOP:
        return null_loop(c, r, true);
    case TW_DLT_RAW:
    case TW_DLT_LINKTYPE_RAW:
        return tw_dec_ip(c, r, 0);
    case TW_DLT_IPV4:
        return tw_dec_ip(c, r, 4);
    case TW_DLT_IPV6:
        return tw_dec_ip(c, r, 6);
    default:
        c->st->unsupported_link++;
        return tw_dec_skip(r, "link: unsupported link type");
    }
}

bool tw_dec_linktype_supported(int linktype)
{
    switch (linktype) {
    case TW_DLT_EN10MB:
    case TW_DLT_LINUX_SLL:
    case TW_DLT_LINUX_SLL2:
    case TW_DLT_NULL:
    case TW_DLT_LOOP:
    case TW_DLT_RAW:
    case TW_DLT_LINKTYPE_RAW:
    case TW_DLT_IPV4:
    case TW_DLT_IPV6:
        return true;
    default:
        return false;
    }
}
