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

/* A file that ends inside quotes was cut short: the file fails, naming line and offset. */
static void test_unterminated_quote_at_eof(void **state)
{
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	write_file("a,b\nc,d\ne,\"open\nmore");
	f = open_ok();
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "ends inside a quoted field of the record at line 3 (offset 8"));
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

static void write_bytes(const void *data, size_t len)
{
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/siyu-csvXXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* A NUL byte is the fault of its own record, at its own line; nothing shifts. */
static void test_nul_byte_rejects_only_its_record(void **state)
{
	static const char data[] = "a,b,c\n1,x\0y,3\n2,ok,4\n";
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	write_bytes(data, sizeof(data) - 1);
	f = open_ok();
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), -2);
	assert_int_equal(r.line, 2);
	assert_int_equal(r.offset, 6);
	assert_int_equal(r.fault_field, 1);
	assert_non_null(strstr(err, "NUL byte (0x00) at offset 9"));
	assert_int_equal(r.raw_escaped, 1);
	assert_int_equal(r.raw_len, strlen("1,x\\x00y,3"));
	assert_memory_equal(r.raw, "1,x\\x00y,3", r.raw_len);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(r.line, 3);
	assert_string_equal(r.fields[1], "ok");
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 0);
	csv_file_close(f);
}

/* Control bytes and COPY's metacharacters are data, kept byte for byte. */
static void test_control_bytes_and_copy_metacharacters(void **state)
{
	static const char data[] = "a,b\n\"t\tab\",\"back\\\\slash \\\\. \\\\N\"\n"
				   "\"line\nbreak\",\x01\x1f\x7f\n\\.,x\n";
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	write_bytes(data, sizeof(data) - 1);
	f = open_ok();
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[0], "t\tab");
	assert_string_equal(r.fields[1], "back\\\\slash \\\\. \\\\N");
	assert_int_equal(r.raw_escaped, 0);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[0], "line\nbreak");
	assert_int_equal(r.lens[1], 3);
	assert_memory_equal(r.fields[1], "\x01\x1f\x7f", 3);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(r.line, 5);
	assert_string_equal(r.fields[0], "\\.");
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 0);
	csv_file_close(f);
}

/* One bad byte in a UTF-8 file: still UTF-8, that record alone is not text. */
static void test_one_bad_byte_in_utf8_rejects_that_record(void **state)
{
	static const char data[] = "订单,标题\n1,龙井茶叶\n2,bad\xff\n3,碧螺春\n4,白茶\n";
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	write_bytes(data, sizeof(data) - 1);
	f = open_ok();
	assert_string_equal(csv_file_encoding(f), "utf-8");
	assert_non_null(strstr(csv_file_encoding_reason(f), "UTF-8 but for 1 line (first: byte 0xFF"));
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[1], "龙井茶叶");
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), -2);
	assert_int_equal(r.line, 3);
	assert_int_equal(r.fault_field, 1);
	assert_non_null(strstr(err, "byte 0xFF at offset"));
	assert_non_null(strstr(err, "is not valid UTF-8"));
	assert_memory_equal(r.raw, "2,bad\\xff", r.raw_len);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[1], "碧螺春");
	csv_file_close(f);
}

/* A GBK file with one byte that is not GB18030: GB18030, that record rejected. */
static void test_gbk_with_a_bad_byte(void **state)
{
	/* 订单号,状态 / 1,交易成功 / 2,交易\x80 / 3,交易成功 in GBK */
	static const char data[] = "\xB6\xA9\xB5\xA5\xBA\xC5,\xD7\xB4\xCC\xAC\n"
				   "1,\xBD\xBB\xD2\xD7\xB3\xC9\xB9\xA6\n"
				   "2,\xBD\xBB\xD2\xD7\x80\n"
				   "3,\xBD\xBB\xD2\xD7\xB3\xC9\xB9\xA6\n";
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	write_bytes(data, sizeof(data) - 1);
	f = open_ok();
	assert_string_equal(csv_file_encoding(f), "gb18030");
	assert_non_null(strstr(csv_file_encoding_reason(f), "GB18030 but for 1 line"));
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), -2);
	assert_int_equal(r.line, 3);
	assert_int_equal(r.fault_field, 1);
	assert_non_null(strstr(err, "byte 0x80 at offset 29 is not valid GB18030"));
	assert_int_equal(r.raw_escaped, 1);
	assert_memory_equal(r.raw, "2,交易\\x80", r.raw_len);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[1], "交易成功");
	csv_file_close(f);
}

/* An explicit gbk never turns bad bytes into U+FFFD: the record is rejected. */
static void test_explicit_gbk_rejects_bad_bytes(void **state)
{
	static const char data[] = "a,b\n1,\xFF\xFF\n2,\xBD\xBB\n";
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	write_bytes(data, sizeof(data) - 1);
	f = csv_file_open_enc(path, CSV_ENC_GBK, err, sizeof(err));
	assert_non_null(f);
	assert_string_equal(csv_file_encoding_reason(f), "as configured");
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), -2);
	assert_int_equal(r.fault_field, 1);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_string_equal(r.fields[1], "交");
	csv_file_close(f);
}

/* Bytes that are neither encoding: the open fails, naming the first bad offset. */
static void test_neither_encoding_fails_the_file(void **state)
{
	static const char data[] = "a,b\n\xFF,1\n\x80,2\n\xFF\x80,3\n\xFF,4\n";
	char err[512];

	(void)state;
	write_bytes(data, sizeof(data) - 1);
	assert_null(csv_file_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "neither UTF-8 nor GB18030: 4 of 5 lines"));
	assert_non_null(strstr(err, "byte 0xFF at offset 4, line 2"));
}

