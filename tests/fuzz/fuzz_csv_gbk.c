/* fuzz_csv_gbk.c — an order export read as GBK / GB18030 (see csv_target.h). */
#define _GNU_SOURCE /* memfd_create */
#include "csv_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_csv(data, size, CSV_ENC_GBK);
}
