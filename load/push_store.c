/*
 * load/push_store.c — what siyu push records in the warehouse
 * (include/siyu/load/push_store.h).
 */
#include "siyu/load/push_store.h"

#include "siyu/load/db.h"

#include <stdio.h>
#include <stdlib.h>

int push_store_begin(PGconn *conn, int dry_run, const char *source, long long *push_id)
{
	const char *params[] = { dry_run ? "true" : "false", source };
	PGresult *res = db_query(conn, "INSERT INTO etl.push (dry_run, source) VALUES ($1, $2) "
				       "RETURNING push_id", 2, params);

	if (!res)
		return -1;
	*push_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int push_store_log(PGconn *conn, long long push_id, const char *audience, const char *endpoint,
		   const char *request, int errcode, const char *errmsg, const char *result)
{
	char id[24], code[16];
	const char *params[] = { id, audience, endpoint, request, errcode < 0 ? NULL : code, errmsg,
				 result };

	snprintf(id, sizeof(id), "%lld", push_id);
	snprintf(code, sizeof(code), "%d", errcode);
	return db_exec_params(conn, "INSERT INTO etl.push_log (push_id, audience, endpoint, request, "
				    "errcode, errmsg, result) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			      7, params);
}

int push_store_finish(PGconn *conn, long long push_id, const struct push_counts *c,
		      const char *error)
{
	char id[24], n[4][16];
	const char *params[] = { id, n[0], n[1], n[2], n[3], error };

	snprintf(id, sizeof(id), "%lld", push_id);
	snprintf(n[0], sizeof(n[0]), "%d", c->tagged);
	snprintf(n[1], sizeof(n[1]), "%d", c->untagged);
	snprintf(n[2], sizeof(n[2]), "%d", c->skipped);
	snprintf(n[3], sizeof(n[3]), "%d", c->tasks);
	return db_exec_params(conn, "UPDATE etl.push SET finished_at = now(), tagged = $2, untagged = $3, "
				    "skipped = $4, tasks = $5, error = $6, "
				    "status = CASE WHEN $6::text IS NULL THEN 'succeeded' ELSE 'failed' END "
				    "WHERE push_id = $1", 6, params);
}

PGresult *push_store_audiences(PGconn *conn, const char *name)
{
	const char *params[] = { name };

	return db_query(conn, "SELECT name, push_tag, message FROM etl.audience "
			      "WHERE push_tag IS NOT NULL AND ($1::text IS NULL OR name = $1) ORDER BY name",
			1, params);
}

int push_store_tag(PGconn *conn, const char *audience, const char *group, const char *tag_name,
		   const char *tag_id, int created, long long push_id)
{
	char id[24];
	const char *params[] = { audience, group, tag_name, tag_id, created ? "true" : "false", id };

	snprintf(id, sizeof(id), "%lld", push_id);
	return db_exec_params(conn, "INSERT INTO etl.push_tag AS t (audience, group_name, tag_name, tag_id, "
				    "created, push_id) VALUES ($1, $2, $3, $4, $5, $6) "
				    "ON CONFLICT (audience) DO UPDATE SET group_name = EXCLUDED.group_name, "
				    "tag_name = EXCLUDED.tag_name, tag_id = EXCLUDED.tag_id, created = EXCLUDED.created, "
				    "push_id = EXCLUDED.push_id, found_at = now() "
				    "WHERE t.tag_id IS DISTINCT FROM EXCLUDED.tag_id "
				    "   OR t.group_name IS DISTINCT FROM EXCLUDED.group_name", 6, params);
}

/* A member of the audience, reachable: its owner relationship is active. */
#define REACHABLE_MEMBER \
	"SELECT 1 FROM kpi.audience_members m WHERE m.audience = p.audience AND m.relationship_active " \
	"AND m.staff_userid = p.userid AND m.external_userid = p.external_userid"

PGresult *push_store_to_tag(PGconn *conn, const char *audience, const char *tag_id)
{
	const char *params[] = { audience, tag_id };

	return db_query(conn, "SELECT m.staff_userid, m.external_userid, m.customer_key "
			      "FROM kpi.audience_members m WHERE m.audience = $1 AND m.relationship_active "
			      "AND NOT EXISTS (SELECT 1 FROM etl.push_member p WHERE p.audience = m.audience "
			      "  AND p.userid = m.staff_userid AND p.external_userid = m.external_userid "
			      "  AND p.tag_id = $2) "
			      "ORDER BY m.staff_userid COLLATE \"C\", m.external_userid COLLATE \"C\"", 2, params);
}

PGresult *push_store_to_untag(PGconn *conn, const char *audience, const char *tag_id)
{
	const char *params[] = { audience, tag_id };

	return db_query(conn, "SELECT p.userid, p.external_userid FROM etl.push_member p "
			      "WHERE p.audience = $1 AND p.tag_id = $2 AND NOT EXISTS (" REACHABLE_MEMBER ") "
			      "ORDER BY p.userid COLLATE \"C\", p.external_userid COLLATE \"C\"", 2, params);
}

int push_store_forget_other_tags(PGconn *conn, const char *audience, const char *tag_id)
{
	const char *params[] = { audience, tag_id };

	return db_exec_params(conn, "DELETE FROM etl.push_member WHERE audience = $1 AND tag_id <> $2",
			      2, params);
}

int push_store_tagged(PGconn *conn, const char *audience, const char *userid, const char *ext,
		      const char *tag_id, const char *customer_key, long long push_id)
{
	char id[24];
	const char *params[] = { audience, userid, ext, tag_id, customer_key, id };

	snprintf(id, sizeof(id), "%lld", push_id);
	return db_exec_params(conn, "INSERT INTO etl.push_member (audience, userid, external_userid, tag_id, "
				    "customer_key, push_id) VALUES ($1, $2, $3, $4, $5, $6) "
				    "ON CONFLICT (audience, userid, external_userid) DO UPDATE SET "
				    "tag_id = EXCLUDED.tag_id, customer_key = EXCLUDED.customer_key, "
				    "push_id = EXCLUDED.push_id, tagged_at = now(), messaged_push_id = NULL",
			      6, params);
}

int push_store_untagged(PGconn *conn, const char *audience, const char *userid, const char *ext)
{
	const char *params[] = { audience, userid, ext };

	return db_exec_params(conn, "DELETE FROM etl.push_member WHERE audience = $1 AND userid = $2 "
				    "AND external_userid = $3", 3, params);
}

PGresult *push_store_unmessaged(PGconn *conn, const char *audience, const char *tag_id)
{
	const char *params[] = { audience, tag_id };

	return db_query(conn, "SELECT userid, external_userid FROM etl.push_member "
			      "WHERE audience = $1 AND tag_id = $2 AND messaged_push_id IS NULL "
			      "ORDER BY userid COLLATE \"C\", external_userid COLLATE \"C\"", 2, params);
}

int push_store_messaged(PGconn *conn, const char *audience, const char *userid, const char *exts,
			long long push_id)
{
	char id[24];
	const char *params[] = { audience, userid, exts, id };

	snprintf(id, sizeof(id), "%lld", push_id);
	return db_exec_params(conn, "UPDATE etl.push_member SET messaged_push_id = $4 WHERE audience = $1 "
				    "AND userid = $2 AND external_userid = ANY ($3::text[])", 4, params);
}
