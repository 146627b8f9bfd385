/*
 * fake_jd.c — a fake JD open platform (京东宙斯 JOS) router for tests and the demo.
 *
 *   fake_jd [--port N] [--port-file FILE] [FAKE_GEN options] [--app-key K]
 *       [--app-secret S] [--access-token T] [--refresh-token R] [--shop-id ID]
 *       [--token-ttl SECS] [--fault SPEC]... [--verbose]   (see fake_shop_main)
 *       (--access-token is the token valid from the start))
 *   fake_jd --port N --admin PATH     (a client for the admin endpoints below)
 *
 * Serves, on 127.0.0.1, a shop generated from the seed (tests/fakes/lib/fake_shop.h) the
 * way JOS does (docs/api-jd.md has the sources): no unpaid orders (enSearch does not show
 * them), refunds per order (LOCKED while refunding, TRADE_CANCELED once refunded).
 *
 *   POST /routerjson   form parameters method, app_key, access_token, timestamp
 *       ("yyyy-MM-dd HH:mm:ss" China time, at most 6 minutes off), v=2.0, sign_method
 *       (md5, optional), 360buy_param_json, sign (MD5 of app_secret + sorted key/values +
 *       app_secret, upper hex) — checked, with {"error_response":{"code","zh_desc",
 *       "en_desc"}}: 11 the app_key, 9 the timestamp, 12 无效签名, 19 无效access_token
 *       (unknown or expired), 15 不存在的方法名.
 *     method=jingdong.pop.order.enSearch, 360buy_param_json {start_date, end_date (China
 *       time, inclusive, at most 31 days apart), order_state (a comma list: only those
 *       states are answered), optional_fields (only those orderInfo fields are answered),
 *       page ≥ 1, page_size 1..100, sortType (1 newest first, else oldest first), dateType
 *       (0 modified, 1 created)}. Answers {"jingdong_pop_order_enSearch_responce":{"code":
 *       "0","searchorderinfo_result":{"orderTotal":N,"orderInfoList":[…],"apiResult":
 *       {"success":true,…}}}}; a bad argument is apiResult success false.
 *   GET /oauth2/refresh_token?app_key&app_secret&grant_type=refresh_token&refresh_token
 *       → {"access_token","expires_in","refresh_token","scope","uid","time","code":0};
 *       else HTTP 400 {"code":1008,"msg":…}.
 *
 * Orders: orderId (12 digits, text), prices as yuan strings, "0001-01-01 00:00:00" for
 * times not reached, open_id_buyer and xid_buyer, a masked consigneeInfo; itemInfoList[]
 * {skuId, outerSkuId, wareId, skuName, jdPrice, itemTotal (text)}. Bad orders: the
 * state WAIT_WHAT, or a jdPrice of 12.345.
 *
 * Admin endpoints: /__admin/fault?SPEC (the harness's rules, token_invalid expiring every
 * token; and jd=CODE, an error_response with that code), /__admin/mutate?step=N,
 * /__admin/expect, /__admin/stats (fake_shop_admin).
 */
#include "lib/fake_server.h"
#include "lib/fake_shop.h"
#include "siyu/extract/api_sign.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUTER "/routerjson"
#define TOKEN_PATH "/oauth2/refresh_token"
#define LIST_METHOD "jingdong.pop.order.enSearch"
#define SENTINEL "0001-01-01 00:00:00"
#define RET(call) do { call; return; } while (0)

static struct shop_creds cred = {
	.app_key = "jd-app-key", .app_secret = "test-secret", .access_token = "jd-token-0",
	.refresh_token = "jd-refresh-0", .token_ttl = 86400, .issue_first = 1,
	.token_prefix = "jd-token",
};

static struct shop_tokens tokens;
static struct shop_stats stats;
static struct fake_shop shop;
static struct fake_server server;
static const char *asked_fields; /* ",f1,f2,…," of the call being answered */

/* ---- ids -------------------------------------------------------------------------------------- */

static void order_id(char *out, size_t n, uint64_t serial, int64_t created)
{
	uint64_t id = (uint64_t)280000000000 + (uint64_t)(created % 100000) * 100000u + serial;

	snprintf(out, n, "%" PRIu64, id);
}

static void sku_id(char *out, size_t n, const char *order, uint64_t serial, int k)
{
	(void)order;
	(void)serial;
	snprintf(out, n, "%d", 100012 + k);
}

static void buyer_id(char *out, size_t n, uint64_t r)
{
	snprintf(out, n, "o0x%016" PRIx64, r);
}

