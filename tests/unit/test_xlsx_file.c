/*
 * test_xlsx_file.c — the .xlsx reader on tests/data/exports/cells.xlsx
 * (written by gen-xlsx-cells.py): the workbook's first sheet found through
 * its rels, shared, inline and rich strings, numbers as stored, date styles
 * (built-in and custom) as local times, gaps, empty rows, raw CSV for
 * rejects; serial dates of both date systems; the format sniffing of
 * table_file (.xls and HTML refused).
 */
#include "siyu/extract/csv_file.h"
#include "siyu/extract/table_file.h"
#include "siyu/extract/xlsx_file.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define CELLS "tests/data/exports/cells.xlsx"

static void expect_row(struct xlsx_file *f, long line, const char *const *want, size_t n)
{
	struct csv_record rec;
	char err[256];

	assert_int_equal(xlsx_file_next(f, &rec, err, sizeof(err)), 1);
	assert_int_equal(rec.line, line);
	assert_int_equal(rec.nfields, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(rec.fields[i], want[i]);
		assert_int_equal(rec.lens[i], strlen(want[i]));
	}
}

static void test_cells(void **state)
{
	static const char *const r1[] = { "订单号", "金额", "时间", "文本数字", "公式" };
	static const char *const r2[] = { "4994149116891036239", "59.9", "2025-03-01 12:00:00",
					   "00123", "=\"4873529812127365337\"" };
	static const char *const r5[] = { "a", "", "富文本", "", "line1\nline2, \"q\"" };
	static const char *const r6[] = { "4.99414911689103E+18", "TRUE", "2025-01-01 06:00:00",
					  "#N/A", "3" };
	struct csv_record rec;
	char err[256];
	struct xlsx_file *f = xlsx_file_open(CELLS, 0, err, sizeof(err));

	(void)state;
	if (!f)
		print_error("%s\n", err);
	assert_non_null(f);
	assert_string_equal(xlsx_file_sheet(f), "订单列表");
	expect_row(f, 1, r1, 5);
	expect_row(f, 2, r2, 5);
	expect_row(f, 5, r5, 5); /* row 3 absent, row 4 empty: skipped */
	expect_row(f, 6, r6, 5);
	assert_int_equal(xlsx_file_next(f, &rec, err, sizeof(err)), 0);
	assert_int_equal(xlsx_file_next(f, &rec, err, sizeof(err)), 0);
	/* the whole sheet's XML was read (the progress of a load) */
	assert_true(xlsx_file_share_read(f) == 1.0);
	xlsx_file_close(f);
}

/* Before the rows, some of the sheet is still to read. */
static void test_share_read(void **state)
{
	char err[256];
	struct xlsx_file *f = xlsx_file_open(CELLS, 0, err, sizeof(err));

	(void)state;
	assert_non_null(f);
	assert_true(xlsx_file_share_read(f) >= 0 && xlsx_file_share_read(f) < 1);
	xlsx_file_close(f);
}

static void test_raw_is_a_csv_line(void **state)
{
	struct csv_record rec;
	char err[256];
	struct xlsx_file *f = xlsx_file_open(CELLS, 0, err, sizeof(err));

	(void)state;
	assert_non_null(f);
	for (int i = 0; i < 3; i++)
		assert_int_equal(xlsx_file_next(f, &rec, err, sizeof(err)), 1);
	assert_string_equal(rec.raw, "a,,富文本,,\"line1\nline2, \"\"q\"\"\"");
	assert_int_equal(rec.raw_len, strlen(rec.raw));
	xlsx_file_close(f);
}

static void test_serials(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(xlsx_serial_to_text(25569.0, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "1970-01-01 00:00:00");
	assert_int_equal(xlsx_serial_to_text(45716.999999, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "2025-03-01 00:00:00"); /* rounded to the second */
	assert_int_equal(xlsx_serial_to_text(44255.0, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "2025-03-01 00:00:00"); /* 1904 system: 1462 fewer days */
	assert_int_equal(xlsx_serial_to_text(60.0, 0, out, sizeof(out)), -1); /* 1900-02-29 */
	assert_int_equal(xlsx_serial_to_text(1e9, 0, out, sizeof(out)), -1);
	assert_int_equal(xlsx_serial_to_text(45717.0, 0, out, 5), -1);
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, n, fp), n);
	fclose(fp);
}

static void test_formats(void **state)
{
	static const unsigned char ole2[] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0 };
	char path[] = "/tmp/siyu-table-XXXXXX";
	struct csv_record rec;
	struct table_file *t;
	char err[512];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, ole2, sizeof(ole2));
	assert_null(table_file_open(path, CSV_ENC_AUTO, err, sizeof(err)));
	assert_non_null(strstr(err, "legacy Excel .xls"));
	write_file(path, "\xEF\xBB\xBF <html><table>", strlen("\xEF\xBB\xBF <html><table>"));
	assert_null(table_file_open(path, CSV_ENC_AUTO, err, sizeof(err)));
	assert_non_null(strstr(err, "an HTML page"));
	write_file(path, "a,b\n1,2\n", 8);
	t = table_file_open(path, CSV_ENC_AUTO, err, sizeof(err));
	assert_non_null(t);
	assert_string_equal(table_file_format(t), "csv utf-8 (valid UTF-8 throughout)");
	assert_int_equal(table_file_next(t, &rec, err, sizeof(err)), 1);
	assert_string_equal(rec.fields[1], "b");
	table_file_close(t);
	unlink(path);
	t = table_file_open(CELLS, CSV_ENC_AUTO, err, sizeof(err));
	assert_non_null(t);
	assert_string_equal(table_file_format(t), "xlsx sheet 订单列表");
	assert_int_equal(table_file_next(t, &rec, err, sizeof(err)), 1);
	assert_string_equal(rec.fields[0], "订单号");
	table_file_close(t);
}

/* The raw zone keeps inputs gzipped: an .xlsx inside gzip reads the same. */
static void test_gzipped_xlsx(void **state)
{
	char path[] = "/tmp/siyu-xlsx-gz-XXXXXX";
	struct csv_record rec;
	struct table_file *t;
	char err[512], buf[4096];
	FILE *in = fopen(CELLS, "rb");
	gzFile gz;
	size_t n;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0 && in);
	gz = gzdopen(fd, "wb");
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(gzwrite(gz, buf, (unsigned)n), (int)n);
	fclose(in);
	gzclose(gz);
	t = table_file_open(path, CSV_ENC_AUTO, err, sizeof(err));
	if (!t)
		print_error("%s\n", err);
	assert_non_null(t);
	assert_string_equal(table_file_format(t), "xlsx sheet 订单列表");
	assert_int_equal(table_file_next(t, &rec, err, sizeof(err)), 1);
	assert_int_equal(table_file_next(t, &rec, err, sizeof(err)), 1);
	assert_string_equal(rec.fields[0], "4994149116891036239");
	table_file_close(t);
	unlink(path);
}

static void test_damaged(void **state)
{
	char path[] = "/tmp/siyu-xlsx-XXXXXX";
	char err[512];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "PK\3\4 not really a zip", 22);
	assert_null(xlsx_file_open(path, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open as .xlsx"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_share_read),
		cmocka_unit_test(test_raw_is_a_csv_line),
		cmocka_unit_test(test_serials),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_gzipped_xlsx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
