/*
 * csv_target.h — the body of fuzz_csv_utf8.c and fuzz_csv_gbk.c: the bytes as an
 * order export read with one encoding (extract/csv_file.c, from a memory file) and,
 * record by record, through the generic profile's header map and record check
 * (transform/order_csv.c). Records come in file order, each within CSV_RECORD_MAX.
 */
#ifndef SIYU_FUZZ_CSV_TARGET_H
#define SIYU_FUZZ_CSV_TARGET_H

#include "fuzz.h"

#include "siyu/extract/csv_file.h"
#include "siyu/transform/order_csv.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const unsigned char csv_pii_key[] = "fuzz-pii-key-0123456789";

/* The bytes as a file that csv_file_open_enc can open by name: /proc/self/fd/N. */
static int memory_file(const uint8_t *data, size_t size, char *path, size_t n)
{
	int fd = memfd_create("fuzz-csv", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, n, "/proc/self/fd/%d", fd);
	return fd;
}

static void read_orders(struct csv_file *f)
{
	struct order_csv_map map;
	struct csv_record rec;
	struct order_line line;
	char err[512], why[512];
	int have_header = 0, rc;
	long last_line = 0;

	memset(&map, 0, sizeof(map));
	map.status_profile = "generic";
	map.pii_key = csv_pii_key;
	map.pii_key_len = sizeof(csv_pii_key) - 1;
	while ((rc = csv_file_next(f, &rec, err, sizeof(err))) != 0 && rc != -1) {
		FUZZ_CHECK(rec.line > last_line && rec.raw_len <= CSV_RECORD_MAX);
		last_line = rec.line;
		if (rc != 1)
			continue; /* a malformed record: err says why; reading goes on */
		if (!have_header) {
			have_header = 1;
			if (order_csv_map_header(&map, &rec, err, sizeof(err), NULL, 0) < 0)
				return;
			continue;
		}
		if (order_csv_parse(&map, &rec, &line, why, sizeof(why)) < 0)
			FUZZ_CHECK(why[0] != '\0');
	}
}

static int fuzz_csv(const uint8_t *data, size_t size, enum csv_encoding enc)
{
	char path[64], err[512];
	int fd = memory_file(data, size, path, sizeof(path));
	struct csv_file *f;

	if (fd < 0)
		return 0;
	f = csv_file_open_enc(path, enc, err, sizeof(err));
	if (f) {
		read_orders(f);
		csv_file_close(f);
	}
	close(fd);
	return 0;
}

#endif /* SIYU_FUZZ_CSV_TARGET_H */
