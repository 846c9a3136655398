/* fuzz_report.c: the ticket report (--report) at the end of the whole pipeline: a capture
 * file in, an HTML or Markdown report out (the last byte chooses, and --anonymize), written
 * to a real file. Beyond the sanitizers, the HTML must never contain a tag that wire bytes
 * could have injected: every '<' from the wire is escaped. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../src/run.h"

static int memfd = -1;
static char html[64], md[64];

static void remove_reports(void)
{
    unlink(html);
    unlink(md);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    memfd = memfd_create("tlswhy-fuzz", 0);
    snprintf(html, sizeof html, "/tmp/tw-fuzz-report-%d.html", (int)getpid());
    snprintf(md, sizeof md, "/tmp/tw-fuzz-report-%d.md", (int)getpid());
    atexit(remove_reports);
    if (!freopen("/dev/null", "w", stdout))
        abort();
    return 0;
}

/* Tags the report writes itself never include these; only injected markup would. */
static void check_html(void)
{
    static char buf[1 << 20];
    FILE *f = fopen(html, "r");
    if (!f)
        abort();
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (strstr(buf, "<script") || strstr(buf, "<img") || strstr(buf, "<iframe") ||
        strstr(buf, "<link") || strstr(buf, "<object") || !strstr(buf, "</html>\n"))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    if (size < 1)
        return 0;
    /* The last byte chooses (so a sample capture as a seed still starts with its header). */
    bool as_md = data[size - 1] & 1, anonymize = data[size - 1] & 2;
    size--;
    if (memfd < 0 || ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    const char *files[] = {path};
    struct tw_opts o = {
        .files = files,
        .file_count = 1,
        .verbosity = -1,
        .expires_soon_days = 30,
        .command_line = "tlswhy -r x.pcap host 10.0.0.1 --report r.html",
        .ca_file = TW_SOURCE_DIR "/samples/pki/root.pem",
        .report = as_md ? md : html,
        .anonymize = anonymize,
    };
    tw_limits_default(&o.lim);
    o.lim.max_conns = 64;
    o.lim.max_hs_msg = 65536;
    struct tw_run_result res;
    tw_run(&o, &res);
    if (!as_md)
        check_html();
    return 0;
}
