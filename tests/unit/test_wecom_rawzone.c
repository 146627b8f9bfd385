/*
 * test_wecom_rawzone.c — extract/rawzone.c: pages land gzip'd, one line each,
 * numbered per entity, listed in the manifest, never overwritten.
 */
#include "siyu/extract/rawzone.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char root[128];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/siyu-rawzone-test-%ld", (long)getpid());
	return 0;
}

static int teardown(void **state)
{
	char cmd[320];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void read_gz(const char *path, char *out, size_t n)
{
	gzFile gz = gzopen(path, "rb");
	int len;

	assert_non_null(gz);
	len = gzread(gz, out, (unsigned)n - 1);
	assert_true(len >= 0);
	out[len] = '\0';
	gzclose(gz);
}

static void test_pages(void **state)
{
	struct rawzone rz;
	char err[256], path[4200], got[4096], want[512];
	const char *p1 = "{\"errcode\":0,\n \"a\":[1,\r\n2]}";
	FILE *f;
	int lines = 0;

	(void)state;
	assert_int_equal(rawzone_open(&rz, root, "wecom", 42, err, sizeof(err)), 0);
	assert_int_equal(rawzone_write_page(&rz, "contacts", "externalcontact/batch/get_by_user",
					    "{\"cursor\":\"\"}", p1, strlen(p1), path, sizeof(path),
					    err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/wecom/42/contacts-00001.jsonl.gz", root);
	assert_string_equal(path, want);
	read_gz(path, got, sizeof(got));
	assert_string_equal(got, "{\"errcode\":0,  \"a\":[1,  2]}\n");

	assert_int_equal(rawzone_write_page(&rz, "contacts", "x", NULL, "{}", 2, path, sizeof(path),
					    err, sizeof(err)), 0);
	assert_non_null(strstr(path, "contacts-00002.jsonl.gz"));
	assert_int_equal(rawzone_write_page(&rz, "tags", "x", NULL, "not json", 8, path, sizeof(path),
					    err, sizeof(err)), 0);
	assert_non_null(strstr(path, "tags-00001.jsonl.gz"));
	read_gz(path, got, sizeof(got));
	assert_string_equal(got, "not json\n");
	assert_int_equal(rz.pages, 3);
	assert_int_equal(rawzone_close(&rz), 0);
	assert_int_equal(rawzone_close(&rz), 0);

	snprintf(want, sizeof(want), "%s/wecom/42/manifest.jsonl", root);
	f = fopen(want, "r");
	assert_non_null(f);
	while (fgets(got, sizeof(got), f)) {
		lines++;
		if (lines == 1)
			assert_non_null(strstr(got, "\"file\":\"contacts-00001.jsonl.gz\",\"entity\":"
						    "\"contacts\",\"endpoint\":\"externalcontact/"
						    "batch/get_by_user\""));
		assert_non_null(strstr(got, "\"received_at\":\""));
	}
	fclose(f);
	assert_int_equal(lines, 3);

	/* the same run directory again: pages are never overwritten */
	assert_int_equal(rawzone_open(&rz, root, "wecom", 42, err, sizeof(err)), 0);
	assert_int_equal(rawzone_write_page(&rz, "contacts", "x", NULL, "{}", 2, NULL, 0, err,
					    sizeof(err)), -1);
	assert_non_null(strstr(err, "contacts-00001.jsonl.gz"));
	rawzone_close(&rz);
}

static void test_bad_names(void **state)
{
	struct rawzone rz;
	char err[256];

	(void)state;
	assert_int_equal(rawzone_open(&rz, root, "../x", 1, err, sizeof(err)), -1);
	assert_int_equal(rawzone_open(&rz, root, "wecom", 7, err, sizeof(err)), 0);
	assert_int_equal(rawzone_write_page(&rz, "a/b", "x", NULL, "{}", 2, NULL, 0, err,
					    sizeof(err)), -1);
	rawzone_close(&rz);
	memset(&rz, 0, sizeof(rz));
	assert_int_equal(rawzone_close(&rz), 0);
	assert_int_equal(rawzone_open(&rz, "/proc/nope", "wecom", 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create raw zone directory"));
}

static void assert_mode(const char *path, mode_t mode)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	if ((st.st_mode & 07777) != mode)
		print_error("%s: mode %o, want %o\n", path, st.st_mode & 07777, mode);
	assert_int_equal(st.st_mode & 07777, mode);
}

/* Personal data: directories 0700, files 0600, whatever the umask. */
static void test_modes_whatever_the_umask(void **state)
{
	struct rawzone rz;
	char err[256], path[4200];
	mode_t old = umask(0);
	int fd;

	(void)state;
	assert_int_equal(rawzone_open(&rz, root, "wecom", 7, err, sizeof(err)), 0);
	assert_int_equal(rawzone_write_page(&rz, "contacts", "x", NULL, "{}", 2, path,
					    sizeof(path), err, sizeof(err)), 0);
	assert_int_equal(rawzone_close(&rz), 0);
	assert_mode(root, 0700);
	snprintf(path, sizeof(path), "%s/wecom", root);
	assert_mode(path, 0700);
	assert_mode(rz.dir, 0700);
	snprintf(path, sizeof(path), "%s/contacts-00001.jsonl.gz", rz.dir);
	assert_mode(path, 0600);
	snprintf(path, sizeof(path), "%s/manifest.jsonl", rz.dir);
	assert_mode(path, 0600);
	snprintf(path, sizeof(path), "%s/a/b", root);
	assert_int_equal(rawzone_make_dirs(path), 0);
	assert_mode(path, 0700);
	snprintf(path, sizeof(path), "%s/a/b/f", root);
	fd = rawzone_create(path, 0);
	assert_true(fd >= 0);
	close(fd);
	assert_mode(path, 0600);
	assert_int_equal(rawzone_create(path, 0), -1); /* never an existing file */
	umask(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_modes_whatever_the_umask),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
