/*
 * sql_tree.h — the SQL files of a warehouse, read from disk and put in apply order.
 *
 * The SQL directory (sql/ of the checkout) holds
 *   migrations/NNNN_name.sql   versioned migrations: tables and data changes, applied once
 *                              each in number order; never edited once applied
 *   functions/, views/, kpi/   repeatable scripts, one function or view each (its name is
 *                              the file's), re-applied whenever the file changes
 *   migrations/legacy.sha256   per migration of commit 467215e that still exists, its sha256
 *                              then and its sha256 once the functions and views left it:
 *                              "<then> <now>  <name>" lines
 * Any file may name the scripts it needs in lines of the form
 *   -- requires: functions/etl.resequence_customers.sql kpi/qualifying_order.sql
 * (paths relative to the SQL directory, separated by blanks or commas). A script is
 * applied after the scripts it requires, and re-applied whenever one of them is; a
 * migration gets the scripts it requires applied before it runs.
 */
#ifndef SIYU_LOAD_SQL_TREE_H
#define SIYU_LOAD_SQL_TREE_H

#include <stddef.h>

struct sql_file {
	char *name;        /* migration: "0005_order_facts.sql"; script: "kpi/growth.sql" */
	char *text;        /* the file's bytes, NUL-terminated */
	size_t len;
	char sum[65];      /* sha256 of the bytes, lowercase hex */
	size_t *requires;  /* indexes into sql_tree.scripts of the scripts it requires */
	size_t nrequires;
};

struct sql_legacy {
	char *name;        /* a migration file name of commit 467215e */
	char sum[65];      /* its sha256 at that commit */
	char now[65];      /* its sha256 as rewritten without functions and views */
};

struct sql_tree {
	struct sql_file *migrations; /* in name (= number) order */
	size_t nmigrations;
	struct sql_file *scripts;    /* in apply order: each after every script it requires */
	size_t nscripts;
	struct sql_legacy *legacy;
	size_t nlegacy;
};

#define SQL_TREE_INIT { NULL, 0, NULL, 0, NULL, 0 }

/*
 * The folders of repeatable scripts, in the order their files are applied when no
 * requires line says otherwise (within a folder: by file name).
 */
extern const char *const sql_script_dirs[];

/*
 * Read every migration and script below dir, resolve their requires lines and order the
 * scripts. A missing script folder is empty; a missing migrations folder, an unreadable
 * file, a requires line naming no script, or scripts requiring each other in a cycle is
 * an error (logged, naming the file). Returns 0 or -1; free with sql_tree_release either
 * way.
 */
int sql_tree_load(struct sql_tree *t, const char *dir);

/*
 * Resolve the requires lines of the scripts and migrations already in t (name and text
 * set, requires empty) and sort t->scripts into apply order: a stable topological sort
 * that keeps the given order wherever the requires lines allow. Returns 0 or -1 (logged).
 */
int sql_tree_resolve(struct sql_tree *t);

void sql_tree_release(struct sql_tree *t);

/* Set mark[i] for every script f requires, directly or through other scripts. */
void sql_tree_mark_required(const struct sql_tree *t, const struct sql_file *f,
			    unsigned char *mark);

/* Set mark[j] for every script that requires script i, directly or indirectly. */
void sql_tree_mark_dependents(const struct sql_tree *t, size_t i, unsigned char *mark);

/*
 * 1 when migration f, recorded with checksum recorded, was applied by commit 467215e and is
 * unchanged since its rewrite: recorded is its checksum then and f's is the rewrite's.
 */
int sql_tree_legacy_applied(const struct sql_tree *t, const struct sql_file *f,
			    const char *recorded);

#endif /* SIYU_LOAD_SQL_TREE_H */
