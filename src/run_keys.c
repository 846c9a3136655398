/* run_keys.c: one key log for the whole run. The files' secrets blocks are read before any
 * packet, so a connection finds its secrets wherever the block sits in the file. */
#include "run_keys.h"

#include <string.h>
#include <sys/stat.h>

#include "tlswhy/capture.h"
#include "tlswhy/log.h"

static int add_block(void *ctx, const uint8_t *data, size_t len)
{
    return tw_keylog_add_text(ctx, data, len);
}

static void report(const char *what, const struct tw_keylog *k)
{
    const struct tw_keylog_stats *st = tw_keylog_stats(k);
    if (st->junk)
        tw_log(TW_LOG_WARN,
               "%s: %llu line(s) are not key log lines (first: line %llu); they were skipped",
               what, (unsigned long long)st->junk, (unsigned long long)st->first_junk);
    if (st->dropped)
        tw_log(TW_LOG_WARN, "%s: more than %d connections; %llu secret(s) dropped", what,
               TW_KEYLOG_DEFAULT_MAX, (unsigned long long)st->dropped);
    tw_log(TW_LOG_DEBUG, "%s: %llu secrets for %llu connections, %llu unused lines", what,
           (unsigned long long)st->secrets, (unsigned long long)st->randoms,
           (unsigned long long)st->ignored);
}

int tw_run_keys_load(const struct tw_opts *o, struct tw_keylog **out)
{
    char err[512];
    *out = NULL;
    struct tw_keylog *k = tw_keylog_new(0);
    if (!k)
        return TW_E_NOMEM;
    if (o->keylog) {
        /* live: SSLKEYLOGFILE grows while we capture */
        int rc = o->iface ? tw_keylog_follow(k, o->keylog, err, sizeof err)
                          : tw_keylog_load_file(k, o->keylog, err, sizeof err);
        if (rc != TW_OK) {
            tw_log(TW_LOG_ERROR, "--keylog %s", err);
            tw_keylog_free(k);
            return rc;
        }
        report(o->keylog, k);
    }
    bool blocks = false;
    for (size_t i = 0; i < o->file_count && !o->iface; i++) {
        if (strcmp(o->files[i], "-") == 0) {
            if (!o->keylog)
                tw_log(TW_LOG_DEBUG, "stdin: pcapng secrets blocks are not read from stdin; "
                                    "give them with --keylog");
            continue;
        }
        struct stat st;
        if (stat(o->files[i], &st) != 0 || !S_ISREG(st.st_mode)) {
            /* a pipe (-r <(zcat ...)) would lose its first bytes to a second reader */
            tw_log(TW_LOG_DEBUG, "%s: not a regular file: secrets blocks not read",
                   o->files[i]);
            continue;
        }
        uint64_t before = tw_keylog_stats(k)->secrets;
        size_t skipped = 0;
        int rc = tw_cap_pcapng_secrets(o->files[i], add_block, k, &skipped, err, sizeof err);
        if (rc == TW_E_NOMEM) {
            tw_keylog_free(k);
            return rc;
        }
        if (rc != TW_OK && rc != TW_E_IO) /* an unreadable file is reported by its reader */
            tw_log(TW_LOG_WARN, "%s", err);
        if (skipped)
            tw_log(TW_LOG_WARN, "%s: %zu secrets block(s) longer than %u bytes skipped",
                   o->files[i], skipped, TW_DSB_MAX);
        if (tw_keylog_stats(k)->secrets > before)
            blocks = true;
    }
    if (!o->keylog && !blocks) {
        tw_keylog_free(k);
        return TW_OK;
    }
    *out = k;
    return TW_OK;
}
