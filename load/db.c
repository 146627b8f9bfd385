/*
 * db.c — libpq helpers with checked results (see include/siyu/load/db.h).
 */
#include "siyu/load/db.h"

#include "siyu/common/failure.h"
#include "siyu/common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char last_sqlstate[6];
static _Thread_local char last_error[512];

const char *db_last_sqlstate(void)
{
	return last_sqlstate;
}

const char *db_last_error(void)
{
	return last_error;
}

int db_find_sorted(const PGresult *res, int col, const char *key)
{
	int lo = 0, hi = res ? PQntuples(res) - 1 : -1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		int c = strcmp(PQgetvalue(res, mid, col), key);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static void clear_last(void)
{
	last_sqlstate[0] = '\0';
	last_error[0] = '\0';
}

/* Length of the first line of sql, for messages. */
static int first_line_len(const char *sql)
{
	const char *nl = strchr(sql, '\n');
	size_t n = nl ? (size_t)(nl - sql) : strlen(sql);

	return n > 200 ? 200 : (int)n;
}

/*
 * libpq's messages end in a newline and a lost connection's span several
 * lines ("FATAL: ...\nserver closed the connection unexpectedly\n\t...");
 * logs and error texts are one line: fold whitespace runs into one space.
 */
static void one_line(char *s)
{
	char *out = s;
	int space = 0;

	for (char *p = s; *p; p++) {
		if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
			space = 1;
			continue;
		}
		if (space && out != s)
			*out++ = ' ';
		space = 0;
		*out++ = *p;
	}
	*out = '\0';
}

enum log_level db_failure_level = LOG_ERROR;

static void remember_failure(PGconn *conn, const PGresult *res, const char *sql)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	snprintf(last_sqlstate, sizeof(last_sqlstate), "%s", state ? state : "");
	if (!msg)
		msg = PQerrorMessage(conn);
	snprintf(last_error, sizeof(last_error), "%s", msg);
	one_line(last_error);
	log_emit(db_failure_level, "msg=\"query failed\" sqlstate=%s error=\"%s\" query=\"%.*s\"",
		 last_sqlstate[0] ? last_sqlstate : "-", last_error, first_line_len(sql), sql);
}

/* Server notices (e.g. "table does not exist, skipping") are debug detail. */
static void log_notice(void *arg, const char *message)
{
	int n = (int)strlen(message);

	(void)arg;
	while (n && message[n - 1] == '\n')
		n--;
	log_debug("msg=\"server notice\" notice=\"%.*s\"", n, message);
}

/* Settings every siyu session has (db_connect, db_reconnect). 0 / -1 with err. */
static int setup_session(PGconn *conn, char *err, size_t errlen)
{
	/*
	 * JIT compiles the expressions of any plan above jit_above_cost; over a
	 * fact partitioned by month that is seconds of compiling for milliseconds
	 * of work (a KPI refresh went from 17 s to 0.3 s without it).
	 */
	if (db_exec(conn, "SET jit = off") < 0) {
		snprintf(err, errlen, "cannot configure the session: %s", db_last_error());
		return -1;
	}
	return 0;
}

/* The last step of every connect: check it, then the session settings. */
static PGconn *finish_connect(PGconn *conn, char *err, size_t errlen)
{
	if (!conn) {
		snprintf(err, errlen, "out of memory connecting to the warehouse");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot connect to the warehouse: %s", PQerrorMessage(conn));
		size_t n = strlen(err);
		while (n && err[n - 1] == '\n')
			err[--n] = '\0';
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, log_notice, NULL);
	if (setup_session(conn, err, errlen) < 0) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

PGconn *db_connect(const char *conninfo, const char *appname, char *err, size_t errlen)
{
	const char *keys[] = { "dbname", "fallback_application_name", NULL };
	const char *vals[] = { conninfo && *conninfo ? conninfo : NULL, appname, NULL };

	return finish_connect(PQconnectdbParams(keys, vals, 1), err, errlen);
}

/*
 * The text as written with each ${…} reference replaced by one REF_MARK byte (and $$
 * by '$', common/config.c's syntax): what libpq will read once it is expanded, the
 * parts from the environment marked. NULL when out of memory.
 */
#define REF_MARK '\x01'
static char *mark_references(const char *v)
{
	char *out = malloc(strlen(v) + 1), *o = out;

	if (!out)
		return NULL;
	while (*v) {
		const char *close;

		if (v[0] == '$' && v[1] == '$') {
			*o++ = '$';
			v += 2;
		} else if (v[0] == '$' && v[1] == '{' && (close = strchr(v, '}')) != NULL) {
			*o++ = REF_MARK;
			v = close + 1;
		} else {
			*o++ = *v++;
		}
	}
	*o = '\0';
	return out;
}

int db_conninfo_literal_password(const char *as_written)
{
	static const char marks[] = { REF_MARK, '\0' };
	char *marked = mark_references(as_written), *errmsg = NULL;
	PQconninfoOption *opts;
	int literal = 0;

	if (!marked)
		return -1;
	opts = PQconninfoParse(marked, &errmsg);
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val)
			literal = o->val[strspn(o->val, marks)] != '\0';
	PQfreemem(errmsg);
	PQconninfoFree(opts);
	free(marked);
	return literal;
}

