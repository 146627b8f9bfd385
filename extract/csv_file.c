/*
 * csv_file.c — record-at-a-time CSV reader over zlib + libcsv
 * (see include/siyu/extract/csv_file.h).
 *
 * Bytes are read in blocks with gzread (a NUL byte is data like any other)
 * and fed to libcsv one physical line, or one piece of an over-long line, at
 * a time. A record can only end at a line break, so the bytes fed since the
 * previous record are exactly its raw bytes.
 *
 * The bytes that shape a CSV file (, " CR LF) are ASCII and never occur
 * inside a GB18030 character, so records are parsed as read and each one is
 * checked in the file's encoding once complete: a byte that is not text is
 * the fault of that record only, found at its own line, and every other
 * record is unaffected.
 */
#include "siyu/extract/csv_file.h"

#include "siyu/common/buf.h"
#include "siyu/common/utf8.h"
#include "siyu/extract/gzip_read.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define BLOCK ((size_t)64 << 10)
/* What a reject keeps of a record over CSV_RECORD_MAX (the file has the rest). */
#define OVERSIZE_RAW_KEPT ((size_t)4 << 10)

struct csv_file {
	gzFile gz;
	char *path;
	struct csv_parser parser;
	int gb18030;                /* the file is GB18030 (else UTF-8) */
	char encoding_reason[320];
	iconv_t conv;               /* GB18030 → UTF-8, or (iconv_t)-1 */
	off_t size;                 /* of the file on disk, for csv_file_share_read; 0 unknown */

	unsigned char block[BLOCK]; /* input not yet consumed: block[bpos..blen) */
	size_t bpos, blen;
	int eof;
	unsigned long long offset;  /* bytes consumed (uncompressed) */
	long next_line;             /* the physical line being read */
	char fed[BLOCK];            /* a piece as fed to libcsv (Excel ="..." unwrapped) */

	/* the pending record */
	int started;
	long record_line;
	unsigned long long record_offset;
	unsigned long long record_bytes; /* all its bytes, also those past the cap */
	int in_quotes;              /* inside a quoted field at the end of the last piece */
	int field_start;            /* the next byte starts a field (Excel unwrap) */
	int skip_to_eol;            /* libcsv failed: the rest of the line is this record's */
	char parse_error[96];
	int oversize;               /* raw or fields went past the cap */
	int too_many_fields;
	int completed;              /* records libcsv completed */
	struct buf raw;             /* its bytes as read */
	struct buf fieldbytes;      /* field values as read, each followed by a NUL */
	size_t offsets[CSV_FIELDS_MAX];
	size_t lens[CSV_FIELDS_MAX];
	const char *fields[CSV_FIELDS_MAX];
	size_t nfields;

	/* what the caller gets */
	struct buf text;            /* raw as text (converted or escaped) */
	struct buf converted;       /* field values in UTF-8 (GB18030 files) */
	size_t out_lens[CSV_FIELDS_MAX];
};

/* ---- the two encodings -------------------------------------------------------- */

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
	return f->gb18030 ? "gb18030" : "utf-8";
}

const char *csv_file_encoding_reason(const struct csv_file *f)
{
	return f->encoding_reason;
}

/*
 * GB18030 byte by byte, like utf8_step: 1 a character ends here, 0 inside
 * one, -1 invalid (state reset). One byte 00-7F; two bytes 81-FE then 40-7E
 * or 80-FE; four bytes 81-84 or 90-E3 (the ranges with characters), 30-39,
 * 81-FE, 30-39.
 */
static int gb18030_step(int *state, unsigned char c)
{
	switch (*state) {
	case 0:
		if (c < 0x80)
			return 1;
		if (c == 0x80 || c == 0xFF)
			return -1;
		*state = c <= 0x84 || (c >= 0x90 && c <= 0xE3) ? 1 : 4;
		return 0;
	case 1: /* after a lead byte that may start either form */
	case 4: /* after a lead byte that starts only two-byte characters */
		if ((c >= 0x40 && c <= 0x7E) || (c >= 0x80 && c <= 0xFE)) {
			*state = 0;
			return 1;
		}
		if (*state == 1 && c >= 0x30 && c <= 0x39) {
			*state = 2;
			return 0;
		}
		break;
	case 2:
		if (c >= 0x81 && c <= 0xFE) {
			*state = 3;
			return 0;
		}
		break;
	case 3:
		if (c >= 0x30 && c <= 0x39) {
			*state = 0;
			return 1;
		}
		break;
	}
	*state = 0;
	return -1;
}

