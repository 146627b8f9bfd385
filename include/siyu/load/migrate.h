/*
 * migrate.h — apply sql/migrations/NNNN_*.sql in order, once each.
 */
#ifndef SIYU_LOAD_MIGRATE_H
#define SIYU_LOAD_MIGRATE_H

#include <libpq-fe.h>

struct migrate_result {
	int applied;  /* files applied by this call */
	int skipped;  /* already applied, checksum equal */
};

/*
 * Apply every migration in dir that etl.schema_migration does not list,
 * each in its own transaction, under a session advisory lock so that two
 * concurrent migrates take turns. A file already applied whose checksum
 * (sha256 of its bytes) changed is an error: migrations are immutable once
 * applied. With dry_run nothing is applied; pending files are counted in
 * applied and logged. Returns 0 or -1 (logged).
 */
int migrate_apply(PGconn *conn, const char *dir, int dry_run, struct migrate_result *out);

#endif /* SIYU_LOAD_MIGRATE_H */
