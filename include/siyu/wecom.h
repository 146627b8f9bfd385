/*
 * wecom.h — the WeCom (企业微信) source: contacts, relationships, tags, customer
 * groups and the behaviour / group statistics of one corp, loaded by `siyu run`.
 *
 *   extract/wecom_api.c   token cache and one API call: HTTP (http.h), raw zone
 *                         page (rawzone.h), JSON, errcode policy
 *   extract/wecom.c       the source: the call plan, paging, chunks, windows
 *   transform/wecom_json.c lenient JSON access and the API records -> COPY rows
 *   load/wecom_load.c     per-run temp staging tables, COPY, etl.wecom_merge
 *
 * The whole source is one transaction: staging, the callback spool (when the
 * receiver is built in), the snapshot diff and the statistics commit together
 * with the run's counts, or nothing does. See docs/schema.md "WeCom".
 */
#ifndef SIYU_WECOM_H
#define SIYU_WECOM_H

#include "siyu/buf.h"
#include "siyu/runlog.h"
#include "siyu/source.h"

#include <json-c/json.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

struct http_client;
struct rawzone;

/* The source entry point (source_run_fn). */
int wecom_source_run(const struct source_ctx *ctx, struct load_counts *counts, char *err,
		     size_t errlen);

/*
 * Replay (source_replay_fn): the same call plan, each call answered by the
 * run's next raw-zone page instead of the API. Only the snapshot the
 * warehouse holds, or a later one, may be replayed (a WeCom run is a
 * snapshot of the whole corp: an older one would reopen relationships and
 * record removals that never happened). A raw zone that ends early (the run
 * failed) replays nothing and is not an error; one that asks other calls
 * than the plan is. Callback events are not applied (the next run does).
 */
int wecom_source_replay(const struct source_ctx *ctx, const char *dir, long long raw_run_id,
			struct load_counts *counts, char *err, size_t errlen);

/* ---- lenient JSON (transform/wecom_json.c) ------------------------------------------
 *
 * WeCom is inconsistent about types: numbers come as strings ("gender":"1"),
 * absent fields as null. These getters accept both and report three ways.
 */
enum wj_result {
	WJ_BAD = -1,   /* present but unusable (wrong type, not a number) */
	WJ_ABSENT = 0, /* missing, null, or "" where a number was expected */
	WJ_OK = 1
};

/*
 * An integer at obj[key]: a JSON integer, a string holding one (surrounding
 * blanks allowed, optional sign), or a number with no fraction. obj may be NULL.
 */
enum wj_result wj_int64(struct json_object *obj, const char *key, int64_t *out);

/* Same for a value itself (an array element). */
enum wj_result wj_int64_value(struct json_object *v, int64_t *out);

/*
 * Text at obj[key]: a string, or the text of a number. *out is borrowed from
 * obj. "" is WJ_OK with "". Objects and arrays are WJ_BAD.
 */
enum wj_result wj_text(struct json_object *obj, const char *key, const char **out);
enum wj_result wj_text_value(struct json_object *v, const char **out);

/*
 * A decimal at obj[key] as text ("87.5", "66.67", "100"): a JSON number kept
 * as written (no binary round trip) or a string holding one, copied into out.
 */
enum wj_result wj_decimal(struct json_object *obj, const char *key, char *out, size_t n);

/* An object / array at obj[key] (borrowed); null or missing is WJ_ABSENT. */
enum wj_result wj_object(struct json_object *obj, const char *key, struct json_object **out);
enum wj_result wj_array(struct json_object *obj, const char *key, struct json_object **out);

/* ---- API records -> COPY rows (transform/wecom_json.c) ------------------------------
 *
 * The wecom_xform_* functions return 0 (rows appended), -1 (the record is
 * rejected: why says why) or -2 (out of memory: fail the source).
 */

/* COPY text of every staging table of one run (load/wecom_load.c flushes them). */
enum wecom_table {
	WT_STAFF,
	WT_CONTACT,
	WT_CONTACT_TAG,
	WT_CONTACT_PHONE,
	WT_CONTACT_SKIP,
	WT_TAG,
	WT_GROUP,
	WT_GROUP_MEMBER,
	WT_STAFF_DAILY,
	WT_GROUP_DAILY,
	WT_STAFF_DETAIL,
	WT_COUNT
};

struct wecom_rows {
	struct buf t[WT_COUNT];
};

/* Name of the template of t (without "staging." and "_in"), e.g. "contact". */
const char *wecom_table_name(enum wecom_table t);