/* One encoding's evidence over the whole file. */
struct enc_evidence {
	const char *name;
	struct utf8_state u;        /* UTF-8 */
	int gb;                     /* GB18030 */
	unsigned long long seq_start;
	int line_bad;
	long bad_lines;
	unsigned long long first_offset;
	long first_line;
	unsigned char first_byte;
};

struct evidence {
	struct enc_evidence utf8, gb;
	long lines, nonblank_lines;
	int line_nonblank;
};

static void note_bad(struct enc_evidence *e, unsigned long long off, long line, unsigned char c)
{
	if (e->line_bad)
		return;
	e->line_bad = 1;
	if (e->bad_lines++ == 0) {
		e->first_offset = off;
		e->first_line = line;
		e->first_byte = c;
	}
}

/* Feed one byte at file offset off to both validators. */
static void weigh_byte(struct evidence *ev, unsigned char c, unsigned long long off, long line)
{
	struct enc_evidence *u = &ev->utf8, *g = &ev->gb;
	int inside;

	inside = u->u.need > 0;
	if (!inside)
		u->seq_start = off;
	if (utf8_step(&u->u, c) < 0)
		note_bad(u, inside ? u->seq_start : off, line, c);
	inside = g->gb != 0;
	if (!inside)
		g->seq_start = off;
	if (gb18030_step(&g->gb, c) < 0)
		note_bad(g, inside ? g->seq_start : off, line, c);
}

/* A line ended (at '\n' or the end of the file): a character cut by it is invalid. */
static void weigh_line_end(struct evidence *ev, long line)
{
	if (ev->utf8.u.need)
		note_bad(&ev->utf8, ev->utf8.seq_start, line, 0);
	if (ev->gb.gb)
		note_bad(&ev->gb, ev->gb.seq_start, line, 0);
	ev->utf8.u = (struct utf8_state)UTF8_STATE_INIT;
	ev->gb.gb = 0;
	ev->utf8.line_bad = ev->gb.line_bad = 0;
	ev->lines++;
	ev->nonblank_lines += ev->line_nonblank;
	ev->line_nonblank = 0;
}

static int read_end(struct csv_file *f, int n, char *err, size_t errlen);

/* Read the whole file once, weighing every byte; then back to its start. */
static int gather_evidence(struct csv_file *f, struct evidence *ev, char *err, size_t errlen)
{
	unsigned long long off = 0;
	long line = 1;
	int n;

	memset(ev, 0, sizeof(*ev));
	ev->utf8.name = "UTF-8";
	ev->utf8.u = (struct utf8_state)UTF8_STATE_INIT;
	ev->gb.name = "GB18030";
	while ((n = gzread(f->gz, f->block, BLOCK)) > 0) {
		for (int i = 0; i < n; i++, off++) {
			unsigned char c = f->block[i];

			if (c == '\n') {
				weigh_line_end(ev, line++);
				continue;
			}
			if (c != '\r')
				ev->line_nonblank = 1;
			if (c >= 0x80 || ev->utf8.u.need || ev->gb.gb)
				weigh_byte(ev, c, off, line);
		}
	}
	if (read_end(f, n, err, errlen) < 0)
		return -1;
	if (ev->line_nonblank || ev->utf8.u.need || ev->gb.gb)
		weigh_line_end(ev, line);
	if (gzrewind(f->gz) != 0) {
		snprintf(err, errlen, "%s: cannot read the file a second time (a pipe?): give "
			 "the encoding (utf-8 or gbk) instead of auto", f->path);
		return -1;
	}
	return 0;
}

