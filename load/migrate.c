/*
 * migrate.c — versioned schema migrations (see include/siyu/load/migrate.h).
 *
 * A migration is a file named NNNN_name.sql. Its name and the sha256 of its
 * bytes are recorded in etl.schema_migration in the same transaction as its
 * statements, so a crash leaves it either applied and recorded or neither.
 */
#include "siyu/load/migrate.h"

#include "siyu/common/buf.h"
#include "siyu/common/log.h"
#include "siyu/load/db.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATE_LOCK "siyu.migrate"
#define MAX_MIGRATIONS 1000

static const char bootstrap_sql[] =
	"CREATE SCHEMA IF NOT EXISTS etl;\n"
	"CREATE TABLE IF NOT EXISTS etl.schema_migration (\n"
	"  name text PRIMARY KEY,\n"
	"  checksum text NOT NULL,\n"
	"  applied_at timestamptz NOT NULL DEFAULT now())";

static int is_migration_name(const char *name)
{
	size_t n = strlen(name);

	if (n < 10 || strcmp(name + n - 4, ".sql") != 0)
		return 0;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)name[i]))
			return 0;
	return name[4] == '_';
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted migration file names of dir; caller frees each and the array. */
static int list_migrations(const char *dir, char ***names, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	char **v;

	if (!d)
		return error("msg=\"cannot open migrations directory\" dir=%s error=\"%s\"", dir,
			     strerror(errno));
	v = calloc(MAX_MIGRATIONS, sizeof(*v));
	if (!v) {
		closedir(d);
		return error("msg=\"out of memory\"");
	}
	while ((e = readdir(d)) != NULL) {
		if (!is_migration_name(e->d_name))
			continue;
		if (n == MAX_MIGRATIONS || !(v[n] = strdup(e->d_name))) {
			closedir(d);
			*names = v;
			*count = n;
			return error("msg=\"too many migrations or out of memory\" dir=%s", dir);
		}
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), compare_names);
	*names = v;
	*count = n;
	return 0;
}

static int read_file(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f)
		return error("msg=\"cannot read migration\" file=%s error=\"%s\"", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_add(out, chunk, n) < 0) {
			fclose(f);
			return error("msg=\"migration too large\" file=%s", path);
		}
	}
	if (ferror(f)) {
		fclose(f);
		return error("msg=\"cannot read migration\" file=%s error=\"%s\"", path, strerror(errno));
	}
	fclose(f);
	return 0;
}

static void sha256_hex(const char *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
}

/* The recorded checksum of name into out (empty when not applied). */
static int applied_checksum(PGconn *conn, const char *name, char out[65])
{
	const char *params[] = { name };
	PGresult *res = db_query(conn, "SELECT checksum FROM etl.schema_migration WHERE name = $1",
				 1, params);

	if (!res)
		return -1;
	out[0] = '\0';
	if (PQntuples(res) == 1)
		snprintf(out, 65, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int apply_one(PGconn *conn, const char *name, const struct buf *sql, const char *sum)
{
	const char *params[] = { name, sum };

	if (db_exec(conn, "BEGIN") < 0)
		return -1;
	if (db_exec(conn, buf_str(sql)) < 0 ||
	    db_exec_params(conn, "INSERT INTO etl.schema_migration (name, checksum) VALUES ($1, $2)",
			   2, params) < 0 ||
	    db_exec(conn, "COMMIT") < 0) {
		db_exec(conn, "ROLLBACK");
		return error("msg=\"migration failed\" migration=%s", name);
	}
	log_info("msg=\"migration applied\" migration=%s", name);
	return 0;
}

/* Check or apply one file; counts into out. */
static int migrate_file(PGconn *conn, const char *dir, const char *name, int dry_run,
			struct migrate_result *out)
{
	struct buf path = BUF_INIT, sql = BUF_INIT;
	char sum[65], recorded[65];
	int rc = -1;

	if (buf_addf(&path, "%s/%s", dir, name) < 0 || read_file(buf_str(&path), &sql) < 0)
		goto out;
	sha256_hex(sql.data ? sql.data : "", sql.len, sum);
	if (applied_checksum(conn, name, recorded) < 0)
		goto out;
	if (recorded[0]) {
		if (strcmp(recorded, sum) != 0) {
			error("msg=\"applied migration was edited; add a new migration instead\" "
			      "migration=%s recorded=%.12s now=%.12s", name, recorded, sum);
			goto out;
		}
		out->skipped++;
		rc = 0;
		goto out;
	}
	if (dry_run) {
		log_info("msg=\"would apply migration\" migration=%s", name);
		out->applied++;
		rc = 0;
		goto out;
	}
	if (apply_one(conn, name, &sql, sum) < 0)
		goto out;
	out->applied++;
	rc = 0;
out:
	buf_release(&path);
	buf_release(&sql);
	return rc;
}

int migrate_apply(PGconn *conn, const char *dir, int dry_run, struct migrate_result *out)
{
	char **names = NULL;
	size_t count = 0;
	int rc = -1;

	out->applied = out->skipped = 0;
	if (db_exec(conn, "SET client_min_messages = warning") < 0 ||
	    db_advisory_lock(conn, MIGRATE_LOCK) < 0)
		return -1;
	if (db_exec(conn, bootstrap_sql) < 0 || list_migrations(dir, &names, &count) < 0)
		goto out;
	if (count == 0) {
		error("msg=\"no migrations found\" dir=%s", dir);
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < count && rc == 0; i++)
		rc = migrate_file(conn, dir, names[i], dry_run, out);
out:
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	db_advisory_unlock(conn, MIGRATE_LOCK);
	return rc;
}
