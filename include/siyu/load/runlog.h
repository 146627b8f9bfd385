/*
 * runlog.h — etl.run / etl.run_source bookkeeping, the run lock, rejects and watermarks.
 */
#ifndef SIYU_LOAD_RUNLOG_H
#define SIYU_LOAD_RUNLOG_H

#include <libpq-fe.h>
#include <stdio.h>

/* Counts a source reports for one run (etl.run_source). */
struct load_counts {
	long pages;
	long long read, inserted, updated, unchanged, duplicates, rejected;
	long long merged_customers;
};

/* Add c to sum, every count. */
void load_counts_add(struct load_counts *sum, const struct load_counts *c);

/*
 * Take the warehouse-wide run lock (a session advisory lock): 1 taken,
 * 0 another run holds it, -1 error.
 */
int runlog_lock(PGconn *conn);

/*
 * Mark every etl.run / etl.run_source row still 'running' as 'abandoned'
 * (run_source.error says so). Call only while holding the run lock, before
 * runlog_begin(): every run/import/replay holds that lock for its whole
 * life, so a 'running' row seen then belongs to a process that died (kill -9,
 * crash, lost connection). Logs a warning per run and returns how many runs
 * were marked, or -1.
 */
int runlog_mark_abandoned(PGconn *conn);

/* Insert an etl.run row ('running') and return its id. 0 / -1. */
int runlog_begin(PGconn *conn, const char *command, const char *args, long long *run_id);

/* Close the run: status from exit_code (0 = succeeded). 0 / -1. */
int runlog_finish(PGconn *conn, long long run_id, int exit_code);

/* Record that a source started (its own autocommit statement). 0 / -1. */
int runlog_source_begin(PGconn *conn, long long run_id, const char *source);

/*
 * Record how a source ended. Called inside the source's transaction on
 * success (counts commit with the data) and after its rollback on failure.
 */
int runlog_source_finish(PGconn *conn, long long run_id, const char *source, const char *status,
			 const struct load_counts *c, const char *error);

/*
 * The (source, entity) watermark as unix seconds into *out, left alone when
 * there is none. 0 / -1.
 */
int runlog_watermark_epoch(PGconn *conn, const char *source, const char *entity, long long *out);

/* Write the business time zone the SQL uses (etl.setting). 0 / -1. */
int runlog_set_timezone(PGconn *conn, const char *tz);

/*
 * Move the (source, entity) watermark forward to value (text timestamptz;
 * NULL: now()), recording run_id as the run it names. 0 / -1.
 */
int runlog_advance_watermark(PGconn *conn, const char *source, const char *entity,
			     const char *value, long long run_id);

/*
 * Rejected records are spooled to a temporary file while a source loads and
 * written to etl.reject in their own transaction afterwards, so that they
 * are kept whether the source's data committed or rolled back.
 */
struct reject_log {
	FILE *spool;
	long long count;           /* spooled and not yet stored */
	long written, stored;      /* spool bytes written; of those, already stored */
	long long run_id;
	char *source;
};

int reject_log_open(struct reject_log *r, long long run_id, const char *source);

/*
 * Spool one reject. natural_key and location may be NULL. What goes to
 * etl.reject is always storable and free of phone numbers: mainland mobile
 * numbers in reason and raw are masked (pii_mask_phones_in_text), and a
 * value that is not text (a NUL byte, invalid UTF-8) is stored escaped
 * (utf8_escape; for raw, etl.reject.raw_escaped says so). 0 / -1.
 */
int reject_log_add(struct reject_log *r, const char *entity, const char *natural_key,
		   const char *location, const char *reason, const char *raw, size_t raw_len);

/* reject_log_add for a raw record the caller already escaped (raw_escaped = 1). */
int reject_log_add_raw(struct reject_log *r, const char *entity, const char *natural_key,
		       const char *location, const char *reason, const char *raw, size_t raw_len,
		       int raw_escaped);

/*
 * COPY the spooled rejects into etl.reject inside the caller's open
 * transaction on conn, so that they commit or roll back with its data; once
 * that transaction committed, reject_log_forget. 0 / -1 (the transaction is
 * then aborted).
 */
int reject_log_copy(struct reject_log *r, PGconn *conn);

/* The spooled rejects are stored (their transaction committed): forget them. */
void reject_log_forget(struct reject_log *r);

/*
 * COPY the spooled rejects into etl.reject in a transaction of their own (a
 * connection of their own when conn died). 0 / -1.
 */
int reject_log_flush(struct reject_log *r, PGconn *conn);
void reject_log_close(struct reject_log *r);

#endif /* SIYU_LOAD_RUNLOG_H */
