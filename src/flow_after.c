/* flow_after.c: the post-verdict form of a connection (tw_conn_settle). Once the consumer has
 * reported a connection's verdict it needs only what the close may still add: FIN and RST per
 * side, when each side last spoke (and the time before that) and whether it spoke after the
 * other's FIN (the keep-alive race, diag_keepalive.c), and what a second report prints (SYN,
 * SYN-ACK, bytes). Those 120 bytes replace the 432-byte struct tw_ev_tcp between packets, so
 * that a connection kept open after its verdict costs its entry and little more (docs/tcp.md).
 * A plain segment (data or ACK, no SYN/FIN/RST, both directions done) updates the form in
 * place (tw_flow_after_segment), as unpacking, the general path and packing again would;
 * every other packet, and the close, unpacks it into the table's after_scratch and packs it
 * again after. Facts the form does not keep are
 * dropped at the first pack (first payload frames, retransmissions, SYN-ACK count, RST stream
 * positions: nothing after a verdict reads them); a fact it cannot hold (a gap or a lost byte
 * after the verdict, held out-of-order bytes, a frame or time too far from the first) keeps
 * the full record instead. */
#include "reasm.h"

#include <stdlib.h>
#include <string.h>

/* Frame and time relative to the connection's start; false when they do not fit. */
static bool put(const struct tw_conn *c, struct tw_tcp_after *a, int i, uint64_t frame, int64_t ts)
{
    if (!frame) {
        a->frame[i] = 0;
        a->us[i] = 0;
        return true;
    }
    int64_t dt = ts - c->first_ts;
    if (frame < c->first_frame || frame - c->first_frame >= UINT32_MAX || dt < INT32_MIN ||
        dt > INT32_MAX)
        return false;
    a->frame[i] = (uint32_t)(frame - c->first_frame + 1);
    a->us[i] = (int32_t)dt;
    return true;
}

static void get(const struct tw_conn *c, const struct tw_tcp_after *a, int i, uint64_t *frame,
                int64_t *ts)
{
    *frame = a->frame[i] ? c->first_frame + a->frame[i] - 1 : 0;
    *ts = a->frame[i] ? c->first_ts + a->us[i] : 0;
}

/* What the compact form does not hold must be nothing. */
static bool fits(const struct tw_ev_tcp *e)
{
    for (int d = 0; d < 2; d++)
        if (e->gaps[d] || e->gap_bytes[d] || e->first_gap_frame[d] || e->overlap_conflicts[d] ||
            e->partial_overlaps[d] || e->ooo_dropped[d] || e->snap_lost[d] ||
            e->data_after_fin[d] > UINT32_MAX)
            return false;
    return !e->close_reason;
}

static bool pack(const struct tw_conn *c, const struct tw_ev_tcp *e, struct tw_tcp_after *a)
{
    /* Held out-of-order bytes can be given up from another connection's packet (the pool's
     * total cap), which writes the facts: a connection holding some keeps the full record. */
    if (c->dir[0].ooo || c->dir[1].ooo || !fits(e) ||
        !put(c, a, TW_AF_SYN, e->syn_frame, e->syn_ts) ||
        !put(c, a, TW_AF_SYNACK, e->synack_frame, e->synack_ts))
        return false;
    for (int d = 0; d < 2; d++) {
        if (!put(c, a, TW_AF_FIN + d, e->fin_frame[d], e->fin_ts[d]) ||
            !put(c, a, TW_AF_RST + d, e->rst_frame[d], e->rst_ts[d]) ||
            !put(c, a, TW_AF_LAST + d, e->last_data_frame[d], e->last_data_ts[d]) ||
            !put(c, a, TW_AF_PREV + d, e->prev_data_frame[d], e->prev_data_ts[d]) ||
            !put(c, a, TW_AF_LATE + d, e->late_data_frame[d], e->late_data_ts[d]))
            return false;
        a->bytes[d] = e->bytes[d];
        a->data_after_fin[d] = (uint32_t)e->data_after_fin[d];
    }
    return true;
}

void tw_flow_after_unpack(struct tw_flow_table *t, struct tw_conn *c)
{
    if (!c->after || c->tcp)
        return;
    struct tw_ev_tcp *e = &t->after_scratch;
    const struct tw_tcp_after *a = c->after;
    memset(e, 0, sizeof *e);
    e->first_frame = c->first_frame;
    e->first_ts = c->first_ts;
    e->last_frame = c->last_frame;
    e->last_ts = c->last_ts;
    e->syn_count = c->syn_count;
    e->mid_stream = (c->state & TW_CONN_MID) != 0;
    get(c, a, TW_AF_SYN, &e->syn_frame, &e->syn_ts);
    get(c, a, TW_AF_SYNACK, &e->synack_frame, &e->synack_ts);
    for (int d = 0; d < 2; d++) {
        get(c, a, TW_AF_FIN + d, &e->fin_frame[d], &e->fin_ts[d]);
        get(c, a, TW_AF_RST + d, &e->rst_frame[d], &e->rst_ts[d]);
        get(c, a, TW_AF_LAST + d, &e->last_data_frame[d], &e->last_data_ts[d]);
        get(c, a, TW_AF_PREV + d, &e->prev_data_frame[d], &e->prev_data_ts[d]);
        get(c, a, TW_AF_LATE + d, &e->late_data_frame[d], &e->late_data_ts[d]);
        e->bytes[d] = a->bytes[d];
        e->data_after_fin[d] = a->data_after_fin[d];
    }
    c->tcp = e;
}

