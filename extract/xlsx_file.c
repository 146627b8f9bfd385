/*
 * xlsx_file.c — the first worksheet of an .xlsx, streamed row by row
 * (see include/siyu/extract/xlsx_file.h).
 *
 * Parts read (ECMA-376 Part 1, SpreadsheetML):
 *   xl/workbook.xml            the first <sheet>'s r:id, <workbookPr date1904>
 *   xl/_rels/workbook.xml.rels that id's Target: the sheet's part name
 *   xl/styles.xml              <numFmts> and <cellXfs>: which styles are dates
 *   xl/sharedStrings.xml       the shared strings (<si>), kept in memory
 *   the sheet                  <row><c r= t= s=><v>|<is><t></c></row>, pushed
 *                              through expat a zip chunk at a time; the parser
 *                              is suspended at each </row> and resumed on the
 *                              next call, so one row at a time is held
 */
#include "siyu/extract/xlsx_file.h"

#include "siyu/common/buf.h"
#include "siyu/extract/csv_file.h"
#include "siyu/common/ltime.h"

#include <expat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#include <zlib.h>

#define MAX_COLS 1024
#define CHUNK 65536
#define CELL_MAX ((size_t)1 << 20)

/* A cell's kind, from its t attribute. */
enum cell_type { CELL_NUMBER, CELL_SHARED, CELL_INLINE, CELL_STRING, CELL_BOOL, CELL_ERROR };

struct xlsx_file {
	char *path;
	zip_t *zip;
	zip_file_t *sheet;
	char sheet_name[128];
	char sheet_part[256];
	int date1904;

	char **strings;           /* shared strings */
	size_t nstrings, capstrings;
	unsigned char *date_style; /* per cellXfs index: 1 = a date/time format */
	size_t nstyles;

	XML_Parser parser;
	int eof_fed;              /* the sheet's last bytes were given to the parser */
	char chunk[CHUNK];
	unsigned long long offset;      /* bytes of sheet XML read */
	unsigned long long sheet_size;  /* of the sheet's XML (its zip entry); 0 unknown */
	char failed[256];         /* why a callback stopped the parse */

	/* the row being built */
	int in_row, row_ready;
	long row_number;
	struct buf values;        /* cell values, each followed by a NUL */
	size_t off[MAX_COLS], len[MAX_COLS];
	const char *fields[MAX_COLS];
	size_t ncols;
	struct buf raw;           /* the row as one CSV line */

	/* the cell being read */
	int in_cell, in_value, in_inline_t, depth_rph;
	long cell_col;
	enum cell_type cell_type;
	int cell_style;
	struct buf text;
};

/* ---- zip parts through expat ---- */

/* Read the zip entry name through parser p. 0, -1 (err), 1 when the entry is absent. */
static int parse_part(struct xlsx_file *f, const char *name, XML_Parser p, char *err,
		      size_t errlen)
{
	zip_file_t *z = zip_fopen(f->zip, name, 0);
	char buf[CHUNK];
	zip_int64_t n;

	if (!z)
		return 1;
	do {
		n = zip_fread(z, buf, sizeof(buf));
		if (n < 0 || XML_Parse(p, buf, (int)(n < 0 ? 0 : n), n == 0) == XML_STATUS_ERROR) {
			snprintf(err, errlen, "%s: %s: %s", f->path, name,
				 n < 0 ? zip_file_strerror(z)
				       : f->failed[0] ? f->failed
						      : XML_ErrorString(XML_GetErrorCode(p)));
			zip_fclose(z);
			return -1;
		}
	} while (n > 0);
	zip_fclose(z);
	return 0;
}

/* The local name of a (possibly prefixed) XML name: "x:row" → "row". */
static const char *local(const char *name)
{
	const char *colon = strrchr(name, ':');

	return colon ? colon + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
	for (int i = 0; atts[i]; i += 2)
		if (strcmp(local(atts[i]), name) == 0)
			return atts[i + 1];
	return NULL;
}

/* ---- workbook.xml and its rels: the first sheet's part ---- */

struct workbook_scan {
	struct xlsx_file *f;
	char rid[64];
};

