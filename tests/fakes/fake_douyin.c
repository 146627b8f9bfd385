/*
 * fake_douyin.c — a fake Douyin shop open platform (抖店) for tests and the demo.
 *
 *   fake_douyin [--port N] [--port-file FILE] [FAKE_GEN options] [--app-key K]
 *       [--app-secret S] [--access-token T] [--refresh-token R] [--shop-id ID]
 *       [--token-ttl SECS] [--fault SPEC]... [--verbose]   (see fake_shop_main)
 *       (--shop-id is the shop authorised to the app; tokens come from token.create))
 *   fake_douyin --port N --admin PATH     (a client for the admin endpoints below)
 *
 * Serves, on 127.0.0.1, a shop generated from the seed (tests/fakes/lib/fake_shop.h) the
 * way 抖店 does (docs/api-douyin.md has the sources): POST /<method with '.' → '/'> with
 * the query app_key, method, access_token (not for token.create), timestamp (Unix
 * seconds, at most 10 minutes off), v=2, sign_method (hmac-sha256 or md5), sign over
 * app_key, method, param_json, timestamp, v wrapped in the secret — and the body is
 * param_json. Every answer is {"code","msg","sub_code","sub_msg","log_id","data"}:
 * 10000 success; 40001 a missing parameter; 40003 isv.signature-invalid,
 * isv.timestamp-invalid, isv.access-token-expired / isv.access-token-no-existed, or
 * isv.parameter-format-invalid (param_json not JSON); 30001 a shop_id the app is not
 * authorised for; 70000 isp.api-service-off (an unknown method).
 *
 *   token.create   {"grant_type":"authorization_self","shop_id":…} → data {access_token,
 *                  expires_in, refresh_token, scope, shop_id, shop_name}
 *   order.searchList {update_time_start, update_time_end (inclusive, epoch seconds, at
 *                  most 7 days apart: 40004 otherwise), order_by (update_time or
 *                  create_time), order_asc (default false: newest first), page (from 0),
 *                  size 1..100} → data {page, size, total, shop_order_list}
 *
 * Orders: order_id (19 digits, text), order_status 1/105/2/3/4/5, epoch times (0 when not
 * reached), integer fen, doudian_open_id (an encrypted-looking id), masked and encrypted
 * receiver fields; sku_order_list[] with its own order_id, origin_amount (unit price),
 * pay_amount, after_sale_info {after_sale_status, refund_status}. Bad orders:
 * order_status 77, or an origin_amount of 99.5.
 *
 * Admin endpoints: /__admin/fault?SPEC (the harness's rules, token_invalid expiring every
 * token, path "token.create" for the token call; and douyin=CODE, an answer with that code
 * — 60000 is the platform's rate limit), /__admin/mutate?step=N, /__admin/expect,
 * /__admin/stats (fake_shop_admin).
 */
#include "lib/fake_server.h"
#include "lib/fake_shop.h"
#include "siyu/extract/api_sign.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIST_PATH "/order/searchList"
#define TOKEN_PATH "/token/create"
#define RET(call) do { call; return; } while (0)

static struct shop_creds cred = {
	.app_key = "7000000000000000001", .app_secret = "test-secret",
	.access_token = "dy-token-1", .shop_id = "4463798", .token_ttl = 7 * 86400,
	.token_prefix = "dy-token",
};

static struct shop_tokens tokens;
static struct shop_stats stats;
static struct fake_shop shop;
static struct fake_server server;
static uint64_t log_id;

/* ---- ids --------------------------------------------------------------------------------------- */

static void order_id(char *out, size_t n, uint64_t serial, int64_t created)
{
	uint64_t id = 6920000000000000000ULL + (uint64_t)(created % 10000000) * 100000u + serial * 10;

	snprintf(out, n, "%" PRIu64, id);
}

static void sku_order_id(char *out, size_t n, const char *order, uint64_t serial, int k)
{
	(void)serial;
	snprintf(out, n, "%.18s%d", order, k + 1);
}

