/*
 * table_file.h — one record reader over the file formats merchants download:
 * CSV (plain or gzip; UTF-8 or GB18030, see csv_file.h) and Excel .xlsx (see
 * xlsx_file.h), told apart by their first bytes, never by the file's name.
 * Profiles read struct csv_record whatever the format.
 *
 * Legacy .xls (BIFF in an OLE2 container) and HTML tables saved under an .xls
 * name are refused with what to do instead: the back offices siyu reads
 * export CSV or .xlsx today (docs/import-generic.md "Formats").
 */
#ifndef SIYU_EXTRACT_TABLE_FILE_H
#define SIYU_EXTRACT_TABLE_FILE_H

#include "siyu/extract/csv_file.h"

#include <stddef.h>

struct table_file;

/* Open path in the format its first bytes show. NULL with err filled on failure. */
struct table_file *table_file_open(const char *path, enum csv_encoding enc, char *err,
				   size_t errlen);

/* As csv_file_next (1 record, 0 end, -1 stop, -2 this record is malformed). */
int table_file_next(struct table_file *t, struct csv_record *rec, char *err, size_t errlen);

/*
 * What is being read, for logs: "csv utf-8 (valid UTF-8 throughout)", "csv gb18030
 * (not UTF-8 (...), valid GB18030 throughout)", "xlsx sheet 订单": a CSV file's
 * encoding and why it was chosen.
 */
const char *table_file_format(const struct table_file *t);

/* How much of the file was read, 0..1; -1 unknown (for the progress of a load). */
double table_file_share_read(const struct table_file *t);

/* Close and free; NULL is fine. */
void table_file_close(struct table_file *t);

#endif /* SIYU_EXTRACT_TABLE_FILE_H */
