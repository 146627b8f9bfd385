/*
 * migrate.c — versioned migrations and repeatable scripts (see include/siyu/load/migrate.h).
 *
 * A migration is applied once: its name and the sha256 of its bytes are recorded in
 * etl.schema_migration in the same transaction as its statements, so a crash leaves it
 * either applied and recorded or neither. A repeatable script (a function or view) is
 * recorded the same way in etl.schema_script and applied again whenever its checksum
 * differs from the recorded one; the transaction that re-applies it also forgets the
 * records of the scripts that require it, so that they are applied again next (now or,
 * after a crash, by the next migrate) — a matview dropped with CASCADE comes back.
 */
#include "siyu/load/migrate.h"

#include "siyu/common/buf.h"
#include "siyu/common/debug.h"
#include "siyu/common/log.h"
#include "siyu/load/db.h"
#include "siyu/load/sql_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATE_LOCK "siyu.migrate"

static const char bootstrap_sql[] =
	"CREATE SCHEMA IF NOT EXISTS etl;\n"
	"CREATE TABLE IF NOT EXISTS etl.schema_migration (\n"
	"  name text PRIMARY KEY,\n"
	"  checksum text NOT NULL,\n"
	"  applied_at timestamptz NOT NULL DEFAULT now());\n"
	"CREATE TABLE IF NOT EXISTS etl.schema_script (\n"
	"  name text PRIMARY KEY,\n"
	"  checksum text NOT NULL,\n"
	"  applied_at timestamptz NOT NULL DEFAULT now())";

/* Ownership and grants of whatever was created, once per migrate that changed anything. */
static const char privileges_sql[] =
	"DO $$ BEGIN\n"
	"  IF to_regprocedure('etl.apply_privileges()') IS NOT NULL THEN\n"
	"    PERFORM etl.apply_privileges();\n"
	"  END IF;\n"
	"END $$";

struct migrate_state {
	PGconn *conn;
	const struct sql_tree *tree;
	PGresult *migrations_done; /* name, checksum of etl.schema_migration */
	PGresult *scripts_done;    /* name, checksum of etl.schema_script */
	unsigned char *pending;    /* per script: not applied with its current checksum */
	unsigned char *touched;    /* per script: applied by this migrate */
	int dry_run;
	struct migrate_result *out;
};

/* The recorded checksum of name in res (name, checksum rows), or NULL. */
static const char *recorded_sum(const PGresult *res, const char *name)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), name) == 0)
			return PQgetvalue(res, i, 1);
	return NULL;
}

/* 1 when migration f is applied, 0 when pending, -1 (logged) when it was edited. */
static int migration_applied(const struct migrate_state *st, const struct sql_file *f)
{
	const char *recorded = recorded_sum(st->migrations_done, f->name);

	if (!recorded)
		return 0;
	/* or applied before functions and views left the migrations (sql/README.md) */
	if (strcmp(recorded, f->sum) == 0 || sql_tree_legacy_applied(st->tree, f, recorded))
		return 1;
	return error("msg=\"applied migration was edited; add a new migration instead\" "
		     "migration=%s recorded=%.12s now=%.12s", f->name, recorded, f->sum);
}

/* Run sql and the bookkeeping statements in one transaction. */
static int run_in_transaction(PGconn *conn, const char *sql, const char *const *book, int nbook,
			      const char *const *params)
{
	if (db_exec(conn, "BEGIN") < 0)
		return -1;
	if (db_exec(conn, sql) < 0)
		goto fail;
	for (int i = 0; i < nbook; i++)
		if (db_exec_params(conn, book[i], 2, params) < 0)
			goto fail;
	if (db_exec(conn, "COMMIT") < 0)
		goto fail;
	return 0;
fail:
	db_exec(conn, "ROLLBACK");
	return -1;
}

static int apply_migration(struct migrate_state *st, const struct sql_file *f)
{
	static const char *const book[] = {
		"INSERT INTO etl.schema_migration (name, checksum) VALUES ($1, $2)",
	};
	const char *params[] = { f->name, f->sum };

	if (st->dry_run) {
		log_info("msg=\"would apply migration\" migration=%s", f->name);
	} else {
		if (run_in_transaction(st->conn, f->text, book, 1, params) < 0)
			return error("msg=\"migration failed\" migration=%s", f->name);
		log_info("msg=\"migration applied\" migration=%s", f->name);
	}
	st->out->applied++;
	return 0;
}

