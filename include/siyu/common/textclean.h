/*
 * textclean.h — small text helpers for cells of CSV exports and API fields:
 * trimming, blank tests, Excel's long-number quoting, UTF-8 validation.
 *
 * Every function works on (pointer, length) byte ranges, never needs a NUL
 * terminator and never allocates: results point into the caller's bytes.
 */
#ifndef SIYU_COMMON_TEXTCLEAN_H
#define SIYU_COMMON_TEXTCLEAN_H

#include <stddef.h>

/*
 * Trim surrounding white space from s[0..len): ASCII space, \t, \n, \r, \v,
 * \f, and the UTF-8 no-break space (U+00A0) and ideographic space (U+3000)
 * that Chinese spreadsheets leave behind. Sets *start to the first kept byte
 * (inside s) and returns the kept length (0 when all blank; *start is then
 * s + len). s may be NULL only when len is 0.
 */
size_t text_trim(const char *s, size_t len, const char **start);

/* 1 when s[0..len) is empty or only the white space text_trim removes, else 0. */
int text_is_blank(const char *s, size_t len);

/*
 * Undo the quoting spreadsheets use to keep long numbers (19-digit order
 * numbers) as text, for id columns. After trimming (which also drops the
 * leading tab some exports use), strips one level of:
 *   ="12345"  — Excel formula string; only when the inside has no '"'
 *   '12345    — Excel text marker; only when the rest is non-empty and all
 *               ASCII letters, digits, '-' or '_' (so a title like "'90s"
 *               followed by a space is left alone)
 * and trims again. Sets *start into s, returns the length. Other text comes
 * back trimmed and otherwise untouched; the digits are never converted.
 */
size_t text_strip_excel_quote(const char *s, size_t len, const char **start);

/*
 * 1 when s[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF, no truncated sequence), else 0. An
 * empty range is valid. NUL bytes are valid UTF-8; PostgreSQL text rejects
 * them, which is the caller's check.
 */
int text_utf8_valid(const char *s, size_t len);

/* Longest folded text text_fold callers compare (longer ones compare on their prefix). */
#define TEXT_FOLD_MAX 128

/*
 * Fold a name or a label for comparison, so that the spellings spreadsheets
 * and re-saves produce compare equal: drop white space anywhere (ASCII,
 * U+00A0, U+3000), the BOM and zero-width characters (U+FEFF, U+200B-U+200D,
 * U+2060); turn full-width ASCII forms (U+FF01-U+FF5E: （）：，％ …) into
 * ASCII; write 帐 as 账; lowercase ASCII letters. s[0..len) is borrowed; out
 * gets at most outlen - 1 bytes and a NUL (outlen > 0). Returns the length.
 */
size_t text_fold(const char *s, size_t len, char *out, size_t outlen);

/*
 * 1 when text_fold of s[0..len) is the NUL-terminated folded, else 0; stops at
 * the first byte that differs, so one folded input compares against many
 * candidates (a profile's status codes) at the price of a byte or two each.
 */
int text_fold_equals(const char *folded, const char *s, size_t len);

#endif /* SIYU_COMMON_TEXTCLEAN_H */