static void on_workbook(void *data, const char *name, const char **atts)
{
	struct workbook_scan *w = data;
	const char *v;

	name = local(name);
	if (strcmp(name, "workbookPr") == 0 && (v = attr(atts, "date1904")))
		w->f->date1904 = strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
	if (strcmp(name, "sheet") == 0 && !w->rid[0] && (v = attr(atts, "id"))) {
		snprintf(w->rid, sizeof(w->rid), "%s", v);
		snprintf(w->f->sheet_name, sizeof(w->f->sheet_name), "%s",
			 attr(atts, "name") ? attr(atts, "name") : "");
	}
}

static void on_rels(void *data, const char *name, const char **atts)
{
	struct workbook_scan *w = data;
	const char *id = attr(atts, "Id"), *target = attr(atts, "Target");

	if (strcmp(local(name), "Relationship") != 0 || !id || !target || strcmp(id, w->rid) != 0)
		return;
	if (target[0] == '/')
		snprintf(w->f->sheet_part, sizeof(w->f->sheet_part), "%s", target + 1);
	else
		snprintf(w->f->sheet_part, sizeof(w->f->sheet_part), "xl/%s", target);
}

static int find_sheet(struct xlsx_file *f, char *err, size_t errlen)
{
	struct workbook_scan w = { f, "" };
	XML_Parser p = XML_ParserCreate("UTF-8");
	int rc;

	if (!p)
		return -1;
	XML_SetUserData(p, &w);
	XML_SetStartElementHandler(p, on_workbook);
	rc = parse_part(f, "xl/workbook.xml", p, err, errlen);
	XML_ParserFree(p);
	if (rc == 1)
		snprintf(err, errlen, "%s: not an .xlsx workbook (no xl/workbook.xml)", f->path);
	if (rc != 0)
		return -1;
	if (!(p = XML_ParserCreate("UTF-8")))
		return -1;
	XML_SetUserData(p, &w);
	XML_SetStartElementHandler(p, on_rels);
	rc = parse_part(f, "xl/_rels/workbook.xml.rels", p, err, errlen);
	XML_ParserFree(p);
	if (rc < 0)
		return -1;
	if (!f->sheet_part[0]) /* no rels: the conventional name */
		snprintf(f->sheet_part, sizeof(f->sheet_part), "xl/worksheets/sheet1.xml");
	return 0;
}

/* ---- styles.xml: which cell styles show dates ---- */

/* 1 when a number format shows a date or time: y, m, d, h or s outside quotes, [..] and \x. */
static int format_is_date(const char *code)
{
	int quoted = 0, bracket = 0;

	for (const char *p = code; *p; p++) {
		char c = *p;

		if (quoted) {
			quoted = c != '"';
		} else if (bracket) {
			bracket = c != ']';
		} else if (c == '"') {
			quoted = 1;
		} else if (c == '[') {
			bracket = 1;
		} else if (c == '\\' || c == '_' || c == '*') {
			if (p[1])
				p++;
		} else if (strchr("ymdhsYMDHS", c)) {
			return 1;
		}
	}
	return 0;
}

/* Built-in formats that are dates: 14-22, 45-47, and the CJK ones 27-36 and 50-58. */
static int builtin_is_date(long id)
{
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
	       (id >= 50 && id <= 58);
}

struct styles_scan {
	struct xlsx_file *f;
	long date_fmt[256];       /* custom format ids that are dates */
	size_t ndate_fmt;
	int in_xfs;
	int oom;
};

static int custom_is_date(const struct styles_scan *s, long id)
{
	for (size_t i = 0; i < s->ndate_fmt; i++)
		if (s->date_fmt[i] == id)
			return 1;
	return 0;
}

static void on_styles_start(void *data, const char *name, const char **atts)
{
	struct styles_scan *s = data;
	const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");

	name = local(name);
	if (strcmp(name, "numFmt") == 0 && id && code && format_is_date(code) &&
	    s->ndate_fmt < sizeof(s->date_fmt) / sizeof(s->date_fmt[0]))
		s->date_fmt[s->ndate_fmt++] = strtol(id, NULL, 10);
	else if (strcmp(name, "cellXfs") == 0)
		s->in_xfs = 1;
	else if (strcmp(name, "xf") == 0 && s->in_xfs) {
		long n = id ? strtol(id, NULL, 10) : 0;
		unsigned char *more = realloc(s->f->date_style, s->f->nstyles + 1);

		if (!more) {
			s->oom = 1;
			return;
		}
		s->f->date_style = more;
		s->f->date_style[s->f->nstyles++] = builtin_is_date(n) || custom_is_date(s, n);
	}
}

