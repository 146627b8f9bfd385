/*
 * wecom_json.h — WeCom API records -> COPY rows of the WeCom staging tables (pure).
 *
 * Every row is written in its staging template's column order (migration
 * 0020); load/wecom_load.c COPYs them (include/siyu/load/wecom_load.h).
 */
#ifndef SIYU_TRANSFORM_WECOM_JSON_H
#define SIYU_TRANSFORM_WECOM_JSON_H

#include "siyu/common/buf.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/*
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

void wecom_rows_init(struct wecom_rows *rows);
void wecom_rows_release(struct wecom_rows *rows);

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

#endif /* SIYU_TRANSFORM_WECOM_JSON_H */
