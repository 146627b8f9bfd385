/*
 * ltime.c — parse and format timestamps without libc time zone functions
 * (see include/siyu/common/ltime.h). Calendar arithmetic is Howard Hinnant's
 * days_from_civil / civil_from_days ("chrono-Compatible Low-Level Date
 * Algorithms"), exact for the proleptic Gregorian calendar.
 */
#include "siyu/common/ltime.h"

#include <stdio.h>
#include <string.h>

#include "siyu/common/textclean.h"

/* A byte range being consumed left to right. */
struct cursor {
	const char *p;
	const char *end;
};

static int at(const struct cursor *c, char ch)
{
	return c->p < c->end && *c->p == ch;
}

static int take(struct cursor *c, char ch)
{
	if (!at(c, ch))
		return 0;
	c->p++;
	return 1;
}

/* Read min..max decimal digits into *val; returns the count or -1. */
static int take_digits(struct cursor *c, int min, int max, int *val)
{
	int n = 0;

	*val = 0;
	while (n < max && c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		*val = *val * 10 + (*c->p++ - '0');
		n++;
	}
	return n >= min ? n : -1;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Check every field of *t; 0 or -1 with *why. */
static int check_fields(const struct ltime *t, const char **why)
{
	if (t->year < LTIME_MIN_YEAR || t->year > LTIME_MAX_YEAR) {
		*why = "year out of range 1970-2100";
		return -1;
	}
	if (t->month < 1 || t->month > 12 || t->day < 1 ||
	    t->day > days_in_month(t->year, t->month)) {
		*why = "impossible date";
		return -1;
	}
	if (t->hour < 0 || t->hour > 23 || t->minute < 0 || t->minute > 59 ||
	    t->second < 0 || t->second > 59 || t->usec < 0 || t->usec > 999999) {
		*why = "impossible time";
		return -1;
	}
	if (t->has_offset && (t->offset_minutes < -LTIME_MAX_OFFSET_MINUTES ||
			      t->offset_minutes > LTIME_MAX_OFFSET_MINUTES)) {
		*why = "bad utc offset";
		return -1;
	}
	return 0;
}

/* YYYY-MM-DD or YYYY/M/D; sets *slash when '/' was the separator. */
static int parse_date(struct cursor *c, struct ltime *t, int *slash)
{
	char sep;
	int min;

	if (take_digits(c, 4, 4, &t->year) < 0 || c->p >= c->end)
		return -1;
	sep = *c->p;
	if (sep != '-' && sep != '/')
		return -1;
	*slash = sep == '/';
	min = *slash ? 1 : 2;
	c->p++;
	if (take_digits(c, min, 2, &t->month) < 0 || !take(c, sep) ||
	    take_digits(c, min, 2, &t->day) < 0)
		return -1;
	return 0;
}

/* ".f" to ".ffffff" into usec; more digits fail with their own reason. */
static int parse_fraction(struct cursor *c, struct ltime *t, const char **why)
{
	int n, i;

	if (!take(c, '.'))
		return 0;
	n = take_digits(c, 1, 6, &t->usec);
	if (n < 0) {
		*why = "not a time";
		return -1;
	}
	if (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		*why = "more than 6 fraction digits";
		return -1;
	}
	for (i = n; i < 6; i++)
		t->usec *= 10;
	return 0;
}

/* H:MM[:SS[.f]]; a 1-digit hour only when one_digit_hour. */
static int parse_clock(struct cursor *c, struct ltime *t, int one_digit_hour,
		       const char **why)
{
	*why = "not a time";
	if (take_digits(c, one_digit_hour ? 1 : 2, 2, &t->hour) < 0 ||
	    !take(c, ':') || take_digits(c, 2, 2, &t->minute) < 0)
		return -1;
	if (take(c, ':')) {
		if (take_digits(c, 2, 2, &t->second) < 0)
			return -1;
		return parse_fraction(c, t, why);
	}
	return 0;
}

/* Z, +HH:MM, +HHMM, +HH or nothing, optionally after one space. */
static int parse_offset(struct cursor *c, struct ltime *t, const char **why)
{
	int sign, hh, mm = 0;

	if (c->p == c->end)
		return 0;
	if (*c->p == ' ' && c->end - c->p > 1)
		c->p++;
	*why = "bad utc offset";
	if (take(c, 'Z') || take(c, 'z')) {
		t->has_offset = 1;
		return 0;
	}
	if (!at(c, '+') && !at(c, '-')) {
		*why = "not a time";
		return -1;
	}
	sign = *c->p++ == '-' ? -1 : 1;
	if (take_digits(c, 2, 2, &hh) < 0)
		return -1;
	if (take(c, ':') || (c->p < c->end && *c->p >= '0' && *c->p <= '9'))
		if (take_digits(c, 2, 2, &mm) < 0)
			return -1;
	if (mm > 59)
		return -1;
	t->has_offset = 1;
	t->offset_minutes = sign * (hh * 60 + mm);
	return 0;
}

/* Time part after the date, starting at the separator. */
static int parse_time_part(struct cursor *c, struct ltime *t, int slash,
			   const char **why)
{
	if (take(c, 'T')) {
		/* ISO form: exactly one 'T' */
	} else if (take(c, ' ')) {
		while (take(c, ' '))
			;
	} else {
		*why = "not a time";
		return -1;
	}
	if (parse_clock(c, t, slash, why) < 0 || parse_offset(c, t, why) < 0)
		return -1;
	return 0;
}

int ltime_parse(const char *s, size_t len, struct ltime *out, const char **why)
{
	struct ltime t;
	struct cursor c;
	int slash = 0;
	size_t n = text_trim(s, len, &c.p);

	if (n == 0) {
		*why = "empty time";
		return -1;
	}
	c.end = c.p + n;
	memset(&t, 0, sizeof(t));
	if (parse_date(&c, &t, &slash) < 0) {
		*why = "not a time";
		return -1;
	}
	if (c.p < c.end && parse_time_part(&c, &t, slash, why) < 0)
		return -1;
	if (c.p != c.end) {
		*why = "not a time";
		return -1;
	}
	if (check_fields(&t, why) < 0)
		return -1;
	*out = t;
	return 0;
}

int64_t ltime_days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;                             /* [0, 399] */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;      /* [0, 146096] */

	return era * 146097 + doe - 719468;
}

