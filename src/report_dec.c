/* report_dec.c: a connection's key log decryption status, from ev->tls->dec. */
#include "report_dec.h"

#include <stdio.h>

const char *tw_rep_dec_status(const struct tw_ev_tls *t)
{
    if (!t || !t->dec.keylog || !t->ch.present)
        return NULL;
    const struct tw_decryption *d = &t->dec;
    if (d->failed_frame)
        return "failed";
    if (d->unsupported)
        return "unsupported";
    if (d->records[0] + d->records[1] > 0)
        return "decrypted";
    if (d->secrets == 0)
        return "no_secrets";
    return "nothing_decrypted";
}

const char *tw_rep_dec_reason(const struct tw_ev_tls *t, char *buf, size_t n)
{
    const char *st = tw_rep_dec_status(t);
    const struct tw_decryption *d = &t->dec;
    buf[0] = '\0';
    if (!st)
        return buf;
    if (d->failed_frame)
        snprintf(buf, n,
                 "the %s's record at frame %llu failed authentication with the key log's "
                 "secret (a key log from another session, or corrupted bytes); that direction "
                 "was not decrypted from there on",
                 d->failed_dir == TW_DIR_C2S ? "client" : "server",
                 (unsigned long long)d->failed_frame);
    else if (d->unsupported)
        snprintf(buf, n, "%s", d->unsupported);
    else if (d->records[0] + d->records[1] > 0)
        snprintf(buf, n, "%u record(s) from the client and %u from the server decrypted",
                 (unsigned)d->records[0], (unsigned)d->records[1]);
    else if (d->secrets == 0)
        snprintf(buf, n, "the key log holds no secret for this connection's client random");
    else
        snprintf(buf, n, "no record needed the secrets the key log holds for this connection");
    return buf;
}
