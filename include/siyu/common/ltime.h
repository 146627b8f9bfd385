/*
 * ltime.h — timestamps as platforms and spreadsheets write them, parsed and
 * formatted without libc time zone functions (no localtime, mktime, TZ).
 *
 * A struct ltime is a wall-clock time, with an offset from UTC when the
 * source gave one (or when it came from a unix time). Times without an
 * offset are local times of the source's zone: ltime_format leaves them
 * without an offset and PostgreSQL reads them in the COPY session's TimeZone,
 * which the loader sets to that zone. Years are limited to 1970..2100.
 *
 * Failure reasons are static lowercase strings ("empty time", "not a time",
 * "impossible date", "impossible time", "year out of range 1970-2100",
 * "more than 6 fraction digits", "bad utc offset", ...); callers quote the
 * offending text next to them (`impossible date "2025-02-30 10:00"`).
 */
#ifndef SIYU_COMMON_LTIME_H
#define SIYU_COMMON_LTIME_H

#include <stddef.h>
#include <stdint.h>

#define LTIME_MIN_YEAR 1970
#define LTIME_MAX_YEAR 2100

/* Largest offset accepted, in minutes (UTC+14:00 is the largest in use). */
#define LTIME_MAX_OFFSET_MINUTES (14 * 60)

/* A buffer of this size always holds ltime_format's output. */
#define LTIME_FMT_SIZE 40

struct ltime {
	int year, month, day;     /* 1970..2100, 1..12, 1..days in month */
	int hour, minute, second; /* 0..23, 0..59, 0..59 (no leap seconds) */
	int usec;                 /* 0..999999 */
	int has_offset;           /* 1: offset_minutes is meaningful */
	int offset_minutes;       /* east of UTC: +08:00 is 480 */
};

/*
 * Parse s[0..len) (borrowed, need not be NUL-terminated). Accepted, with
 * surrounding white space:
 *   date     YYYY-MM-DD, or YYYY/M/D with 1 or 2 digit month and day
 *   date alone means midnight; otherwise ' ' (one or more) or 'T', then
 *   time     HH:MM, HH:MM:SS, HH:MM:SS.f up to .ffffff (a 1-digit hour only
 *            after a '/' date: "2025/3/7 9:05" from an Excel resave)
 *   offset   optional, after the time, optionally after one space:
 *            Z, +HH:MM, +HHMM, +HH (or '-'), at most 14:00
 * The calendar is checked (leap years; no Feb 30, no April 31), hour <= 23,
 * minute and second <= 59, year 1970..2100. Returns 0 and fills *out, or -1
 * and sets *why (*out is then unspecified).
 */
int ltime_parse(const char *s, size_t len, struct ltime *out, const char **why);

/*
 * Parse a unix time given as digits only: 10 digits are seconds, 13 digits
 * milliseconds (kept in usec); surrounding white space is allowed. Sets *out
 * to UTC (has_offset 1, offset 0). Returns 0, or -1 with *why ("not a unix
 * time" for other shapes, "year out of range 1970-2100").
 */
int ltime_parse_unix_text(const char *s, size_t len, struct ltime *out,
			  const char **why);

/*
 * Days since 1970-01-01 of the proleptic Gregorian date y-m-d (Howard
 * Hinnant's days_from_civil; negative before 1970). m is 1..12 and d 1..31;
 * the date is not validated.
 */
int64_t ltime_days_from_civil(int y, int m, int d);

/*
 * Fill *out with the UTC time of unix seconds secs (has_offset 1, offset 0,
 * usec 0). Returns 0, or -1 when the year would fall outside 1970..2100
 * (negative secs included); *out is untouched then.
 */
int ltime_from_unix(int64_t secs, struct ltime *out);

/*
 * Unix seconds of *t (usec dropped). Only for times with an offset: returns
 * -1 when !t->has_offset or a field is out of range, else 0 and sets *secs.
 */
int ltime_to_unix(const struct ltime *t, int64_t *secs);

/*
 * Write "YYYY-MM-DD HH:MM:SS", then ".ffffff" when usec != 0, then "+HH:MM"
 * or "-HH:MM" when has_offset ("+00:00" for UTC): text PostgreSQL reads as
 * timestamptz. Returns the length written (without the NUL), or -1 when it
 * does not fit in n bytes or *t is out of range (buf is then "" if n > 0).
 */
int ltime_format(const struct ltime *t, char *buf, size_t n);

#endif /* SIYU_COMMON_LTIME_H */