static void open_id(char *out, size_t n, uint64_t r)
{
	snprintf(out, n, "1@#%016" PRIx64 "==", r);
}

static const struct shop_ids ids = { .order_id = order_id, .line_id = sku_order_id,
				     .buyer_id = open_id };

/* ---- answers ------------------------------------------------------------------------------------ */

static void reply(struct fake_reply *r, int code, const char *msg, const char *sub_code,
		  const char *sub_msg, struct json_object *data)
{
	struct json_object *o = json_object_new_object();
	char id[40];

	if (code != 10000)
		stats.rejected++;
	json_object_object_add(o, "code", json_object_new_int(code));
	json_object_object_add(o, "msg", json_object_new_string(msg));
	json_object_object_add(o, "sub_code", json_object_new_string(sub_code));
	json_object_object_add(o, "sub_msg", json_object_new_string(sub_msg));
	snprintf(id, sizeof(id), "2024%016" PRIx64, ++log_id);
	json_object_object_add(o, "log_id", json_object_new_string(id));
	json_object_object_add(o, "data", data ? data : json_object_new_object());
	fake_reply_json(r, o);
}

/* ---- an order in 抖店's shape ---------------------------------------------------------------------- */

static int status_of(const struct shop_order *o)
{
	static const int codes[] = { 1, 4, 2, 3, 5, 4 }; /* by enum shop_state */

	return o->bad == 1 ? 77 : codes[o->st];
}

static struct json_object *sku_json(const struct shop_order *o, int k)
{
	const struct shop_line *l = &o->l[k];
	struct json_object *j = json_object_new_object(), *as = json_object_new_object();
	char id[24];
	int done = fake_shop_line_refunded(o, k);

	fake_put_str(j, "order_id", l->id);
	fake_put_str(j, "parent_order_id", o->id);
	snprintf(id, sizeof(id), "%" PRId64, l->item_id);
	fake_put_str(j, "product_id", id);
	snprintf(id, sizeof(id), "%" PRId64, l->sku_id);
	fake_put_str(j, "sku_id", id);
	fake_put_str(j, "out_sku_id", l->outer_sku);
	fake_put_str(j, "code", l->outer_sku);
	fake_put_str(j, "product_name", l->title);
	fake_put_int(j, "item_num", l->num);
	if (o->bad == 2 && k == 0)
		json_object_object_add(j, "origin_amount", json_object_new_double_s(99.5, "99.5"));
	else
		fake_put_int(j, "origin_amount", l->price);
	fake_put_int(j, "sum_amount", l->price * l->num);
	fake_put_int(j, "pay_amount", l->pay);
	fake_put_int(j, "order_status", status_of(o));
	fake_put_int(as, "after_sale_status", done ? 12 : l->refund == SHOP_REFUND_ACTIVE ? 6 : 0);
	fake_put_int(as, "after_sale_type", done || l->refund ? 2 : 0);
	fake_put_int(as, "refund_status", done ? 3 : l->refund == SHOP_REFUND_ACTIVE ? 1 : 0);
	json_object_object_add(j, "after_sale_info", as);
	return j;
}

static struct json_object *order_json(const struct shop_order *o)
{
	struct json_object *j = json_object_new_object(), *skus = json_object_new_array();
	int64_t gross = 0, pay = 0;

	for (int k = 0; k < o->nlines; k++) {
		gross += o->l[k].price * o->l[k].num;
		pay += o->l[k].pay;
		json_object_array_add(skus, sku_json(o, k));
	}
	fake_put_str(j, "order_id", o->id);
	fake_put_int(j, "shop_id", strtoll(cred.shop_id, NULL, 10));
	fake_put_int(j, "order_status", status_of(o));
	fake_put_str(j, "order_status_desc", "");
	fake_put_int(j, "create_time", o->created);
	fake_put_int(j, "update_time", o->modified);
	fake_put_int(j, "pay_time", o->paid);
	fake_put_int(j, "ship_time", o->shipped);
	fake_put_int(j, "finish_time", o->finished);
	fake_put_int(j, "order_amount", gross + o->post);
	fake_put_int(j, "pay_amount", pay + o->post);
	fake_put_int(j, "post_amount", o->post);
	fake_put_int(j, "promotion_amount", gross - pay);
	fake_put_str(j, "doudian_open_id", shop.buyer[o->buyer].id);
	fake_put_str(j, "open_id", "");
	fake_put_str(j, "mask_post_receiver", "张**");
	fake_put_str(j, "encrypt_post_receiver", "#ENC#Zf3k...#1##");
	fake_put_str(j, "mask_post_tel", "138****0000");
	json_object_object_add(j, "sku_order_list", skus);
	return j;
}

