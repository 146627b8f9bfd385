/*
 * csv_record.h — one CSV record as read: its fields and its raw bytes. What
 * extract/csv_file.c hands out and the CSV transforms (transform/order_csv.c)
 * read, so neither stage needs the other.
 */
#ifndef SIYU_COMMON_CSV_RECORD_H
#define SIYU_COMMON_CSV_RECORD_H

#include <stddef.h>

/* The most fields a record may have (extract/csv_file.c rejects more). */
#define CSV_FIELDS_MAX 1024

struct csv_record {
	long line;           /* 1-based physical line where the record starts */
	unsigned long long offset; /* byte offset of its first byte in the (uncompressed) file */
	size_t nfields;
	const char **fields; /* UTF-8, no NUL inside, NUL-terminated; borrowed until the next call */
	const size_t *lens;
	const char *raw;     /* the record as text, without its final line break; see raw_escaped */
	size_t raw_len;
	int raw_escaped;     /* 1: raw is utf8_escape()d (it held bytes that are not text) */
	int fault_field;     /* an unreadable record: the 0-based field at fault, or -1 (the
			      * record as a whole) */
};

/*
 * Where field index (0-based) lies in a record's raw text: separators inside
 * quotes do not count. Sets *start and *len to the field's bytes as written
 * (quotes included) and returns 0, or -1 when the record has fewer fields.
 */
int csv_field_span(const char *raw, size_t raw_len, size_t index, size_t *start, size_t *len);

/* The 0-based field that byte pos of raw (pos <= raw_len) belongs to. */
size_t csv_field_at(const char *raw, size_t pos);

#endif /* SIYU_COMMON_CSV_RECORD_H */
