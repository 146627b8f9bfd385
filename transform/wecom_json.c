/*
 * wecom_json.c — WeCom records -> COPY rows (see include/siyu/transform/wecom_json.h).
 *
 * Every row is written in its staging template's column order (migration
 * 0020). Text goes through copytext_field (escapes), times are unix seconds
 * formatted as UTC timestamptz text, absent values are \N.
 */
#include "siyu/transform/wecom_json.h"

#include "siyu/common/copytext.h"
#include "siyu/common/json_get.h"
#include "siyu/common/ltime.h"
#include "siyu/transform/pii.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- COPY fields --------------------------------------------------------------------------- */

static const char *const table_names[WT_COUNT] = {
	"staff", "contact", "contact_tag", "contact_phone", "contact_skip",
	"tag", "group", "group_member", "staff_daily", "group_daily", "staff_detail",
};

const char *wecom_table_name(enum wecom_table t)
{
	return t < WT_COUNT ? table_names[t] : "?";
}

void wecom_rows_init(struct wecom_rows *rows)
{
	for (int i = 0; i < WT_COUNT; i++)
		buf_init(&rows->t[i], 0);
}

void wecom_rows_release(struct wecom_rows *rows)
{
	for (int i = 0; i < WT_COUNT; i++)
		buf_release(&rows->t[i]);
}

/* A text field followed by sep ('\t' or '\n'); NULL or "" (when empty_null) is \N. */
static int f_text(struct buf *b, const char *s, int empty_null, char sep)
{
	if (!s || (empty_null && !*s))
		return buf_add(b, "\\N", 2) || buf_addch(b, sep);
	return copytext_field(b, s, strlen(s)) || buf_addch(b, sep);
}

static int f_int(struct buf *b, int present, int64_t v, char sep)
{
	if (!present)
		return buf_add(b, "\\N", 2) || buf_addch(b, sep);
	return buf_addf(b, "%" PRId64 "%c", v, sep);
}

static int f_time(struct buf *b, int present, int64_t unix_s, char sep)
{
	struct ltime t;
	char text[LTIME_FMT_SIZE];

	if (!present)
		return buf_add(b, "\\N", 2) || buf_addch(b, sep);
	if (ltime_from_unix(unix_s, &t) < 0 || ltime_format(&t, text, sizeof(text)) < 0)
		return -1;
	return buf_adds(b, text) || buf_addch(b, sep);
}

static int f_bool(struct buf *b, int v, char sep)
{
	return buf_adds(b, v ? "t" : "f") || buf_addch(b, sep);
}

/* Optional text: "" and non-text become NULL. */
static const char *opt_text(struct json_object *obj, const char *key)
{
	const char *s = NULL;

	if (wj_text(obj, key, &s) != WJ_OK || !*s)
		return NULL;
	return s;
}

/* Optional integer: absent or unusable is "not present". */
static int opt_int(struct json_object *obj, const char *key, int64_t *v)
{
	return wj_int64(obj, key, v) == WJ_OK;
}

/* A required unix time: 0 ok, -1 with why. */
static int need_time(const struct wecom_xform *x, struct json_object *obj, const char *key,
		     int64_t *t, char *why, size_t whylen)
{
	const char *raw = "";

	switch (wj_int64(obj, key, t)) {
	case WJ_ABSENT:
		snprintf(why, whylen, "missing %s", key);
		return -1;
	case WJ_BAD:
		wj_text(obj, key, &raw);
		snprintf(why, whylen, "%s is not a unix time: \"%.40s\"", key, raw ? raw : "");
		return -1;
	case WJ_OK:
		break;
	}
	if (*t == 0) {
		snprintf(why, whylen, "%s is 0", key);
		return -1;
	}
	if (*t > 100000000000LL) {
		snprintf(why, whylen, "%s %" PRId64 " is not in seconds (milliseconds?)", key, *t);
		return -1;
	}
	if (*t < WECOM_MIN_TIME) {
		snprintf(why, whylen, "%s %" PRId64 " is before 2015-01-02", key, *t);
		return -1;
	}
	if (*t > x->now + WECOM_FUTURE_SLACK) {
		snprintf(why, whylen, "%s %" PRId64 " is in the future", key, *t);
		return -1;
	}
	return 0;
}

static int fail_copy(char *why, size_t whylen)
{
	snprintf(why, whylen, "out of memory building COPY rows");
	return -2;
}

/* ---- records ------------------------------------------------------------------------------- */

