/*
 * db.h — libpq helpers: connect, run SQL with checked results, COPY, locks.
 *
 * Every helper checks the result status it expects, logs the failed statement
 * (its first line) with the server's message and SQLSTATE, clears every
 * PGresult on every path, and returns 0 / -1 (or a result the caller owns).
 */
#ifndef SIYU_LOAD_DB_H
#define SIYU_LOAD_DB_H

#include "siyu/common/log.h"

#include <libpq-fe.h>
#include <stddef.h>

struct failure;

/*
 * The level at which a failed statement is logged (with its first line, the
 * server's message and SQLSTATE): LOG_ERROR by default; the driver layer sets
 * LOG_DEBUG while a source loads, because it reports each failure once itself.
 */
extern enum log_level db_failure_level;

/*
 * Connect with a libpq connection string; NULL or "" lets libpq's PG*
 * environment variables and service file decide. application_name falls
 * back to appname. Returns a connection or NULL (err filled).
 */
PGconn *db_connect(const char *conninfo, const char *appname, char *err, size_t errlen);

/*
 * 1 when a connection string as written in pipeline.conf (before ${…} expansion)
 * holds a password that does not come wholly from ${…} references, in either form
 * libpq reads ("password = x", "postgresql://user:x@host", "…?password=x"), as
 * libpq's own parser (PQconninfoParse) finds it: secrets come from the environment.
 * 0 otherwise, also for a text libpq cannot parse as written (all of it one
 * ${DATABASE_URL}: libpq judges the expanded value when connecting). -1: no memory.
 */
int db_conninfo_literal_password(const char *as_written);

/*
 * Open a broken connection again (the server restarted, the network broke)
 * with the same parameters and redo db_connect's session setup. Everything
 * of the old session is gone: its transaction, advisory locks, temp tables.
 * Returns 0, or -1 with err filled (the server is still unreachable).
 */
int db_reconnect(PGconn *conn, char *err, size_t errlen);

/*
 * A second, independent connection with conn's parameters (conn may be
 * broken), set up like db_connect's. The caller closes it with db_close().
 * Returns NULL with err filled when the server is unreachable.
 */
PGconn *db_connect_like(PGconn *conn, char *err, size_t errlen);

/* Cancel whatever runs and close; NULL is fine. */
void db_close(PGconn *conn);

/* Run SQL that returns no rows (may hold several statements). 0 / -1. */
int db_exec(PGconn *conn, const char *sql);

/* Run a parameterized statement returning no rows. 0 / -1. */
int db_exec_params(PGconn *conn, const char *sql, int nparams, const char *const *params);

/*
 * Run a parameterized query that returns rows. Returns the PGresult (caller
 * PQclear()s it) or NULL after logging the error.
 */
PGresult *db_query(PGconn *conn, const char *sql, int nparams, const char *const *params);

/*
 * The row of res whose column col equals key, when res is sorted by that
 * column bytewise (ORDER BY ... COLLATE "C"): binary search. -1 when none
 * (or res is NULL).
 */
int db_find_sorted(const PGresult *res, int col, const char *key);

/* SQLSTATE of the last failed helper call on this thread ("" when none). */
const char *db_last_sqlstate(void);

/*
 * Whether the warehouse has the object name: a relation ("kpi.care_due"), or a
 * function when name holds its signature ("kpi.refresh()"). 1 yes, 0 no, -1 error.
 */
int db_object_exists(PGconn *conn, const char *name);

/* The server's primary message of the last failed call ("" when none). */
const char *db_last_error(void);

/*
 * Session advisory lock on a key derived from name. Returns 1 when taken,
 * 0 when another session holds it (try) , -1 on error.
 */
int db_try_advisory_lock(PGconn *conn, const char *name);
int db_advisory_lock(PGconn *conn, const char *name);
int db_advisory_unlock(PGconn *conn, const char *name);

/* COPY ... FROM STDIN: begin (expects COPY_IN), put data, end. */
int db_copy_begin(PGconn *conn, const char *copy_sql);
int db_copy_put(PGconn *conn, const char *data, size_t len);
/* End the COPY; abort_reason non-NULL aborts it. 0 / -1 (-1 also when aborted). */
int db_copy_end(PGconn *conn, const char *abort_reason);

/*
 * End a COPY a failure left open, then roll back any open transaction; safe
 * on a connection that is idle or broken.
 */
void db_rollback(PGconn *conn);

/*
 * Fill f with the last failed call: "what: <server message> (SQLSTATE x)",
 * object when not NULL. Returns -1.
 */
int db_fail(struct failure *f, const char *object, const char *what);

#endif /* SIYU_LOAD_DB_H */
