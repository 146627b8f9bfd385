/*
 * log.c — leveled key=value logging to stderr (see include/siyu/common/log.h).
 */
#include "siyu/common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum log_level log_threshold = LOG_INFO;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void log_set_level(enum log_level level)
{
	log_threshold = level;
}

int log_parse_level(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

static void log_vemit(enum log_level level, const char *fmt, va_list ap)
{
	char stamp[32];
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);

	/* One fprintf per part, but a single line: stderr is unbuffered, so
	 * build the line first and write it once to keep threads from interleaving. */
	char line[4096];
	int off = snprintf(line, sizeof(line), "ts=%s level=%s ", stamp, level_names[level]);
	if (off < 0)
		return;
	if ((size_t)off < sizeof(line))
		vsnprintf(line + off, sizeof(line) - (size_t)off, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

void log_emit(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_threshold)
		return;
	va_start(ap, fmt);
	log_vemit(level, fmt, ap);
	va_end(ap);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_ERROR, fmt, ap);
	va_end(ap);
	return -1;
}

void log_redact_url(const char *url, char *out, size_t n)
{
	size_t o = 0;
	int in_value = 0;
	int in_query = 0;

	if (n == 0)
		return;
	for (const char *p = url; *p && o + 4 < n; p++) {
		if (*p == '?' || (in_query && *p == '&')) {
			in_query = 1;
			in_value = 0;
			out[o++] = *p;
			continue;
		}
		if (in_query && *p == '=' && !in_value) {
			in_value = 1;
			memcpy(out + o, "=***", 4);
			o += 4;
			continue;
		}
		if (in_value)
			continue;
		out[o++] = *p;
	}
	out[o] = '\0';
}
