/*
 * fuzz_wecom.c — every WeCom entity's JSON → staging rows transform
 * (transform/wecom_json.c) on any input. The first byte picks the API response the
 * rest is read as, and the target walks it the way the WeCom source does:
 *
 *   0  batch/get_by_user          {"external_contact_list":[contact…]}
 *   1  get_corp_tag_list          {"tag_group":[{…,"tag":[tag…]}…]}
 *   2  groupchat/get              {"group_chat":{…,"member_list":[member…]}}
 *   3  get_user_behavior_data     {"behavior_data":[item…]}
 *   4  statistic_group_by_day     {"items":[item…]}
 *
 * Each record becomes rows or is rejected with a reason; whatever it is, the rows are
 * whole COPY lines: every line of a table has that table's number of columns.
 */
#include "fuzz.h"
#include "json_input.h"

#include "siyu/common/json_get.h"
#include "siyu/transform/wecom_json.h"

#include <string.h>

static const unsigned char key[] = "fuzz-pii-key-0123456789";

/* 2027-01-15: "now", so that the fixtures' times are in the past. */
#define NOW 1800000000LL

/* Every line of b ends in '\n' and has as many tabs as the first. */
static void check_copy_text(const struct buf *b)
{
	long tabs = -1, here = 0;

	if (!b->len)
		return;
	FUZZ_CHECK(b->data[b->len - 1] == '\n');
	for (size_t i = 0; i < b->len; i++) {
		if (b->data[i] == '\t') {
			here++;
		} else if (b->data[i] == '\n') {
			FUZZ_CHECK(tabs < 0 || here == tabs);
			tabs = here;
			here = 0;
		}
	}
}

/* The rc of a wecom_xform_* call: 0, or a rejection with its reason. */
static void check_rc(int rc, const char *why)
{
	FUZZ_CHECK(rc == 0 || ((rc == -1 || rc == -2) && why[0]));
}

static struct json_object *array_of(struct json_object *o, const char *name)
{
	struct json_object *a = NULL;

	return wj_array(o, name, &a) == WJ_OK ? a : NULL;
}

static void contacts(struct wecom_xform *x, struct json_object *root, struct wecom_rows *rows)
{
	struct json_object *list = array_of(root, "external_contact_list");
	char k[600], why[512];

	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		why[0] = '\0';
		check_rc(wecom_xform_contact(x, json_object_array_get_idx(list, i), "zhangsan",
					     "contacts-00001.jsonl.gz", rows, k, sizeof(k), why,
					     sizeof(why)), why);
	}
}

static void tags(struct wecom_xform *x, struct json_object *root, struct wecom_rows *rows)
{
	struct json_object *groups = array_of(root, "tag_group");
	char k[600], why[512];

	for (size_t g = 0; groups && g < json_object_array_length(groups); g++) {
		struct json_object *grp = json_object_array_get_idx(groups, g);
		struct json_object *list = array_of(grp, "tag");

		for (size_t t = 0; list && t < json_object_array_length(list); t++) {
			why[0] = '\0';
			check_rc(wecom_xform_tag(x, grp, json_object_array_get_idx(list, t), rows,
						 k, sizeof(k), why, sizeof(why)), why);
		}
	}
}

static void group(struct wecom_xform *x, struct json_object *root, struct wecom_rows *rows)
{
	struct json_object *chat = NULL, *list;
	char chat_id[256] = "", owner[256] = "", k[600], why[512] = "";
	int rc;

	if (wj_object(root, "group_chat", &chat) != WJ_OK)
		return;
	rc = wecom_xform_group(x, chat, 1, rows, chat_id, sizeof(chat_id), owner, sizeof(owner),
			       why, sizeof(why));
	check_rc(rc, why);
	if (rc != 0)
		return;
	check_rc(wecom_xform_group_listed(chat_id, 0, rows), "-");
	list = array_of(chat, "member_list");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		why[0] = '\0';
		check_rc(wecom_xform_member(x, chat_id, json_object_array_get_idx(list, i),
					    &rows->t[WT_GROUP_MEMBER], k, sizeof(k), why,
					    sizeof(why)), why);
	}
}

static void stats(struct wecom_xform *x, struct json_object *root, struct wecom_rows *rows,
		  int behavior)
{
	struct json_object *list = array_of(root, behavior ? "behavior_data" : "items");
	char why[512];

	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *item = json_object_array_get_idx(list, i);

		why[0] = '\0';
		check_rc(behavior ? wecom_xform_behavior(x, "zhangsan", item, rows, why, sizeof(why))
				  : wecom_xform_group_stat(x, "zhangsan", item, rows, why,
							   sizeof(why)),
			 why);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wecom_xform x = { NOW, key, sizeof(key) - 1, 0 };
	struct json_object *root;
	struct wecom_rows rows;

	if (size < 1 || !(root = json_input(data + 1, size - 1)))
		return 0;
	wecom_rows_init(&rows);
	switch (data[0] % 5) {
	case 0: contacts(&x, root, &rows); break;
	case 1: tags(&x, root, &rows); break;
	case 2: group(&x, root, &rows); break;
	case 3: stats(&x, root, &rows, 1); break;
	default: stats(&x, root, &rows, 0); break;
	}
	for (int t = 0; t < WT_COUNT; t++)
		check_copy_text(&rows.t[t]);
	wecom_rows_release(&rows);
	json_object_put(root);
	return 0;
}