static void on_styles_end(void *data, const char *name)
{
	struct styles_scan *s = data;

	if (strcmp(local(name), "cellXfs") == 0)
		s->in_xfs = 0;
}

static int read_styles(struct xlsx_file *f, char *err, size_t errlen)
{
	struct styles_scan *s = calloc(1, sizeof(*s));
	XML_Parser p = XML_ParserCreate("UTF-8");
	int rc = -1;

	if (s && p) {
		s->f = f;
		XML_SetUserData(p, s);
		XML_SetElementHandler(p, on_styles_start, on_styles_end);
		rc = parse_part(f, "xl/styles.xml", p, err, errlen) < 0 || s->oom ? -1 : 0;
	}
	if (p)
		XML_ParserFree(p);
	free(s);
	return rc;
}

/* ---- sharedStrings.xml ---- */

struct strings_scan {
	struct xlsx_file *f;
	int in_si, in_t, depth_rph;
	struct buf text;
	int oom;
};

static void on_sst_start(void *data, const char *name, const char **atts)
{
	struct strings_scan *s = data;

	(void)atts;
	name = local(name);
	if (strcmp(name, "si") == 0) {
		s->in_si = 1;
		buf_reset(&s->text);
	} else if (strcmp(name, "rPh") == 0) {
		s->depth_rph++; /* phonetic guide: not the cell's text */
	} else if (strcmp(name, "t") == 0 && s->in_si && !s->depth_rph) {
		s->in_t = 1;
	}
}

static int add_string(struct xlsx_file *f, const char *s)
{
	if (f->nstrings == f->capstrings) {
		size_t cap = f->capstrings ? f->capstrings * 2 : 1024;
		char **more = realloc(f->strings, cap * sizeof(*more));

		if (!more)
			return -1;
		f->strings = more;
		f->capstrings = cap;
	}
	if (!(f->strings[f->nstrings] = strdup(s)))
		return -1;
	f->nstrings++;
	return 0;
}

static void on_sst_end(void *data, const char *name)
{
	struct strings_scan *s = data;

	name = local(name);
	if (strcmp(name, "t") == 0)
		s->in_t = 0;
	else if (strcmp(name, "rPh") == 0)
		s->depth_rph--;
	else if (strcmp(name, "si") == 0 && s->in_si) {
		s->in_si = 0;
		if (add_string(s->f, buf_str(&s->text)) < 0)
			s->oom = 1;
	}
}

static void on_sst_text(void *data, const char *text, int len)
{
	struct strings_scan *s = data;

	if (s->in_t && buf_add(&s->text, text, (size_t)len) < 0)
		s->oom = 1;
}

static int read_strings(struct xlsx_file *f, char *err, size_t errlen)
{
	struct strings_scan s = { .f = f };
	XML_Parser p = XML_ParserCreate("UTF-8");
	int rc;

	if (!p)
		return -1;
	buf_init(&s.text, CELL_MAX);
	XML_SetUserData(p, &s);
	XML_SetElementHandler(p, on_sst_start, on_sst_end);
	XML_SetCharacterDataHandler(p, on_sst_text);
	rc = parse_part(f, "xl/sharedStrings.xml", p, err, errlen);
	XML_ParserFree(p);
	buf_release(&s.text);
	if (s.oom) {
		snprintf(err, errlen, "%s: xl/sharedStrings.xml: out of memory or a string over "
			 "1 MiB", f->path);
		return -1;
	}
	return rc < 0 ? -1 : 0;
}

/* ---- the sheet ---- */

int xlsx_serial_to_text(double serial, int date1904, char *out, size_t outlen)
{
	/* unix day 0 (1970-01-01) is serial 25569 in the 1900 system (which counts
	 * a 1900-02-29 that never was; every date since 1900-03-01 is one day
	 * further than the calendar's count) and 24107 in the 1904 system */
	double days = serial - (date1904 ? 24107.0 : 25569.0);
	double secs = floor(days * 86400.0 + 0.5);
	struct ltime t;

	if (!(secs >= 0.0 && secs < 4200000000.0) || ltime_from_unix((int64_t)secs, &t) < 0)
		return -1;
	return snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day,
			t.hour, t.minute, t.second) < (int)outlen ? 0 : -1;
}

