/*
 * replay.c — plan `siyu replay` from the raw zone (see include/siyu/source/replay.h).
 */
#include "siyu/source/replay.h"

#include "siyu/common/buf.h"
#include "siyu/common/log.h"
#include "siyu/load/db.h"
#include "siyu/load/wecom_load.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The run directories of one source, ids ascending once listed. */
struct raw_run {
	long long id;
	double mtime;   /* the directory's modification time, unix seconds */
};

struct raw_runs {
	struct raw_run *v;
	size_t n, cap;
};

static void raw_runs_release(struct raw_runs *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int raw_runs_add(struct raw_runs *r, long long id, double mtime)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct raw_run *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return -1;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n].id = id;
	r->v[r->n].mtime = mtime;
	r->n++;
	return 0;
}

/* A run directory's name: digits only, a positive id. */
static long long run_id_of(const char *name)
{
	char *end;
	long long id;

	if (name[0] < '1' || name[0] > '9')
		return 0;
	errno = 0;
	id = strtoll(name, &end, 10);
	return *end || errno ? 0 : id;
}

static int compare_ids(long long x, long long y)
{
	return (x > y) - (x < y);
}

static int compare_runs(const void *a, const void *b)
{
	return compare_ids(((const struct raw_run *)a)->id, ((const struct raw_run *)b)->id);
}

/*
 * List <raw_dir>/<source>/<id>/ into r, ids ascending (mtimes follow). A
 * missing source directory is an empty list. 0 / -1 with err.
 */
static int list_raw_runs(const char *raw_dir, const char *source, struct raw_runs *r, char *err,
			 size_t errlen)
{
	char dir[4096], path[4096 + 300];
	struct dirent *e;
	struct stat st;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", raw_dir, source);
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read the raw zone '%s': %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		long long id = run_id_of(e->d_name);

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (id <= 0 || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (raw_runs_add(r, id, (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9) < 0) {
			closedir(d);
			snprintf(err, errlen, "out of memory listing '%s'", dir);
			return -1;
		}
	}
	closedir(d);
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), compare_runs);
	return 0;
}

static int plan_add(struct replay_plan *p, long long id, const struct config_source *src)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 32;
		struct replay_item *v = realloc(p->items, cap * sizeof(*v));

		if (!v)
			return -1;
		p->items = v;
		p->cap = cap;
	}
	p->items[p->n].raw_run_id = id;
	p->items[p->n].src = src;
	p->n++;
	return 0;
}

static int selected(const struct replay_request *r, const char *name)
{
	if (r->nsources == 0)
		return 1;
	for (int i = 0; i < r->nsources; i++)
		if (strcmp(r->sources[i], name) == 0)
			return 1;
	return 0;
}

/* --run ID: the selected sources that have a directory for that run. */
static int plan_one_run(const struct config *cfg, const struct replay_request *r,
			struct replay_plan *p, char *err, size_t errlen)
{
	char dir[4096];
	struct stat st;

	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct config_source *src = &cfg->sources[i];

