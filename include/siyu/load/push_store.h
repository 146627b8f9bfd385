/*
 * include/siyu/load/push_store.h — what siyu push records in the warehouse
 * (docs/actions.md): the push (etl.push), every WeCom call it made (etl.push_log),
 * the tag each audience is written as (etl.push_tag) and the relationships it has
 * tagged (etl.push_member), which the next push compares the audience with.
 *
 * Every function runs in autocommit: what a call changed in WeCom is recorded as
 * soon as it returned, so an interrupted push is continued, not repeated.
 */
#ifndef SIYU_LOAD_PUSH_STORE_H
#define SIYU_LOAD_PUSH_STORE_H

#include <libpq-fe.h>

struct push_counts {
	int tagged;     /* relationships tagged (mark_tag add_tag) */
	int untagged;   /* relationships untagged: the customer left the audience */
	int skipped;    /* relationships WeCom refused as gone (84061, 40096, 60111) */
	int tasks;      /* group-message tasks created (add_msg_template) */
};

/* Start a push: *push_id. 0, or -1 after an error line in the log. */
int push_store_begin(PGconn *conn, int dry_run, const char *source, long long *push_id);

/*
 * Record one call in etl.push_log: request and result are JSON text (NULL: none),
 * errcode < 0 means no answer (errmsg says why) or, in a dry run, not called.
 */
int push_store_log(PGconn *conn, long long push_id, const char *audience, const char *endpoint,
		   const char *request, int errcode, const char *errmsg, const char *result);

/* Finish the push: succeeded when error is NULL, else failed with error. */
int push_store_finish(PGconn *conn, long long push_id, const struct push_counts *c,
		      const char *error);

/*
 * The audiences with a push_tag (name, push_tag, message), by name; only name
 * when it is not NULL. NULL after an error line in the log.
 */
PGresult *push_store_audiences(PGconn *conn, const char *name);

/* Record the tag audience is written as (found, or created by this push). */
int push_store_tag(PGconn *conn, const char *audience, const char *group, const char *tag_name,
		   const char *tag_id, int created, long long push_id);

/*
 * The relationships to tag: the audience's members with an active owner
 * relationship not yet tagged with tag_id (userid, external_userid,
 * customer_key), in userid, external_userid order.
 */
PGresult *push_store_to_tag(PGconn *conn, const char *audience, const char *tag_id);

/*
 * The relationships to untag: tagged for the audience with tag_id, but no longer
 * members with that active owner relationship (userid, external_userid).
 */
PGresult *push_store_to_untag(PGconn *conn, const char *audience, const char *tag_id);

/* Forget what was tagged with another tag than tag_id (the tag is gone from WeCom). */
int push_store_forget_other_tags(PGconn *conn, const char *audience, const char *tag_id);

int push_store_tagged(PGconn *conn, const char *audience, const char *userid, const char *ext,
		      const char *tag_id, const char *customer_key, long long push_id);
int push_store_untagged(PGconn *conn, const char *audience, const char *userid, const char *ext);

/* Tagged relationships not yet in a group-message task (userid, external_userid), by userid. */
PGresult *push_store_unmessaged(PGconn *conn, const char *audience, const char *tag_id);

/* The customers exts (a text[] literal) of userid are in this push's task. */
int push_store_messaged(PGconn *conn, const char *audience, const char *userid, const char *exts,
			long long push_id);

#endif /* SIYU_LOAD_PUSH_STORE_H */