int wecom_rows_add_staff(struct wecom_rows *rows, const char *userid)
{
	return f_text(&rows->t[WT_STAFF], userid, 0, '\n');
}

int wecom_rows_add_staff_detail(struct wecom_rows *rows, const char *userid, const char *name,
				const char *department)
{
	struct buf *b = &rows->t[WT_STAFF_DETAIL];

	return f_text(b, userid, 0, '\t') || f_text(b, name, 1, '\t') || f_text(b, department, 1, '\n');
}

int wecom_rows_add_skip(struct wecom_rows *rows, const char *userid, const char *external_userid)
{
	struct buf *b = &rows->t[WT_CONTACT_SKIP];

	return f_text(b, userid, 0, '\t') || f_text(b, external_userid, 1, '\n');
}

static void phone_rows(struct wecom_xform *x, struct json_object *phones, const char *userid,
		       const char *ext, struct buf *b, int *oom)
{
	size_t n = json_object_array_length(phones);

	for (size_t i = 0; i < n; i++) {
		const char *raw, *why;
		char norm[PII_PHONE_SIZE], hash[PII_HEX_SIZE], masked[PII_PHONE_SIZE];

		if (wj_text_value(json_object_array_get_idx(phones, i), &raw) != WJ_OK || !*raw)
			continue;
		if (!x->pii_key || pii_phone_normalize(raw, strlen(raw), norm, &why) < 0 ||
		    pii_phone_hash(x->pii_key, x->pii_key_len, norm, hash) < 0) {
			x->phones_skipped++;
			continue;
		}
		pii_phone_mask(norm, masked);
		if (f_text(b, userid, 0, '\t') || f_text(b, ext, 0, '\t') ||
		    f_text(b, hash, 0, '\t') || f_text(b, masked, 0, '\n'))
			*oom = 1;
	}
}

static void tag_rows(struct json_object *tags, const char *userid, const char *ext,
		     struct buf *b, int *oom)
{
	size_t n = json_object_array_length(tags);

	for (size_t i = 0; i < n; i++) {
		const char *id;

		if (wj_text_value(json_object_array_get_idx(tags, i), &id) != WJ_OK || !*id)
			continue;
		if (f_text(b, userid, 0, '\t') || f_text(b, ext, 0, '\t') || f_text(b, id, 0, '\n'))
			*oom = 1;
	}
}

int wecom_xform_contact(struct wecom_xform *x, struct json_object *item,
			const char *fallback_userid, const char *src, struct wecom_rows *rows,
			char *key, size_t keylen, char *why, size_t whylen)
{
	struct json_object *ec = NULL, *fi = NULL, *arr = NULL;
	const char *ext = NULL, *userid = NULL;
	int64_t createtime, type = 0, gender = 0, add_way = 0;
	int has_type, has_gender, has_add_way, oom = 0;
	struct buf *b = &rows->t[WT_CONTACT];

	key[0] = '\0';
	if (wj_object(item, "external_contact", &ec) != WJ_OK) {
		snprintf(why, whylen, "missing external_contact");
		return -1;
	}
	if (wj_object(item, "follow_info", &fi) != WJ_OK) {
		snprintf(why, whylen, "missing follow_info");
		return -1;
	}
	ext = opt_text(ec, "external_userid");
	userid = opt_text(fi, "userid");
	if (!userid)
		userid = fallback_userid;
	snprintf(key, keylen, "%s/%s", userid ? userid : "", ext ? ext : "");
	if (!ext) {
		snprintf(why, whylen, "missing external_userid");
		return -1;
	}
	if (!userid) {
		snprintf(why, whylen, "missing follow_info.userid");
		return -1;
	}
	if (need_time(x, fi, "createtime", &createtime, why, whylen) < 0)
		return -1;
	has_type = opt_int(ec, "type", &type);
	has_gender = opt_int(ec, "gender", &gender);
	has_add_way = opt_int(fi, "add_way", &add_way);
	if (f_text(b, src, 1, '\t') || f_text(b, userid, 0, '\t') || f_text(b, ext, 0, '\t') ||
	    f_text(b, opt_text(ec, "name"), 1, '\t') || f_int(b, has_type, type, '\t') ||
	    f_int(b, has_gender, gender, '\t') || f_text(b, opt_text(ec, "unionid"), 1, '\t') ||
	    f_text(b, opt_text(ec, "corp_name"), 1, '\t') ||
	    f_text(b, opt_text(fi, "remark"), 1, '\t') ||
	    f_text(b, opt_text(fi, "description"), 1, '\t') ||
	    f_time(b, 1, createtime, '\t') || f_int(b, has_add_way, add_way, '\t') ||
	    f_text(b, opt_text(fi, "state"), 1, '\t') ||
	    f_text(b, opt_text(fi, "oper_userid"), 1, '\n'))
		return fail_copy(why, whylen);
	if (wj_array(fi, "tag_id", &arr) == WJ_OK)
		tag_rows(arr, userid, ext, &rows->t[WT_CONTACT_TAG], &oom);
	if (wj_array(fi, "remark_mobiles", &arr) == WJ_OK)
		phone_rows(x, arr, userid, ext, &rows->t[WT_CONTACT_PHONE], &oom);
	return oom ? fail_copy(why, whylen) : 0;
}

