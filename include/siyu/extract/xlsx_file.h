/*
 * xlsx_file.h — read the first worksheet of an Excel .xlsx file one row at a
 * time, as the same records the CSV reader gives (struct csv_record).
 *
 * An .xlsx is a zip of XML parts (ECMA-376). The sheet is streamed through
 * expat straight out of the zip (libzip), a row at a time: memory holds the
 * shared-string table and one row, never the sheet. Cells come out as text:
 *   shared and inline strings as written (rich-text runs joined, phonetic
 *       guides left out), so ids typed as text keep every digit;
 *   numbers as Excel stored them ("59.9"; a 19-digit id stored as a number is
 *       already destroyed, "4.99414911689103E+18", and a profile rejects it);
 *   numbers with a date or time format as "YYYY-MM-DD HH:MM:SS" (local time,
 *       no offset: Excel has none), from the serial day count of the 1900
 *       system with its phantom 1900-02-29, or of the 1904 system;
 *   booleans as TRUE/FALSE, formula results as their cached value, errors
 *       (#N/A) as written.
 * Missing cells of a row are empty fields; empty rows are skipped. A record's
 * line is its row number; its raw bytes are the row's values as one CSV line
 * (what a reject keeps).
 */
#ifndef SIYU_EXTRACT_XLSX_FILE_H
#define SIYU_EXTRACT_XLSX_FILE_H

#include <stddef.h>

struct csv_record;
struct xlsx_file;

/*
 * Open path; gzipped: the .xlsx is wrapped in gzip (a raw-zone copy), inflated
 * into a temporary file first. NULL with err filled (naming the file and the
 * part) on failure.
 */
struct xlsx_file *xlsx_file_open(const char *path, int gzipped, char *err, size_t errlen);

/*
 * Read the next row into rec (borrowed until the next call). Returns 1 (a
 * row), 0 (end of sheet) or -1 (a damaged file: err says where; stop).
 */
int xlsx_file_next(struct xlsx_file *f, struct csv_record *rec, char *err, size_t errlen);

/* How much of the sheet's XML was read, 0..1; -1 unknown. */
double xlsx_file_share_read(const struct xlsx_file *f);

/* The name of the worksheet read (the workbook's first). */
const char *xlsx_file_sheet(const struct xlsx_file *f);

/* Close and free; NULL is fine. */
void xlsx_file_close(struct xlsx_file *f);

/*
 * Excel's serial date to a civil date and time: the 1900 system (Excel's
 * default, counting the phantom 1900-02-29 as day 60) or the 1904 system.
 * Writes "YYYY-MM-DD HH:MM:SS" (seconds rounded) into out. Returns 0, or -1
 * for a date outside 1970..2100 (the years siyu keeps) or a short out.
 */
int xlsx_serial_to_text(double serial, int date1904, char *out, size_t outlen);

#endif /* SIYU_EXTRACT_XLSX_FILE_H */