/* Hinnant's civil_from_days. */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int ltime_from_unix(int64_t secs, struct ltime *out)
{
	int64_t limit = ltime_days_from_civil(LTIME_MAX_YEAR + 1, 1, 1) * 86400;
	int64_t days, rem;

	if (secs < 0 || secs >= limit)
		return -1;
	days = secs / 86400;
	rem = secs % 86400;
	memset(out, 0, sizeof(*out));
	civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(rem / 3600);
	out->minute = (int)(rem % 3600 / 60);
	out->second = (int)(rem % 60);
	out->has_offset = 1;
	return 0;
}

int ltime_to_unix(const struct ltime *t, int64_t *secs)
{
	const char *why;

	if (!t->has_offset || check_fields(t, &why) < 0)
		return -1;
	*secs = ltime_days_from_civil(t->year, t->month, t->day) * 86400 +
		t->hour * 3600 + t->minute * 60 + t->second -
		(int64_t)t->offset_minutes * 60;
	return 0;
}

int ltime_parse_unix_text(const char *s, size_t len, struct ltime *out,
			  const char **why)
{
	const char *p;
	size_t n = text_trim(s, len, &p), i;
	int64_t v = 0;

	*why = "not a unix time";
	if (n != 10 && n != 13)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	if (ltime_from_unix(n == 13 ? v / 1000 : v, out) < 0) {
		*why = "year out of range 1970-2100";
		return -1;
	}
	if (n == 13)
		out->usec = (int)(v % 1000) * 1000;
	return 0;
}

/* Append "+HH:MM" for the offset of *t at tmp + len; returns the new length. */
static int format_offset(const struct ltime *t, char *tmp, size_t size, int len)
{
	int off = t->offset_minutes;
	char sign = off < 0 ? '-' : '+';

	if (off < 0)
		off = -off;
	return len + snprintf(tmp + len, size - (size_t)len, "%c%02d:%02d",
			      sign, off / 60, off % 60);
}

/* v (0 <= v < 10^width) in width decimal digits, zero-padded. */
static void digits(char *out, int v, int width)
{
	while (width-- > 0) {
		out[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

int ltime_format(const struct ltime *t, char *buf, size_t n)
{
	char tmp[LTIME_FMT_SIZE + 24];
	const char *why;
	int len;

	if (n > 0)
		buf[0] = '\0';
	if (check_fields(t, &why) < 0)
		return -1;
	/* digit by digit, not snprintf: a load formats three times per order line
	 * (check_fields bounds every field: the year has four digits) */
	digits(tmp, t->year, 4);
	tmp[4] = '-';
	digits(tmp + 5, t->month, 2);
	tmp[7] = '-';
	digits(tmp + 8, t->day, 2);
	tmp[10] = ' ';
	digits(tmp + 11, t->hour, 2);
	tmp[13] = ':';
	digits(tmp + 14, t->minute, 2);
	tmp[16] = ':';
	digits(tmp + 17, t->second, 2);
	tmp[19] = '\0';
	len = 19;
	if (t->usec != 0)
		len += snprintf(tmp + len, sizeof(tmp) - (size_t)len, ".%06d",
				t->usec);
	if (t->has_offset)
		len = format_offset(t, tmp, sizeof(tmp), len);
	if (len < 0 || (size_t)len >= n)
		return -1;
	memcpy(buf, tmp, (size_t)len + 1);
	return len;
}
