/* report_dec.h: the words both reporters use for a connection's key log decryption. */
#ifndef TLSWHY_REPORT_DEC_H
#define TLSWHY_REPORT_DEC_H

#include "tlswhy/ev_tls.h"

/* "decrypted", "failed", "unsupported", "no_secrets" or "nothing_decrypted"; NULL when there
 * is nothing to say (no key log given, or no ClientHello). */
const char *tw_rep_dec_status(const struct tw_ev_tls *t);
/* One sentence for that status ("record at frame 6 (server) failed authentication: ..."). */
const char *tw_rep_dec_reason(const struct tw_ev_tls *t, char *buf, size_t n);

#endif
