/*
 * csv_file.h — read CSV records one at a time, plain or gzip, with their raw bytes.
 *
 * Built on libcsv (RFC 4180 quoting, strict mode). Each record comes with the
 * physical line it starts on and its bytes exactly as read, so that a rejected
 * record is kept verbatim. Memory is bounded by the longest record
 * (CSV_RECORD_MAX), never by the file.
 */
#ifndef SIYU_CSV_FILE_H
#define SIYU_CSV_FILE_H

#include <stddef.h>

#define CSV_RECORD_MAX ((size_t)4 << 20)

struct csv_record {
	long line;           /* 1-based physical line where the record starts */
	size_t nfields;
	const char **fields; /* NUL-terminated; borrowed until the next call */
	const size_t *lens;
	const char *raw;     /* the record as read, without its final line break */
	size_t raw_len;
};

struct csv_file;

/* Open path (gzip detected by content). NULL with err filled on failure. */
struct csv_file *csv_file_open(const char *path, char *err, size_t errlen);

/*
 * Read the next record into rec. Returns 1 (a record), 0 (end of file),
 * -1 (I/O error: err names the file and says why; stop), or -2 (this record
 * is malformed: err says why, rec->line and rec->raw are valid; reading may
 * go on).
 */
int csv_file_next(struct csv_file *f, struct csv_record *rec, char *err, size_t errlen);

/* Bytes of input consumed so far (uncompressed). */
unsigned long long csv_file_offset(const struct csv_file *f);

/* Close and free; NULL is fine. */
void csv_file_close(struct csv_file *f);

#endif /* SIYU_CSV_FILE_H */
