/* correlate_early.c: verdicts taken before the close (a connection whose handshake completed
 * and carried data is ok whatever comes next), and the checks the close may still add. */
#include "correlate_int.h"

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
    (void)first, (void)o;
    if (out)
        memset(out, 0, sizeof *out);
    if (!ev || !ev->tcp || !out)
        return false;
    return false; /* nothing to add yet */
}