PGconn *db_connect_like(PGconn *conn, char *err, size_t errlen)
{
	PQconninfoOption *opts = PQconninfo(conn);
	const char *keys[64], *vals[64];
	size_t n = 0;
	PGconn *side;

	if (!opts) {
		snprintf(err, errlen, "out of memory connecting to the warehouse");
		return NULL;
	}
	for (PQconninfoOption *o = opts; o->keyword && n + 1 < sizeof(keys) / sizeof(keys[0]); o++) {
		if (!o->val)
			continue;
		keys[n] = o->keyword;
		vals[n++] = o->val;
	}
	keys[n] = vals[n] = NULL;
	side = PQconnectdbParams(keys, vals, 0);
	PQconninfoFree(opts);  /* after the connect: keys and vals point into it */
	return finish_connect(side, err, errlen);
}

int db_reconnect(PGconn *conn, char *err, size_t errlen)
{
	PQreset(conn);
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot reconnect to the warehouse: %s", PQerrorMessage(conn));
		size_t n = strlen(err);
		while (n && err[n - 1] == '\n')
			err[--n] = '\0';
		return -1;
	}
	return setup_session(conn, err, errlen);
}

void db_close(PGconn *conn)
{
	if (!conn)
		return;
	if (PQtransactionStatus(conn) == PQTRANS_ACTIVE) {
		PGcancel *cancel = PQgetCancel(conn);
		char errbuf[256];

		if (cancel) {
			PQcancel(cancel, errbuf, sizeof(errbuf));
			PQfreeCancel(cancel);
		}
	}
	PQfinish(conn);
}

static int expect_status(PGconn *conn, PGresult *res, const char *sql, ExecStatusType want)
{
	ExecStatusType got = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (got == want || (want == PGRES_COMMAND_OK && got == PGRES_TUPLES_OK))
		return 0;
	remember_failure(conn, res, sql);
	return -1;
}

int db_exec(PGconn *conn, const char *sql)
{
	PGresult *res;
	int rc;

	clear_last();
	res = PQexec(conn, sql);
	rc = expect_status(conn, res, sql, PGRES_COMMAND_OK);
	PQclear(res);
	return rc;
}

int db_exec_params(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult *res;
	int rc;

	clear_last();
	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	rc = expect_status(conn, res, sql, PGRES_COMMAND_OK);
	PQclear(res);
	return rc;
}

PGresult *db_query(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult *res;

	clear_last();
	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (expect_status(conn, res, sql, PGRES_TUPLES_OK) < 0) {
		PQclear(res);
		return NULL;
	}
	return res;
}

static int lock_call(PGconn *conn, const char *fn, const char *name)
{
	char sql[128];
	const char *params[] = { name };
	PGresult *res;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT %s(hashtextextended($1, 0))::text", fn);
	res = db_query(conn, sql, 1, params);
	if (!res)
		return -1;
	/* pg_advisory_lock returns void: an empty text */
	rc = strcmp(PQgetvalue(res, 0, 0), "false") == 0 ? 0 : 1;
	PQclear(res);
	return rc;
}

int db_object_exists(PGconn *conn, const char *name)
{
	const char *params[] = { name };
	PGresult *res = db_query(conn, strchr(name, '(') ? "SELECT to_regprocedure($1) IS NOT NULL"
							  : "SELECT to_regclass($1) IS NOT NULL", 1, params);
	int has;

	if (!res)
		return -1;
	has = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return has;
}

int db_try_advisory_lock(PGconn *conn, const char *name)
{
	return lock_call(conn, "pg_try_advisory_lock", name);
}

int db_advisory_lock(PGconn *conn, const char *name)
{
	return lock_call(conn, "pg_advisory_lock", name) < 0 ? -1 : 0;
}

int db_advisory_unlock(PGconn *conn, const char *name)
{
	return lock_call(conn, "pg_advisory_unlock", name) < 0 ? -1 : 0;
}

int db_copy_begin(PGconn *conn, const char *copy_sql)
{
	PGresult *res;
	int rc;

	clear_last();
	res = PQexec(conn, copy_sql);
	rc = expect_status(conn, res, copy_sql, PGRES_COPY_IN);
	PQclear(res);
	return rc;
}

int db_copy_put(PGconn *conn, const char *data, size_t len)
{
	if (len > 0x7fffffff)
		return error("msg=\"copy chunk too large\" bytes=%zu", len);
	if (PQputCopyData(conn, data, (int)len) <= 0) {
		remember_failure(conn, NULL, "COPY");
		return -1;
	}
	return 0;
}

int db_copy_end(PGconn *conn, const char *abort_reason)
{
	PGresult *res;
	int rc = 0;

	if (PQputCopyEnd(conn, abort_reason) <= 0) {
		remember_failure(conn, NULL, "COPY");
		rc = -1;
	}
	/* Drain every result: a connection must never be left in COPY mode. */
	while ((res = PQgetResult(conn)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		if (st == PGRES_COPY_IN) {
			PQputCopyEnd(conn, "client gave up");
		} else if (st != PGRES_COMMAND_OK) {
			if (!abort_reason)
				remember_failure(conn, res, "COPY");
			rc = -1;
		}
		PQclear(res);
	}
	return abort_reason ? -1 : rc;
}

void db_rollback(PGconn *conn)
{
	if (PQstatus(conn) != CONNECTION_OK)
		return;
	if (PQtransactionStatus(conn) == PQTRANS_ACTIVE)
		db_copy_end(conn, "load failed"); /* a COPY the failure left open */
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		db_exec(conn, "ROLLBACK");
}

int db_fail(struct failure *f, const char *object, const char *what)
{
	const char *state = db_last_sqlstate();

	if (*state)
		return failure_set(f, object, "%s: %s (SQLSTATE %s)", what, db_last_error(), state);
	return failure_set(f, object, "%s: %s", what, db_last_error());
}
