/*
 * order_import.h — load one order file end to end: read, check, dedupe, COPY, merge.
 */
#ifndef SIYU_SOURCE_ORDER_IMPORT_H
#define SIYU_SOURCE_ORDER_IMPORT_H

#include "siyu/extract/csv_file.h"
#include "siyu/load/runlog.h"

#include <libpq-fe.h>
#include <stddef.h>

struct order_import_opts {
	long long run_id;
	const char *source;          /* name in etl.run_source / etl.watermark / etl.reject */
	const char *path;            /* the file (plain or gzip) */
	const char *profile;         /* column profile; "generic" */
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

#endif /* SIYU_SOURCE_ORDER_IMPORT_H */
