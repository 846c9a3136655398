/* decode_tunnel.c: UDP, and the tunnels inside it that carry whole frames or packets: VXLAN
 * (RFC 7348), GENEVE (RFC 8926) and GTP-U (3GPP TS 29.281), each removed down to the inner
 * frame, at most TW_DEC_MAX_TUNNELS deep. Dispatch is by the standard destination port, which
 * is how tunnel endpoints themselves recognise these. */
#include "tlswhy/packet.h"

#include "decode_internal.h"

int tw_dec_tunnel_enter(struct tw_dec_ctx *c, struct tw_rd *r)
{
    if (c->depth >= TW_DEC_MAX_TUNNELS)
        return tw_dec_malformed(r, "tunnel: nested more than 4 deep");
    c->depth++;
    c->out->tunnel_depth = (uint8_t)c->depth;
    return TW_OK;
}

/* VXLAN header, RFC 7348 §5: uint8 flags (I = 0x08: the VNI is valid); uint24 reserved;
 *   uint24 vni; uint8 reserved; then the inner Ethernet frame. */
static int vxlan(struct tw_dec_ctx *c, struct tw_rd *r)
{
    if (tw_dec_need(c, r, 8, "vxlan: header longer than datagram", "vxlan: header cut by snaplen"))
        return TW_E_MALFORMED;
    uint8_t flags = tw_rd_u8(r);
    tw_rd_skip(r, 7); /* reserved, vni, reserved */
    if ((flags & 0x08) == 0)
        return tw_dec_malformed(r, "vxlan: I flag not set");
    if (tw_dec_tunnel_enter(c, r) != TW_OK)
        return TW_E_MALFORMED;
    c->st->vxlan++;
    return tw_dec_ether(c, r);
}

/* GENEVE header, RFC 8926 §3.4: uint8 ver(2) opt_len(6); uint8 o(1) c(1) rsvd(6);
 *   uint16 protocol_type; uint24 vni; uint8 reserved; opaque options[opt_len * 4];
 *   then the inner frame: protocol_type 0x6558 is Ethernet, otherwise an ethertype. */
static int geneve(struct tw_dec_ctx *c, struct tw_rd *r)
{
    if (tw_dec_need(c, r, 8, "geneve: header longer than datagram",
                    "geneve: header cut by snaplen"))
        return TW_E_MALFORMED;
    uint8_t ver_optlen = tw_rd_u8(r);
    tw_rd_u8(r); /* o, c, rsvd */
    uint16_t protocol_type = tw_rd_u16(r);
    tw_rd_u32(r); /* vni, reserved */
    if (ver_optlen >> 6 != 0)
        return tw_dec_malformed(r, "geneve: version is not 0");
    size_t optlen = (size_t)(ver_optlen & 0x3f) * 4;
    if (tw_dec_need(c, r, optlen, "geneve: options longer than datagram",
                    "geneve: options cut by snaplen"))
        return TW_E_MALFORMED;
    tw_rd_skip(r, optlen); /* options: metadata for the endpoints, nothing we need */
    if (tw_dec_tunnel_enter(c, r) != TW_OK)
        return TW_E_MALFORMED;
    c->st->geneve++;
    if (protocol_type == 0x6558)
        return tw_dec_ether(c, r);
    return tw_dec_ethertype(c, r, protocol_type);
}

/* GTP-U header, 3GPP TS 29.281 §5.1-5.2:
 *   uint8 version(3) pt(1) spare(1) e(1) s(1) pn(1); uint8 message_type (255: G-PDU);
 *   uint16 length (bytes after these first 8); uint32 teid;
 *   if e|s|pn: uint16 sequence_number; uint8 n_pdu_number; uint8 next_extension_type;
 *   while next_extension_type != 0:
 *     { uint8 length (4-byte units, >= 1); opaque content[length * 4 - 2]; uint8 next_type; }
 *   then a G-PDU carries one IP packet. */
static int gtpu(struct tw_dec_ctx *c, struct tw_rd *r)
{
    if (tw_dec_need(c, r, 8, "gtp: header longer than datagram", "gtp: header cut by snaplen"))
        return TW_E_MALFORMED;
    uint8_t flags = tw_rd_u8(r);
    uint8_t type = tw_rd_u8(r);
    uint16_t length = tw_rd_u16(r);
    tw_rd_u32(r); /* teid */
    if (flags >> 5 != 1 || (flags & 0x10) == 0 || type != 255) {
        c->st->not_tcp++; /* GTP' or signalling (echo, error indication): no user packet */
        return tw_dec_skip(r, "gtp: not a GTPv1-U G-PDU");
    }
    if (tw_dec_trim(c, r, length, "gtp: length exceeds datagram") != TW_OK)
        return TW_E_MALFORMED;
    if ((flags & 0x07) != 0) {
        if (tw_dec_need(c, r, 4, "gtp: optional fields longer than packet",
                        "gtp: header cut by snaplen"))
            return TW_E_MALFORMED;
        tw_rd_skip(r, 3); /* sequence_number, n_pdu_number */
        uint8_t next = tw_rd_u8(r);
        while (next != 0) { /* each extension consumes >= 4 bytes */
            if (tw_dec_need(c, r, 1, "gtp: extension header longer than packet",
                            "gtp: header cut by snaplen"))
                return TW_E_MALFORMED;
            size_t units = tw_rd_u8(r);
            if (units == 0)
                return tw_dec_malformed(r, "gtp: extension header of length 0");
            if (tw_dec_need(c, r, units * 4 - 1, "gtp: extension header longer than packet",
                            "gtp: header cut by snaplen"))
                return TW_E_MALFORMED;
            tw_rd_skip(r, units * 4 - 2);
            next = tw_rd_u8(r);
        }
    }
    if (tw_dec_tunnel_enter(c, r) != TW_OK)
        return TW_E_MALFORMED;
    c->st->gtp++;
    return tw_dec_ip(c, r, 0);
}

/* UDP header, RFC 768: uint16 source_port; uint16 destination_port; uint16 length (header
 *   included); uint16 checksum;   (the checksum is not verified: tunnels often leave it 0) */
int tw_dec_udp(struct tw_dec_ctx *c, struct tw_rd *r)
{
    if (tw_dec_need(c, r, 8, "udp: header longer than packet", "udp: header cut by snaplen"))
        return TW_E_MALFORMED;
    tw_rd_u16(r); /* source_port */
    uint16_t dst = tw_rd_u16(r);
    uint16_t length = tw_rd_u16(r);
    tw_rd_u16(r); /* checksum */
    if (dst != 4789 && dst != 6081 && dst != 2152) {
        c->st->not_tcp++;
        return tw_dec_skip(r, "udp: not a tunnel");
    }
    /* 0: a UDP jumbogram or offload, as with IP: the rest of the packet. */
    if (length != 0) {
        if (length < 8)
            return tw_dec_malformed(r, "udp: length shorter than header");
        if (tw_dec_trim(c, r, (size_t)length - 8, "udp: length exceeds packet") != TW_OK)
            return TW_E_MALFORMED;
    }
    if (dst == 4789)
        return vxlan(c, r);
    if (dst == 6081)
        return geneve(c, r);
    return gtpu(c, r);
}
