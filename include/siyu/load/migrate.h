/*
 * migrate.h — bring a warehouse up to the SQL tree: apply the migrations it has not
 * seen and the repeatable scripts (functions, views) that are new or changed.
 */
#ifndef SIYU_LOAD_MIGRATE_H
#define SIYU_LOAD_MIGRATE_H

#include <libpq-fe.h>

struct migrate_result {
	int applied;           /* migrations applied by this call */
	int skipped;           /* migrations already applied, checksum equal */
	int scripts_applied;   /* scripts (re)applied: new, changed, or requiring one that was */
	int scripts_unchanged; /* scripts applied before with the same checksum */
};

/*
 * Apply, under a session advisory lock so that two concurrent migrates take turns,
 * everything of the SQL tree in dir (sql_tree.h) that the database lacks:
 *   - every migration not in etl.schema_migration, in number order, each in its own
 *     transaction with its record; before a migration, the scripts it requires that are
 *     pending. An applied migration whose checksum changed is an error, unless the
 *     recorded checksum is the one migrations/legacy.sha256 lists for it;
 *   - then every pending script in apply order, each in its own transaction with its
 *     record in etl.schema_script. A script is pending when it has no record or its
 *     checksum changed, or when a script it requires was just applied;
 *   - then etl.apply_privileges(), when anything was applied.
 * With dry_run nothing is applied; what would be is counted and logged.
 * Returns 0 or -1 (logged, naming the file).
 */
int migrate_apply(PGconn *conn, const char *dir, int dry_run, struct migrate_result *out);

#endif /* SIYU_LOAD_MIGRATE_H */