static const struct shop_ids ids = {
	.order_id = order_id, .line_id = sku_id, .buyer_id = buyer_id,
	.no_unpaid = 1, .order_refunds = 1,
};

/* ---- answers ---------------------------------------------------------------------------------- */

static void put_time(struct json_object *o, const char *k, int64_t t)
{
	char s[32];

	fake_cn_text(t, s, sizeof(s));
	fake_put_str(o, k, t ? s : SENTINEL);
}

static void put_yuan(struct json_object *o, const char *k, int64_t fen)
{
	char s[32];

	fake_yuan(fen, s, sizeof(s));
	fake_put_str(o, k, s);
}

static void reply_error(struct fake_reply *r, const char *code, const char *zh, const char *en)
{
	struct json_object *o = json_object_new_object(), *e = json_object_new_object();

	stats.rejected++;
	fake_put_str(e, "code", code);
	fake_put_str(e, "zh_desc", zh);
	fake_put_str(e, "en_desc", en);
	json_object_object_add(o, "error_response", e);
	fake_reply_json(r, o);
}

/* A list answer: apiResult success (and the orders), or a business error. */
static void reply_result(struct fake_reply *r, int n, struct json_object *list, const char *err)
{
	struct json_object *o = json_object_new_object(), *resp = json_object_new_object();
	struct json_object *res = json_object_new_object(), *api = json_object_new_object();

	json_object_object_add(api, "success", json_object_new_boolean(!err));
	fake_put_str(api, "resultCode", err ? "1" : "0");
	fake_put_str(api, "chineseErrCode", err ? err : "成功");
	fake_put_str(api, "englishErrCode", err ? "param error" : "success");
	json_object_object_add(res, "apiResult", api);
	if (!err) {
		json_object_object_add(res, "orderTotal", json_object_new_int(n));
		json_object_object_add(res, "orderInfoList", list);
	} else {
		stats.rejected++;
	}
	fake_put_str(resp, "code", "0");
	json_object_object_add(resp, "searchorderinfo_result", res);
	json_object_object_add(o, "jingdong_pop_order_enSearch_responce", resp);
	fake_reply_json(r, o);
}

/* ---- an order in JD's shape --------------------------------------------------------------------- */

static const char *state_of(const struct shop_order *o)
{
	if (o->bad == 1)
		return "WAIT_WHAT";
	if (o->st == SHOP_CANCELLED || !strcmp(fake_shop_canonical(o), "refunded"))
		return "TRADE_CANCELED";
	if (!strcmp(fake_shop_canonical(o), "refunding"))
		return "LOCKED";
	return o->st == SHOP_PAID ? "WAIT_SELLER_STOCK_OUT"
	       : o->st == SHOP_SHIPPED ? "WAIT_GOODS_RECEIVE_CONFIRM" : "FINISHED_L";
}

static int wanted(const char *name)
{
	char key[64];

	snprintf(key, sizeof(key), ",%s,", name);
	return strstr(asked_fields, key) != NULL;
}

static struct json_object *item_json(const struct shop_order *o, int k)
{
	const struct shop_line *l = &o->l[k];
	struct json_object *it = json_object_new_object();
	char num[16], ware[24];

	fake_put_str(it, "skuId", l->id);
	fake_put_str(it, "outerSkuId", l->outer_sku);
	snprintf(ware, sizeof(ware), "%" PRId64, l->item_id);
	fake_put_str(it, "wareId", ware);
	fake_put_str(it, "skuName", l->title);
	if (o->bad == 2 && k == 0)
		fake_put_str(it, "jdPrice", "12.345");
	else
		put_yuan(it, "jdPrice", l->price);
	snprintf(num, sizeof(num), "%d", l->num);
	fake_put_str(it, "itemTotal", num);
	fake_put_str(it, "productNo", "");
	return it;
}

static struct json_object *order_json(const struct shop_order *o)
{
	struct json_object *j = json_object_new_object();
	int64_t gross = 0, pay = 0;

