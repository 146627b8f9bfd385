/*
 * log.c — leveled key=value logging to stderr (see include/siyu/common/log.h).
 */
#include "siyu/common/log.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum log_level log_threshold = LOG_INFO;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

static void (*interrupt_fn)(void *);
static void *interrupt_arg;

void log_set_interrupt(void (*fn)(void *arg), void *arg)
{
	interrupt_fn = fn;
	interrupt_arg = arg;
}

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

/* ---- logfmt formatting ------------------------------------------------------------- */

struct line {
	char *p;
	size_t n, len; /* capacity, used (always NUL-terminated) */
};

static void put(struct line *l, const char *s, size_t n)
{
	if (l->len + 1 >= l->n)
		return;
	if (n > l->n - 1 - l->len)
		n = l->n - 1 - l->len;
	memcpy(l->p + l->len, s, n);
	l->len += n;
	l->p[l->len] = '\0';
}

/* 1 when v[0..n) may stand bare after "key=": no blank, control byte, '"', '=' or '\'. */
static int is_bare(const char *v, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c <= ' ' || c == 0x7f || c == '"' || c == '=' || c == '\\')
			return 0;
	}
	return 1;
}

/* v[0..n) with '"' and '\' (quotes: 1) and every control byte escaped. */
static void put_escaped(struct line *l, const char *v, size_t n, int quotes)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		char esc[8];

		if (c == '\n')
			put(l, "\\n", 2);
		else if (c == '\r')
			put(l, "\\r", 2);
		else if (c == '\t')
			put(l, "\\t", 2);
		else if (c < ' ' || c == 0x7f)
			put(l, esc, (size_t)snprintf(esc, sizeof(esc), "\\x%02x", c));
		else if (quotes && (c == '"' || c == '\\')) {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(l, esc, 2);
		} else
			put(l, (const char *)&c, 1);
	}
}

/*
 * One %s argument. Where it stands decides how it is written:
 *   key=%s        a value: bare when it is one plain word, else "quoted\n escaped"
 *   key="..%s.."  inside quotes the format opened: '"', '\' and control bytes escaped
 *   elsewhere     a fragment of our own key=value pairs: control bytes escaped
 * so that no value can end its field, add a key=value pair or start a new line.
 */
static void put_string(struct line *l, const char *s, int precision, int in_quotes)
{
	size_t n;

	if (!s)
		s = "(null)";
	n = precision >= 0 ? strnlen(s, (size_t)precision) : strlen(s);
	if (in_quotes) {
		put_escaped(l, s, n, 1);
	} else if (l->len > 0 && l->p[l->len - 1] == '=') {
		if (is_bare(s, n)) {
			put(l, s, n);
		} else {
			put(l, "\"", 1);
			put_escaped(l, s, n, 1);
			put(l, "\"", 1);
		}
	} else {
		put_escaped(l, s, n, 0);
	}
}

/*
 * One conversion other than %s: spec is its text ("%-8lld"), conv its letter,
 * star[0..nstar) the values of its '*' width and precision. Formats it with snprintf.
 */
static void put_number(struct line *l, const char *spec, char conv, const char *len_mod,
		       const int *star, int nstar, va_list *ap)
{
	char out[128];
	int n = -1;

#define FORMAT(type) \
	do { \
		type v_ = va_arg(*ap, type); \
		if (nstar == 2) \
			n = snprintf(out, sizeof(out), spec, star[0], star[1], v_); \
		else if (nstar == 1) \
			n = snprintf(out, sizeof(out), spec, star[0], v_); \
		else \
			n = snprintf(out, sizeof(out), spec, v_); \
	} while (0)

	switch (conv) {
	case 'd': case 'i':
		if (!strcmp(len_mod, "ll")) FORMAT(long long);
		else if (!strcmp(len_mod, "l")) FORMAT(long);
		else if (!strcmp(len_mod, "j")) FORMAT(intmax_t);
		else if (!strcmp(len_mod, "z") || !strcmp(len_mod, "t")) FORMAT(ptrdiff_t);
		else FORMAT(int);
		break;
	case 'u': case 'x': case 'X': case 'o':
		if (!strcmp(len_mod, "ll")) FORMAT(unsigned long long);
		else if (!strcmp(len_mod, "l")) FORMAT(unsigned long);
		else if (!strcmp(len_mod, "j")) FORMAT(uintmax_t);
		else if (!strcmp(len_mod, "z") || !strcmp(len_mod, "t")) FORMAT(size_t);
		else FORMAT(unsigned int);
		break;
	case 'c':
		FORMAT(int);
		break;
	case 'p':
		FORMAT(void *);
		break;
	case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
		if (!strcmp(len_mod, "L")) FORMAT(long double);
		else FORMAT(double);
		break;
	default:
		return;
	}
#undef FORMAT
	if (n > 0)
		put(l, out, (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1);
}

size_t log_vformat(char *out, size_t n, const char *fmt, va_list ap)
{
	struct line l = { out, n, 0 };
	int in_quotes = 0;
	va_list args;

	if (n == 0)
		return 0;
	out[0] = '\0';
	va_copy(args, ap);
	for (const char *f = fmt; *f;) {
		const char *start = f;
		char spec[32], len_mod[3] = "";
		int star[2], nstar = 0, prec = -1;
		size_t k = 0;

		if (*f != '%') {
			/* a '"' of the format (not an escaped \") opens or closes a quoted value */
			if (*f == '"' && (f == fmt || f[-1] != '\\'))
				in_quotes = !in_quotes;
			put(&l, f++, 1);
			continue;
		}
		f++;
		if (*f == '%') {
			put(&l, "%", 1);
			f++;
			continue;
		}
		while (*f && strchr("-+ #0", *f))
			f++;
		if (*f == '*') {
			star[nstar++] = va_arg(args, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			f++;
		if (*f == '.') {
			f++;
			if (*f == '*') {
				prec = star[nstar++] = va_arg(args, int);
				f++;
			} else {
				for (prec = 0; *f >= '0' && *f <= '9'; f++)
					prec = prec * 10 + (*f - '0');
			}
		}
		while (*f && strchr("hljztL", *f) && k < 2)
			len_mod[k++] = *f++;
		len_mod[k] = '\0';
		if (!*f || (size_t)(f - start + 1) >= sizeof(spec))
			break;
		if (*f == 's') {
			put_string(&l, va_arg(args, const char *), prec, in_quotes);
		} else {
			memcpy(spec, start, (size_t)(f - start + 1));
			spec[f - start + 1] = '\0';
			put_number(&l, spec, *f, len_mod, star, nstar, &args);
		}
		f++;
	}
	va_end(args);
	return l.len;
}

size_t log_format(char *out, size_t n, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	len = log_vformat(out, n, fmt, ap);
	va_end(ap);
	return len;
}

static void log_vemit(enum log_level level, const char *fmt, va_list ap)
{
	char stamp[32];
	struct timespec now;
	struct tm tm;
	/* Built whole and written once: stderr is unbuffered, so threads do not interleave. */
	char line[4096];
	int off;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	off = snprintf(line, sizeof(line), "ts=%s level=%s ", stamp, level_names[level]);
	if (off < 0)
		return;
	if ((size_t)off < sizeof(line))
		log_vformat(line + off, sizeof(line) - (size_t)off, fmt, ap);
	if (interrupt_fn)
		interrupt_fn(interrupt_arg);
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