struct wecom_xform {
	int64_t now;                  /* unix seconds; later times are impossible */
	const unsigned char *pii_key; /* NULL: remark phones are skipped */
	size_t pii_key_len;
	long phones_skipped;          /* remark phones not usable (bad number, no key) */
};

/*
 * Earliest time accepted for a WeCom event (createtime, join_time, stat_time):
 * 2015-01-02 UTC, so that every date falls in dw.dim_date whatever the zone.
 */
#define WECOM_MIN_TIME 1420156800LL
/* Allowed clock skew into the future, seconds. */
#define WECOM_FUTURE_SLACK 600

/*
 * One item of batch/get_by_user (external_contact + follow_info) -> a contact
 * row, its tag rows and its phone rows. fallback_userid is used when
 * follow_info.userid is missing (the request named one staff member), else
 * NULL. src names the raw page. Returns 0, or -1 when the record is rejected:
 * why says why, key gets "userid/external_userid" (what is known; "" if nothing).
 */
int wecom_xform_contact(struct wecom_xform *x, struct json_object *item,
			const char *fallback_userid, const char *src, struct wecom_rows *rows,
			char *key, size_t keylen, char *why, size_t whylen);

/* One tag of a get_corp_tag_list tag group -> a tag row. 0 or -1 (reject). */
int wecom_xform_tag(struct wecom_xform *x, struct json_object *group, struct json_object *tag,
		    struct wecom_rows *rows, char *key, size_t keylen, char *why, size_t whylen);

/*
 * groupchat/get's group_chat -> its group row (fetched, with members_loaded
 * as given). The chat_id and owner are copied to chat_id/owner (may be NULL).
 * 0 or -1 (reject).
 */
int wecom_xform_group(struct wecom_xform *x, struct json_object *chat, int members_loaded,
		      struct wecom_rows *rows, char *chat_id, size_t chat_id_len, char *owner,
		      size_t owner_len, char *why, size_t whylen);

/* A chat of groupchat/list that groupchat/get could not describe: listed only. */
int wecom_xform_group_listed(const char *chat_id, int64_t status, struct wecom_rows *rows);

/* One member of a group's member_list -> a member row appended to out. 0 or -1. */
int wecom_xform_member(struct wecom_xform *x, const char *chat_id, struct json_object *member,
		       struct buf *out, char *key, size_t keylen, char *why, size_t whylen);

/* One behavior_data item of get_user_behavior_data for userid -> a row. 0 or -1. */
int wecom_xform_behavior(struct wecom_xform *x, const char *userid, struct json_object *item,
			 struct wecom_rows *rows, char *why, size_t whylen);

/* One item of groupchat/statistic_group_by_day for owner -> a row. 0 or -1. */
int wecom_xform_group_stat(struct wecom_xform *x, const char *owner, struct json_object *item,
			   struct wecom_rows *rows, char *why, size_t whylen);

/* A staff member's address-book details: name and department names (either may be NULL). */
int wecom_rows_add_staff_detail(struct wecom_rows *rows, const char *userid, const char *name,
				const char *department);

/* A plain row of one text column (staff userid) or two (skip: userid, external_userid|NULL). */
int wecom_rows_add_staff(struct wecom_rows *rows, const char *userid);
int wecom_rows_add_skip(struct wecom_rows *rows, const char *userid, const char *external_userid);

/* ---- the API client (extract/wecom_api.c) ------------------------------------------ */

/* One page of a run's raw zone, as its manifest.jsonl lists it. */
struct wecom_raw_page {
	char *file;     /* "contacts-00003.jsonl.gz" */
	char *endpoint; /* "externalcontact/batch/get_by_user" */
	char *request;  /* the request as compact JSON text, NULL when none */
};

/* An earlier run's raw zone, read back in the order the run wrote it. */
struct wecom_replay {
	char dir[4096];
	struct wecom_raw_page *v;
	size_t n, next;          /* pages; the next one to answer a call */
	int ended;               /* the run stopped before the plan did */
	int has_stats;           /* the run asked for statistics days */
	int64_t stats_first;     /* ... from this midnight ... */
	int64_t stats_last;      /* ... to this one (unix seconds) */
	char first_received[32]; /* received_at of its first page ("" if none) */
};

/* Read dir/manifest.jsonl. 0, or -1 with err (a missing manifest is an empty run). */
int wecom_replay_open(struct wecom_replay *rp, const char *dir, char *err, size_t errlen);
void wecom_replay_close(struct wecom_replay *rp);