/* ---- checks ---------------------------------------------------------------------------------------- */

/* The query's system parameters and the signature over the body; 1 when r is the error. */
static int system_check(struct fake_request *rq, const char *method, int need_token,
			struct fake_reply *r)
{
	const char *key = fake_query(rq, "app_key"), *ts = fake_query(rq, "timestamp");
	const char *v = fake_query(rq, "v"), *sm = fake_query(rq, "sign_method");
	const char *sign = fake_query(rq, "sign"), *qm = fake_query(rq, "method");
	char want[API_SIGN_MAX];
	long long t = ts ? strtoll(ts, NULL, 10) : 0;
	const struct api_param p[] = {
		{ "app_key", key }, { "method", method }, { "param_json", buf_str(&rq->body) },
		{ "timestamp", ts }, { "v", v },
	};

	if (!key || !ts || !v || !sign || !qm)
		return reply(r, 40001, "缺少必选参数", "isv.signature-missing",
			     "app_key, method, timestamp, v and sign are required", NULL), 1;
	if (strcmp(key, cred.app_key) != 0)
		return reply(r, 40003, "非法的参数", "isv.app-id-invalid", "app_key 不正确", NULL), 1;
	if (llabs(t - (long long)time(NULL)) > 600)
		return reply(r, 40003, "非法的参数", "isv.timestamp-invalid", "时间戳不合法", NULL), 1;
	if (api_sign(sm && !strcmp(sm, "md5") ? API_SIGN_DOUYIN_MD5 : API_SIGN_DOUYIN_HMAC_SHA256,
		     p, 5, cred.app_secret, want) < 0 || strcmp(want, sign) != 0 ||
	    strcmp(qm, method) != 0)
		return reply(r, 40003, "非法的参数", "isv.signature-invalid", "签名校验失败", NULL), 1;
	if (need_token && !fake_tokens_valid(&tokens, fake_query(rq, "access_token")))
		return reply(r, 40003, "非法的参数", "isv.access-token-expired", "access_token已过期",
			     NULL), 1;
	return 0;
}

/* ---- calls ------------------------------------------------------------------------------------------ */

static void handle_token(struct fake_request *rq, struct fake_reply *r)
{
	struct json_object *p = json_tokener_parse(buf_str(&rq->body)), *d;
	const char *grant = fake_jstr(p, "grant_type"), *sid = fake_jstr(p, "shop_id");
	char tok[136];

	stats.token_calls++;
	if (!grant || strcmp(grant, "authorization_self") != 0 || !sid) {
		json_object_put(p);
		RET(reply(r, 50001, "平台处理失败", "dop.token-generate-failed:grant-type-invalid",
			  "grant_type must be authorization_self with a shop_id", NULL));
	}
	if (strcmp(sid, cred.shop_id) != 0) {
		json_object_put(p);
		RET(reply(r, 30001, "操作权限不足", "dop.authorization-no-existed",
			  "店铺授权已失效，请重新授权", NULL));
	}
	json_object_put(p);
	fake_tokens_issue(&tokens, cred.access_token, cred.token_prefix, cred.token_ttl, fake_rand(&shop.rng),
			  tok, sizeof(tok));
	d = json_object_new_object();
	fake_put_str(d, "access_token", tok);
	fake_put_int(d, "expires_in", cred.token_ttl);
	fake_put_str(d, "refresh_token", "dy-refresh");
	fake_put_str(d, "scope", "SCOPE");
	fake_put_str(d, "shop_id", cred.shop_id);
	fake_put_str(d, "shop_name", "抖店测试店");
	reply(r, 10000, "success", "", "", d);
}

