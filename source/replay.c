/*
 * replay.c — plan `siyu replay` from the raw zone (see include/siyu/source/replay.h).
 */
#include "siyu/source/replay.h"

#include "siyu/common/buf.h"
#include "siyu/common/log.h"
#include "siyu/load/db.h"
#include "siyu/source/csv_source.h"
#include "siyu/source/source.h"

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

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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

/* The index of src in p->sources, added when new; -1 out of memory. */
static long plan_source(struct replay_plan *p, const struct config_source *src)
{
	for (size_t i = 0; i < p->nsources; i++)
		if (p->sources[i] == src)
			return (long)i;
	if (p->nsources == p->sources_cap) {
		size_t cap = p->sources_cap ? 2 * p->sources_cap : 16;
		const struct config_source **v = realloc(p->sources, cap * sizeof(*v));

		if (!v)
			return -1;
		p->sources = v;
		p->sources_cap = cap;
	}
	p->sources[p->nsources] = src;
	return (long)p->nsources++;
}

static int plan_add(struct replay_plan *p, long long id, const struct config_source *src)
{
	long source = plan_source(p, src);

	if (source < 0)
		return -1;
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 32;
		struct replay_item *v = realloc(p->items, cap * sizeof(*v));

		if (!v)
			return -1;
		p->items = v;
		p->cap = cap;
	}
	p->items[p->n].raw_run_id = id;
	p->items[p->n].source = (size_t)source;
	p->n++;
	return 0;
}

/*
 * The source to replay <raw_dir>/<name>/<id> as: a run of siyu import (its
 * manifest says so) is a csv source read as the import read it — one source
 * per name and way of reading, owned by the plan —, else conf (NULL: not a
 * configured source, nothing to replay). *out NULL when none; 0 / -1.
 */
