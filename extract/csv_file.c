/*
 * csv_file.c — record-at-a-time CSV reader over zlib + libcsv
 * (see include/siyu/extract/csv_file.h).
 *
 * The file is read one physical line at a time and each line is fed to
 * libcsv. A record is complete when libcsv reports its end, which can only
 * happen at a line break, so the lines fed since the previous record are
 * exactly the record's raw bytes (a quoted field may span several lines).
 */
#include "siyu/extract/csv_file.h"

#include "siyu/common/buf.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define MAX_FIELDS 1024

struct csv_file {
	gzFile gz;
	char *path;
	struct csv_parser parser;
	long next_line;        /* number of the next physical line to read */
	long record_line;      /* line where the pending record started */
	int first_line;        /* skip a UTF-8 BOM on the first line */
	int eof;
	unsigned long long offset;
	off_t size;            /* of the file on disk, for csv_file_share_read; 0 unknown */

	iconv_t conv;          /* GB18030 → UTF-8, or (iconv_t)-1 for UTF-8 input */
	struct buf converted;  /* the line in UTF-8 when converting */
	struct buf line;       /* the physical line being read */
	struct buf fed;        /* the line as fed to libcsv (Excel ="..." unwrapped) */
	int in_quotes;         /* inside a quoted field at the end of the last line */
	struct buf raw;        /* raw bytes of the pending record */
	struct buf fieldbytes; /* field values, each followed by a NUL */
	size_t offsets[MAX_FIELDS];
	size_t lens[MAX_FIELDS];
	const char *fields[MAX_FIELDS];
	size_t nfields;
	int too_many_fields;
	int completed;         /* records completed by the last feed */
};

static void on_field(void *data, size_t len, void *ctx)
{
	struct csv_file *f = ctx;

	if (f->nfields == MAX_FIELDS) {
		f->too_many_fields = 1;
		return;
	}
	f->offsets[f->nfields] = f->fieldbytes.len;
	f->lens[f->nfields] = len;
	f->nfields++;
	/* buf caps at CSV_RECORD_MAX; overflow shows up as a short record below */
	buf_add(&f->fieldbytes, data ? data : "", data ? len : 0);
	buf_addch(&f->fieldbytes, '\0');
}

static void on_record_end(int c, void *ctx)
{
	struct csv_file *f = ctx;

	(void)c;
	f->completed++;
}

static int parser_reset(struct csv_file *f)
{
	csv_free(&f->parser);
	return csv_init(&f->parser, CSV_STRICT | CSV_STRICT_FINI);
}

static void clear_record(struct csv_file *f)
{
	f->in_quotes = 0;
	buf_reset(&f->raw);
	buf_reset(&f->fieldbytes);
	f->nfields = 0;
	f->too_many_fields = 0;
	f->completed = 0;
}

int csv_encoding_parse(const char *name, enum csv_encoding *out)
{
	if (strcasecmp(name, "auto") == 0)
		*out = CSV_ENC_AUTO;
	else if (strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0)
		*out = CSV_ENC_UTF8;
	else if (strcasecmp(name, "gbk") == 0 || strcasecmp(name, "gb18030") == 0 ||
		 strcasecmp(name, "gb2312") == 0)
		*out = CSV_ENC_GBK;
	else
		return -1;
	return 0;
}

const char *csv_file_encoding(const struct csv_file *f)
{
	return f->conv == (iconv_t)-1 ? "utf-8" : "gb18030";
}

/*
 * Valid UTF-8 in the first 64 KiB means UTF-8; a multi-byte sequence cut at
 * the end of the sample is fine.
 */