static void describe_first_bad(const struct enc_evidence *e, char *out, size_t n)
{
	if (e->first_byte)
		snprintf(out, n, "byte 0x%02X at offset %llu, line %ld", e->first_byte,
			 e->first_offset, e->first_line);
	else
		snprintf(out, n, "a character cut by the line break at offset %llu, line %ld",
			 e->first_offset, e->first_line);
}

/* Pick the encoding from the evidence (csv_file.h); -1 when the file is neither. */
static int decide_encoding(struct csv_file *f, const struct evidence *ev, char *err,
			   size_t errlen)
{
	const struct enc_evidence *pick, *other;
	char first[96], other_first[96];

	if (ev->utf8.bad_lines == 0) {
		snprintf(f->encoding_reason, sizeof(f->encoding_reason), "valid UTF-8 throughout");
		return 0;
	}
	describe_first_bad(&ev->utf8, first, sizeof(first));
	if (ev->gb.bad_lines == 0) {
		f->gb18030 = 1;
		snprintf(f->encoding_reason, sizeof(f->encoding_reason),
			 "not UTF-8 (%s), valid GB18030 throughout", first);
		return 0;
	}
	pick = ev->gb.bad_lines < ev->utf8.bad_lines ? &ev->gb : &ev->utf8;
	other = pick == &ev->gb ? &ev->utf8 : &ev->gb;
	describe_first_bad(pick, first, sizeof(first));
	describe_first_bad(other, other_first, sizeof(other_first));
	if (2 * pick->bad_lines > ev->nonblank_lines) {
		snprintf(err, errlen,
			 "%s: neither UTF-8 nor GB18030: %ld of %ld lines are not %s (first: %s) "
			 "and %ld are not %s (first: %s)", f->path, pick->bad_lines,
			 ev->nonblank_lines, pick->name, first, other->bad_lines, other->name,
			 other_first);
		return -1;
	}
	f->gb18030 = pick == &ev->gb;
	snprintf(f->encoding_reason, sizeof(f->encoding_reason),
		 "%s but for %ld line%s (first: %s), which are rejected; %s would fail %ld",
		 pick->name, pick->bad_lines, pick->bad_lines == 1 ? "" : "s", first, other->name,
		 other->bad_lines);
	return 0;
}

