/*
 * csv_record.c — where a field lies in a record's raw text
 * (see include/siyu/common/csv_record.h).
 */
#include "siyu/common/csv_record.h"

/*
 * Scan raw[from..len) for the end of the field that starts at from: the next
 * separator outside quotes, or len. *in_quotes carries the quoting state.
 */
static size_t field_end(const char *raw, size_t from, size_t len, int *in_quotes)
{
	size_t i = from;

	for (; i < len; i++) {
		if (raw[i] == '"')
			*in_quotes = !*in_quotes;
		else if (raw[i] == ',' && !*in_quotes)
			break;
	}
	return i;
}

int csv_field_span(const char *raw, size_t raw_len, size_t index, size_t *start, size_t *len)
{
	int in_quotes = 0;
	size_t at = 0;

	for (size_t field = 0; field < index; field++) {
		at = field_end(raw, at, raw_len, &in_quotes);
		if (at == raw_len)
			return -1;
		at++; /* the separator */
	}
	*start = at;
	*len = field_end(raw, at, raw_len, &in_quotes) - at;
	return 0;
}

size_t csv_field_at(const char *raw, size_t pos)
{
	int in_quotes = 0;
	size_t at = 0, field = 0;

	while ((at = field_end(raw, at, pos, &in_quotes)) < pos) {
		field++;
		at++;
	}
	return field;
}
