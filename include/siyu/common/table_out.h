/*
 * table_out.h — write a table (a header row, then rows of text cells) as a file a
 * spreadsheet opens: CSV in UTF-8 with a byte-order mark (Excel and WPS then read
 * Chinese correctly), or .xlsx (libxlsxwriter), chosen by the file's extension.
 *
 * CSV (RFC 4180, CRLF line ends): a cell is quoted when it holds a comma, a quote,
 * CR or LF; a text cell that a spreadsheet would run as a formula (starting with
 * =, +, -, @, tab or CR) is written after an apostrophe, which shows it as text;
 * a text cell of 12 or more digits (an order number) is written as ="digits", so
 * that Excel does not turn it into 4.1E+18. In .xlsx, text cells are strings and
 * numeric columns numbers (with 2 decimals when the value has a decimal point),
 * under a bold, frozen header row.
 *
 * A file is written under a temporary name in its directory and renamed over path
 * by table_out_close: a reader never sees half a file. "-" is standard output
 * (CSV only).
 */
#ifndef SIYU_COMMON_TABLE_OUT_H
#define SIYU_COMMON_TABLE_OUT_H

#include <stddef.h>

enum table_format { TABLE_CSV, TABLE_XLSX };

struct table_column {
	const char *header;
	int numeric; /* cells are numbers (text like "12" or "99.50"); else text */
};

struct table_out;

/*
 * The format of path by its extension, .csv or .xlsx in any case ("-": CSV).
 * Returns TABLE_CSV or TABLE_XLSX, or -1 for any other name.
 */
int table_format_of(const char *path);

/*
 * Start a table of ncols columns in path. NULL with err (naming path and the
 * reason) when path has no .csv / .xlsx extension or cannot be created.
 */
struct table_out *table_out_open(const char *path, const struct table_column *cols, int ncols,
				 char *err, size_t errlen);

/* One row of ncols cells (NULL = empty). 0, or -1 with err. */
int table_out_row(struct table_out *t, const char *const *cells, char *err, size_t errlen);

/* Rows written so far (the header not counted). */
long table_out_rows(const struct table_out *t);

/*
 * Finish the file and move it into place; frees t. 0, or -1 with err (path is
 * then left as it was).
 */
int table_out_close(struct table_out *t, char *err, size_t errlen);

/* Drop an unfinished table (the temporary file is removed); frees t. NULL is fine. */
void table_out_abort(struct table_out *t);

#endif /* SIYU_COMMON_TABLE_OUT_H */