/* Column index of a cell reference "AB12" → 27 (0-based); -1 when malformed. */
static long column_of(const char *ref)
{
	long col = 0;
	int n = 0;

	for (; *ref >= 'A' && *ref <= 'Z'; ref++, n++)
		col = col * 26 + (*ref - 'A' + 1);
	return n == 0 || n > 3 ? -1 : col - 1;
}

static void stop(struct xlsx_file *f, const char *why)
{
	if (!f->failed[0])
		snprintf(f->failed, sizeof(f->failed), "%s", why);
	XML_StopParser(f->parser, XML_FALSE);
}

static void on_sheet_start(void *data, const char *name, const char **atts)
{
	struct xlsx_file *f = data;
	const char *v;

	name = local(name);
	if (strcmp(name, "row") == 0) {
		f->in_row = 1;
		f->ncols = 0;
		buf_reset(&f->values);
		v = attr(atts, "r");
		f->row_number = v ? strtol(v, NULL, 10) : f->row_number + 1;
	} else if (strcmp(name, "c") == 0 && f->in_row) {
		const char *t = attr(atts, "t"), *s = attr(atts, "s"), *r = attr(atts, "r");

		f->in_cell = 1;
		f->cell_col = r ? column_of(r) : (long)f->ncols;
		f->cell_style = s ? (int)strtol(s, NULL, 10) : -1;
		f->cell_type = !t || strcmp(t, "n") == 0 ? CELL_NUMBER
			       : strcmp(t, "s") == 0 ? CELL_SHARED
			       : strcmp(t, "inlineStr") == 0 ? CELL_INLINE
			       : strcmp(t, "b") == 0 ? CELL_BOOL
			       : strcmp(t, "e") == 0 ? CELL_ERROR : CELL_STRING; /* str, d */
		buf_reset(&f->text);
		if (f->cell_col < 0 || f->cell_col >= MAX_COLS)
			stop(f, "a cell reference beyond column 1024");
	} else if (strcmp(name, "v") == 0 && f->in_cell) {
		f->in_value = 1;
	} else if (strcmp(name, "rPh") == 0) {
		f->depth_rph++;
	} else if (strcmp(name, "t") == 0 && f->in_cell && f->cell_type == CELL_INLINE &&
		   !f->depth_rph) {
		f->in_inline_t = 1;
	}
}

/* The text of the finished cell, by its type. NULL (after stop) when bad. */
static const char *cell_text(struct xlsx_file *f, char *tmp, size_t tmplen)
{
	const char *v = buf_str(&f->text);
	char *end;

	switch (f->cell_type) {
	case CELL_SHARED: {
		long i = strtol(v, &end, 10);

		if (*end || end == v || i < 0 || (size_t)i >= f->nstrings) {
			stop(f, "a shared-string index out of range");
			return NULL;
		}
		return f->strings[i];
	}
	case CELL_BOOL:
		return strcmp(v, "1") == 0 ? "TRUE" : "FALSE";
	case CELL_NUMBER:
		if (f->cell_style >= 0 && (size_t)f->cell_style < f->nstyles &&
		    f->date_style[f->cell_style] && *v) {
			double serial = strtod(v, &end);

			if (*end == '\0' && xlsx_serial_to_text(serial, f->date1904, tmp, tmplen) == 0)
				return tmp;
		}
		return v;
	default:
		return v;
	}
}

/* Append value as a CSV field (quoted when it needs to be) to the row's raw line. */
static int raw_field(struct buf *raw, const char *v, int first)
{
	int quote = strpbrk(v, ",\"\r\n") != NULL;

	if ((!first && buf_addch(raw, ',')) || (quote && buf_addch(raw, '"')))
		return -1;
	for (; *v; v++)
		if ((*v == '"' && quote && buf_addch(raw, '"')) || buf_addch(raw, *v))
			return -1;
	return quote ? buf_addch(raw, '"') : 0;
}

