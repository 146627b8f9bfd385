/*
 * order_import.h — one order file read into the order sink: read, check,
 * dedupe, COPY into staging. The csv driver's stage (source/csv_source.c); the
 * transaction, the merge and the watermark are the driver layer's.
 */
#ifndef SIYU_SOURCE_ORDER_IMPORT_H
#define SIYU_SOURCE_ORDER_IMPORT_H

#include "siyu/extract/csv_file.h"
#include "siyu/load/order_sink.h"
#include "siyu/source/source.h"

#include <stddef.h>

struct order_import_opts {
	const char *path;            /* the file to read (plain or gzip) */
	const char *name;            /* how rejects and messages name it (file:line) */
	const char *profile;         /* column profile; "generic" */
	enum csv_encoding encoding;  /* CSV_ENC_AUTO detects UTF-8 / GBK */
	const char *timezone;        /* zone of times without an offset */
	const unsigned char *pii_key; /* NULL: a file with phones fails */
	size_t pii_key_len;
};

/*
 * Read every record of the file inside tx's transaction: bad records are
 * rejected into tx->rejects (file:line and the reason), the others stream
 * through sink (begun here; the caller merges and releases it) into staging.
 * Counts go to tx->c. Returns 0, or -1 with tx->fail naming the file (and
 * line) and the reason.
 */
int order_import_stage(const struct order_import_opts *o, struct order_sink *sink,
		       struct source_tx *tx);

#endif /* SIYU_SOURCE_ORDER_IMPORT_H */
