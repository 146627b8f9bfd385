# tests/realdata/csv.awk — helpers shared by the converters (POSIX awk: mawk, gawk, busybox).
#
# Numbers: every amount is handled as an integer count of the smallest unit (cents, pence,
# 1/1000 pound) built from the digits of the text, never as a parsed float; integers stay
# below 2^53, so double arithmetic is exact, and they are printed with "%.0f" (mawk's "%d"
# clamps at 2^31).

# die(msg): stop the converter with a message naming the input line.
function die(msg) {
	printf "%s: %s:%d: %s\n", PROG, FILENAME, FNR, msg > "/dev/stderr"
	exit_code = 1
	exit 1
}

# csv_split(s, f): the RFC 4180 fields of one record (no embedded newlines) into f[1..n].
function csv_split(s, f,    n, i, c, q, v, L) {
	if (index(s, "\"") == 0)
		return split(s, f, ",")
	n = 0; v = ""; q = 0; L = length(s)
	for (i = 1; i <= L; i++) {
		c = substr(s, i, 1)
		if (q) {
			if (c != "\"") v = v c
			else if (substr(s, i + 1, 1) == "\"") { v = v "\""; i++ }
			else q = 0
		} else if (c == "\"") q = 1
		else if (c == ",") { f[++n] = v; v = "" }
		else v = v c
	}
	if (q) die("unterminated quoted field")
	f[++n] = v
	return n
}

# csv_quote(s): s as one RFC 4180 field.
function csv_quote(s) {
	if (s !~ /[",\r\n]/)
		return s
	gsub(/"/, "\"\"", s)
	return "\"" s "\""
}

# scaled(text, d): a non-negative decimal with at most d decimals as an integer count of
# 10^-d units ("2.55", 3 -> 2550); -1 when text is not such a number.
function scaled(text, d,    ip, fp, k) {
	if (text !~ /^[0-9]+(\.[0-9]*)?$/ && text !~ /^\.[0-9]+$/)
		return -1
	k = index(text, ".")
	if (k) { ip = substr(text, 1, k - 1); fp = substr(text, k + 1) } else { ip = text; fp = "" }
	if (length(fp) > d) {
		if (substr(fp, d + 1) !~ /^0*$/) return -1
		fp = substr(fp, 1, d)
	}
	while (length(fp) < d) fp = fp "0"
	return (ip == "" ? 0 : ip + 0) * (10 ^ d) + (fp == "" ? 0 : fp + 0)
}

# units(n, d): the integer n of 10^-d units as a decimal text with d decimals (1234, 2 -> "12.34").
function units(n, d,    s, neg) {
	neg = n < 0; if (neg) n = -n
	s = sprintf("%.0f", n)
	if (d > 0) {
		while (length(s) <= d) s = "0" s
		s = substr(s, 1, length(s) - d) "." substr(s, length(s) - d + 1)
	}
	return (neg ? "-" : "") s
}

# leap(y): 1 in a leap year of the Gregorian calendar.
function leap(y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

# shift_date(y, m, d, years): "YYYY-MM-DD" of the same month and day `years` later; dies on a
# 29 February that the target year lacks. The caller picks `years` so that the calendars of
# the source and target years are the same (see README.md), which keeps every weekday.
function shift_date(y, m, d, years,    ty) {
	ty = y + years
	if (m == 2 && d == 29 && !leap(ty))
		die(sprintf("%04d-02-29 has no day in %04d", y, ty))
	return sprintf("%04d-%02d-%02d", ty, m, d)
}

# valid_date(y, m, d): 1 when y-m-d is a calendar date.
function valid_date(y, m, d,    ml) {
	if (m < 1 || m > 12 || d < 1) return 0
	ml = substr("312831303130313130313031", 2 * m - 1, 2) + 0
	if (m == 2 && leap(y)) ml = 29
	return d <= ml
}