static void test_utf16_is_an_error(void **state)
{
	char err[256];

	(void)state;
	write_bytes("\xFF\xFE" "a\0,\0b\0\n\0", 10);
	assert_null(csv_file_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "UTF-16"));
}

/* A byte order mark decides UTF-8 even with a bad byte further on. */
static void test_bom_decides_utf8(void **state)
{
	static const char data[] = "\xEF\xBB\xBF" "a,b\n1,\xB6\xA9\n";
	struct csv_record r;
	char err[256];
	struct csv_file *f;

	(void)state;
	write_bytes(data, sizeof(data) - 1);
	f = open_ok();
	assert_string_equal(csv_file_encoding(f), "utf-8");
	assert_string_equal(csv_file_encoding_reason(f), "byte order mark");
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(r.offset, 3);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "byte 0xB6 at offset 9"));
	csv_file_close(f);
}

/* A gzip member of many records: all or nothing. */
static size_t write_big_gz(char **bytes)
{
	gzFile gz;
	FILE *in;
	size_t n;
	int fd;

	snprintf(path, sizeof(path), "/tmp/siyu-csvXXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	gz = gzopen(path, "wb");
	assert_non_null(gz);
	gzputs(gz, "a,b\n");
	for (int i = 0; i < 20000; i++)
		gzprintf(gz, "%d,value number %d with some text\n", i, i * 7919);
	gzclose(gz);
	in = fopen(path, "rb");
	assert_non_null(in);
	*bytes = malloc(1 << 20);
	assert_non_null(*bytes);
	n = fread(*bytes, 1, 1 << 20, in);
	fclose(in);
	return n;
}

static void test_truncated_gzip_fails_the_file(void **state)
{
	struct csv_record r;
	char err[512], *bytes;
	size_t n = write_big_gz(&bytes);
	struct csv_file *f;
	int rc;

	(void)state;
	unlink(path);
	write_bytes(bytes, n / 2);
	/* auto reads the whole file first: the open fails */
	assert_null(csv_file_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "gzip stream is cut short"));
	/* a given encoding finds it while reading: -1, not a clean end */
	f = csv_file_open_enc(path, CSV_ENC_UTF8, err, sizeof(err));
	assert_non_null(f);
	while ((rc = csv_file_next(f, &r, err, sizeof(err))) == 1)
		;
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "cut short"));
	csv_file_close(f);
	/* a corrupt byte in the middle: a data error */
	unlink(path);
	bytes[n / 2] ^= 0x55;
	write_bytes(bytes, n);
	assert_null(csv_file_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "read error"));
	free(bytes);
}

/* Records across 64 KiB block boundaries and a record over the size limit. */
static void test_blocks_and_oversize_record(void **state)
{
	size_t big = CSV_RECORD_MAX + 1000, n = 0;
	char *data = malloc(big + 400000);
	struct csv_record r;
	char err[256];
	struct csv_file *f;
	long line = 1;

	(void)state;
	assert_non_null(data);
	n += (size_t)sprintf(data + n, "id,text\n");
	for (int i = 0; i < 5000; i++)
		n += (size_t)sprintf(data + n, "%d,\"row %d, quoted\"\n", i, i);
	n += (size_t)sprintf(data + n, "big,\"");
	memset(data + n, 'x', big);
	n += big;
	n += (size_t)sprintf(data + n, "\ny\"\nafter,ok\n");
	write_bytes(data, n);
	free(data);
	f = open_ok();
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	for (int i = 0; i < 5000; i++) {
		char want[32];

		assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
		assert_int_equal(r.line, ++line);
		snprintf(want, sizeof(want), "row %d, quoted", i);
		assert_string_equal(r.fields[1], want);
	}
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), -2);
	assert_int_equal(r.line, 5002);
	assert_non_null(strstr(err, "longer than the 4 MiB limit"));
	assert_true(r.raw_len <= 4 * 4096);
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 1);
	assert_int_equal(r.line, 5004);
	assert_string_equal(r.fields[0], "after");
	assert_int_equal(csv_file_next(f, &r, err, sizeof(err)), 0);
	csv_file_close(f);
}

static void test_field_span(void **state)
{
	const char *raw = "a,\"b,c\",,=\"d\"\"e\"";
	size_t start, len;

	(void)state;
	assert_int_equal(csv_field_span(raw, strlen(raw), 1, &start, &len), 0);
	assert_int_equal(start, 2);
	assert_int_equal(len, 5);
	assert_int_equal(csv_field_span(raw, strlen(raw), 2, &start, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(csv_field_span(raw, strlen(raw), 3, &start, &len), 0);
	assert_memory_equal(raw + start, "=\"d\"\"e\"", len);
	assert_int_equal(csv_field_span(raw, strlen(raw), 4, &start, &len), -1);
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
		cmocka_unit_test_teardown(test_nul_byte_rejects_only_its_record, teardown),
		cmocka_unit_test_teardown(test_control_bytes_and_copy_metacharacters, teardown),
		cmocka_unit_test_teardown(test_one_bad_byte_in_utf8_rejects_that_record, teardown),
		cmocka_unit_test_teardown(test_gbk_with_a_bad_byte, teardown),
		cmocka_unit_test_teardown(test_explicit_gbk_rejects_bad_bytes, teardown),
		cmocka_unit_test_teardown(test_neither_encoding_fails_the_file, teardown),
		cmocka_unit_test_teardown(test_utf16_is_an_error, teardown),
		cmocka_unit_test_teardown(test_bom_decides_utf8, teardown),
		cmocka_unit_test_teardown(test_truncated_gzip_fails_the_file, teardown),
		cmocka_unit_test_teardown(test_blocks_and_oversize_record, teardown),
		cmocka_unit_test(test_field_span),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
