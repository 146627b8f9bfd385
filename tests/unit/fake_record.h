/*
 * fake_record.h — build a struct csv_record from one line of text in unit
 * tests: fields split on a separator, no quoting (the tests that need RFC 4180
 * quoting read real files through csv_file).
 */
#ifndef SIYU_TEST_FAKE_RECORD_H
#define SIYU_TEST_FAKE_RECORD_H

#include "siyu/extract/csv_file.h"

#include <stdio.h>
#include <string.h>

struct fake_record {
	char text[4096];
	const char *fields[128];
	size_t lens[128];
	struct csv_record rec;
};

/* Split line on sep into f->rec (line number 2, raw = the line). */
static inline void make_record_sep(struct fake_record *f, const char *line, char sep)
{
	char *p;
	size_t n = 0;

	snprintf(f->text, sizeof(f->text), "%s", line);
	p = f->text;
	for (;;) {
		char *cut = strchr(p, sep);

		f->fields[n] = p;
		f->lens[n] = cut ? (size_t)(cut - p) : strlen(p);
		n++;
		if (!cut || n == sizeof(f->fields) / sizeof(f->fields[0]))
			break;
		*cut = '\0';
		p = cut + 1;
	}
	f->rec.line = 2;
	f->rec.nfields = n;
	f->rec.fields = f->fields;
	f->rec.lens = f->lens;
	f->rec.raw = line;
	f->rec.raw_len = strlen(line);
}

static inline void make_record(struct fake_record *f, const char *line)
{
	make_record_sep(f, line, ',');
}

#endif /* SIYU_TEST_FAKE_RECORD_H */
