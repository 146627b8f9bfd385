/*
 * test_table_out.c — unit tests of common/table_out.c: the exact bytes of a CSV
 * (BOM, quoting, CRLF, formula cells shown as text, long digit strings kept
 * whole), an .xlsx read back with extract/xlsx_file.c (text stays text, numbers
 * are numbers), files that appear whole or not at all, and the extension rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>

#include "siyu/common/csv_record.h"
#include "siyu/common/table_out.h"
#include "siyu/extract/xlsx_file.h"

static const struct table_column cols[] = {
	{ "员工", 0 }, { "order_no", 0 }, { "金额", 1 }, { "备注", 0 },
};
static const char *const row1[] = { "赵一", "4123456789012345678", "99.50", "a,\"b\"" };
static const char *const row2[] = { "=HYPERLINK(\"x\")", "12345678901", "-5", "-vip" };
static const char *const row3[] = { "@sum", NULL, "7", "line\nbreak" };

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/siyu-table-out-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void write_table(const char *path)
{
	char err[512];
	struct table_out *t = table_out_open(path, cols, 4, err, sizeof(err));

	if (!t)
		fail_msg("%s", err);
	assert_int_equal(table_out_row(t, row1, err, sizeof(err)), 0);
	assert_int_equal(table_out_row(t, row2, err, sizeof(err)), 0);
	assert_int_equal(table_out_row(t, row3, err, sizeof(err)), 0);
	assert_int_equal(table_out_rows(t), 3);
	assert_int_equal(access(path, F_OK), -1); /* nothing at path before close */
	if (table_out_close(t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static void test_csv_bytes(void **state)
{
	char path[128];
	size_t len;
	char *got;
	static const char want[] =
		"\xEF\xBB\xBF"
		"员工,order_no,金额,备注\r\n"
		"赵一,=\"4123456789012345678\",99.50,\"a,\"\"b\"\"\"\r\n"
		"\"'=HYPERLINK(\"\"x\"\")\",12345678901,-5,'-vip\r\n"
		"'@sum,,7,\"line\nbreak\"\r\n";

	(void)state;
	snprintf(path, sizeof(path), "%s/care.CSV", dir);
	write_table(path);
	got = slurp(path, &len);
	assert_int_equal(len, sizeof(want) - 1);
	assert_memory_equal(got, want, len);
	free(got);
}

static void test_xlsx_round_trip(void **state)
{
	char path[128], err[512];
	struct xlsx_file *x;
	struct csv_record rec;
	static const char *const want[4][4] = {
		{ "员工", "order_no", "金额", "备注" },
		{ "赵一", "4123456789012345678", "99.5", "a,\"b\"" },
		{ "=HYPERLINK(\"x\")", "12345678901", "-5", "-vip" },
		{ "@sum", "", "7", "line\nbreak" },
	};

	(void)state;
	snprintf(path, sizeof(path), "%s/care.xlsx", dir);
	write_table(path);
	x = xlsx_file_open(path, 0, err, sizeof(err));
	if (!x)
		fail_msg("%s", err);
	for (int r = 0; r < 4; r++) {
		assert_int_equal(xlsx_file_next(x, &rec, err, sizeof(err)), 1);
		assert_true(rec.nfields >= 3);
		for (size_t c = 0; c < 4; c++)
			assert_string_equal(c < rec.nfields ? rec.fields[c] : "", want[r][c]);
	}
	assert_int_equal(xlsx_file_next(x, &rec, err, sizeof(err)), 0);
	xlsx_file_close(x);
}

static void test_abort_leaves_nothing(void **state)
{
	char path[128], err[512];
	struct table_out *t;
	struct dirent *e;
	DIR *d;

	(void)state;
	snprintf(path, sizeof(path), "%s/aborted.xlsx", dir);
	t = table_out_open(path, cols, 4, err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(table_out_row(t, row1, err, sizeof(err)), 0);
	table_out_abort(t);
	assert_int_equal(access(path, F_OK), -1);
	d = opendir(dir); /* nor a temporary file */
	assert_non_null(d);
	while ((e = readdir(d)))
		assert_null(strstr(e->d_name, "aborted"));
	closedir(d);
}

static void test_formats(void **state)
{
	char err[512];

	(void)state;
	assert_int_equal(table_format_of("-"), TABLE_CSV);
	assert_int_equal(table_format_of("a/b.csv"), TABLE_CSV);
	assert_int_equal(table_format_of("今日关怀.XLSX"), TABLE_XLSX);
	assert_int_equal(table_format_of("care.xls"), -1);
	assert_int_equal(table_format_of(".csvx"), -1);
	assert_null(table_out_open("care.txt", cols, 4, err, sizeof(err)));
	assert_string_equal(err, "'care.txt': the file name must end in .csv or .xlsx");
	assert_null(table_out_open("/nonexistent-dir/care.xlsx", cols, 4, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot write '/nonexistent-dir/care.xlsx': "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_bytes),
		cmocka_unit_test(test_xlsx_round_trip),
		cmocka_unit_test(test_abort_leaves_nothing),
		cmocka_unit_test(test_formats),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