/* The start of the file: byte order marks. 1 UTF-8 BOM, 0 none, -1 UTF-16/32. */
static int byte_order_mark(struct csv_file *f, char *err, size_t errlen)
{
	unsigned char head[4] = { 0 };
	int n = gzread(f->gz, head, sizeof(head));

	if (n < 0 || gzrewind(f->gz) != 0)
		return read_end(f, -1, err, errlen);
	if (n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
		return 1;
	if (n >= 2 && (memcmp(head, "\xFF\xFE", 2) == 0 || memcmp(head, "\xFE\xFF", 2) == 0)) {
		snprintf(err, errlen, "%s: UTF-16 text (byte order mark at offset 0): save it as "
			 "CSV in UTF-8 or GBK", f->path);
		return -1;
	}
	return 0;
}

static int setup_encoding(struct csv_file *f, enum csv_encoding enc, char *err, size_t errlen)
{
	struct evidence ev;
	int bom;

	f->conv = (iconv_t)-1;
	if (enc != CSV_ENC_AUTO) {
		/* no second read: a given encoding works on a pipe too */
		f->gb18030 = enc == CSV_ENC_GBK;
		snprintf(f->encoding_reason, sizeof(f->encoding_reason), "as configured");
	} else if ((bom = byte_order_mark(f, err, errlen)) < 0) {
		return -1;
	} else if (bom) {
		snprintf(f->encoding_reason, sizeof(f->encoding_reason), "byte order mark");
	} else if (gather_evidence(f, &ev, err, errlen) < 0 ||
		   decide_encoding(f, &ev, err, errlen) < 0) {
		return -1;
	}
	if (!f->gb18030)
		return 0;
	f->conv = iconv_open("UTF-8", "GB18030");
	if (f->conv == (iconv_t)-1) {
		snprintf(err, errlen, "cannot convert '%s' from GB18030: %s", f->path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- opening, reading blocks ---------------------------------------------------- */

static void on_field(void *data, size_t len, void *ctx)
{
	struct csv_file *f = ctx;

	if (f->nfields == CSV_FIELDS_MAX) {
		f->too_many_fields = 1;
		return;
	}
	f->offsets[f->nfields] = f->fieldbytes.len;
	f->lens[f->nfields] = len;
	f->nfields++;
	if (buf_add(&f->fieldbytes, data ? data : "", data ? len : 0) < 0 ||
	    buf_addch(&f->fieldbytes, '\0') < 0)
		f->oversize = 1;
}

static void on_record_end(int c, void *ctx)
{
	struct csv_file *f = ctx;

	(void)c;
	f->completed++;
}

/*
 * libcsv grows a field's buffer by a fixed block: the default 128 bytes
 * makes a long field cost quadratic time.
 */
#define PARSER_BLOCK ((size_t)64 << 10)

static int parser_init(struct csv_file *f)
{
	if (csv_init(&f->parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return -1;
	csv_set_blk_size(&f->parser, PARSER_BLOCK);
	return 0;
}

static int parser_reset(struct csv_file *f)
{
	csv_free(&f->parser);
	return parser_init(f);
}

struct csv_file *csv_file_open(const char *path, char *err, size_t errlen)
{
	return csv_file_open_enc(path, CSV_ENC_AUTO, err, errlen);
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
	f->conv = (iconv_t)-1;
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
	if (parser_init(f) != 0) {
		gzclose(f->gz);
		free(f);
		snprintf(err, errlen, "cannot initialise the CSV parser");
		return NULL;
	}
	f->next_line = 1;
	buf_init(&f->raw, CSV_RECORD_MAX);
	buf_init(&f->fieldbytes, CSV_RECORD_MAX + CSV_FIELDS_MAX);
	buf_init(&f->text, 4 * CSV_RECORD_MAX);
	buf_init(&f->converted, 2 * (CSV_RECORD_MAX + CSV_FIELDS_MAX));
	f->path = strdup(path);
	if (!f->path || setup_encoding(f, enc, err, errlen) < 0) {
		if (!f->path)
			snprintf(err, errlen, "out of memory opening '%s'", path);
		csv_file_close(f);
		return NULL;
	}
	return f;
}

/* After gzread returned n <= 0: 0 at a clean end of the input, else -1 with err naming the file. */
static int read_end(struct csv_file *f, int n, char *err, size_t errlen)
{
	char why[512];

	if (gzip_read_end(f->gz, n, why, sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "%s: %s", f->path, why);
	return -1;
}

/* Make input available in the block: 1, 0 at the end, -1 error. */
static int fill_block(struct csv_file *f, char *err, size_t errlen)
{
	int n;

	if (f->bpos < f->blen)
		return 1;
	if (f->eof)
		return 0;
	f->bpos = f->blen = 0;
	n = gzread(f->gz, f->block, BLOCK);
	if (n <= 0 && read_end(f, n, err, errlen) < 0)
		return -1;
	if (n == 0) {
		f->eof = 1;
		return 0;
	}
	f->blen = (size_t)n;
	/* a UTF-8 byte order mark is not data */
	if (f->offset == 0 && !f->gb18030 && f->blen >= 3 && memcmp(f->block, "\xEF\xBB\xBF", 3) == 0) {
		f->bpos = 3;
		f->offset = 3;
	}
	return f->bpos < f->blen ? 1 : fill_block(f, err, errlen);
}

/* ---- one record ------------------------------------------------------------------- */

static void clear_record(struct csv_file *f)
{
	f->started = 0;
	f->record_bytes = 0;
	f->in_quotes = 0;
	f->field_start = 1;
	f->skip_to_eol = 0;
	f->oversize = 0;
	f->too_many_fields = 0;
	f->completed = 0;
	f->nfields = 0;
	buf_reset(&f->raw);
	buf_reset(&f->fieldbytes);
	buf_reset(&f->text);
	buf_reset(&f->converted);
}

/*
 * Merchant exports write long numbers as ="4123456789012345678" so that Excel
 * keeps them as text. Strict RFC 4180 rejects a quote inside an unquoted
 * field, so drop the '=' when a field starts with =" : the rest is an
 * ordinary quoted field. The raw bytes keep the '='.
 */
static size_t unwrap_excel_quotes(struct csv_file *f, const char *p, size_t n,
				  const char *next)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		char after = i + 1 < n ? p[i + 1] : next ? *next : '\0';

		if (f->field_start && !f->in_quotes && c == '=' && after == '"') {
			f->field_start = 0;
			continue;
		}
		if (c == '"')
			f->in_quotes = !f->in_quotes;
		f->field_start = !f->in_quotes && (c == ',' || c == '\n' || c == '\r');
		f->fed[out++] = c;
	}
	return out;
}

/*
 * Feed one piece of the record to libcsv. Past the size cap it is no longer
 * parsed (libcsv would hold the whole field): the quotes are still followed
 * (unwrap_excel_quotes), so the record's end is found all the same.
 */
static void feed(struct csv_file *f, const char *p, size_t n, const char *next)
{
	size_t m = unwrap_excel_quotes(f, p, n, next);

	if (f->skip_to_eol || f->oversize)
		return;
	if (csv_parse(&f->parser, f->fed, m, on_field, on_record_end, f) != m) {
		snprintf(f->parse_error, sizeof(f->parse_error), "malformed CSV: %s",
			 csv_strerror(csv_error(&f->parser)));
		f->skip_to_eol = 1;
		parser_reset(f);
	}
}

/* Keep the record's bytes up to the cap; past it, only count them. */
static void keep_raw(struct csv_file *f, const char *p, size_t n)
{
	f->record_bytes += n;
	if (!f->oversize && buf_add(&f->raw, p, n) < 0)
		f->oversize = 1;
}

static int only_line_breaks(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

/*
 * Take the next piece of input: up to and including a '\n', or the rest of
 * the block. Returns 1 when it ended a line, 0 when not, -1 at the end of
 * the input (or an error: err set, *failed = 1).
 */
static int take_piece(struct csv_file *f, int *failed, char *err, size_t errlen)
{
	const char *p, *nl, *next;
	size_t n;
	int rc = fill_block(f, err, errlen);

	if (rc <= 0) {
		*failed = rc < 0;
		return -1;
	}
	p = (const char *)f->block + f->bpos;
	nl = memchr(p, '\n', f->blen - f->bpos);
	n = nl ? (size_t)(nl - p) + 1 : f->blen - f->bpos;
	next = f->bpos + n < f->blen ? p + n : NULL;
	if (!f->started) {
		/* libcsv skips blank lines between records; so does the raw record */
		if (only_line_breaks(p, n)) {
			f->bpos += n;
			f->offset += n;
			f->next_line += nl != NULL;
			return nl != NULL;
		}
		f->started = 1;
		f->record_line = f->next_line;
		f->record_offset = f->offset;
	}
	keep_raw(f, p, n);
	feed(f, p, n, next);
	f->bpos += n;
	f->offset += n;
	f->next_line += nl != NULL;
	return nl != NULL;
}

/* The raw record without its final line break. */
static size_t raw_length(const struct csv_file *f)
{
	size_t n = f->raw.len;

	while (n && (f->raw.data[n - 1] == '\n' || f->raw.data[n - 1] == '\r'))
		n--;
	return n;
}

/*
 * GB18030 bytes to UTF-8 text in out. escape = 0: fail (-1) on the first
 * byte that does not convert. escape = 1: such bytes become \xHH and the
 * result is in utf8_escape's form (never fails but for memory).
 */
static int gb18030_to_text(struct csv_file *f, const char *s, size_t len, struct buf *out,
			   int escape)
{
	char *in = (char *)s;
	size_t inleft = len;
	struct buf tmp = BUF_INIT;
	struct buf *dst = escape ? &tmp : out;
	int rc = 0;

	iconv(f->conv, NULL, NULL, NULL, NULL);
	while (inleft > 0 && rc == 0) {
		char *o;
		size_t outleft, before;

		/* GB18030 → UTF-8 grows at most 1.5 times; E2BIG asks again */
		if (buf_grow(dst, 2 * inleft + 8) < 0) {
			rc = -1;
			break;
		}
		o = dst->data + dst->len;
		outleft = before = dst->cap - dst->len - 1;
		if (iconv(f->conv, &in, &inleft, &o, &outleft) == (size_t)-1 && errno != E2BIG) {
			dst->len += before - outleft;
			if (!escape) {
				rc = -1;
				break;
			}
			/* what converted so far goes out escaped, then the bad byte */
			if (utf8_escape(out, tmp.data, tmp.len) < 0 ||
			    utf8_escape_byte(out, (unsigned char)*in) < 0)
				rc = -1;
			buf_reset(&tmp);
			in++;
			inleft--;
			iconv(f->conv, NULL, NULL, NULL, NULL);
			continue;
		}
		dst->len += before - outleft;
	}
	if (dst->data)
		dst->data[dst->len] = '\0';
	if (escape && rc == 0 && utf8_escape(out, tmp.data, tmp.len) < 0)
		rc = -1;
	buf_release(&tmp);
	return rc;
}

/* The record's raw bytes as text in f->text, escaped when they are not text. */
static void make_raw_text(struct csv_file *f, struct csv_record *rec, int is_text)
{
	size_t n = raw_length(f);
	const char *raw = f->raw.data ? f->raw.data : "";

	buf_reset(&f->text);
	rec->raw_escaped = 0;
	if (f->oversize && n > OVERSIZE_RAW_KEPT) {
		n = OVERSIZE_RAW_KEPT;
		is_text = 0; /* it may end inside a character */
	}
	if (is_text && !f->gb18030) {
		rec->raw = raw;
		rec->raw_len = n;
		return;
	}
	if (!is_text || gb18030_to_text(f, raw, n, &f->text, 0) < 0) {
		buf_reset(&f->text);
		rec->raw_escaped = 1;
		/* out of memory only: what fits is kept */
		(void)(f->gb18030 ? gb18030_to_text(f, raw, n, &f->text, 1)
				  : utf8_escape(&f->text, raw, n));
	}
	rec->raw = buf_str(&f->text);
	rec->raw_len = f->text.len;
}

/* The record is malformed (why): report it with fault_field and start afresh. */
static int malformed(struct csv_file *f, struct csv_record *rec, char *err, size_t errlen,
		     int fault_field, int is_text, const char *why)
{
	snprintf(err, errlen, "%s", why);
	rec->line = f->record_line;
	rec->offset = f->record_offset;
	rec->nfields = 0;
	rec->fields = f->fields;
	rec->lens = f->out_lens;
	rec->fault_field = fault_field;
	make_raw_text(f, rec, is_text);
	parser_reset(f);
	return -2;
}

/* Offset in raw of the first byte that is not text in the file's encoding, or -1. */
static long first_fault(const struct csv_file *f, size_t n)
{
	struct utf8_state u = UTF8_STATE_INIT;
	int gb = 0;
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f->raw.data[i];
		int inside = f->gb18030 ? gb != 0 : u.need > 0;

		if (!inside)
			start = i;
		if (c == '\0')
			return (long)i;
		if (c < 0x80 && !inside)
			continue; /* ASCII between characters is text in both encodings */
		if ((f->gb18030 ? gb18030_step(&gb, c) : utf8_step(&u, c)) < 0)
			return (long)(inside ? start : i);
	}
	if (f->gb18030 ? gb != 0 : u.need > 0)
		return (long)start;
	return -1;
}

/* Point rec's fields at the values in UTF-8 (converted from GB18030 if need be). */
static int convert_fields(struct csv_file *f, struct csv_record *rec)
{
	for (size_t i = 0; i < f->nfields; i++) {
		const char *v = f->fieldbytes.data + f->offsets[i];

		f->out_lens[i] = f->lens[i];
		f->fields[i] = v;
		if (!f->gb18030)
			continue;
		/* offsets are kept rather than pointers: converted may move as it grows */
		f->offsets[i] = f->converted.len;
		if (gb18030_to_text(f, v, f->lens[i], &f->converted, 0) < 0 ||
		    buf_addch(&f->converted, '\0') < 0)
			return (int)i;
		f->out_lens[i] = f->converted.len - f->offsets[i] - 1;
	}
	if (f->gb18030)
		for (size_t i = 0; i < f->nfields; i++)
			f->fields[i] = f->converted.data + f->offsets[i];
	rec->nfields = f->nfields;
	rec->fields = f->fields;
	rec->lens = f->out_lens;
	return -1;
}

/* A complete record: check it is text in the file's encoding and hand it out. */
static int finish_record(struct csv_file *f, struct csv_record *rec, char *err, size_t errlen)
{
	char why[160];
	size_t n = raw_length(f);
	long bad;
	int field;

	if (f->skip_to_eol)
		return malformed(f, rec, err, errlen, -1, first_fault(f, n) < 0, f->parse_error);
	if (f->oversize) {
		snprintf(why, sizeof(why), "record longer than the %zu MiB limit (%llu bytes; the "
			 "first %zu kept here)", CSV_RECORD_MAX >> 20, f->record_bytes,
			 OVERSIZE_RAW_KEPT);
		return malformed(f, rec, err, errlen, -1, 0, why);
	}
	if (f->too_many_fields)
		return malformed(f, rec, err, errlen, -1, first_fault(f, n) < 0,
				 "more than 1024 fields");
	if (f->completed > 1)
		return malformed(f, rec, err, errlen, -1, first_fault(f, n) < 0,
				 "a bare carriage return inside a line");
	if ((bad = first_fault(f, n)) >= 0) {
		unsigned char c = (unsigned char)f->raw.data[bad];

		if (c == '\0')
			snprintf(why, sizeof(why), "a NUL byte (0x00) at offset %llu: not text",
				 f->record_offset + (unsigned long long)bad);
		else
			snprintf(why, sizeof(why), "byte 0x%02X at offset %llu is not valid %s",
				 c, f->record_offset + (unsigned long long)bad,
				 f->gb18030 ? "GB18030" : "UTF-8");
		return malformed(f, rec, err, errlen, (int)csv_field_at(f->raw.data, (size_t)bad), 0,
				 why);
	}
	if ((field = convert_fields(f, rec)) >= 0) {
		snprintf(why, sizeof(why), "not convertible from GB18030 (record at offset %llu)",
			 f->record_offset);
		return malformed(f, rec, err, errlen, field, 0, why);
	}
	rec->line = f->record_line;
	rec->offset = f->record_offset;
	rec->fault_field = -1;
	make_raw_text(f, rec, 1);
	return 1;
}

/* The input ended with a record pending. */
static int end_of_file(struct csv_file *f, struct csv_record *rec, char *err, size_t errlen)
{
	if (!f->started)
		return 0;
	if ((f->oversize && f->in_quotes) ||
	    (!f->skip_to_eol && !f->oversize && csv_fini(&f->parser, on_field, on_record_end, f) != 0)) {
		snprintf(err, errlen, "%s: the file ends inside a quoted field of the record at "
			 "line %ld (offset %llu, %llu bytes to the end): the file is cut short or "
			 "a quote is never closed", f->path, f->record_line, f->record_offset,
			 f->record_bytes);
		return -1;
	}
	if (!f->skip_to_eol && !f->oversize && !f->completed)
		return 0;
	return finish_record(f, rec, err, errlen);
}

int csv_file_next(struct csv_file *f, struct csv_record *rec, char *err, size_t errlen)
{
	clear_record(f);
	for (;;) {
		int failed = 0;
		int rc = take_piece(f, &failed, err, errlen);

		if (rc < 0)
			return failed ? -1 : end_of_file(f, rec, err, errlen);
		if (rc > 0 && f->started &&
		    (f->completed || f->skip_to_eol || (f->oversize && !f->in_quotes)))
			return finish_record(f, rec, err, errlen);
	}
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
	if (f->conv != (iconv_t)-1)
		iconv_close(f->conv);
	buf_release(&f->raw);
	buf_release(&f->fieldbytes);
	buf_release(&f->text);
	buf_release(&f->converted);
	free(f->path);
	free(f);
}
