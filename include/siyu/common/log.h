/*
 * log.h — the one logger: leveled, key=value lines on stderr.
 *
 * Every line is "ts=<utc> level=<lvl> msg=<text>" followed by the caller's own
 * key=value pairs, so that a nightly job's output greps and parses well. Data
 * (reports, KPIs) goes to stdout; diagnostics only through here.
 *
 * Values are logfmt: the caller writes the keys in its format and every %s
 * after "key=" is written bare when it is one plain word, else quoted with
 * '"', '\\' and control bytes escaped; a %s inside quotes the format opened
 * ("key=\"%s\"") is escaped the same way. So no value — a file name, a server
 * message — can end its field, add a key=value pair or start a new line.
 *
 * Secrets never go through the logger: callers redact URLs (log_redact_url)
 * and never pass secret values.
 */
#ifndef SIYU_COMMON_LOG_H
#define SIYU_COMMON_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern enum log_level log_threshold;

/* Set the threshold; lines above it cost nothing but the level test. */
void log_set_level(enum log_level level);

/* Parse "error|warn|info|debug"; returns 0 or -1. */
int log_parse_level(const char *name, enum log_level *out);

/*
 * Format a log line's body into out (size n, always NUL-terminated) the way
 * log_emit does: printf conversions, with every %s written as a logfmt value
 * (see above). Returns the length written (truncated to n - 1).
 */
size_t log_vformat(char *out, size_t n, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
size_t log_format(char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void log_emit(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_emit(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) do { if (log_threshold >= LOG_WARN) log_emit(LOG_WARN, __VA_ARGS__); } while (0)
#define log_info(...) do { if (log_threshold >= LOG_INFO) log_emit(LOG_INFO, __VA_ARGS__); } while (0)
#define log_debug(...) do { if (log_threshold >= LOG_DEBUG) log_emit(LOG_DEBUG, __VA_ARGS__); } while (0)

/*
 * fn(arg) runs before each line is written (NULL: nothing): a line redrawn
 * in place on the terminal (common/progress.c) clears itself so that the log
 * line starts on a clean line.
 */
void log_set_interrupt(void (*fn)(void *arg), void *arg);

/*
 * error() logs at LOG_ERROR and returns -1, so that "return error(...)" both
 * reports and propagates (git's idiom).
 */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Copy url into out (size n) with every query-string value replaced by "***":
 * tokens, secrets and signatures travel in query strings.
 */
void log_redact_url(const char *url, char *out, size_t n);

#endif /* SIYU_COMMON_LOG_H */
