/*
 * order_import.h — one order file (or a two-file export) read into the order
 * sink: read, check, dedupe, COPY into staging. The csv driver's stage
 * (source/csv_source.c); the transaction, the merge and the watermark are the
 * driver layer's. Also how siyu import groups its files and dates an export.
 */
#ifndef SIYU_SOURCE_ORDER_IMPORT_H
#define SIYU_SOURCE_ORDER_IMPORT_H

#include "siyu/common/ltime.h"
#include "siyu/extract/csv_file.h"
#include "siyu/load/order_sink.h"
#include "siyu/source/source.h"

#include <stddef.h>

struct order_import_opts {
	const char *path;            /* the file to read: CSV (plain or gzip) or .xlsx; for
				      * a two-file export its lines file (Taobao 宝贝报表) */
	const char *name;            /* how rejects and messages name it (file:line) */
	const char *orders_path;     /* the order file of a two-file export (Taobao
				      * 订单报表); NULL otherwise */
	const char *orders_name;     /* ... and its name */
	const char *profile;         /* a profile name (order_profile.h), or "auto":
				      * chosen from the header, and said in the log */
	const char *shop_id;         /* the shop when the file does not name it (--shop) */
	struct ltime as_of;          /* an export's time: the version of its rows */
	int has_as_of;
	const char *as_of_from;      /* where as_of came from, for the log ("--as-of", ...) */
	enum csv_encoding encoding;  /* CSV_ENC_AUTO detects UTF-8 / GBK */
	const char *timezone;        /* zone of times without an offset */
	const unsigned char *pii_key; /* NULL: a file with phones fails */
	size_t pii_key_len;
};

/*
 * Read every record of the file (of both files of a two-file export) inside
 * tx's transaction: bad records are rejected into tx->rejects (file:line and
 * the reason), the others stream through sink (begun here; the caller merges
 * and releases it) into staging. Counts go to tx->c. Returns 0, or -1 with
 * tx->fail naming the file (and line) and the reason.
 */
int order_import_stage(const struct order_import_opts *o, struct order_sink *sink,
		       struct source_tx *tx);

/* One import: a file, or the two files of a two-file export. */
struct import_unit {
	const char *path;            /* the lines file (the only file of most profiles) */
	const char *orders_path;     /* a two-file export's order file, else NULL */
	const char *profile;         /* the profile name, found from the header for auto */
};

/*
 * Group files (borrowed) into imports for profile (a name or "auto", whose
 * choice is made per file from its header): one per file, except that the
 * order files and lines files of a two-file export (Taobao 订单报表 and
 * 宝贝报表) pair up, the k-th order file with the k-th lines file, in the
 * order given. units has room for n. Returns the number of units, or -1 with
 * err (a file that cannot be read or fits no profile, a half without its
 * other half: err names it).
 */
int order_import_plan(const char *profile, char *const *files, int n, enum csv_encoding enc,
		      struct import_unit *units, char *err, size_t errlen);

/*
 * The version of an export file without a modified time per order: the
 * export's time as its name tells it (order_profile_time_from_name), else the
 * file's modification time (UTC). *how says which ("file name", "file
 * mtime"). 0, or -1 with err when the file cannot be read.
 */
int order_import_file_time(const char *path, struct ltime *out, const char **how, char *err,
			   size_t errlen);

#endif /* SIYU_SOURCE_ORDER_IMPORT_H */