/*
 * Apply script i; the scripts that require it become pending, here and in the
 * database, in the same transaction.
 */
static int apply_script(struct migrate_state *st, size_t i)
{
	static const char *const book[] = {
		"INSERT INTO etl.schema_script (name, checksum) VALUES ($1, $2) "
		"ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()",
	};
	const struct sql_file *f = &st->tree->scripts[i];
	size_t n = st->tree->nscripts;
	unsigned char *dependents = calloc(n + 1, 1);
	struct buf sql = BUF_INIT;
	const char *params[] = { f->name, f->sum };
	int rc = -1;

	if (!dependents)
		return error("msg=\"out of memory\"");
	sql_tree_mark_dependents(st->tree, i, dependents);
	/* The script, then forgetting its dependents' records, in one transaction. */
	if (buf_adds(&sql, f->text) < 0 || buf_adds(&sql, "\n;\n") < 0)
		goto out;
	for (size_t j = 0; j < n; j++) {
		char *quoted;

		if (!dependents[j])
			continue;
		st->pending[j] = 1;
		quoted = PQescapeLiteral(st->conn, st->tree->scripts[j].name,
					 strlen(st->tree->scripts[j].name));
		if (!quoted || buf_addf(&sql, "DELETE FROM etl.schema_script WHERE name = %s;\n",
					quoted) < 0) {
			PQfreemem(quoted);
			error("msg=\"out of memory\"");
			goto out;
		}
		PQfreemem(quoted);
	}
	if (st->dry_run) {
		log_info("msg=\"would apply script\" script=%s", f->name);
	} else {
		if (run_in_transaction(st->conn, buf_str(&sql), book, 1, params) < 0) {
			error("msg=\"script failed\" script=%s", f->name);
			goto out;
		}
		log_info("msg=\"script applied\" script=%s", f->name);
		debug_point("script");
	}
	st->pending[i] = 0;
	st->touched[i] = 1;
	rc = 0;
out:
	free(dependents);
	buf_release(&sql);
	return rc;
}

/* Apply the pending scripts among mark (all pending ones when mark is NULL), in order. */
static int apply_scripts(struct migrate_state *st, const unsigned char *mark)
{
	for (size_t i = 0; i < st->tree->nscripts; i++)
		if (st->pending[i] && (!mark || mark[i]) && apply_script(st, i) < 0)
			return -1;
	return 0;
}

static PGresult *query_records(PGconn *conn, const char *table);

/*
 * A migration may drop a view and delete its script's record (sql/README.md): the script
 * is pending again. Re-read the records after each migration.
 */
static int reread_scripts_done(struct migrate_state *st)
{
	PGresult *res = query_records(st->conn, "etl.schema_script");

	if (!res)
		return -1;
	PQclear(st->scripts_done);
	st->scripts_done = res;
	for (size_t i = 0; i < st->tree->nscripts; i++) {
		const char *recorded = recorded_sum(res, st->tree->scripts[i].name);

		if (!recorded || strcmp(recorded, st->tree->scripts[i].sum) != 0)
			st->pending[i] = 1;
	}
	return 0;
}

static int apply_migrations(struct migrate_state *st)
{
	const struct sql_tree *t = st->tree;
	unsigned char *required = calloc(t->nscripts + 1, 1);
	int rc = 0;

	if (!required)
		return error("msg=\"out of memory\"");
	for (size_t m = 0; m < t->nmigrations && rc == 0; m++) {
		const struct sql_file *f = &t->migrations[m];
		int applied = migration_applied(st, f);

		if (applied < 0) {
			rc = -1;
		} else if (applied) {
			st->out->skipped++;
		} else {
			memset(required, 0, t->nscripts + 1);
			sql_tree_mark_required(t, f, required);
			rc = apply_scripts(st, required);
			if (rc == 0)
				rc = apply_migration(st, f);
			if (rc == 0 && !st->dry_run)
				rc = reread_scripts_done(st);
		}
	}
	free(required);
	return rc;
}