int wecom_xform_tag(struct wecom_xform *x, struct json_object *group, struct json_object *tag,
		    struct wecom_rows *rows, char *key, size_t keylen, char *why, size_t whylen)
{
	const char *id = opt_text(tag, "id");
	int64_t created = 0, order = 0;
	int has_created, has_order;
	struct buf *b = &rows->t[WT_TAG];

	snprintf(key, keylen, "%s", id ? id : "");
	if (!id) {
		snprintf(why, whylen, "tag without id");
		return -1;
	}
	has_created = opt_int(tag, "create_time", &created) && created >= WECOM_MIN_TIME &&
		      created <= x->now + WECOM_FUTURE_SLACK;
	has_order = opt_int(tag, "order", &order);
	if (f_text(b, id, 0, '\t') || f_text(b, opt_text(tag, "name"), 1, '\t') ||
	    f_text(b, opt_text(group, "group_id"), 1, '\t') ||
	    f_text(b, opt_text(group, "group_name"), 1, '\t') ||
	    f_time(b, has_created, created, '\t') || f_int(b, has_order, order, '\n'))
		return fail_copy(why, whylen);
	return 0;
}

int wecom_xform_group(struct wecom_xform *x, struct json_object *chat, int members_loaded,
		      struct wecom_rows *rows, char *chat_id, size_t chat_id_len, char *owner,
		      size_t owner_len, char *why, size_t whylen)
{
	const char *id = opt_text(chat, "chat_id"), *own = opt_text(chat, "owner");
	int64_t created = 0;
	int has_created;
	struct buf *b = &rows->t[WT_GROUP];

	snprintf(chat_id, chat_id_len, "%s", id ? id : "");
	snprintf(owner, owner_len, "%s", own ? own : "");
	if (!id) {
		snprintf(why, whylen, "group_chat without chat_id");
		return -1;
	}
	has_created = opt_int(chat, "create_time", &created) && created >= WECOM_MIN_TIME &&
		      created <= x->now + WECOM_FUTURE_SLACK;
	/* columns: chat_id, status, fetched, name, owner, created_at, member_version, members_loaded */
	if (f_text(b, id, 0, '\t') || f_int(b, 0, 0, '\t') || f_bool(b, 1, '\t') ||
	    f_text(b, opt_text(chat, "name"), 0, '\t') || f_text(b, own, 1, '\t') ||
	    f_time(b, has_created, created, '\t') ||
	    f_text(b, opt_text(chat, "member_version"), 1, '\t') || f_bool(b, members_loaded, '\n'))
		return fail_copy(why, whylen);
	return 0;
}

int wecom_xform_group_listed(const char *chat_id, int64_t status, struct wecom_rows *rows)
{
	struct buf *b = &rows->t[WT_GROUP];

	return f_text(b, chat_id, 0, '\t') || f_int(b, 1, status, '\t') || f_bool(b, 0, '\t') ||
	       buf_adds(b, "\\N\t\\N\t\\N\t\\N\tf\n");
}

int wecom_xform_member(struct wecom_xform *x, const char *chat_id, struct json_object *m,
		       struct buf *b, char *key, size_t keylen, char *why, size_t whylen)
{
	const char *userid = opt_text(m, "userid");
	struct json_object *inv = NULL;
	int64_t type, joined, scene = 0;
	int has_scene;

