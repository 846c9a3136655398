/* fuzz_diag_profile.c: libFuzzer harness for the edge-profile parser (tw_profile_parse): any
 * bytes as a profile file. A parse that succeeds must leave a usable profile (a name, lists
 * within their capacity); one that fails must name a reason. Seeds: profiles/ (fuzz/seeds). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlswhy/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tw_profile p;
    struct tw_profile_err e;
    int rc = tw_profile_parse((const char *)data, size, &p, &e);
    if (rc == TW_OK) {
        if (!p.name[0] || p.versions.n > TW_PROFILE_LIST_MAX || p.ciphers.n > TW_PROFILE_LIST_MAX ||
            p.groups.n > TW_PROFILE_LIST_MAX || p.sig_schemes.n > TW_PROFILE_LIST_MAX ||
            p.connect_timeout_us < 0 || p.keepalive_timeout_us < 0)
            abort();
        (void)tw_profile_list_has(&p.ciphers, 0xc02f);
    } else if (!e.msg[0] || memchr(e.msg, '\0', sizeof e.msg) == NULL) {
        abort();
    }
    return 0;
}
