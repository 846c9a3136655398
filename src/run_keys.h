/* run_keys.h: the key log of a run, from --keylog and the pcapng Decryption Secrets Blocks of
 * the input files. */
#ifndef TLSWHY_RUN_KEYS_H
#define TLSWHY_RUN_KEYS_H

#include "run.h"
#include "tlswhy/keylog.h"

/* Loads o->keylog, then the secrets blocks of each -r file (stdin excluded: it cannot be read
 * twice; a warning says so when --keylog is not given). *out is NULL when there is no secret
 * source at all. Returns TW_OK, or TW_E_IO / TW_E_NOMEM when --keylog cannot be read (a broken
 * secrets block is only warned about). */
int tw_run_keys_load(const struct tw_opts *o, struct tw_keylog **out);

#endif