struct wecom_api {
	struct http_client *http;   /* borrowed */
	struct rawzone *raw;        /* borrowed; NULL: pages are not kept (tests) */
	const char *source;         /* source name, for messages */
	const char *corpid;         /* borrowed */
	const char *secret;         /* borrowed; never logged */
	char base[512];             /* base_url without a trailing '/' */
	char token[1024];
	int64_t token_expires_ns;   /* monotonic; 0 = no token */
	long busy_retries;          /* tries after 45009 / -1 / 45033 */
	long busy_backoff_ms;       /* first wait after 45009; doubles, at most 1 h */
	long long pages;            /* response pages received (gettoken excluded) */
	long long token_fetches;
	char last_page[128];        /* raw-zone file of the last page ("" when not kept) */
	struct wecom_replay *replay; /* borrowed; set: calls are answered from it, no HTTP */
};

/*
 * Set up a client for one source. base_url is checked (https, or http to a
 * loopback test server). 0, or -1 with err.
 */
int wecom_api_init(struct wecom_api *a, struct http_client *http, struct rawzone *raw,
		   const char *source, const char *base_url, const char *corpid,
		   const char *secret, long busy_retries, char *err, size_t errlen);

/*
 * In a replay: whether the run's next raw page answers this call (a call the
 * run may not have made: older versions did not describe staff). Outside a
 * replay: 1.
 */
int wecom_api_replay_has(const struct wecom_api *a, const char *path, const char *query,
			 const char *body);

/* Set up a client that answers every call from an earlier run's raw zone. */
void wecom_api_init_replay(struct wecom_api *a, struct wecom_replay *replay, const char *source);

/* Forget the token (wiped). */
void wecom_api_release(struct wecom_api *a);

/*
 * Call /cgi-bin/<path>: GET with query (url-encoded "k=v&k=v" without the
 * token, or NULL) or POST with body (JSON text). The response is kept in the
 * raw zone as <entity>-NNNNN before it is parsed; where says which page this
 * is (for messages: "staff 1-100, cursor \"...\", page 3").
 *
 * Errcodes are checked: 40014/42001 refresh the token once and retry once;
 * 45009/45033/-1 back off and retry (busy_retries times); config errors fail
 * with the setting to fix. An errcode listed in accept (0-terminated, may be
 * NULL) is returned to the caller (e.g. 84061) with *out set.
 *
 * Returns 0 (errcode 0) or the accepted errcode, with *out the parsed body
 * (caller json_object_put()s it); -1 with err naming the endpoint, where, and
 * the reason (and the raw page path when one was kept).
 *
 * In a replay the call must be the raw zone's next one (same endpoint, same
 * request); pages the run retried past (busy, token) are skipped as the run
 * skipped them. When the run's pages end, or its page is one the run failed
 * on, replay->ended is set.
 */
int wecom_api_call(struct wecom_api *a, const char *method, const char *path, const char *query,
		   const char *body, const char *entity, const char *where, const int *accept,
		   struct json_object **out, char *err, size_t errlen);

/* ---- loading (load/wecom_load.c) ---------------------------------------------------- */

/* BEGIN, and the run's empty temp tables tmp_wecom_<x> (ON COMMIT DROP). 0 / -1. */
int wecom_load_begin(PGconn *conn);

/* COPY every table holding at least threshold bytes (0: all non-empty) and empty it. 0 / -1. */
int wecom_load_flush(PGconn *conn, struct wecom_rows *rows, size_t threshold);

/* Committed member_version of every active group, for skipping unchanged member lists. */
struct wecom_versions {
	PGresult *res; /* chat_id, member_version, sorted by chat_id (bytewise) */
};

int wecom_load_versions(PGconn *conn, struct wecom_versions *v);
/* The committed member_version of chat_id, or NULL. */
const char *wecom_versions_find(const struct wecom_versions *v, const char *chat_id);
void wecom_versions_release(struct wecom_versions *v);

/*
 * The raw-zone run whose snapshot the warehouse holds (the run_id of the
 * source's 'snapshot' watermark; 0: none yet), or -1. Replays may not go
 * behind it.
 */
long long wecom_load_snapshot_run(PGconn *conn, const char *source);

/*
 * Run etl.wecom_staff_details over the staged address-book details (after the
 * merge, which creates new staff) and record when they were read: the number
 * of staff rows changed, or -1.
 */
long long wecom_load_staff_details(PGconn *conn, long long run_id, const char *source);

/*
 * Run etl.wecom_merge and add its counts to c (inserted, updated, unchanged);
 * log one line per entity. 0 / -1.
 */
int wecom_load_merge(PGconn *conn, long long run_id, const char *source, const char *stats_tz,
		     struct load_counts *c);

void wecom_rows_init(struct wecom_rows *rows);
void wecom_rows_release(struct wecom_rows *rows);

#endif /* SIYU_WECOM_H */
