/*
 * test_csv_file.c — the CSV record reader: quoting, raw bytes, line numbers,
 * BOM, CRLF, gzip, malformed records.
 */
#include "siyu/extract/csv_file.h"

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

static char path[64];

static void write_file(const char *data)
{
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/siyu-csvXXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
}

static void write_gz(const char *data)
{
	gzFile gz;
	int fd;

	snprintf(path, sizeof(path), "/tmp/siyu-csvXXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	gz = gzopen(path, "wb");
	assert_non_null(gz);
	gzputs(gz, data);
	gzclose(gz);
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static struct csv_file *open_ok(void)
{
	char err[256];
	struct csv_file *f = csv_file_open(path, err, sizeof(err));

	assert_non_null(f);
	return f;
}

/* Rows of hex that gzip cannot squeeze much: ~1 MB plain, several gzip buffers compressed. */
static char *noisy_rows(size_t rows)
{
	char *data = malloc(rows * 18 + 1), *p = data;
	unsigned x = 12345;

	assert_non_null(data);
	for (size_t i = 0; i < rows; i++) {
		unsigned a = (x = x * 1103515245u + 12345u), b = (x = x * 1103515245u + 12345u);

		p += sprintf(p, "%08x,%08x\n", a, b);
	}
	return data;
}

/* The share read grows with the records, stays below 1 until the end, and is 1 at it. */
static void expect_share_read(void)
{
	struct csv_record r;
	char err[256];
	struct csv_file *f = open_ok();
	double last = csv_file_share_read(f), share;
	int below = 0, rc;

	assert_true(last >= 0 && last < 1);
	while ((rc = csv_file_next(f, &r, err, sizeof(err))) == 1) {
		share = csv_file_share_read(f);
		assert_true(share >= last && share <= 1);
		below += share < 0.75;
		last = share;
	}
	assert_int_equal(rc, 0);
	assert_true(below > 1000); /* most of the file was read at a share below it */
	assert_true(csv_file_share_read(f) == 1.0);
	csv_file_close(f);
}

static void test_share_read(void **state)
{
	char *data = noisy_rows(60000);

	(void)state;
	write_file(data);
	expect_share_read();
	unlink(path);
	write_gz(data); /* of the compressed bytes: never past 1 */
	expect_share_read();
	free(data);
}

static void test_simple_records(void **state)
{
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	write_file("a,b,c\n1,2,3\n");
	f = open_ok();
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(r.nfields, 3);
	assert_string_equal(r.fields[0], "a");
	assert_int_equal(r.line, 1);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[2], "3");
	assert_int_equal(r.line, 2);
	assert_int_equal(r.raw_len, 5);
	assert_memory_equal(r.raw, "1,2,3", 5);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 0);
	csv_file_close(f);
}

static void test_quotes_bom_crlf_multiline(void **state)
{
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	write_file("\xEF\xBB\xBFname,desc\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n"
		   "z,\"two\nlines\"\r\nlast,no newline");
	f = open_ok();
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[0], "name"); /* BOM skipped */
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[0], "x, y");
	assert_string_equal(r.fields[1], "say \"hi\"");
	assert_int_equal(r.line, 2);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[1], "two\nlines");
	assert_int_equal(r.line, 4); /* the blank line 3 is skipped */
	assert_int_equal(r.raw_len, strlen("z,\"two\nlines\""));
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[1], "no newline");
	assert_int_equal(r.line, 6);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 0);
	csv_file_close(f);
}

static void test_long_numbers_stay_text(void **state)
{
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	write_file("4123456789012345678,=\"4123456789012345679\"\n");
	f = open_ok();
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[0], "4123456789012345678");
	assert_string_equal(r.fields[1], "4123456789012345679");
	assert_memory_equal(r.raw, "4123456789012345678,=\"4123456789012345679\"", r.raw_len);
	csv_file_close(f);
}

static void test_malformed_record_then_continue(void **state)
{
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	write_file("a,b\n\"bad\"x,1\nc,d\n");
	f = open_ok();
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), -2);
	assert_int_equal(r.line, 2);
	assert_memory_equal(r.raw, "\"bad\"x,1", r.raw_len);
	assert_non_null(strstr(err, "malformed CSV"));
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[0], "c");
	assert_int_equal(r.line, 3);
	csv_file_close(f);
}

static void test_unterminated_quote_at_eof(void **state)
{
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	write_file("a,b\nc,\"open\n");
	f = open_ok();
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "unterminated"));
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 0);
	csv_file_close(f);
}

static void test_gzip(void **state)
{
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	write_gz("h1,h2\nv1,v2\n");
	f = open_ok();
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[1], "v2");
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 0);
	csv_file_close(f);
}

static void test_gbk_is_detected_and_converted(void **state)
{
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	/* "订单号,状态\n1,交易成功\n" in GBK */
	write_file("\xB6\xA9\xB5\xA5\xBA\xC5,\xD7\xB4\xCC\xAC\n1,\xBD\xBB\xD2\xD7\xB3\xC9\xB9\xA6\n");
	f = open_ok();
	assert_string_equal(csv_file_encoding(f), "gb18030");
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[0], "订单号");
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[1], "交易成功");
	assert_memory_equal(r.raw, "1,交易成功", r.raw_len);
	csv_file_close(f);
}

static void test_utf8_stays_utf8(void **state)
{
	struct csv_record r;
	char err[256];
	struct csv_file *f;
	enum csv_encoding enc;

	(void)state;
	write_file("订单号,状态\n1,交易成功\n");
	f = open_ok();
	assert_string_equal(csv_file_encoding(f), "utf-8");
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[1], "状态");
	csv_file_close(f);
	assert_int_equal(csv_encoding_parse("GBK", &enc), 0);
	assert_int_equal(enc, CSV_ENC_GBK);
	assert_int_equal(csv_encoding_parse("latin1", &enc), -1);
}

static void test_missing_file(void **state)
{
	char err[256];

	(void)state;
	assert_null(csv_file_open("/nonexistent/orders.csv", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/orders.csv"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_simple_records, teardown),
		cmocka_unit_test_teardown(test_quotes_bom_crlf_multiline, teardown),
		cmocka_unit_test_teardown(test_long_numbers_stay_text, teardown),
		cmocka_unit_test_teardown(test_malformed_record_then_continue, teardown),
		cmocka_unit_test_teardown(test_unterminated_quote_at_eof, teardown),
		cmocka_unit_test_teardown(test_gzip, teardown),
		cmocka_unit_test_teardown(test_share_read, teardown),
		cmocka_unit_test_teardown(test_gbk_is_detected_and_converted, teardown),
		cmocka_unit_test_teardown(test_utf8_stays_utf8, teardown),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
