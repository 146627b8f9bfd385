/*
 * csv_file.h — read CSV records one at a time, plain or gzip, with their raw bytes.
 *
 * Built on libcsv (RFC 4180 quoting, strict mode). Each record comes with the
 * physical line it starts on and its bytes exactly as read, so that a rejected
 * record is kept verbatim. Memory is bounded by the longest record
 * (CSV_RECORD_MAX), never by the file.
 */
#ifndef SIYU_EXTRACT_CSV_FILE_H
#define SIYU_EXTRACT_CSV_FILE_H

#include "siyu/common/csv_record.h"

#include <stddef.h>

#define CSV_RECORD_MAX ((size_t)4 << 20)

struct csv_file;

/*
 * Character encodings of merchant exports. Back-offices write UTF-8 (with or
 * without a BOM) or GBK; AUTO reads the first 64 KiB and picks UTF-8 when it
 * is valid UTF-8, else GB18030 (a superset of GBK). Records always come out
 * as UTF-8, raw bytes included, so that rejects store as text.
 */
enum csv_encoding { CSV_ENC_AUTO, CSV_ENC_UTF8, CSV_ENC_GBK };

/* Parse "auto" | "utf-8" | "utf8" | "gbk" | "gb18030"; 0 / -1. */
int csv_encoding_parse(const char *name, enum csv_encoding *out);

/* Open path (gzip detected by content). NULL with err filled on failure. */
struct csv_file *csv_file_open(const char *path, char *err, size_t errlen);

/* Open with an explicit encoding (csv_file_open = CSV_ENC_AUTO). */
struct csv_file *csv_file_open_enc(const char *path, enum csv_encoding enc, char *err,
				   size_t errlen);

/* The encoding in use after AUTO detection: "utf-8" or "gb18030". */
const char *csv_file_encoding(const struct csv_file *f);

/*
 * Read the next record into rec. Returns 1 (a record), 0 (end of file),
 * -1 (I/O error: err names the file and says why; stop), or -2 (this record
 * is malformed: err says why, rec->line and rec->raw are valid; reading may
 * go on).
 */
int csv_file_next(struct csv_file *f, struct csv_record *rec, char *err, size_t errlen);

/* How much of the file was read, 0..1 (of its bytes on disk, gzip or not); -1 unknown. */
double csv_file_share_read(const struct csv_file *f);

/* Close and free; NULL is fine. */
void csv_file_close(struct csv_file *f);

#endif /* SIYU_EXTRACT_CSV_FILE_H */
