/* capture_write.c: the -w output, a classic pcap file written with libpcap's dumper (a "dead"
 * pcap_t carries the link type and snaplen). */
#include "tlswhy/capture_write.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

struct tw_cap_writer {
    pcap_t *dead;
    pcap_dumper_t *d;
    char name[256];
    char err[512];
};

int tw_cap_writer_open(const char *path, int linktype, int snaplen, struct tw_cap_writer **out,
                       char *err, size_t errlen)
{
    struct tw_cap_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "%s: out of memory", path);
        return TW_E_NOMEM;
    }
    snprintf(w->name, sizeof w->name, "%s", path);
    w->dead = pcap_open_dead(linktype, snaplen > 0 ? snaplen : 262144);
    if (!w->dead) {
        snprintf(err, errlen, "%s: out of memory", path);
        free(w);
        return TW_E_NOMEM;
    }
    w->d = pcap_dump_open(w->dead, path);
    if (!w->d) {
        snprintf(err, errlen, "%s", pcap_geterr(w->dead)); /* names the file */
        pcap_close(w->dead);
        free(w);
        return TW_E_IO;
    }
    *out = w;
    return TW_OK;
}

int tw_cap_writer_put(struct tw_cap_writer *w, const struct tw_frame *f)
{
    struct pcap_pkthdr h = {
        .ts = {.tv_sec = (time_t)(f->ts_us / 1000000),
               .tv_usec = (suseconds_t)(f->ts_us % 1000000)},
        .caplen = f->caplen,
        .len = f->wirelen,
    };
    pcap_dump((u_char *)w->d, &h, f->bytes);
    if (ferror(pcap_dump_file(w->d))) {
        snprintf(w->err, sizeof w->err, "%s: write error", w->name);
        return TW_E_IO;
    }
    return TW_OK;
}

int tw_cap_writer_flush(struct tw_cap_writer *w)
{
    if (pcap_dump_flush(w->d) != 0) {
        snprintf(w->err, sizeof w->err, "%s: write error", w->name);
        return TW_E_IO;
    }
    return TW_OK;
}

const char *tw_cap_writer_error(const struct tw_cap_writer *w)
{
    return w->err;
}

int tw_cap_writer_close(struct tw_cap_writer *w)
{
    if (!w)
        return TW_OK;
    int rc = tw_cap_writer_flush(w);
    pcap_dump_close(w->d);
    pcap_close(w->dead);
    free(w);
    return rc;
}