void tw_flow_after_pack(struct tw_flow_table *t, struct tw_conn *c)
{
    if (!(c->state & TW_CONN_SETTLED) || (c->state & TW_CONN_CLOSED) || !c->tcp)
        return;
    if (!c->after) {
        c->after = malloc(sizeof *c->after);
        if (c->after)
            tw_flow_mem(&t->st, (int64_t)sizeof *c->after);
    }
    struct tw_tcp_after a;
    if (c->after && pack(c, c->tcp, &a)) {
        *c->after = a;
        c->syn_count = c->tcp->syn_count;
        if (c->tcp->mid_stream)
            c->state |= TW_CONN_MID;
        if (c->tcp != &t->after_scratch) {
            tw_flow_mem(&t->st, -(int64_t)sizeof *c->tcp);
            free(c->tcp);
        }
        c->tcp = NULL;
        return;
    }
    /* The full record from now on (or out of memory: the same, with its facts kept). */
    c->state &= (uint8_t)~TW_CONN_SETTLED;
    if (c->tcp == &t->after_scratch) {
        struct tw_ev_tcp *e = malloc(sizeof *e);
        if (!e) { /* nowhere to keep it: settled it stays, as it was before this packet */
            c->state |= TW_CONN_SETTLED;
            c->tcp = NULL;
            return;
        }
        tw_flow_mem(&t->st, (int64_t)sizeof *e);
        *e = t->after_scratch;
        c->tcp = e;
    }
    if (c->after) {
        tw_flow_mem(&t->st, -(int64_t)sizeof *c->after);
        free(c->after);
        c->after = NULL;
    }
}

/* Frame and time fit the form (as put() checks them). */
static bool fits_at(const struct tw_conn *c, uint64_t frame, int64_t ts)
{
    int64_t dt = ts - c->first_ts;
    return frame >= c->first_frame && frame - c->first_frame < UINT32_MAX && dt >= INT32_MIN &&
           dt <= INT32_MAX;
}

bool tw_flow_after_segment(struct tw_conn *c, const struct tw_pkt *p, enum tw_dir d)
{
    enum tw_dir od = TW_DIR_OTHER(d);
    struct tw_reasm *r = &c->dir[d], *o = &c->dir[od];
    struct tw_tcp_after *a = c->after;
    uint64_t fno = p->frame->no;
    int64_t ts = p->frame->ts_us;
    /* What the general path would do differently for: a SYN, FIN or RST, lost bytes, held
     * bytes, a FIN seen or pending, two SYN-ACK ISNs, an ISN not known yet. */
    if (!a || c->tcp || (p->flags & (TW_TCP_SYN | TW_TCP_FIN | TW_TCP_RST)) || p->lost ||
        (c->state & (TW_CONN_OPENED | TW_CONN_SETTLED | TW_CONN_CLOSED)) !=
            (TW_CONN_OPENED | TW_CONN_SETTLED) ||
        !(r->flags & o->flags & TW_RA_HAS_ISN) ||
        ((r->flags | o->flags) & (TW_RA_FIN | TW_RA_ISN_ALT)) || r->ooo || o->ooo ||
        a->frame[TW_AF_FIN] || a->frame[TW_AF_FIN + 1])
        return false;
    /* Payload goes to a direction that still delivers, or at a frame or time the form cannot
     * hold (the full record from then on); an ACK past what was seen is a gap the consumer
     * hears of while its direction still delivers. */
    if (p->payload_len && (!(r->flags & TW_RA_DONE) || !fits_at(c, fno, ts)))
        return false;
    int64_t acked = (p->flags & TW_TCP_ACK) ? tw_reasm_offset(o, p->ack) : 0;
    bool acks_more = (p->flags & TW_TCP_ACK) && acked > (int64_t)o->next;
    if (acks_more && !(o->flags & TW_RA_DONE))
        return false;

    if (p->payload_len) {
        /* note_data_time (flow_packet.c) before the other side's FIN */
        uint32_t f = (uint32_t)(fno - c->first_frame + 1);
        if (a->frame[TW_AF_LAST + d] != f) {
            a->frame[TW_AF_PREV + d] = a->frame[TW_AF_LAST + d];
            a->us[TW_AF_PREV + d] = a->us[TW_AF_LAST + d];
            a->frame[TW_AF_LAST + d] = f;
            a->us[TW_AF_LAST + d] = (int32_t)(ts - c->first_ts);
        }
        /* tw_reasm_data on a direction done: the stream only moves on */
        int64_t end = tw_reasm_offset(r, p->seq) + (int64_t)p->payload_len;
        if (end > (int64_t)r->next)
            r->next = a->bytes[d] = (uint64_t)end;
    }
    /* tw_reasm_acked on a direction done without a FIN: the bytes acknowledged are a gap
     * nobody is told of */
    if (acks_more)
        o->next = a->bytes[od] = (uint64_t)acked;
    return true;
}

void tw_flow_tcp_free(struct tw_flow_table *t, struct tw_conn *c)
{
    if (c->tcp && c->tcp != &t->scratch && c->tcp != &t->after_scratch) {
        tw_flow_mem(&t->st, -(int64_t)sizeof *c->tcp);
        free(c->tcp);
    }
    c->tcp = NULL;
    if (c->after) {
        tw_flow_mem(&t->st, -(int64_t)sizeof *c->after);
        free(c->after);
        c->after = NULL;
    }
}