static PGresult *query_records(PGconn *conn, const char *table)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT name, checksum FROM %s", table);
	return db_query(conn, sql, 0, NULL);
}

/* Which scripts are new or changed; warn about records without a file. */
static void find_pending_scripts(struct migrate_state *st)
{
	const struct sql_tree *t = st->tree;

	for (size_t i = 0; i < t->nscripts; i++) {
		const char *recorded = recorded_sum(st->scripts_done, t->scripts[i].name);

		st->pending[i] = !recorded || strcmp(recorded, t->scripts[i].sum) != 0;
	}
	for (int r = 0; r < PQntuples(st->scripts_done); r++) {
		const char *name = PQgetvalue(st->scripts_done, r, 0);
		size_t i = 0;

		while (i < t->nscripts && strcmp(t->scripts[i].name, name) != 0)
			i++;
		if (i == t->nscripts)
			log_warn("msg=\"an applied script has no file any more; what it created stays "
				 "until a migration drops it\" script=%s", name);
	}
}

/*
 * A warehouse whose database collation is not C compares its text keys (order numbers,
 * identifiers, shop ids, SKUs) with strcoll in every sort, grouping and index: PostgreSQL
 * takes its memcmp path only under C or POSIX. C sorts UTF-8 text in the same order as
 * C.UTF-8 (code points), and the 1M-order import runs ~10 % faster (README, Install). Said
 * once per migrate that applied something (a new warehouse, an upgrade), not every night.
 */
static void note_collation(PGconn *conn)
{
	PGresult *res = db_query(conn, "SELECT datcollate FROM pg_database "
				       "WHERE datname = current_database() "
				       "AND datcollate NOT IN ('C', 'POSIX')", 0, NULL);

	if (res && PQntuples(res) == 1)
		log_warn("msg=\"the database's collation is not C: its text is compared with "
			 "strcoll, slower than under C, which orders text by code point as C.UTF-8 "
			 "does (README, Install)\" collation=%s", PQgetvalue(res, 0, 0));
	PQclear(res);
}

static int migrate_tree(PGconn *conn, const struct sql_tree *tree, int dry_run,
			struct migrate_result *out)
{
	struct migrate_state st = { conn, tree, NULL, NULL, NULL, NULL, dry_run, out };
	int rc = -1;

	st.migrations_done = query_records(conn, "etl.schema_migration");
	st.scripts_done = query_records(conn, "etl.schema_script");
	st.pending = calloc(tree->nscripts + 1, 1);
	st.touched = calloc(tree->nscripts + 1, 1);
	if (!st.migrations_done || !st.scripts_done || !st.pending || !st.touched)
		goto out;
	find_pending_scripts(&st);
	if (apply_migrations(&st) < 0 || apply_scripts(&st, NULL) < 0)
		goto out;
	for (size_t i = 0; i < tree->nscripts; i++) {
		if (st.touched[i])
			out->scripts_applied++;
		else
			out->scripts_unchanged++;
	}
	if (!dry_run && (out->applied > 0 || out->scripts_applied > 0)) {
		if (db_exec(conn, privileges_sql) < 0)
			goto out;
		note_collation(conn);
	}
	rc = 0;
out:
	PQclear(st.migrations_done);
	PQclear(st.scripts_done);
	free(st.pending);
	free(st.touched);
	return rc;
}

int migrate_apply(PGconn *conn, const char *dir, int dry_run, struct migrate_result *out)
{
	struct sql_tree tree = SQL_TREE_INIT;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (sql_tree_load(&tree, dir) < 0)
		goto out;
	if (tree.nmigrations == 0) {
		error("msg=\"no migrations found\" dir=%s/migrations", dir);
		goto out;
	}
	if (db_exec(conn, "SET client_min_messages = warning") < 0 ||
	    db_advisory_lock(conn, MIGRATE_LOCK) < 0)
		goto out;
	if (db_exec(conn, bootstrap_sql) == 0)
		rc = migrate_tree(conn, &tree, dry_run, out);
	db_advisory_unlock(conn, MIGRATE_LOCK);
out:
	sql_tree_release(&tree);
	return rc;
}
