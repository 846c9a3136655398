/* correlate_early.c: verdicts taken before the close (a connection whose handshake completed
 * and carried data is ok whatever comes next), and the checks the close may still add. */
#include "correlate_int.h"
#include "tlswhy/edge.h"

#include <string.h>

bool tw_corr_final(const struct tw_verdict *v)
{
    if (!v || !v->relevant || v->outcome != TW_OUTCOME_OK || !v->handshake_done || v->alert)
        return false;
    const struct tw_evidence *ev = v->ev;
    if (!ev || !ev->tcp || !ev->tls || tw_corr_decisive_alert(ev->tls))
        return false;
    for (int d = 0; d < 2; d++)
        if (ev->tcp->gaps[d] || ev->tcp->snap_lost[d] || ev->tcp->ooo_dropped[d] ||
            ev->tls->d[d].app_records == 0)
            return false;
    return true;
}

bool tw_corr_after_verdict(const struct tw_evidence *ev, enum tw_outcome first,
                           const struct tw_corr_opts *o, struct tw_verdict *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!ev || !ev->tcp || !out || first != TW_OUTCOME_OK)
        return false;
    /* The second report of a connection already reported ok: what its close added. The TLS
     * facts are gone, so the line names the connection (id, addresses) but not the SNI. */
    out->ev = ev;
    out->outcome = TW_OUTCOME_OK;
    out->relevant = true;
    out->handshake_done = true;
    out->syn_to_synack_ms = out->hello_to_server_hello_ms = out->handshake_ms = -1;
    const struct tw_profile *prof = o ? o->profile : NULL;
    if (!tw_diag_keepalive_verdict(ev, prof, out))
        return false;
    tw_diag_edge_quote(prof, out);
    tw_diag_edge_judge(ev, NULL, prof, out);
    tw_corr_sort_frames(out);
    return true;
}