	for (int k = 0; k < o->nlines; k++) {
		gross += o->l[k].price * o->l[k].num;
		pay += o->l[k].pay;
	}
#define WANT(name) wanted(name)
	if (WANT("orderId"))
		fake_put_str(j, "orderId", o->id);
	if (WANT("venderId"))
		fake_put_str(j, "venderId", "10001");
	if (WANT("orderType"))
		fake_put_str(j, "orderType", "22");
	if (WANT("orderTotalPrice"))
		put_yuan(j, "orderTotalPrice", gross);
	if (WANT("sellerDiscount"))
		put_yuan(j, "sellerDiscount", gross - pay);
	if (WANT("orderSellerPrice"))
		put_yuan(j, "orderSellerPrice", pay);
	if (WANT("freightPrice"))
		put_yuan(j, "freightPrice", o->post);
	if (WANT("orderPayment"))
		put_yuan(j, "orderPayment", pay + o->post);
	if (WANT("orderState"))
		fake_put_str(j, "orderState", state_of(o));
	if (WANT("orderStartTime"))
		put_time(j, "orderStartTime", o->created);
	if (WANT("orderEndTime"))
		put_time(j, "orderEndTime", o->finished);
	if (WANT("paymentConfirmTime"))
		put_time(j, "paymentConfirmTime", o->paid);
	if (WANT("modified"))
		put_time(j, "modified", o->modified);
	if (WANT("open_id_buyer"))
		fake_put_str(j, "open_id_buyer", shop.buyer[o->buyer].id);
	if (WANT("xid_buyer"))
		fake_put_str(j, "xid_buyer", "xid-masked");
	if (WANT("consigneeInfo")) {
		struct json_object *c = json_object_new_object();

		fake_put_str(c, "fullname", "张**");
		fake_put_str(c, "mobile", "138****0000");
		fake_put_str(c, "fullAddress", "北京市****");
		json_object_object_add(j, "consigneeInfo", c);
	}
	if (WANT("itemInfoList")) {
		struct json_object *items = json_object_new_array();

		for (int k = 0; k < o->nlines; k++)
			json_object_array_add(items, item_json(o, k));
		json_object_object_add(j, "itemInfoList", items);
	}
#undef WANT
	return j;
}

/* ---- checks -------------------------------------------------------------------------------------- */

/* The system parameters; 1 when r holds the error answer. */
static int system_check(struct fake_request *rq, struct fake_reply *r)
{
	const char *key = fake_param(rq, "app_key"), *ts = fake_param(rq, "timestamp");
	const char *sign = fake_param(rq, "sign"), *method = fake_param(rq, "method");
	int64_t t = ts ? fake_parse_cn_time(ts) : -1;

	if (!key || strcmp(key, cred.app_key) != 0)
		return reply_error(r, "11", "无效app_key", "Invalid app_key"), 1;
	if (t < 0 || llabs((long long)(t - (int64_t)time(NULL))) > 360)
		return reply_error(r, "9", "时间戳错误", "Invalid timestamp"), 1;
	if (!fake_signed(rq, API_SIGN_MD5_WRAPPED, cred.app_secret, sign))
		return reply_error(r, "12", "无效签名", "Invalid signature"), 1;
	if (!fake_tokens_valid(&tokens, fake_param(rq, "access_token")))
		return reply_error(r, "19", "无效access_token", "Invalid access_token"), 1;
	if (!method || strcmp(method, LIST_METHOD) != 0)
		return reply_error(r, "15", "不存在的方法名", "Invalid method"), 1;
	return 0;
}

static long num_field(struct json_object *p, const char *k, long def)
{
	return (long)fake_jint(p, k, def);
}

/*
 * Whether o's state is among the states asked (",A,B,"). A bad order's unknown state is
 * answered whatever was asked (a state JD added after the client was written).
 */
static int state_asked(const struct shop_order *o, const char *states)
{
	char key[64];

	if (o->bad == 1)
		return 1;
	snprintf(key, sizeof(key), ",%s,", state_of(o));
	return strstr(states, key) != NULL;
}

/* ---- calls ------------------------------------------------------------------------------------------ */

