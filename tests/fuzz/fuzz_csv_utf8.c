/* fuzz_csv_utf8.c — an order export read as UTF-8 (see csv_target.h). */
#define _GNU_SOURCE /* memfd_create */
#include "csv_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_csv(data, size, CSV_ENC_UTF8);
}
