/*
 * order_import.h — load one order file end to end: read, check, dedupe, COPY, merge.
 */
#ifndef SIYU_SOURCE_ORDER_IMPORT_H
#define SIYU_SOURCE_ORDER_IMPORT_H

#include "siyu/common/ltime.h"
#include "siyu/extract/csv_file.h"
#include "siyu/load/runlog.h"

#include <libpq-fe.h>
#include <stddef.h>

struct order_import_opts {
	long long run_id;
	const char *source;          /* name in etl.run_source / etl.watermark / etl.reject */
	const char *path;            /* the file: CSV (plain or gzip) or .xlsx; for a
				      * two-file export its lines file (Taobao 宝贝报表) */
	const char *orders_path;     /* the order file of a two-file export (Taobao
				      * 订单报表); NULL otherwise */
	const char *profile;         /* a profile name (order_profile.h), or "auto":
				      * chosen from the header, and said in the log */
	const char *shop_id;         /* the shop when the file does not name it (--shop) */
	struct ltime as_of;          /* an export's time: the version of its rows */
	int has_as_of;
	enum csv_encoding encoding;  /* CSV_ENC_AUTO detects UTF-8 / GBK */
	const char *timezone;        /* zone of times without an offset */
	const unsigned char *pii_key; /* NULL: a file with phones fails */
	size_t pii_key_len;
	double max_reject_ratio;     /* fail when rejected / read exceeds this */
	int dry_run;                 /* do everything, then roll back */
	int own_run_source;          /* 1: record etl.run_source for this file itself
				      * (siyu import); 0: the caller records the
				      * source's total over several files */
	int replace_equal;           /* siyu replay: an order whose version equals the
				      * warehouse's is replaced (older still never wins) */
};

/*
 * Import one file in one transaction: the merge, the run_source counts and the
 * watermark commit together, or nothing does. Rejected records go to
 * etl.reject either way. Returns 0, or -1 when the file failed (rolled back;
 * err says why, naming the file).
 */
int order_import_file(PGconn *conn, const struct order_import_opts *o, struct load_counts *c,
		      char *err, size_t errlen);

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
