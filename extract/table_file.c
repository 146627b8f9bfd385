/*
 * table_file.c — CSV or .xlsx behind one record reader (see include/siyu/extract/table_file.h).
 */
#include "siyu/extract/table_file.h"

#include "siyu/extract/xlsx_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

struct table_file {
	struct csv_file *csv;
	struct xlsx_file *xlsx;
	char format[400];
};

/*
 * The first bytes of path (at most n), of its content when it is gzipped
 * (*gzipped set); -1 with err when it cannot be read.
 */
static int peek(const char *path, unsigned char *head, size_t n, size_t *got, int *gzipped,
		char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	gzFile gz;
	int r;

	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	*got = fread(head, 1, n, fp);
	fclose(fp);
	*gzipped = *got >= 2 && head[0] == 0x1F && head[1] == 0x8B;
	if (!*gzipped)
		return 0;
	if (!(gz = gzopen(path, "rb"))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	r = gzread(gz, head, (unsigned)n);
	gzclose(gz);
	*got = r > 0 ? (size_t)r : 0;
	return 0;
}

/* 1 when the head looks like an HTML document (some back offices name one .xls). */
static int is_html(const unsigned char *head, size_t n)
{
	size_t i = 0;

	if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
		i = 3;
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	return n - i >= 5 && (strncasecmp((const char *)head + i, "<html", 5) == 0 ||
			      strncasecmp((const char *)head + i, "<!doc", 5) == 0 ||
			      strncasecmp((const char *)head + i, "<tabl", 5) == 0);
}

struct table_file *table_file_open(const char *path, enum csv_encoding enc, char *err,
				   size_t errlen)
{
	static const unsigned char ole2[] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
	unsigned char head[64];
	size_t n;
	int gzipped;
	struct table_file *t;

	if (peek(path, head, sizeof(head), &n, &gzipped, err, errlen) < 0)
		return NULL;
	if (n >= 8 && memcmp(head, ole2, 8) == 0) {
		snprintf(err, errlen, "%s: a legacy Excel .xls file, which siyu does not read: "
			 "open it in Excel or WPS and save it as .xlsx or CSV", path);
		return NULL;
	}
	if (is_html(head, n)) {
		snprintf(err, errlen, "%s: an HTML page, not a table file (some back offices save "
			 "one under an .xls name): save it as .xlsx or CSV", path);
		return NULL;
	}
	if (!(t = calloc(1, sizeof(*t)))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (n >= 4 && memcmp(head, "PK\3\4", 4) == 0) {
		t->xlsx = xlsx_file_open(path, gzipped, err, errlen);
		snprintf(t->format, sizeof(t->format), "xlsx sheet %s",
			 t->xlsx ? xlsx_file_sheet(t->xlsx) : "");
	} else {
		t->csv = csv_file_open_enc(path, enc, err, errlen);
		/* which encoding and why: the run's output says it (docs/import-generic.md) */
		snprintf(t->format, sizeof(t->format), "csv %s (%s)",
			 t->csv ? csv_file_encoding(t->csv) : "",
			 t->csv ? csv_file_encoding_reason(t->csv) : "");
	}
	if (!t->csv && !t->xlsx) {
		free(t);
		return NULL;
	}
	return t;
}

int table_file_next(struct table_file *t, struct csv_record *rec, char *err, size_t errlen)
{
	return t->xlsx ? xlsx_file_next(t->xlsx, rec, err, errlen)
		       : csv_file_next(t->csv, rec, err, errlen);
}

const char *table_file_format(const struct table_file *t)
{
	return t->format;
}

double table_file_share_read(const struct table_file *t)
{
	return t->xlsx ? xlsx_file_share_read(t->xlsx) : csv_file_share_read(t->csv);
}

void table_file_close(struct table_file *t)
{
	if (!t)
		return;
	csv_file_close(t->csv);
	xlsx_file_close(t->xlsx);
	free(t);
}