/* Store the finished cell's value at its column, filling skipped columns with "". */
static void end_cell(struct xlsx_file *f)
{
	char tmp[32];
	const char *v = cell_text(f, tmp, sizeof(tmp));

	if (!v)
		return;
	if ((size_t)f->cell_col < f->ncols) {
		stop(f, "cells out of column order");
		return;
	}
	while (f->ncols <= (size_t)f->cell_col) {
		int last = f->ncols == (size_t)f->cell_col;
		const char *s = last ? v : "";

		f->off[f->ncols] = f->values.len;
		f->len[f->ncols] = strlen(s);
		if (buf_add(&f->values, s, strlen(s) + 1) < 0) {
			stop(f, "a row over 4 MiB");
			return;
		}
		f->ncols++;
	}
}

static void on_sheet_end(void *data, const char *name)
{
	struct xlsx_file *f = data;

	name = local(name);
	if (strcmp(name, "v") == 0) {
		f->in_value = 0;
	} else if (strcmp(name, "t") == 0) {
		f->in_inline_t = 0;
	} else if (strcmp(name, "rPh") == 0) {
		f->depth_rph--;
	} else if (strcmp(name, "c") == 0 && f->in_cell) {
		f->in_cell = 0;
		end_cell(f);
	} else if (strcmp(name, "row") == 0 && f->in_row) {
		f->in_row = 0;
		if (f->ncols == 0)
			return; /* an empty row */
		f->row_ready = 1;
		XML_StopParser(f->parser, XML_TRUE); /* suspend: hand the row out */
	}
}

static void on_sheet_text(void *data, const char *text, int len)
{
	struct xlsx_file *f = data;

	if ((f->in_value || f->in_inline_t) && buf_add(&f->text, text, (size_t)len) < 0)
		stop(f, "a cell over 1 MiB");
}

/* Feed the next chunk of the sheet (or resume a suspended parse). 0, or -1 with err. */
static int feed(struct xlsx_file *f, char *err, size_t errlen)
{
	XML_ParsingStatus st;
	enum XML_Status rc;
	zip_int64_t n;

	XML_GetParsingStatus(f->parser, &st);
	if (st.parsing == XML_SUSPENDED) {
		rc = XML_ResumeParser(f->parser);
	} else {
		n = zip_fread(f->sheet, f->chunk, sizeof(f->chunk));
		if (n < 0) {
			snprintf(err, errlen, "%s: %s: %s", f->path, f->sheet_part,
				 zip_file_strerror(f->sheet));
			return -1;
		}
		f->offset += (unsigned long long)n;
		f->eof_fed = n == 0;
		rc = XML_Parse(f->parser, f->chunk, (int)n, n == 0);
	}
	if (rc == XML_STATUS_ERROR) {
		snprintf(err, errlen, "%s: %s, line %lu: %s", f->path, f->sheet_part,
			 (unsigned long)XML_GetCurrentLineNumber(f->parser),
			 f->failed[0] ? f->failed : XML_ErrorString(XML_GetErrorCode(f->parser)));
		return -1;
	}
	return 0;
}

static int build_record(struct xlsx_file *f, struct csv_record *rec)
{
	buf_reset(&f->raw);
	for (size_t i = 0; i < f->ncols; i++) {
		f->fields[i] = f->values.data + f->off[i];
		if (raw_field(&f->raw, f->fields[i], i == 0) < 0)
			return -1;
	}
	rec->line = f->row_number;
	rec->nfields = f->ncols;
	rec->fields = f->fields;
	rec->lens = f->len;
	rec->raw = buf_str(&f->raw);
	rec->raw_len = f->raw.len;
	rec->raw_escaped = 0; /* XML text: UTF-8, no NUL */
	rec->offset = 0;
	rec->fault_field = -1;
	return 0;
}

int xlsx_file_next(struct xlsx_file *f, struct csv_record *rec, char *err, size_t errlen)
{
	f->row_ready = 0;
	while (!f->row_ready) {
		XML_ParsingStatus st;

		XML_GetParsingStatus(f->parser, &st);
		if (st.parsing == XML_FINISHED || (f->eof_fed && st.parsing != XML_SUSPENDED))
			return 0;
		if (feed(f, err, errlen) < 0)
			return -1;
	}
	if (build_record(f, rec) < 0) {
		snprintf(err, errlen, "%s: row %ld: out of memory", f->path, f->row_number);
		return -1;
	}
	return 1;
}

double xlsx_file_share_read(const struct xlsx_file *f)
{
	if (!f->sheet_size)
		return -1;
	return f->offset >= f->sheet_size ? 1.0 : (double)f->offset / (double)f->sheet_size;
}

