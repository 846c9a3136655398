/* log.h: diagnostics on stderr, never stdout (stdout belongs to the reporters). */
#ifndef TLSWHY_LOG_H
#define TLSWHY_LOG_H

enum tw_log_level { TW_LOG_ERROR = 0, TW_LOG_WARN = 1, TW_LOG_INFO = 2, TW_LOG_DEBUG = 3 };

/* Messages above level are discarded. Set once by main.c from -v/-q; the only process-wide
 * setting, because a diagnostic printed from deep inside a layer has nowhere else to go. */
void tw_log_set_level(enum tw_log_level level);
enum tw_log_level tw_log_get_level(void);

/* printf-style; fmt is always a literal of ours, never wire data (pass that as an argument,
 * already escaped). A newline is added. */
void tw_log(enum tw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
