/*
 * load/actions.c — the action lists' configuration in the warehouse
 * (include/siyu/load/actions.h, docs/actions.md).
 */
#include "siyu/load/actions.h"

#include "siyu/common/buf.h"
#include "siyu/common/log.h"
#include "siyu/load/db.h"

#include <stdio.h>
#include <string.h>

/* A comma-separated list of pipeline.conf as a text[], the blanks around its items dropped. */
#define SQL_LIST(n) "regexp_split_to_array(btrim($" #n "), '\\s*,\\s*')"

/* The criteria of an audience (a row of etl.audience a, or the new one EXCLUDED). */
#define CRITERIA(t) "(" t ".title, " t ".segments, " t ".tags, " t ".states, " t ".platforms, " \
	t ".first_order_month, " t ".min_orders, " t ".min_paid_fen, " t ".in_group, " t ".push_tag, " \
	t ".message)"

/* updated_at moves only when the criteria change, not when the section moves in the file */
static const char upsert_audience[] =
	"INSERT INTO etl.audience AS a (name, title, segments, tags, states, platforms, "
	"  first_order_month, min_orders, min_paid_fen, in_group, push_tag, message, defined_at) "
	"VALUES ($1, $2, " SQL_LIST(3) ", " SQL_LIST(4) ", " SQL_LIST(5) ", " SQL_LIST(6) ", "
	"  ($7 || '-01')::date, $8::int, round($9::numeric * 100)::bigint, coalesce($10, 'any'), $11, $12, $13) "
	"ON CONFLICT (name) DO UPDATE SET title = EXCLUDED.title, segments = EXCLUDED.segments, "
	"  tags = EXCLUDED.tags, states = EXCLUDED.states, platforms = EXCLUDED.platforms, "
	"  first_order_month = EXCLUDED.first_order_month, min_orders = EXCLUDED.min_orders, "
	"  min_paid_fen = EXCLUDED.min_paid_fen, in_group = EXCLUDED.in_group, "
	"  push_tag = EXCLUDED.push_tag, message = EXCLUDED.message, defined_at = EXCLUDED.defined_at, "
	"  updated_at = CASE WHEN " CRITERIA("a") " IS DISTINCT FROM " CRITERIA("EXCLUDED")
	"                    THEN now() ELSE a.updated_at END "
	"WHERE (" CRITERIA("a") ", a.defined_at) IS DISTINCT FROM (" CRITERIA("EXCLUDED") ", EXCLUDED.defined_at)";

static const char set_setting[] =
	"INSERT INTO etl.setting (key, value) VALUES ($1, regexp_replace(btrim($2), '\\s*,\\s*', ',', 'g')) "
	"ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value "
	"WHERE etl.setting.value IS DISTINCT FROM EXCLUDED.value";

static int sync_audience(PGconn *conn, const struct config *cfg, const struct config_audience *a)
{
	static const char *const keys[] = { "title", "segment", "tag", "state", "platform",
					    "first_order_month", "min_orders", "min_paid", "in_group",
					    "push_tag", "message" };
	const char *params[13];
	char where[512];

	params[0] = a->name;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		params[i + 1] = config_audience_get(a, keys[i]);
	snprintf(where, sizeof(where), "%s:%d", cfg->path, a->line);
	params[12] = where;
	return db_exec_params(conn, upsert_audience, 13, params);
}

/* The names of cfg's audiences as a text[] literal ({"a","b"}): names need no escaping. */
static int audience_names(const struct config *cfg, struct buf *out)
{
	if (buf_addch(out, '{') < 0)
		return -1;
	for (size_t i = 0; i < cfg->naudiences; i++)
		if (buf_addf(out, "%s\"%s\"", i ? "," : "", cfg->audiences[i].name) < 0)
			return -1;
	return buf_addch(out, '}');
}

int actions_config_sync(PGconn *conn, const struct config *cfg)
{
	const char *steps[] = { "care_steps", cfg->care_steps };
	const char *segments[] = { "at_risk_segments", cfg->at_risk_segments };
	struct buf names = BUF_INIT;
	const char *params[1];
	int rc = -1, has;

	has = db_object_exists(conn, "etl.audience");
	if (has < 0)
		goto out;
	if (!has) { /* a warehouse older than this binary: loading still works */
		log_warn("msg=\"the warehouse has no etl.audience yet (run siyu migrate): action settings and "
			 "audiences not written\"");
		rc = 0;
		goto out;
	}
	if (audience_names(cfg, &names) < 0)
		goto out;
	params[0] = buf_str(&names);
	if (db_exec(conn, "BEGIN") < 0)
		goto out;
	if (db_exec_params(conn, set_setting, 2, steps) < 0 ||
	    db_exec_params(conn, set_setting, 2, segments) < 0 ||
	    db_exec_params(conn, "DELETE FROM etl.audience WHERE name <> ALL ($1::text[])", 1, params) < 0)
		goto rollback;
	for (size_t i = 0; i < cfg->naudiences; i++)
		if (sync_audience(conn, cfg, &cfg->audiences[i]) < 0)
			goto rollback;
	if (db_exec(conn, "COMMIT") < 0)
		goto out;
	rc = 0;
	goto out;
rollback:
	db_exec(conn, "ROLLBACK");
out:
	if (rc < 0)
		log_error("msg=\"cannot write the action settings and audiences\" error=\"%s\"",
			  db_last_error());
	buf_release(&names);
	return rc;
}