static void handle_list(struct fake_request *rq, struct fake_reply *r)
{
	struct json_object *p = json_tokener_parse(fake_param(rq, "360buy_param_json") ?
						   fake_param(rq, "360buy_param_json") : "");
	const char *sd = fake_jstr(p, "start_date"), *ed = fake_jstr(p, "end_date");
	const char *states = fake_jstr(p, "order_state"), *fields = fake_jstr(p, "optional_fields");
	long page = num_field(p, "page", 1), page_size = num_field(p, "page_size", 20);
	int by_created = num_field(p, "dateType", 0) == 1, desc = num_field(p, "sortType", 0) == 1;
	char st[512], f[1024];
	struct shop_order **hit;
	int64_t from, to;
	int n = 0;

	from = sd ? fake_parse_cn_time(sd) : -1;
	to = ed ? fake_parse_cn_time(ed) : -1;
	if (!p || from < 0 || to < from || !states || !fields) {
		json_object_put(p);
		RET(reply_result(r, 0, NULL, "参数错误: start_date, end_date, order_state, "
					     "optional_fields"));
	}
	if (to - from > 31 * FAKE_DAY || page < 1 || page_size < 1 || page_size > 100) {
		json_object_put(p);
		RET(reply_result(r, 0, NULL, "查询时间跨度不能超过一个月; page_size 1..100"));
	}
	fake_shop_note_list(&stats, from, to, page_size);
	snprintf(st, sizeof(st), ",%s,", states);
	snprintf(f, sizeof(f), ",%s,", fields);
	asked_fields = f;
	json_object_put(p);
	if (by_created) {
		/* the created-time search: select all, keep those created in range */
		int all = fake_shop_select(&shop, INT64_MIN, INT64_MAX, desc, &hit);

		for (int i = 0; i < all; i++)
			if (hit[i]->created >= from && hit[i]->created <= to && state_asked(hit[i], st))
				hit[n++] = hit[i];
	} else {
		int all = fake_shop_select(&shop, from, to, desc, &hit);

		for (int i = 0; i < all; i++)
			if (state_asked(hit[i], st))
				hit[n++] = hit[i];
	}
	reply_result(r, n, fake_shop_page(hit, n, page, page_size, order_json), NULL);
	free(hit);
}

static void handle_token(struct fake_request *rq, struct fake_reply *r)
{
	const char *key = fake_param(rq, "app_key"), *secret = fake_param(rq, "app_secret");
	const char *grant = fake_param(rq, "grant_type"), *refresh = fake_param(rq, "refresh_token");
	struct json_object *o = json_object_new_object();
	char tok[136];

	stats.token_calls++;
	if (!key || !secret || !grant || !refresh || strcmp(key, cred.app_key) ||
	    strcmp(secret, cred.app_secret) || strcmp(grant, "refresh_token") ||
	    strcmp(refresh, cred.refresh_token)) {
		json_object_object_add(o, "code", json_object_new_int(1008));
		fake_put_str(o, "msg", "app_key, app_secret or refresh_token is invalid");
		fake_reply_json(r, o);
		r->status = 400;
		r->content_type = "application/json;charset=UTF-8";
		return;
	}
	fake_tokens_issue(&tokens, cred.access_token, "jd-token", cred.token_ttl,
			  fake_rand(&shop.rng), tok, sizeof(tok));
	json_object_object_add(o, "code", json_object_new_int(0));
	fake_put_str(o, "access_token", tok);
	json_object_object_add(o, "expires_in", json_object_new_int64(cred.token_ttl));
	fake_put_str(o, "refresh_token", cred.refresh_token);
	fake_put_str(o, "scope", "snsapi_base");
	fake_put_str(o, "uid", "jd-uid-1");
	json_object_object_add(o, "time", json_object_new_int64((int64_t)time(NULL) * 1000));
	fake_put_str(o, "token_type", "Bearer");
	fake_reply_json(r, o);
}

static int fault_fire(const struct fake_fault *f, const char *path, struct fake_reply *r)
{
	char code[24];

	(void)path;
	if (f->kind == FAKE_FAULT_TOKEN) {
		fake_tokens_expire(&tokens);
		return 0;
	}
	snprintf(code, sizeof(code), "%ld", f->value);
	reply_error(r, code, "fault: 服务繁忙", "fault: service busy");
	return 1;
}

static void handle_admin(struct fake_request *rq, const char *what, struct fake_reply *r)
{
	fake_shop_admin(&shop, &stats, &tokens, &server, rq, what, r);
}

static void handle(struct fake_request *rq, struct fake_reply *r)
{
	stats.calls++;
	if (!strcmp(rq->url, TOKEN_PATH)) {
		if (fake_fault_apply(&server, "token", 1, r))
			return;
		RET(handle_token(rq, r));
	}
	if (strcmp(rq->url, ROUTER) != 0)
		RET(fake_reply_text(r, 404, "not found"));
	if (fake_fault_apply(&server, LIST_METHOD, 0, r) || system_check(rq, r))
		return;
	handle_list(rq, r);
}

/* ---- main ---------------------------------------------------------------------------------------------- */

static struct fake_server server = {
	.name = "fake_jd",
	.handle = handle,
	.admin_handle = handle_admin,
	.code_key = "jd",
	.fault_fire = fault_fire,
	.cut_json = "{\"jingdong_pop_order_enSearch_responce\":{\"code\":\"0\","
		    "\"searchorderinfo_result\":{\"orderTotal\":3,\"orderInfoList\":[{\"orderId",
};

int main(int argc, char **argv)
{
	return fake_shop_main(&server, &shop, &ids, &cred, &tokens, argc, argv);
}