static void handle_list(struct fake_request *rq, struct fake_reply *r)
{
	struct json_object *p = json_tokener_parse(buf_str(&rq->body)), *d;
	int64_t from = fake_jint(p, "update_time_start", -1), to = fake_jint(p, "update_time_end", -1);
	int64_t page = fake_jint(p, "page", 0), size = fake_jint(p, "size", 10);
	const char *order_by = fake_jstr(p, "order_by"); /* borrowed from p */
	int bad_order_by = order_by && strcmp(order_by, "update_time") &&
			   strcmp(order_by, "create_time");
	struct json_object *asc = NULL;
	struct shop_order **hit;
	int n, desc = 1;

	if (!p) {
		json_object_put(p);
		RET(reply(r, 40003, "非法的参数", "isv.parameter-format-invalid",
			  "业务参数json解析失败", NULL));
	}
	if (json_object_object_get_ex(p, "order_asc", &asc))
		desc = !json_object_get_boolean(asc);
	json_object_put(p);
	if (from < 0 || to < from || page < 0 || size < 1 || size > 100 || bad_order_by)
		RET(reply(r, 40004, "非法的参数", "isv.business-failed",
			  "update_time_start/end, page >= 0, size 1..100", NULL));
	if (to - from > 7 * FAKE_DAY)
		RET(reply(r, 40004, "非法的参数", "isv.business-failed",
			  "时间跨度不能超过7天", NULL));
	fake_shop_note_list(&stats, from, to, (long)size);
	n = fake_shop_select(&shop, from, to, desc, &hit);
	d = json_object_new_object();
	fake_put_int(d, "page", page);
	fake_put_int(d, "size", size);
	fake_put_int(d, "total", n);
	json_object_object_add(d, "shop_order_list",
			       fake_shop_page(hit, n, (long)page + 1, (long)size, order_json));
	free(hit);
	reply(r, 10000, "success", "", "", d);
}

static int fault_fire(const struct fake_fault *f, const char *path, struct fake_reply *r)
{
	(void)path;
	if (f->kind == FAKE_FAULT_TOKEN) {
		fake_tokens_expire(&tokens);
		return 0;
	}
	if (f->value == 60000)
		reply(r, 60000, "触发限流，请稍后重试", "isv.app-call-limited", "fault", NULL);
	else
		reply(r, (int)f->value, "服务不可用", "isp.service-error", "fault", NULL);
	return 1;
}

static void handle_admin(struct fake_request *rq, const char *what, struct fake_reply *r)
{
	fake_shop_admin(&shop, &stats, &tokens, &server, rq, what, r);
}

static void handle(struct fake_request *rq, struct fake_reply *r)
{
	int token = !strcmp(rq->url, TOKEN_PATH);

	stats.calls++;
	if (!token && strcmp(rq->url, LIST_PATH) != 0)
		RET(reply(r, 70000, "接口服务已下线", "isp.api-service-off", "API不存在或API已下线",
			  NULL));
	if (fake_fault_apply(&server, token ? "token.create" : "order.searchList", token, r) ||
	    system_check(rq, token ? "token.create" : "order.searchList", !token, r))
		return;
	if (token)
		RET(handle_token(rq, r));
	handle_list(rq, r);
}

/* ---- main ---------------------------------------------------------------------------------------------- */

static struct fake_server server = {
	.name = "fake_douyin",
	.handle = handle,
	.admin_handle = handle_admin,
	.code_key = "douyin",
	.fault_fire = fault_fire,
	.cut_json = "{\"code\":10000,\"msg\":\"success\",\"data\":{\"page\":0,\"size\":100,"
		    "\"total\":3,\"shop_order_list\":[{\"order_id\":\"69200",
};

int main(int argc, char **argv)
{
	return fake_shop_main(&server, &shop, &ids, &cred, &tokens, argc, argv);
}
