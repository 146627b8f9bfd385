/*
 * csv_file.h — read CSV records one at a time, plain or gzip, with their raw bytes.
 *
 * Built on libcsv (RFC 4180 quoting, strict mode). Each record comes with the
 * physical line and byte offset it starts at and its bytes as read, so that a
 * rejected record is kept. Memory is bounded by CSV_RECORD_MAX, never by the
 * file: a longer record is read through and reported as malformed.
 *
 * Every byte sequence ends in one of three ways:
 *   - a record whose fields are valid UTF-8 text without NUL bytes (converted
 *     from GB18030 when the file is GB18030), stored byte for byte downstream;
 *   - a malformed record (-2) at its own line: bad quoting, a NUL byte, a
 *     byte that is not text in the file's encoding, more than the size or
 *     field limits; the records after it are read normally;
 *   - a failed file (-1): I/O error, a truncated or corrupt gzip stream, a
 *     file that ends inside a quoted field (cut short), a file that is
 *     neither UTF-8 nor GB18030. Nothing of such a file may be committed.
 */
#ifndef SIYU_EXTRACT_CSV_FILE_H
#define SIYU_EXTRACT_CSV_FILE_H

#include "siyu/common/csv_record.h"

#include <stddef.h>

#define CSV_RECORD_MAX ((size_t)4 << 20)

struct csv_file;

/*
 * Character encodings of merchant exports. Back-offices write UTF-8 (with or
 * without a BOM) or GBK. AUTO decides from the whole file before the first
 * record (one pass over the bytes; csv_file_encoding_reason says why):
 *   - a UTF-8 byte order mark: UTF-8; a UTF-16 one: an error;
 *   - valid UTF-8 throughout: UTF-8;
 *   - not UTF-8 but valid GB18030 (a superset of GBK) throughout: GB18030;
 *   - else the one of the two in which fewer lines are invalid (UTF-8 on a
 *     tie), those lines being rejected as records, unless more than half of
 *     the lines are invalid in both: then the file is neither (an error
 *     naming the first bad byte's offset).
 * Records always come out as UTF-8.
 */
enum csv_encoding { CSV_ENC_AUTO, CSV_ENC_UTF8, CSV_ENC_GBK };

/* Parse "auto" | "utf-8" | "utf8" | "gbk" | "gb18030" | "gb2312"; 0 / -1. */
int csv_encoding_parse(const char *name, enum csv_encoding *out);

/* Open path (gzip detected by content). NULL with err filled on failure. */
struct csv_file *csv_file_open(const char *path, char *err, size_t errlen);

/*
 * Open with an explicit encoding (csv_file_open = CSV_ENC_AUTO). With AUTO
 * the whole file is read once here: a truncated or corrupt gzip stream and a
 * file in neither encoding fail the open (err names the file and the offset).
 */
struct csv_file *csv_file_open_enc(const char *path, enum csv_encoding enc, char *err,
				   size_t errlen);

/* The encoding in use: "utf-8" or "gb18030". */
const char *csv_file_encoding(const struct csv_file *f);

/* Why that encoding, for the run's output ("valid UTF-8 throughout", ...). */
const char *csv_file_encoding_reason(const struct csv_file *f);

/*
 * Read the next record into rec. Returns 1 (a record), 0 (end of file),
 * -1 (the file fails as a whole: err names the file, the offset and why;
 * stop), or -2 (this record is malformed or not text: err says why,
 * rec->line, offset, raw and fault_field are valid, nfields is 0; reading
 * may go on).
 */
int csv_file_next(struct csv_file *f, struct csv_record *rec, char *err, size_t errlen);

/* How much of the file was read, 0..1 (of its bytes on disk, gzip or not); -1 unknown. */
double csv_file_share_read(const struct csv_file *f);

/* Close and free; NULL is fine. */
void csv_file_close(struct csv_file *f);

#endif /* SIYU_EXTRACT_CSV_FILE_H */