		if (!selected(r, src->name))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s/%lld", cfg->raw_dir, src->name, r->run_id);
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (plan_add(p, r->run_id, src) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/*
 * A WeCom source's runs older than the snapshot the warehouse holds cannot be
 * replayed (include/siyu/source/wecom.h): a date range leaves them out, with a warning, so that
 * "--from" after a transform fix replays the held snapshot and what follows.
 * (--run names its run: the source refuses it, loudly.)
 */
static int drop_older_snapshots(PGconn *conn, const struct config_source *src,
				struct raw_runs *runs, char *err, size_t errlen)
{
	long long held;
	size_t kept = 0;

	if (strcmp(src->type, "wecom") != 0)
		return 0;
	if ((held = wecom_load_snapshot_run(conn, src->name)) < 0) {
		snprintf(err, errlen, "cannot read the snapshot watermark of %s: %s", src->name,
			 db_last_error());
		return -1;
	}
	for (size_t i = 0; i < runs->n; i++) {
		if (runs->v[i].id >= held)
			runs->v[kept++] = runs->v[i];
		else
			log_debug("msg=\"older than the held snapshot\" source=%s raw_run=%lld",
				  src->name, runs->v[i].id);
	}
	if (kept < runs->n)
		log_warn("msg=\"runs older than the WeCom snapshot the warehouse holds are not "
			 "replayed\" source=%s skipped=%zu held_run=%lld", src->name, runs->n - kept,
			 held);
	runs->n = kept;
	return 0;
}

/* "{a,b,c}" array literals of the ids and mtimes, for the date query. */
static int array_literals(const struct raw_runs *runs, struct buf *ids, struct buf *mtimes)
{
	int rc = buf_addch(ids, '{') | buf_addch(mtimes, '{');

	for (size_t i = 0; i < runs->n; i++)
		rc |= buf_addf(ids, "%s%lld", i ? "," : "", runs->v[i].id) |
		      buf_addf(mtimes, "%s%.6f", i ? "," : "", runs->v[i].mtime);
	return rc | buf_addch(ids, '}') | buf_addch(mtimes, '}');
}

static const char date_sql[] =
	"SELECT d.id FROM unnest($1::bigint[], $2::float8[]) AS d(id, mtime) "
	"LEFT JOIN etl.run r ON r.run_id = d.id AND r.command <> 'replay' "
	"WHERE COALESCE(r.started_at, to_timestamp(d.mtime)) >= $3::timestamptz "
	"  AND ($4::timestamptz IS NULL OR COALESCE(r.started_at, to_timestamp(d.mtime)) < $4::timestamptz) "
	"ORDER BY d.id";

/* Keep the runs that started in [from, until); dates read in the business zone. */
static int filter_by_date(PGconn *conn, const struct replay_request *r,
			  const struct config_source *src, const struct raw_runs *runs,
			  struct replay_plan *p, int *bad_input, char *err, size_t errlen)
{
	struct buf ids = BUF_INIT, mtimes = BUF_INIT;
	const char *tz[] = { r->timezone };
	const char *params[4];
	PGresult *res = NULL;
	int rc = -1;

	if (array_literals(runs, &ids, &mtimes) != 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	params[0] = buf_str(&ids);
	params[1] = buf_str(&mtimes);
	params[2] = r->from;
	params[3] = r->until;
	if (db_exec(conn, "BEGIN") < 0 ||
	    db_exec_params(conn, "SELECT set_config('TimeZone', $1, true)", 1, tz) < 0)
		goto db_error;
	res = db_query(conn, date_sql, 4, params);
	if (!res)
		goto db_error;
	for (int i = 0; i < PQntuples(res); i++) {
		if (plan_add(p, strtoll(PQgetvalue(res, i, 0), NULL, 10), src) < 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	rc = 0;
	goto out;
db_error:
	/* 22007 invalid_datetime_format, 22008 datetime_field_overflow */
	*bad_input = strncmp(db_last_sqlstate(), "2200", 4) == 0;
	snprintf(err, errlen, "%s", *bad_input ? "bad --from/--until date" : "");
	snprintf(err + strlen(err), errlen - strlen(err), "%s%s", *err ? ": " : "", db_last_error());
out:
	PQclear(res);
	db_exec(conn, rc == 0 ? "COMMIT" : "ROLLBACK");
	buf_release(&ids);
	buf_release(&mtimes);
	return rc;
}

static int plan_date_range(PGconn *conn, const struct config *cfg,
			   const struct replay_request *r, struct replay_plan *p, int *bad_input,
			   char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct config_source *src = &cfg->sources[i];
		struct raw_runs runs = { 0 };
		int rc;

		if (!selected(r, src->name))
			continue;
		rc = list_raw_runs(cfg->raw_dir, src->name, &runs, err, errlen);
		if (rc == 0 && runs.n > 0)
			rc = drop_older_snapshots(conn, src, &runs, err, errlen);
		if (rc == 0 && runs.n > 0)
			rc = filter_by_date(conn, r, src, &runs, p, bad_input, err, errlen);
		raw_runs_release(&runs);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int compare_items(const void *a, const void *b)
{
	const struct replay_item *x = a, *y = b;

	if (x->raw_run_id != y->raw_run_id)
		return compare_ids(x->raw_run_id, y->raw_run_id);
	return (x->src > y->src) - (x->src < y->src);
}

int replay_plan_build(PGconn *conn, const struct config *cfg, const struct replay_request *r,
		      struct replay_plan *plan, int *bad_input, char *err, size_t errlen)
{
	int rc;

	*bad_input = 0;
	err[0] = '\0';
	rc = r->run_id ? plan_one_run(cfg, r, plan, err, errlen)
		       : plan_date_range(conn, cfg, r, plan, bad_input, err, errlen);
	if (rc < 0)
		return -1;
	/* cfg->sources is one array: pointer order is config order. */
	if (plan->n > 1)
		qsort(plan->items, plan->n, sizeof(*plan->items), compare_items);
	return 0;
}

void replay_plan_release(struct replay_plan *plan)
{
	free(plan->items);
	memset(plan, 0, sizeof(*plan));
}

/* The largest run id under raw_dir/<any source>/; 0 when none. */
static long long max_raw_run(const char *raw_dir)
{
	DIR *d = opendir(raw_dir);
	struct dirent *e;
	long long max = 0;
	char err[256];

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		struct raw_runs runs = { 0 };

		if (e->d_name[0] == '.')
			continue;
		if (list_raw_runs(raw_dir, e->d_name, &runs, err, sizeof(err)) == 0 && runs.n > 0 &&
		    runs.v[runs.n - 1].id > max)
			max = runs.v[runs.n - 1].id;
		raw_runs_release(&runs);
	}
	closedir(d);
	return max;
}

int replay_reserve_run_ids(PGconn *conn, const char *raw_dir)
{
	char max[32];
	const char *params[] = { max };
	long long m = max_raw_run(raw_dir);

	if (m == 0)
		return 0;
	snprintf(max, sizeof(max), "%lld", m);
	/* Only ever forward: the next nextval() returns max + 1 or more. */
	return db_exec_params(conn,
			      "SELECT setval(s.seq, $1::bigint) "
			      "FROM (SELECT pg_get_serial_sequence('etl.run', 'run_id')::regclass AS seq) s "
			      "WHERE $1::bigint > COALESCE(pg_sequence_last_value(s.seq), 0)",
			      1, params);
}
