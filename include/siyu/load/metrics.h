/*
 * metrics.h — the warehouse's run metrics as a Prometheus textfile.
 *
 * node_exporter's textfile collector (or any scraper of the text exposition
 * format) reads the file; siyu rewrites it after every run, import and
 * replay when [run] metrics_file is set. Every value is read from etl.run,
 * etl.run_source and etl.watermark, so the file says what the warehouse
 * says, whichever command wrote it last. The metrics are listed in
 * docs/metrics.md.
 */
#ifndef SIYU_LOAD_METRICS_H
#define SIYU_LOAD_METRICS_H

#include <libpq-fe.h>
#include <stddef.h>

struct buf;

/*
 * Append the metrics of the warehouse on conn to out (exposition format
 * 0.0.4). Returns 0, or -1 with err filled (a query failed).
 */
int metrics_print(PGconn *conn, struct buf *out, char *err, size_t errlen);

/*
 * Write them to path atomically (atomic_file_write, mode 0644), so a
 * scraper never reads half a file. Returns 0, or -1 with err filled (path
 * named); path is then left as it was.
 */
int metrics_write(PGconn *conn, const char *path, char *err, size_t errlen);

#endif /* SIYU_LOAD_METRICS_H */