const char *xlsx_file_sheet(const struct xlsx_file *f)
{
	return f->sheet_name;
}

void xlsx_file_close(struct xlsx_file *f)
{
	if (!f)
		return;
	if (f->parser)
		XML_ParserFree(f->parser);
	if (f->sheet)
		zip_fclose(f->sheet);
	if (f->zip)
		zip_discard(f->zip);
	for (size_t i = 0; i < f->nstrings; i++)
		free(f->strings[i]);
	free(f->strings);
	free(f->date_style);
	buf_release(&f->values);
	buf_release(&f->raw);
	buf_release(&f->text);
	free(f->path);
	free(f);
}

/*
 * A gzip-wrapped .xlsx (the raw zone keeps every input gzipped) inflated into
 * an unlinked temporary file: libzip needs to seek, and memory stays bounded.
 * NULL with err filled on failure.
 */
static FILE *inflate_to_tmp(const char *path, char *err, size_t errlen)
{
	gzFile gz = gzopen(path, "rb");
	FILE *tmp = tmpfile();
	char buf[CHUNK];
	int n = 0;

	if (gz && tmp)
		while ((n = gzread(gz, buf, sizeof(buf))) > 0)
			if (fwrite(buf, 1, (size_t)n, tmp) != (size_t)n) {
				n = -1;
				break;
			}
	if (!gz || !tmp || n < 0 || fflush(tmp) != 0) {
		snprintf(err, errlen, "%s: cannot inflate the gzip copy of an .xlsx", path);
		if (tmp)
			fclose(tmp);
		tmp = NULL;
	}
	if (gz)
		gzclose(gz);
	if (tmp)
		rewind(tmp);
	return tmp;
}

static int open_zip(struct xlsx_file *f, int gzipped, char *err, size_t errlen)
{
	zip_error_t ze;
	zip_source_t *src = NULL;
	FILE *tmp = NULL;

	zip_error_init(&ze);
	if (gzipped) {
		if (!(tmp = inflate_to_tmp(f->path, err, errlen)))
			return -1;
		src = zip_source_filep_create(tmp, 0, -1, &ze);
		if (!src)
			fclose(tmp);
	} else {
		src = zip_source_file_create(f->path, 0, -1, &ze);
	}
	if (src && !(f->zip = zip_open_from_source(src, ZIP_RDONLY, &ze)))
		zip_source_free(src); /* closes tmp */
	if (!f->zip) {
		snprintf(err, errlen, "%s: cannot open as .xlsx: %s", f->path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	zip_error_fini(&ze);
	return 0;
}

static int open_sheet(struct xlsx_file *f, char *err, size_t errlen)
{
	zip_stat_t st;

	zip_stat_init(&st);
	if (zip_stat(f->zip, f->sheet_part, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE))
		f->sheet_size = st.size;
	if (!(f->sheet = zip_fopen(f->zip, f->sheet_part, 0))) {
		snprintf(err, errlen, "%s: the first worksheet (%s) is missing", f->path,
			 f->sheet_part);
		return -1;
	}
	if (!(f->parser = XML_ParserCreate("UTF-8")))
		return -1;
	XML_SetUserData(f->parser, f);
	XML_SetElementHandler(f->parser, on_sheet_start, on_sheet_end);
	XML_SetCharacterDataHandler(f->parser, on_sheet_text);
	return 0;
}

struct xlsx_file *xlsx_file_open(const char *path, int gzipped, char *err, size_t errlen)
{
	struct xlsx_file *f = calloc(1, sizeof(*f));

	err[0] = '\0';
	if (!f || !(f->path = strdup(path)))
		goto oom;
	buf_init(&f->values, CSV_RECORD_MAX);
	buf_init(&f->raw, 2 * CSV_RECORD_MAX);
	buf_init(&f->text, CELL_MAX);
	if (open_zip(f, gzipped, err, errlen) < 0 || find_sheet(f, err, errlen) < 0 ||
	    read_styles(f, err, errlen) < 0 || read_strings(f, err, errlen) < 0 ||
	    open_sheet(f, err, errlen) < 0)
		goto fail;
	return f;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	if (!err[0])
		snprintf(err, errlen, "%s: out of memory", path);
	xlsx_file_close(f);
	return NULL;
}
