/* run_iface.c: --list-interfaces / -D, in tcpdump -D's format. */
#include "run_live.h"

#include "tlswhy/capture.h"

int tw_list_interfaces(FILE *out)
{
    struct tw_cap_iface *list = NULL;
    size_t n = 0;
    char err[512];
    int rc = tw_cap_list(&list, &n, err, sizeof err);
    if (rc != TW_OK) {
        fprintf(stderr, "tlswhy: %s\n", err);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%zu.%s", i + 1, list[i].name);
        if (list[i].description)
            fprintf(out, " (%s)", list[i].description);
        fprintf(out, " [%s%s]\n", list[i].is_up ? "Up" : "Down",
                list[i].is_loopback ? ", Loopback" : "");
    }
    if (n == 0)
        fprintf(stderr, "tlswhy: no capture interface found (not root?)\n");
    tw_cap_list_free(list, n);
    return fflush(out) == 0 ? TW_OK : TW_E_IO;
}
