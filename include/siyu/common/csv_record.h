/*
 * csv_record.h — one CSV record as read: its fields and its raw bytes. What
 * extract/csv_file.c hands out and the CSV transforms (transform/order_csv.c)
 * read, so neither stage needs the other.
 */
#ifndef SIYU_COMMON_CSV_RECORD_H
#define SIYU_COMMON_CSV_RECORD_H

#include <stddef.h>

struct csv_record {
	long line;           /* 1-based physical line where the record starts */
	size_t nfields;
	const char **fields; /* NUL-terminated; borrowed until the next call */
	const size_t *lens;
	const char *raw;     /* the record as read, without its final line break */
	size_t raw_len;
};

#endif /* SIYU_COMMON_CSV_RECORD_H */
