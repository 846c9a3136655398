/* tls_settled.c: whether a connection's TLS facts can still change once framing stopped, so
 * that its verdict may be taken at once instead of at the close. */
#include "tls_conn.h"

bool tw_tls_settled(const struct tw_tls_conn *t, const struct tw_evidence *ev)
{
    if (!t || !ev || !ev->tls || !t->s[TW_DIR_C2S].done || !t->s[TW_DIR_S2C].done)
        return false;
    if (!t->tls13)
        return true;
    for (int d = 0; d < 2; d++) {
        const struct tw_tls_side *s = &t->s[d];
        bool alert_sized = s->last_len >= TW_TLS13_ALERT_MIN && s->last_len <= TW_TLS13_ALERT_MAX;
        /* tw_tls_reclassify_last could take this record back from the data count. */
        if (alert_sized && (s->last_class == TW_RC_APP || s->last_class == TW_RC_ENC_HS))
            return false;
    }
    return true;
}