static int source_of_dir(struct replay_plan *p, const char *raw_dir, const char *name,
			 long long id, const struct config_source *conf,
			 const struct config_source **out, char *err, size_t errlen)
{
	char dir[4096];
	struct csv_import *imp = calloc(1, sizeof(*imp)), **grown;
	int rc;

	*out = conf;
	snprintf(dir, sizeof(dir), "%s/%s/%lld", raw_dir, name, id);
	if (!imp || (rc = csv_import_read(dir, name, imp)) < 0) {
		free(imp);
		snprintf(err, errlen, "cannot read the raw zone manifest in '%s'", dir);
		return -1;
	}
	if (rc == 0) {
		free(imp);
		return 0;
	}
	for (size_t i = 0; i < p->nimports; i++) {
		const struct csv_import *o = p->imports[i];

		if (strcmp(o->name, imp->name) == 0 && strcmp(o->profile, imp->profile) == 0 &&
		    strcmp(o->encoding, imp->encoding) == 0 && strcmp(o->timezone, imp->timezone) == 0) {
			free(imp);
			*out = &o->src;
			return 0;
		}
	}
	if (!(grown = realloc(p->imports, (p->nimports + 1) * sizeof(*grown)))) {
		free(imp);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->imports = grown;
	p->imports[p->nimports++] = imp;
	*out = &imp->src;
	return 0;
}

/* Add (id, the source of its directory) unless it has none. 0 / -1. */
static int plan_dir(struct replay_plan *p, const char *raw_dir, const char *name, long long id,
		    const struct config_source *conf, char *err, size_t errlen)
{
	const struct config_source *src;

	if (source_of_dir(p, raw_dir, name, id, conf, &src, err, errlen) < 0)
		return -1;
	if (src && plan_add(p, id, src) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
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

/* The source directories under raw_dir that are no configured source (siyu import's). */
static int unconfigured_names(const struct config *cfg, char ***names, size_t *n)
{
	DIR *d = opendir(cfg->raw_dir);
	struct dirent *e;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		char **v;

		if (e->d_name[0] == '.' || config_source_find(cfg, e->d_name))
			continue;
		if (*n == cap) {
			if (!(v = realloc(*names, (cap = cap ? 2 * cap : 16) * sizeof(*v))))
				break;
			*names = v;
		}
		if (!((*names)[*n] = strdup(e->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	if (e)
		return -1;
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), compare_strings);
	return 0;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * --run ID: the selected sources that have a directory for that run, then
 * the directories siyu import wrote in that run.
 */
static int plan_one_run(const struct config *cfg, const struct replay_request *r,
			struct replay_plan *p, char *err, size_t errlen)
{
	char dir[4096], **names = NULL;
	struct stat st;
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < cfg->nsources && rc == 0; i++) {
		const struct config_source *src = &cfg->sources[i];

		if (!selected(r, src->name))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s/%lld", cfg->raw_dir, src->name, r->run_id);
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			rc = plan_dir(p, cfg->raw_dir, src->name, r->run_id, src, err, errlen);
	}
	if (rc == 0 && unconfigured_names(cfg, &names, &n) < 0) {
		snprintf(err, errlen, "cannot read the raw zone '%s': %s", cfg->raw_dir, strerror(errno));
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		snprintf(dir, sizeof(dir), "%s/%s/%lld", cfg->raw_dir, names[i], r->run_id);
		if (selected(r, names[i]) && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			rc = plan_dir(p, cfg->raw_dir, names[i], r->run_id, NULL, err, errlen);
	}
	free_names(names, n);
	return rc;
}

/*
 * Runs older than the oldest the source's driver may replay (a WeCom source:
 * the snapshot the warehouse holds, include/siyu/source/wecom.h) are left out
 * of a date range, with a warning, so that "--from" after a transform fix
 * replays the held snapshot and what follows. (--run names its run: the
 * driver refuses it, loudly.)
 */
static int drop_older_runs(PGconn *conn, const struct config_source *src, struct raw_runs *runs,
			   char *err, size_t errlen)
{
	const struct source_driver *d = source_driver_find(src->type);
	struct failure f = { 0 };
	long long floor;
	size_t kept = 0;

	if (!d || !d->replay_floor)
		return 0;
	if ((floor = d->replay_floor(conn, src->name, &f)) < 0) {
		failure_text(&f, err, errlen);
		return -1;
	}
	for (size_t i = 0; i < runs->n; i++) {
		if (runs->v[i].id >= floor)
			runs->v[kept++] = runs->v[i];
		else
			log_debug("msg=\"older than the driver may replay\" source=%s raw_run=%lld",
				  src->name, runs->v[i].id);
	}
	if (kept < runs->n)
		log_warn("msg=\"runs older than the WeCom snapshot the warehouse holds are not "
			 "replayed\" source=%s skipped=%zu held_run=%lld", src->name, runs->n - kept,
			 floor);
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

/*
 * Add the runs that started in [from, until) (dates read in the business
 * zone), each as the source of its directory (name: the source directory;
 * conf: the configured source or NULL).
 */
static int filter_by_date(PGconn *conn, const struct config *cfg, const struct replay_request *r,
			  const char *name, const struct config_source *conf,
			  const struct raw_runs *runs, struct replay_plan *p, int *bad_input,
			  char *err, size_t errlen)
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
	for (int i = 0; i < PQntuples(res); i++)
		if (plan_dir(p, cfg->raw_dir, name, strtoll(PQgetvalue(res, i, 0), NULL, 10), conf,
			     err, errlen) < 0)
			goto out;
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

/* The runs of one source directory (conf: its configured source, or NULL) in the range. */
static int plan_source_range(PGconn *conn, const struct config *cfg,
			     const struct replay_request *r, const char *name,
			     const struct config_source *conf, struct replay_plan *p, int *bad_input,
			     char *err, size_t errlen)
{
	struct raw_runs runs = { 0 };
	int rc = list_raw_runs(cfg->raw_dir, name, &runs, err, errlen);

	if (rc == 0 && runs.n > 0 && conf)
		rc = drop_older_runs(conn, conf, &runs, err, errlen);
	if (rc == 0 && runs.n > 0)
		rc = filter_by_date(conn, cfg, r, name, conf, &runs, p, bad_input, err, errlen);
	raw_runs_release(&runs);
	return rc;
}

static int plan_date_range(PGconn *conn, const struct config *cfg,
			   const struct replay_request *r, struct replay_plan *p, int *bad_input,
			   char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->nsources; i++)
		if (selected(r, cfg->sources[i].name) &&
		    plan_source_range(conn, cfg, r, cfg->sources[i].name, &cfg->sources[i], p,
				      bad_input, err, errlen) < 0)
			return -1;
	/* named sources that are no configured one: what siyu import kept under that name */
	for (int i = 0; i < r->nsources; i++)
		if (!config_source_find(cfg, r->sources[i]) &&
		    plan_source_range(conn, cfg, r, r->sources[i], NULL, p, bad_input, err,
				      errlen) < 0)
			return -1;
	return 0;
}

static int compare_items(const void *a, const void *b)
{
	const struct replay_item *x = a, *y = b;

	if (x->raw_run_id != y->raw_run_id)
		return compare_ids(x->raw_run_id, y->raw_run_id);
	return (x->source > y->source) - (x->source < y->source);
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
	/* sources were added configured ones first, in config order */
	if (plan->n > 1)
		qsort(plan->items, plan->n, sizeof(*plan->items), compare_items);
	return 0;
}

void replay_plan_release(struct replay_plan *plan)
{
	for (size_t i = 0; i < plan->nimports; i++)
		free(plan->imports[i]);
	free(plan->imports);
	free(plan->sources);
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

int replay_source_known(const struct config *cfg, const char *name)
{
	char dir[4096];
	struct stat st;

	if (config_source_find(cfg, name))
		return 1;
	snprintf(dir, sizeof(dir), "%s/%s", cfg->raw_dir, name);
	return strchr(name, '/') == NULL && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
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
