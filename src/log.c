/* log.c: leveled diagnostics on stderr. */
#include "tlswhy/log.h"

#include <stdarg.h>
#include <stdio.h>

static enum tw_log_level current = TW_LOG_WARN;

void tw_log_set_level(enum tw_log_level level)
{
    current = level;
}

enum tw_log_level tw_log_get_level(void)
{
    return current;
}

void tw_log(enum tw_log_level level, const char *fmt, ...)
{
    static const char *const prefix[] = {"error", "warning", "info", "debug"};
    if (level > current)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tlswhy: %s: ", prefix[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
