/*
 * money.h — exact decimal money: yuan text to integer fen and back, with no
 * floating point anywhere (money is bigint fen, docs/schema.md).
 *
 * Bound: every parsed value satisfies |value| <= MONEY_MAX (10^15), i.e.
 * ten trillion yuan in fen. That is far beyond any order, and small enough
 * that sums of up to 9000 such values, or a value times a quantity below
 * 9000, cannot overflow int64_t.
 *
 * Failure reasons are static lowercase strings ("empty amount", "not a
 * number", "more than 2 decimals", "bad thousands separator", "amount too
 * large", ...); callers quote the offending text next to them.
 */
#ifndef SIYU_TRANSFORM_MONEY_H
#define SIYU_TRANSFORM_MONEY_H

#include <stddef.h>
#include <stdint.h>

#define MONEY_MAX INT64_C(1000000000000000)

/* Largest scale money_parse_decimal_scaled accepts. */
#define MONEY_MAX_SCALE 9

/* A buffer of this size always holds money_format_fen's output. */
#define MONEY_FMT_SIZE 24

/*
 * Parse an exact decimal s[0..len) into an integer scaled by 10^scale
 * ("12.3", scale 3 → 12300). Accepted: surrounding white space (see
 * text_trim), one optional leading '-' or '+', digits with optional
 * correctly grouped thousands commas ("1,234,567.5"; not "12,34", ",123" or
 * "0,123"), an optional '.' with up to scale decimals (more only if the
 * extra ones are zeros: "1.2500" at scale 2), ".5" and "12." forms. Rejected:
 * exponents, inf/nan, a second sign or dot, anything else. s is borrowed and
 * need not be NUL-terminated. Returns 0 and sets *out, or -1 and sets *why;
 * *out is untouched on failure. scale outside 0..MONEY_MAX_SCALE is an error.
 */
int money_parse_decimal_scaled(const char *s, size_t len, int scale,
			       int64_t *out, const char **why);

/*
 * Parse yuan text into fen: money_parse_decimal_scaled with scale 2, plus an
 * optional currency sign '¥' (U+00A5) or '￥' (U+FFE5) before or after the
 * minus sign and optionally followed by spaces ("¥12.30", "-¥1,234.50",
 * "￥ 5"). "12.345" fails with "more than 2 decimals"; "12.300" is 1230.
 * Returns 0 and sets *fen, or -1 and sets *why.
 */
int money_parse_yuan(const char *s, size_t len, int64_t *fen, const char **why);

/*
 * money_parse_yuan with scale decimals kept (0..MONEY_MAX_SCALE): unit prices
 * of goods sold by the thousand carry 3 or 4 decimals ("0.001" at scale 4 is
 * 10, in ten-thousandths of a yuan). Returns 0 and sets *out, or -1 and *why.
 */
int money_parse_yuan_scaled(const char *s, size_t len, int scale, int64_t *out,
			    const char **why);

/*
 * value / unit rounded half away from zero (unit > 0): 150 / 100 → 2,
 * 149 / 100 → 1, -150 / 100 → -2. Money is rounded once, at the end.
 */
int64_t money_round_half_up(int64_t value, int64_t unit);

/*
 * Parse integer fen text (Douyin and WeChat Channels send fen as integers,
 * some feeds as strings): surrounding white space, an optional sign, digits
 * only — no commas, no decimal point ("12.0" fails with "not an integer"),
 * |fen| <= MONEY_MAX. Returns 0 and sets *fen, or -1 and sets *why.
 */
int money_parse_fen(const char *s, size_t len, int64_t *fen, const char **why);

/*
 * Format fen as yuan with exactly two decimals: 1230 → "12.30", -5 → "-0.05",
 * 0 → "0.00". Works for every int64_t. Writes at most n bytes including the
 * NUL (snprintf truncation when n < MONEY_FMT_SIZE; n == 0 writes nothing).
 */
void money_format_fen(int64_t fen, char *buf, size_t n);

#endif /* SIYU_TRANSFORM_MONEY_H */