static int looks_utf8(gzFile gz)
{
	unsigned char sample[65536];
	int n = gzread(gz, sample, sizeof(sample));
	int i = 0;

	gzrewind(gz);
	while (i < n) {
		unsigned char c = sample[i];
		int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;

		if (len == 0)
			return 0;
		if (i + len > n)
			return 1;
		for (int k = 1; k < len; k++)
			if ((sample[i + k] & 0xC0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

struct csv_file *csv_file_open(const char *path, char *err, size_t errlen)
{
	return csv_file_open_enc(path, CSV_ENC_AUTO, err, errlen);
}

static int setup_encoding(struct csv_file *f, enum csv_encoding enc, char *err, size_t errlen)
{
	f->conv = (iconv_t)-1;
	if (enc == CSV_ENC_UTF8 || (enc == CSV_ENC_AUTO && looks_utf8(f->gz)))
		return 0;
	f->conv = iconv_open("UTF-8", "GB18030");
	if (f->conv == (iconv_t)-1) {
		snprintf(err, errlen, "cannot convert '%s' from GB18030: %s", f->path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

struct csv_file *csv_file_open_enc(const char *path, enum csv_encoding enc, char *err,
				   size_t errlen)
{
	struct csv_file *f = calloc(1, sizeof(*f));
	struct stat st;

	if (!f) {
		snprintf(err, errlen, "out of memory opening '%s'", path);
		return NULL;
	}
	errno = 0;
	f->gz = gzopen(path, "rb");
	if (!f->gz) {
		snprintf(err, errlen, "cannot open '%s': %s", path,
			 errno ? strerror(errno) : "out of memory");
		free(f);
		return NULL;
	}
	gzbuffer(f->gz, 1 << 17);
	if (stat(path, &st) == 0)
		f->size = st.st_size;
	if (csv_init(&f->parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		gzclose(f->gz);
		free(f);
		snprintf(err, errlen, "cannot initialise the CSV parser");
		return NULL;
	}
	f->path = strdup(path);
	if (!f->path || setup_encoding(f, enc, err, errlen) < 0) {
		csv_free(&f->parser);
		gzclose(f->gz);
		free(f->path);
		free(f);
		return NULL;
	}
	f->next_line = 1;
	f->first_line = 1;
	buf_init(&f->line, CSV_RECORD_MAX);
	buf_init(&f->fed, CSV_RECORD_MAX);
	buf_init(&f->converted, 2 * CSV_RECORD_MAX);
	buf_init(&f->raw, CSV_RECORD_MAX);
	buf_init(&f->fieldbytes, CSV_RECORD_MAX + 4 * MAX_FIELDS);
	return f;
}

/* Read one physical line (with its '\n') into f->line. 1, 0 at EOF, -1 error. */
static int read_line(struct csv_file *f, char *err, size_t errlen)
{
	char chunk[8192];

	buf_reset(&f->line);
	for (;;) {
		if (!gzgets(f->gz, chunk, sizeof(chunk))) {
			int zerr;
			const char *msg = gzerror(f->gz, &zerr);

			if (zerr != Z_OK && zerr != Z_BUF_ERROR) {
				snprintf(err, errlen, "%s:%ld: read error: %s", f->path, f->next_line,
					 zerr == Z_ERRNO ? strerror(errno) : msg);
				return -1;
			}
			return f->line.len > 0;
		}
		size_t n = strlen(chunk);
		if (buf_add(&f->line, chunk, n) < 0) {
			snprintf(err, errlen, "%s:%ld: line longer than %zu bytes", f->path,
				 f->next_line, CSV_RECORD_MAX);
			return -1;
		}
		if (n && chunk[n - 1] == '\n')
			return 1;
	}
}

/*
 * Convert f->line from GB18030 to UTF-8 in place. Bytes that are not
 * GB18030 become U+FFFD, so the record still reaches the checks (which
 * reject it with its line number) instead of stopping the file.
 */
static int convert_line(struct csv_file *f, char *err, size_t errlen)
{
	char *in = f->line.data;
	size_t inleft = f->line.len;

	if (f->conv == (iconv_t)-1 || inleft == 0)
		return 0;
	buf_reset(&f->converted);
	if (buf_grow(&f->converted, 2 * inleft + 8) < 0) {
		snprintf(err, errlen, "%s:%ld: line too long", f->path, f->next_line);
		return -1;
	}
	iconv(f->conv, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		char *out = f->converted.data + f->converted.len;
		size_t outleft = f->converted.cap - f->converted.len - 1;
		size_t before = outleft;
		size_t rc = iconv(f->conv, &in, &inleft, &out, &outleft);

		f->converted.len += before - outleft;
		if (rc != (size_t)-1)
			break;
		if (errno == E2BIG) {
			if (buf_grow(&f->converted, inleft * 2 + 8) < 0)
				return -1;
			continue;
		}
		/* EILSEQ / EINVAL: skip one byte, write the replacement character */
		in++;
		inleft--;
		if (buf_add(&f->converted, "\xEF\xBF\xBD", 3) < 0)
			return -1;
	}
	f->converted.data[f->converted.len] = '\0';
	buf_reset(&f->line);
	return buf_add(&f->line, f->converted.data, f->converted.len);
}

static void fill_record(struct csv_file *f, struct csv_record *rec)
{
	size_t raw_len = f->raw.len;

	while (raw_len && (f->raw.data[raw_len - 1] == '\n' || f->raw.data[raw_len - 1] == '\r'))
		raw_len--;
	for (size_t i = 0; i < f->nfields; i++)
		f->fields[i] = f->fieldbytes.data + f->offsets[i];
	rec->line = f->record_line;
	rec->nfields = f->nfields;
	rec->fields = f->fields;
	rec->lens = f->lens;
	rec->raw = buf_str(&f->raw);
	rec->raw_len = raw_len;
}

/* The pending record is malformed: report it and start afresh. */
static int malformed(struct csv_file *f, struct csv_record *rec, char *err, size_t errlen,
		     const char *why)
{
	snprintf(err, errlen, "%s", why);
	f->nfields = 0;
	fill_record(f, rec);
	parser_reset(f);
	f->completed = 0;
	return -2;
}

/*
 * Merchant exports write long numbers as ="4123456789012345678" so that Excel
 * keeps them as text. Strict RFC 4180 rejects a quote inside an unquoted
 * field, so drop the '=' when a field starts with =" : the rest is an
 * ordinary quoted field. The raw bytes keep the '='.
 */
static const char *unwrap_excel_quotes(struct csv_file *f, const char *p, size_t n, size_t *outn)
{
	int field_start = !f->in_quotes;

	buf_reset(&f->fed);
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (field_start && c == '=' && i + 1 < n && p[i + 1] == '"') {
			field_start = 0;
			continue;
		}
		if (c == '"')
			f->in_quotes = !f->in_quotes;
		field_start = !f->in_quotes && c == ',';
		if (buf_addch(&f->fed, c) < 0)
			break;
	}
	*outn = f->fed.len;
	return buf_str(&f->fed);
}

/* Feed the line just read to libcsv. */
static int feed_line(struct csv_file *f, struct csv_record *rec, char *err, size_t errlen)
{
	const char *p = f->line.data;
	size_t n = f->line.len;

	if (f->first_line) {
		f->first_line = 0;
		if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
			p += 3;
			n -= 3;
		}
	}
	f->next_line++;
	f->offset += f->line.len;
	if (f->raw.len == 0) {
		/* libcsv skips blank lines between records; so do the raw bytes */
		if (strspn(p, "\r\n") == n)
			return 0;
		f->record_line = f->next_line - 1;
	}
	if (buf_add(&f->raw, p, n) < 0)
		return malformed(f, rec, err, errlen, "record longer than the 4 MiB limit");
	p = unwrap_excel_quotes(f, p, n, &n);
	if (csv_parse(&f->parser, p, n, on_field, on_record_end, f) != n) {
		char why[128];

		snprintf(why, sizeof(why), "malformed CSV: %s", csv_strerror(csv_error(&f->parser)));
		return malformed(f, rec, err, errlen, why);
	}
	return 0;
}

static int finish_record(struct csv_file *f, struct csv_record *rec, char *err, size_t errlen)
{
	if (f->too_many_fields)
		return malformed(f, rec, err, errlen, "more than 1024 fields");
	if (f->completed > 1)
		return malformed(f, rec, err, errlen, "a bare carriage return inside a line");
	fill_record(f, rec);
	return 1;
}

int csv_file_next(struct csv_file *f, struct csv_record *rec, char *err, size_t errlen)
{
	clear_record(f);
	while (!f->eof) {
		int rc = read_line(f, err, errlen);

		if (rc < 0)
			return -1;
		if (rc == 0) {
			f->eof = 1;
			break;
		}
		if (convert_line(f, err, errlen) < 0)
			return -1;
		rc = feed_line(f, rec, err, errlen);
		if (rc < 0)
			return rc;
		if (f->completed)
			return finish_record(f, rec, err, errlen);
		if (f->raw.len == 0)
			continue;
	}
	/* End of file: a last record without a line break, or an open quote. */
	if (f->raw.len == 0)
		return 0;
	if (csv_fini(&f->parser, on_field, on_record_end, f) != 0)
		return malformed(f, rec, err, errlen, "unterminated quoted field at end of file");
	if (!f->completed) {
		buf_reset(&f->raw);
		return 0;
	}
	return finish_record(f, rec, err, errlen);
}

double csv_file_share_read(const struct csv_file *f)
{
	/* gzoffset: the bytes taken from the file (compressed or not), buffered ones excepted */
	z_off_t at = gzoffset(f->gz);

	if (f->size <= 0 || at < 0)
		return -1;
	return at >= f->size ? 1.0 : (double)at / (double)f->size;
}

void csv_file_close(struct csv_file *f)
{
	if (!f)
		return;
	csv_free(&f->parser);
	gzclose(f->gz);
	buf_release(&f->line);
	buf_release(&f->fed);
	buf_release(&f->converted);
	if (f->conv != (iconv_t)-1)
		iconv_close(f->conv);
	buf_release(&f->raw);
	buf_release(&f->fieldbytes);
	free(f->path);
	free(f);
}