	snprintf(key, keylen, "%s/%s", chat_id, userid ? userid : "");
	if (!userid) {
		snprintf(why, whylen, "group member without userid");
		return -1;
	}
	if (wj_int64(m, "type", &type) != WJ_OK || (type != 1 && type != 2)) {
		snprintf(why, whylen, "group member type is not 1 or 2");
		return -1;
	}
	if (need_time(x, m, "join_time", &joined, why, whylen) < 0)
		return -1;
	has_scene = opt_int(m, "join_scene", &scene);
	if (wj_object(m, "invitor", &inv) != WJ_OK)
		inv = NULL;
	if (f_text(b, chat_id, 0, '\t') || f_text(b, userid, 0, '\t') || f_int(b, 1, type, '\t') ||
	    f_text(b, type == 2 ? opt_text(m, "unionid") : NULL, 1, '\t') ||
	    f_time(b, 1, joined, '\t') || f_int(b, has_scene, scene, '\t') ||
	    f_text(b, inv ? opt_text(inv, "userid") : NULL, 1, '\t') ||
	    f_text(b, opt_text(m, "group_nickname"), 1, '\t') ||
	    f_text(b, opt_text(m, "state"), 1, '\n'))
		return fail_copy(why, whylen);
	return 0;
}

/* A count that must be a non-negative integer when present. */
static int count_field(struct json_object *obj, const char *key, int64_t *v, int *present,
		       char *why, size_t whylen)
{
	switch (wj_int64(obj, key, v)) {
	case WJ_OK:
		if (*v < 0 || *v > INT32_MAX) {
			snprintf(why, whylen, "%s %" PRId64 " out of range", key, *v);
			return -1;
		}
		*present = 1;
		return 0;
	case WJ_ABSENT:
		*present = 0;
		return 0;
	default:
		snprintf(why, whylen, "%s is not a number", key);
		return -1;
	}
}

int wecom_xform_behavior(struct wecom_xform *x, const char *userid, struct json_object *item,
			 struct wecom_rows *rows, char *why, size_t whylen)
{
	static const char *const counts[] = { "chat_cnt", "message_cnt" };
	static const char *const tail[] = { "negative_feedback_cnt", "new_apply_cnt",
					    "new_contact_cnt" };
	struct buf *b = &rows->t[WT_STAFF_DAILY];
	int64_t day, v[5], reply_time = 0;
	int p[5], has_reply_time = 0;
	char pct[32];
	enum wj_result pr;

	if (need_time(x, item, "stat_time", &day, why, whylen) < 0)
		return -1;
	for (int i = 0; i < 2; i++)
		if (count_field(item, counts[i], &v[i], &p[i], why, whylen) < 0)
			return -1;
	for (int i = 0; i < 3; i++)
		if (count_field(item, tail[i], &v[2 + i], &p[2 + i], why, whylen) < 0)
			return -1;
	pr = wj_decimal(item, "reply_percentage", pct, sizeof(pct));
	if (pr == WJ_BAD) {
		snprintf(why, whylen, "reply_percentage is not a number");
		return -1;
	}
	if (count_field(item, "avg_reply_time", &reply_time, &has_reply_time, why, whylen) < 0)
		return -1;
	if (f_text(b, userid, 0, '\t') || f_time(b, 1, day, '\t') || f_int(b, p[0], v[0], '\t') ||
	    f_int(b, p[1], v[1], '\t') || f_text(b, pr == WJ_OK ? pct : NULL, 1, '\t') ||
	    f_int(b, has_reply_time, reply_time, '\t') || f_int(b, p[2], v[2], '\t') ||
	    f_int(b, p[3], v[3], '\t') || f_int(b, p[4], v[4], '\n'))
		return fail_copy(why, whylen);
	return 0;
}

int wecom_xform_group_stat(struct wecom_xform *x, const char *owner, struct json_object *item,
			   struct wecom_rows *rows, char *why, size_t whylen)
{
	static const char *const fields[] = { "new_chat_cnt", "chat_total", "chat_has_msg",
					      "new_member_cnt", "member_total", "member_has_msg",
					      "msg_total" };
	struct buf *b = &rows->t[WT_GROUP_DAILY];
	struct json_object *data = NULL;
	int64_t day, v[7];
	int p[7];

	if (need_time(x, item, "stat_time", &day, why, whylen) < 0)
		return -1;
	if (wj_object(item, "data", &data) != WJ_OK) {
		snprintf(why, whylen, "missing data");
		return -1;
	}
	for (int i = 0; i < 7; i++)
		if (count_field(data, fields[i], &v[i], &p[i], why, whylen) < 0)
			return -1;
	if (f_text(b, owner, 0, '\t') || f_time(b, 1, day, '\t'))
		return fail_copy(why, whylen);
	for (int i = 0; i < 7; i++)
		if (f_int(b, p[i], v[i], i == 6 ? '\n' : '\t'))
			return fail_copy(why, whylen);
	return 0;
}
