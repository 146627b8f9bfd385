/*
 * money.c — exact decimal parsing and formatting of money amounts
 * (see include/siyu/transform/money.h). Digits are accumulated into int64_t with a
 * bound check after each digit; no floating point, no strtod.
 */
#include "siyu/transform/money.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "siyu/common/textclean.h"

/* A byte range being consumed left to right. */
struct cursor {
	const char *p;
	const char *end;
};

static const char *const too_many_decimals[MONEY_MAX_SCALE + 1] = {
	"not an integer", "more than 1 decimal", "more than 2 decimals",
	"more than 3 decimals", "more than 4 decimals", "more than 5 decimals",
	"more than 6 decimals", "more than 7 decimals", "more than 8 decimals",
	"more than 9 decimals",
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* mag = mag * 10 + d, failing once mag exceeds MONEY_MAX (never overflows). */
static int push_digit(int64_t *mag, int d, const char **why)
{
	*mag = *mag * 10 + d;
	if (*mag > MONEY_MAX) {
		*why = "amount too large";
		return -1;
	}
	return 0;
}

/* Consume one optional sign; returns 1 for '-', 0 otherwise. */
static int take_sign(struct cursor *c, int *seen)
{
	if (c->p < c->end && (*c->p == '-' || *c->p == '+')) {
		*seen = 1;
		return *c->p++ == '-';
	}
	return 0;
}

/*
 * Integer part: plain digits, or comma-grouped digits where the first group
 * has 1-3 digits and does not start with '0' ("0,123" is ambiguous) and every
 * later group has exactly 3. Adds the digits seen to *ndigits.
 */
static int parse_int_part(struct cursor *c, int commas_ok, int64_t *mag,
			  int *ndigits, const char **why)
{
	int group = 0, grouped = 0;
	const char *first = c->p;

	for (; c->p < c->end; c->p++) {
		char ch = *c->p;

		if (is_digit(ch)) {
			if (push_digit(mag, ch - '0', why) < 0)
				return -1;
			group++;
			(*ndigits)++;
			continue;
		}
		if (ch != ',' || !commas_ok)
			break;
		if ((!grouped && (group < 1 || group > 3 || *first == '0')) ||
		    (grouped && group != 3))
			goto bad_comma;
		grouped = 1;
		group = 0;
	}
	if (grouped && group != 3)
		goto bad_comma;
	return 0;
bad_comma:
	*why = "bad thousands separator";
	return -1;
}

/* Fraction after the '.': up to scale digits kept, extra digits must be 0. */
static int parse_frac_part(struct cursor *c, int scale, int64_t *mag,
			   int *ndigits, const char **why)
{
	int kept = 0;

	for (; c->p < c->end && is_digit(*c->p); c->p++) {
		int d = *c->p - '0';

		(*ndigits)++;
		if (kept < scale) {
			if (push_digit(mag, d, why) < 0)
				return -1;
			kept++;
		} else if (d != 0) {
			*why = too_many_decimals[scale];
			return -1;
		}
	}
	for (; kept < scale; kept++)
		if (push_digit(mag, 0, why) < 0)
			return -1;
	return 0;
}

/*
 * Unsigned decimal at c (nothing else may follow): the shared core of the
 * parsers. dot_ok = 0 makes any '.' an error.
 */
static int parse_unsigned(struct cursor *c, int scale, int commas_ok,
			  int dot_ok, int64_t *mag, const char **why)
{
	int ndigits = 0;

	*mag = 0;
	if (parse_int_part(c, commas_ok, mag, &ndigits, why) < 0)
		return -1;
	if (c->p < c->end && *c->p == '.') {
		if (!dot_ok) {
			*why = "not an integer";
			return -1;
		}
		c->p++;
		if (parse_frac_part(c, scale, mag, &ndigits, why) < 0)
			return -1;
	} else {
		int i;

		for (i = 0; i < scale; i++)
			if (push_digit(mag, 0, why) < 0)
				return -1;
	}
	if (ndigits == 0 || c->p != c->end) {
		*why = "not a number";
		return -1;
	}
	return 0;
}

/* Skip a '¥' or '￥' and the spaces after it; returns 1 if one was there. */
static int take_currency(struct cursor *c)
{
	static const char *const signs[] = { "\xC2\xA5", "\xEF\xBF\xA5" };
	size_t i;

	for (i = 0; i < sizeof(signs) / sizeof(signs[0]); i++) {
		size_t n = strlen(signs[i]);

		if ((size_t)(c->end - c->p) >= n && memcmp(c->p, signs[i], n) == 0) {
			c->p += n;
			while (c->p < c->end && *c->p == ' ')
				c->p++;
			return 1;
		}
	}
	return 0;
}

/* Options of one parser front end. */
struct number_form {
	int scale;
	int commas_ok;
	int dot_ok;
	int currency_ok;
};

static int parse_number(const char *s, size_t len, const struct number_form *f,
			int64_t *out, const char **why)
{
	struct cursor c;
	int neg, seen_sign = 0;
	int64_t mag;
	size_t n = text_trim(s, len, &c.p);

	if (n == 0) {
		*why = "empty amount";
		return -1;
	}
	c.end = c.p + n;
	neg = take_sign(&c, &seen_sign);
	if (f->currency_ok && take_currency(&c) && !seen_sign)
		neg = take_sign(&c, &seen_sign);
	if (parse_unsigned(&c, f->scale, f->commas_ok, f->dot_ok, &mag, why) < 0)
		return -1;
	*out = neg ? -mag : mag;
	return 0;
}

int money_parse_decimal_scaled(const char *s, size_t len, int scale,
			       int64_t *out, const char **why)
{
	struct number_form f = { scale, 1, 1, 0 };

	if (scale < 0 || scale > MONEY_MAX_SCALE) {
		*why = "unsupported scale";
		return -1;
	}
	return parse_number(s, len, &f, out, why);
}

int money_parse_yuan(const char *s, size_t len, int64_t *fen, const char **why)
{
	return money_parse_yuan_scaled(s, len, 2, fen, why);
}

int money_parse_yuan_scaled(const char *s, size_t len, int scale, int64_t *out,
			    const char **why)
{
	struct number_form f = { scale, 1, 1, 1 };

	if (scale < 0 || scale > MONEY_MAX_SCALE) {
		*why = "unsupported scale";
		return -1;
	}
	return parse_number(s, len, &f, out, why);
}

int64_t money_round_half_up(int64_t value, int64_t unit)
{
	int64_t q = value / unit, r = value % unit;

	/* half away from zero: -0.5 fen is -1 fen, like 0.5 is 1 */
	if (r >= 0 ? 2 * r >= unit : -2 * r >= unit)
		q += r >= 0 ? 1 : -1;
	return q;
}

int money_parse_fen(const char *s, size_t len, int64_t *fen, const char **why)
{
	static const struct number_form f = { 0, 0, 0, 0 };

	return parse_number(s, len, &f, fen, why);
}

void money_format_fen(int64_t fen, char *buf, size_t n)
{
	/* The magnitude as unsigned so that INT64_MIN works too. */
	uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;

	if (n == 0)
		return;
	snprintf(buf, n, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "",
		 mag / 100, mag % 100);
}
