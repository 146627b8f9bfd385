/*
 * fake_youzan.c — a fake Youzan (有赞云) open API for tests and the demo (libmicrohttpd).
 *
 *   fake_youzan [--port N] [--port-file FILE] [--seed N] [--orders N] [--history-days N]
 *               [--bad-orders N] [--client-id ID] [--client-secret S] [--kdt-id ID]
 *               [--token-ttl SECS] [--end TIME] [--fault SPEC]... [--verbose]
 *   fake_youzan --port N --admin PATH     (a client for the admin endpoints below)
 *
 * Serves, on 127.0.0.1, a shop generated from the seed with Youzan's real shapes. Its
 * orders are updated within --history-days before --end ("YYYY-MM-DD HH:MM:SS" China
 * time; default an hour before the fake started): with --end the shop is the same at
 * every start (the demo), without it only the times move with the clock.
 *
 *   POST /auth/token   JSON {client_id, client_secret, authorize_type:"silent",
 *                      grant_id:<kdt_id>, refresh}; anything else (GET, not JSON, a
 *                      missing field) is a parameter error, wrong credentials another
 *                      {"success":false,…}; answers {"success":true,"code":200,"data":
 *                      {"access_token","expires" (epoch ms),"scope","authority_id"}}
 *   POST /api/youzan.trades.sold.get/4.0.4?access_token=T   JSON body: start_update /
 *                      end_update ("YYYY-MM-DD HH:MM:SS" China time, both inclusive; an
 *                      unpaired bound is ignored), page_no 1..100, page_size 1..100
 *                      (default 20); a span over 92 days, page_no > 100 or page_size > 100
 *                      is a business error (success:false). Sorted by update_time, tid.
 *                      Answers {"success":true,"code":200,"message":"successful","data":
 *                      {"total_results","full_order_info_list":[{"full_order_info":{
 *                      order_info, pay_info, buyer_info, orders[]}}]}}: money as yuan
 *                      strings, missing times "", phones plain, ciphertext or absent.
 *                      A missing, unknown or expired (--token-ttl, default 7 days) token
 *                      answers HTTP 200 {"gw_err_resp":{"err_code":4201|4203|4202,…}}.
 *
 * Admin endpoints (no token):
 *   POST /__admin/fault?SPEC      add a fault rule (tests/fakes/lib/fake_server.h: http,
 *        slow_ms, truncate, invalid_json, token_invalid — every token forgotten, the call
 *        then gets gw_err_resp 4203 —, at, count, path ("auth" = the token call), clear),
 *        and Youzan's own:
 *        gw=CODE              answer {"gw_err_resp":{"err_code":CODE,…}}
 *        biz=CODE             answer {"success":false,"code":CODE,…}
 *   POST /__admin/mutate?step=N   change the shop (deterministic per seed and step): about
 *        a tenth of the orders move on (paid, shipped, completed, closed, refunded in part
 *        or in full) with update_time = now − 10 min, and a few new orders arrive. Answers
 *        {"updated":U,"changed":C,"added":A}: U new versions, C of them with a canonical
 *        state the warehouse must change to (the others' content stays as loaded).
 *   GET  /__admin/expect[?format=kv]  the truth the warehouse must hold: orders, lines,
 *        items, gross_fen, paid_fen, refund_fen, qualifying, status_<canonical> counts,
 *        bad_orders (served but invalid), buyers, plain_phones
 *   GET  /__admin/stats[?format=kv]   token_calls, trades_calls, faults_fired and, over the
 *        trades calls since the last /__admin/stats?clear=1, min_start / max_end (unix)
 */
#include "lib/fake_server.h"
#include "lib/fake_shop.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY FAKE_DAY
#define CN_OFFSET FAKE_CN_OFFSET
#define MAX_LINES 4
#define TRADES "/api/youzan.trades.sold.get/4.0.4"
#define RET(call) do { call; return; } while (0)

enum status { S_WAIT_PAY, S_WAIT_SEND, S_WAIT_CONFIRM, S_SUCCESS, S_CLOSED };
static const char *const status_code[] = { "WAIT_BUYER_PAY", "WAIT_SELLER_SEND_GOODS",
					   "WAIT_BUYER_CONFIRM_GOODS", "TRADE_SUCCESS",
					   "TRADE_CLOSED" };
static const char *const status_str[] = { "待付款", "待发货", "已发货", "交易成功", "交易关闭" };

struct yline {
	char oid[24];
	long item_id, sku_id;
	char outer_sku[24];
	const char *title;
	int num;
	long price, pay; /* fen */
};

struct yorder {
	char tid[40];
	enum status st;
	int64_t created, updated, paid, consign, success; /* 0 = none */
	int refund_state;
	int buyer;
	long post; /* fen */
	int nlines;
	struct yline l[MAX_LINES];
	int bad; /* 1 unknown status, 2 bad money: served, must be rejected */
};

struct buyer {
	char yz_open_id[40], outer_user_id[40], phone[40];
	int phone_kind; /* 0 none, 1 plain, 2 ciphertext */
};

static struct {
	struct yorder *o;
	int n, cap;
	struct buyer *b;
	int nb;
	uint64_t seed;
	int history_days;
	int64_t end; /* generated times end here */
	long serial;
} shop;

static struct {
	char client_id[64], client_secret[128], kdt_id[32];
	long token_ttl;
} opt = { "test-client", "test-secret", "12345678", 7 * 86400 };

enum youzan_fault { F_GW, F_BIZ };

static struct fake_server server;

static struct {
	char v[16][64];
	int64_t expires_ms[16];
	int n;
	long issued, token_calls, trades_calls;
	int64_t min_start, max_end;
} tokens;

/* ---- random ------------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	return fake_rand(&rng_state);
}

static int rndn(int n)
{
	return fake_randn(&rng_state, n);
}

/* ---- times -------------------------------------------------------------------------- */

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


/* ---- the shop ----------------------------------------------------------------------- */

static const char *const titles[] = { "猫粮 2kg", "狗粮 5kg", "冻干鸡肉 100g", "猫砂 6L",
				      "逗猫棒", "宠物湿巾 80抽", "牛肉罐头 170g", "营养膏 120g" };

static struct yorder *new_order(void)
{
	struct yorder *o;

	if (shop.n == shop.cap) {
		shop.cap = shop.cap ? 2 * shop.cap : 256;
		shop.o = realloc(shop.o, (size_t)shop.cap * sizeof(*shop.o));
		if (!shop.o)
			abort();
	}
	o = &shop.o[shop.n++];
	memset(o, 0, sizeof(*o));
	return o;
}

static void make_lines(struct yorder *o)
{
	o->nlines = 1 + (rndn(10) < 3 ? 1 + rndn(MAX_LINES - 1) : 0);
	for (int i = 0; i < o->nlines; i++) {
		struct yline *l = &o->l[i];
		int t = rndn(8);
		long total;

		snprintf(l->oid, sizeof(l->oid), "30%09d%02d", (int)(shop.serial % 1000000000), i);
		l->item_id = 412000 + t;
		l->sku_id = rndn(3) ? 0 : 9000 + t * 10 + rndn(3);
		if (rndn(4))
			snprintf(l->outer_sku, sizeof(l->outer_sku), "SKU-%02d", t);
		l->title = titles[t];
		l->num = 1 + rndn(3);
		l->price = 100 + rndn(30000);
		total = l->price * l->num;
		l->pay = total - (rndn(3) == 0 ? rndn((int)(total / 10) + 1) : 0);
	}
}

/* Set status and times from created on; t_max bounds the update time. */
static void make_state(struct yorder *o, int64_t t_max)
{
	int r = rndn(100);
	int64_t t = o->created;

	o->paid = o->consign = o->success = 0;
	o->refund_state = 0;
	if (r < 10) {
		o->st = S_WAIT_PAY;
	} else if (r < 18) {
		o->st = S_CLOSED; /* closed before payment */
		t += 1800;
	} else {
		o->paid = t += 5 + rndn(600);
		if (r < 35) {
			o->st = S_WAIT_SEND;
			if (r >= 32)
				o->refund_state = 11; /* asked for a full refund */
		} else if (r < 50) {
			o->st = S_WAIT_CONFIRM;
			o->consign = t += 3600 + rndn(86400);
		} else if (r < 58) {
			o->st = S_CLOSED; /* paid, then refunded in full */
			o->refund_state = 12;
			t += 3600 + rndn(86400);
		} else {
			o->st = S_SUCCESS;
			o->consign = t += 3600 + rndn(86400);
			o->success = t += 86400 + rndn(5 * 86400);
			if (r >= 90)
				o->refund_state = r >= 96 ? 12 : 2;
		}
	}
	o->updated = t + rndn(600);
	if (o->updated > t_max)
		o->updated = t_max;
	if (o->success > o->updated)
		o->success = o->updated;
	if (o->consign > o->updated)
		o->consign = o->updated;
	if (o->paid > o->updated)
		o->paid = o->updated;
}

static void make_order(int64_t created, int64_t t_max)
{
	struct yorder *o = new_order();
	char stamp[16];
	time_t tt;
	struct tm tm;

	shop.serial++;
	o->created = created;
	tt = (time_t)(created + CN_OFFSET);
	gmtime_r(&tt, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	snprintf(o->tid, sizeof(o->tid), "E%.14s%09d", stamp, (int)(shop.serial % 1000000000));
	o->buyer = rndn(shop.nb);
	o->post = rndn(3) == 0 ? 0 : rndn(2) ? 800 : 1000;
	make_lines(o);
	make_state(o, t_max);
}

static void generate(int norders, int nbad)
{
	int64_t from = shop.end - (int64_t)shop.history_days * DAY;

	rng_state = shop.seed * 0x2545f4914f6cdd1dULL + 1;
	shop.nb = norders / 3 + 1;
	shop.b = calloc((size_t)shop.nb, sizeof(*shop.b));
	if (!shop.b)
		abort();
	for (int i = 0; i < shop.nb; i++) {
		struct buyer *b = &shop.b[i];

		snprintf(b->yz_open_id, sizeof(b->yz_open_id), "lDWyZBas%08" PRIx64, rnd() & 0xffffffff);
		snprintf(b->outer_user_id, sizeof(b->outer_user_id), "oY0DB6%012" PRIx64,
			 (uint64_t)(rnd() & 0xffffffffffffULL));
		b->phone_kind = rndn(10) < 3 ? 1 : rndn(10) < 4 ? 2 : 0;
		if (b->phone_kind == 1)
			snprintf(b->phone, sizeof(b->phone), "1%d%09d", 3 + rndn(7), rndn(1000000000));
		else if (b->phone_kind == 2)
			snprintf(b->phone, sizeof(b->phone), "$eTS8%08" PRIx64 "==$1$",
				 rnd() & 0xffffffff);
	}
	for (int i = 0; i < norders; i++)
		make_order(from + rndn((int)(shop.end - from - 7 * DAY > 0 ? shop.end - from - 7 * DAY
									     : 1)),
			   shop.end);
	for (int i = 0; i < nbad && i < shop.n; i++)
		shop.o[(i * 7 + 3) % shop.n].bad = 1 + i % 2;
}

/* ---- truth -------------------------------------------------------------------------- */

/* The canonical status the warehouse must show (docs/youzan.md). */
static const char *canonical(const struct yorder *o)
{
	if (o->refund_state == 12)
		return "refunded";
	if (o->refund_state == 1 || o->refund_state == 11)
		return "refunding";
	switch (o->st) {
	case S_WAIT_PAY: return "unpaid";
	case S_WAIT_SEND: return "paid";
	case S_WAIT_CONFIRM: return "shipped";
	case S_SUCCESS: return "completed";
	case S_CLOSED: return o->paid ? "refunded" : "cancelled";
	}
	return "?";
}

static void add_kv(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static struct json_object *truth(void)
{
	struct shop_tally t = { 0 };
	char *seen = calloc((size_t)shop.nb, 1);
	int64_t phones = 0;
	struct json_object *j;

	for (int i = 0; i < shop.n; i++) {
		const struct yorder *o = &shop.o[i];
		const char *c = canonical(o);

		if (o->bad) {
			t.bad++;
			continue;
		}
		for (int k = 0; k < o->nlines; k++)
			shop_tally_line(&t, o->l[k].num, o->l[k].price, o->l[k].pay,
					!strcmp(c, "refunded"));
		shop_tally_order(&t, c, o->post, o->paid != 0);
		if (seen && !seen[o->buyer]) {
			seen[o->buyer] = 1;
			t.buyers++;
			phones += shop.b[o->buyer].phone_kind == 1;
		}
	}
	free(seen);
	j = shop_tally_json(&t);
	add_kv(j, "plain_phones", phones);
	return j;
}

/* ---- mutations ---------------------------------------------------------------------- */

static void mutate(int step, struct json_object *done)
{
	int64_t now = (int64_t)time(NULL), t = now - 600;
	int updated = 0, changed = 0, added = 0, n = shop.n;

	/*
	 * A change is a new version: two mutations within one second would otherwise
	 * give an order a second state under the same update_time, which a versioned
	 * merge rightly ignores (and a test would flake).
	 */
	for (int i = 0; i < n; i++)
		if (shop.o[i].updated >= t)
			t = shop.o[i].updated + 1;

	rng_state = shop.seed * 1000003ULL + (uint64_t)step * 7919ULL;
	for (int i = 0; i < n; i++) {
		struct yorder *o = &shop.o[i];
		const char *before = canonical(o);

		if (o->bad || rndn(10) != 0)
			continue;
		switch (o->st) {
		case S_WAIT_PAY:
			if (rndn(2)) {
				o->st = S_WAIT_SEND;
				o->paid = t - 60;
			} else {
				o->st = S_CLOSED;
			}
			break;
		case S_WAIT_SEND:
			o->st = S_WAIT_CONFIRM;
			o->consign = t - 60;
			break;
		case S_WAIT_CONFIRM:
			o->st = S_SUCCESS;
			o->success = t - 60;
			break;
		case S_SUCCESS:
			o->refund_state = o->refund_state == 0 ? 2 : 12;
			break;
		case S_CLOSED:
			continue; /* final */
		}
		o->updated = t;
		updated++;
		/* a partial refund (refund_state 2) is a new version the warehouse holds alike */
		changed += strcmp(before, canonical(o)) != 0;
	}
	for (int i = 0; i < 3 + step; i++) {
		make_order(t - 3600 + rndn(3000), t);
		shop.o[shop.n - 1].updated = t;
		added++;
	}
	add_kv(done, "updated", updated);
	add_kv(done, "changed", changed);
	add_kv(done, "added", added);
}

/* ---- JSON of an order ----------------------------------------------------------------- */

static void put_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void put_time(struct json_object *o, const char *k, int64_t t)
{
	char s[32];

	fake_cn_text(t, s, sizeof(s));
	put_str(o, k, s);
}

static void put_yuan(struct json_object *o, const char *k, long fen)
{
	char s[32];

	snprintf(s, sizeof(s), "%ld.%02ld", fen / 100, fen % 100);
	put_str(o, k, s);
}

static struct json_object *order_json(const struct yorder *o)
{
	struct json_object *full = json_object_new_object(), *info = json_object_new_object();
	struct json_object *pay = json_object_new_object(), *buyer = json_object_new_object();
	struct json_object *lines = json_object_new_array(), *wrap = json_object_new_object();
	const struct buyer *b = &shop.b[o->buyer];
	long total = 0, payment = o->post;

	put_str(info, "tid", o->tid);
	put_str(info, "status", o->bad == 1 ? "TRADE_WEIRD" : status_code[o->st]);
	put_str(info, "status_str", status_str[o->st]);
	json_object_object_add(info, "type", json_object_new_int(0));
	put_time(info, "created", o->created);
	put_time(info, "update_time", o->updated);
	put_time(info, "pay_time", o->paid);
	put_time(info, "consign_time", o->consign);
	put_time(info, "confirm_time", o->success);
	put_time(info, "success_time", o->success);
	put_time(info, "expired_time", o->st == S_WAIT_PAY ? o->created + 1800 : 0);
	json_object_object_add(info, "refund_state", json_object_new_int(o->refund_state));
	json_object_object_add(info, "close_type",
			       json_object_new_int(o->st == S_CLOSED ? (o->paid ? 2 : 1) : 0));
	put_str(info, "pay_type_str", o->paid ? "WEIXIN_DAIXIAO" : "");
	put_str(info, "shop_name", "有赞测试小店");
	for (int k = 0; k < o->nlines; k++) {
		const struct yline *l = &o->l[k];
		struct json_object *it = json_object_new_object();

		put_str(it, "oid", l->oid);
		json_object_object_add(it, "item_id", json_object_new_int64(l->item_id));
		json_object_object_add(it, "sku_id", json_object_new_int64(l->sku_id));
		put_str(it, "outer_item_id", "");
		put_str(it, "outer_sku_id", l->outer_sku);
		put_str(it, "title", l->title);
		put_str(it, "sku_properties_name", "");
		json_object_object_add(it, "num", json_object_new_int(l->num));
		if (o->bad == 2 && k == 0)
			put_str(it, "price", "12.345");
		else
			put_yuan(it, "price", l->price);
		put_yuan(it, "total_fee", l->price * l->num);
		put_yuan(it, "payment", l->pay);
		json_object_object_add(it, "is_present", json_object_new_boolean(0));
		json_object_array_add(lines, it);
		total += l->price * l->num;
		payment += l->pay;
	}
	put_yuan(pay, "total_fee", total);
	put_yuan(pay, "post_fee", o->post);
	put_yuan(pay, "payment", payment);
	json_object_object_add(pay, "transaction", json_object_new_array());
	put_str(buyer, "yz_open_id", b->yz_open_id);
	put_str(buyer, "outer_user_id", b->outer_user_id);
	json_object_object_add(buyer, "fans_type", json_object_new_int(1));
	put_str(buyer, "buyer_phone", b->phone);
	json_object_object_add(full, "order_info", info);
	json_object_object_add(full, "pay_info", pay);
	json_object_object_add(full, "buyer_info", buyer);
	json_object_object_add(full, "orders", lines);
	json_object_object_add(wrap, "full_order_info", full);
	return wrap;
}
/* ---- replies ---------------------------------------------------------------------------- */

static void reply_biz(struct fake_reply *r, int code, const char *msg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "success", json_object_new_boolean(0));
	json_object_object_add(o, "code", json_object_new_int(code));
	put_str(o, "message", msg);
	fake_reply_json(r, o);
}

static void reply_gw(struct fake_reply *r, int code, const char *msg)
{
	struct json_object *o = json_object_new_object(), *e = json_object_new_object();

	json_object_object_add(e, "err_code", json_object_new_int(code));
	put_str(e, "err_msg", msg);
	json_object_object_add(o, "gw_err_resp", e);
	fake_reply_json(r, o);
}

/* ---- endpoints ------------------------------------------------------------------------ */

static void handle_token(struct fake_request *rq, struct fake_reply *r)
{
	struct json_object *req = NULL, *o, *d;
	const char *id, *secret, *grant, *type;
	int64_t now_ms = wall_ms();
	int slot;

	tokens.token_calls++;
	if (strcmp(rq->method, "POST") != 0 || !(req = json_tokener_parse(buf_str(&rq->body))) ||
	    !json_object_is_type(req, json_type_object)) {
		json_object_put(req);
		RET(reply_biz(r, 40010, "参数错误: POST a JSON body"));
	}
	id = fake_jstr(req, "client_id");
	secret = fake_jstr(req, "client_secret");
	grant = fake_jstr(req, "grant_id");
	type = fake_jstr(req, "authorize_type");
	if (!id || !secret || !grant || !type || strcmp(type, "silent") != 0) {
		json_object_put(req);
		RET(reply_biz(r, 40010, "参数错误"));
	}
	if (strcmp(id, opt.client_id) || strcmp(secret, opt.client_secret) ||
	    strcmp(grant, opt.kdt_id)) {
		json_object_put(req);
		RET(reply_biz(r, 40001, "client_id, client_secret or grant_id is wrong"));
	}
	json_object_put(req);
	slot = tokens.n < 16 ? tokens.n++ : (int)(tokens.issued % 16);
	snprintf(tokens.v[slot], sizeof(tokens.v[slot]), "yz-tok-%ld-%08" PRIx64, ++tokens.issued,
		 (uint64_t)rand());
	tokens.expires_ms[slot] = now_ms + opt.token_ttl * 1000;
	o = json_object_new_object();
	d = json_object_new_object();
	put_str(d, "access_token", tokens.v[slot]);
	json_object_object_add(d, "expires", json_object_new_int64(now_ms + opt.token_ttl * 1000));
	put_str(d, "scope", "trade");
	put_str(d, "authority_id", opt.kdt_id);
	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "code", json_object_new_int(200));
	json_object_object_add(o, "data", d);
	fake_reply_json(r, o);
}

/* 0 valid, 4203 unknown, 4202 expired. */
static int token_check(const char *tok)
{
	for (int i = 0; tok && i < tokens.n; i++)
		if (!strcmp(tokens.v[i], tok))
			return wall_ms() < tokens.expires_ms[i] ? 0 : 4202;
	return 4203;
}

static int by_update(const void *a, const void *b)
{
	const struct yorder *x = *(struct yorder *const *)a, *y = *(struct yorder *const *)b;

	if (x->updated != y->updated)
		return x->updated < y->updated ? -1 : 1;
	return strcmp(x->tid, y->tid);
}

static void handle_trades(struct fake_request *rq, struct fake_reply *r)
{
	struct json_object *req = json_tokener_parse(buf_str(&rq->body)), *o, *d, *list;
	const char *su, *eu;
	int64_t from = INT64_MIN, to = INT64_MAX;
	long page_no, page_size;
	struct yorder **hit;
	int nhit = 0;

	if (!req || !json_object_is_type(req, json_type_object)) {
		json_object_put(req);
		RET(reply_biz(r, 40010, "参数错误: the body must be JSON"));
	}
	su = fake_jstr(req, "start_update");
	eu = fake_jstr(req, "end_update");
	page_no = (long)fake_jint(req, "page_no", 1);
	page_size = (long)fake_jint(req, "page_size", 20);
	if (su && eu) { /* an unpaired bound is ignored, as the real API does */
		from = fake_parse_cn_time(su);
		to = fake_parse_cn_time(eu);
		if (from < 0 || to < 0) {
			json_object_put(req);
			RET(reply_biz(r, 101500101, "start_update/end_update 格式错误"));
		}
		if (to - from > 92 * DAY) {
			json_object_put(req);
			RET(reply_biz(r, 101500102, "时间跨度不能超过3个月"));
		}
		if (from < tokens.min_start || !tokens.min_start)
			tokens.min_start = from;
		if (to > tokens.max_end)
			tokens.max_end = to;
	}
	json_object_put(req);
	if (page_no < 1 || page_no > 100)
		RET(reply_biz(r, 101500103, "page_no 必须在 1-100 之间"));
	if (page_size < 1 || page_size > 100)
		RET(reply_biz(r, 101500104, "page_size 不能超过 100"));
	hit = fake_must(malloc(((size_t)shop.n + 1) * sizeof(*hit)));
	for (int i = 0; i < shop.n; i++)
		if (shop.o[i].updated >= from && shop.o[i].updated <= to)
			hit[nhit++] = &shop.o[i];
	qsort(hit, (size_t)nhit, sizeof(*hit), by_update);
	list = json_object_new_array();
	for (long i = (page_no - 1) * page_size; i < nhit && i < page_no * page_size; i++)
		json_object_array_add(list, order_json(hit[i]));
	free(hit);
	o = json_object_new_object();
	d = json_object_new_object();
	json_object_object_add(d, "total_results", json_object_new_int(nhit));
	json_object_object_add(d, "full_order_info_list", list);
	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "code", json_object_new_int(200));
	put_str(o, "message", "successful");
	json_object_object_add(o, "data", d);
	fake_reply_json(r, o);
}

/* ---- faults: Youzan's error shapes ------------------------------------------------------- */

static int fault_key(struct fake_fault *f, const char *key, const char *value)
{
	if (!strcmp(key, "gw"))
		f->custom = F_GW;
	else if (!strcmp(key, "biz"))
		f->custom = F_BIZ;
	else
		return !strcmp(key, "clear");
	f->kind = FAKE_FAULT_CUSTOM;
	f->value = atol(value);
	return 1;
}

static int fault_fire(const struct fake_fault *f, const char *path, struct fake_reply *r)
{
	(void)path;
	if (f->kind == FAKE_FAULT_TOKEN) {
		tokens.n = 0;
		return 0;
	}
	if (f->custom == F_GW)
		reply_gw(r, (int)f->value, "fault");
	else
		reply_biz(r, (int)f->value, "fault: 系统繁忙");
	return 1;
}

/* ---- dispatch ------------------------------------------------------------------------- */

static void handle_admin(struct fake_request *rq, const char *what, struct fake_reply *r)
{
	struct json_object *o;

	if (!strcmp(what, "mutate")) {
		const char *s = fake_query(rq, "step");

		o = json_object_new_object();
		mutate(s ? atoi(s) : 1, o);
		RET(fake_reply_admin(rq, r, o));
	}
	if (!strcmp(what, "expect"))
		RET(fake_reply_admin(rq, r, truth()));
	if (!strcmp(what, "stats")) {
		o = json_object_new_object();
		add_kv(o, "token_calls", tokens.token_calls);
		add_kv(o, "tokens_issued", tokens.issued);
		add_kv(o, "trades_calls", tokens.trades_calls);
		add_kv(o, "faults_fired", server.faults_fired);
		add_kv(o, "min_start", tokens.min_start);
		add_kv(o, "max_end", tokens.max_end);
		if (fake_query(rq, "clear")) {
			tokens.trades_calls = tokens.token_calls = 0;
			tokens.min_start = tokens.max_end = 0;
		}
		RET(fake_reply_admin(rq, r, o));
	}
}

static void handle(struct fake_request *rq, struct fake_reply *r)
{
	const char *tok;
	int code;

	if (!strcmp(rq->url, "/auth/token")) {
		if (fake_fault_apply(&server, rq->url, 1, r))
			return;
		RET(handle_token(rq, r));
	}
	if (strcmp(rq->url, TRADES) != 0)
		RET(reply_gw(r, 4004, "api not found"));
	tokens.trades_calls++;
	if (fake_fault_apply(&server, rq->url, 0, r))
		return;
	tok = fake_query(rq, "access_token");
	if (!tok || !*tok)
		RET(reply_gw(r, 4201, "access_token 不存在"));
	if ((code = token_check(tok)) != 0)
		RET(reply_gw(r, code, code == 4202 ? "access_token 已过期" : "invalid access_token"));
	if (strcmp(rq->method, "POST") != 0)
		RET(reply_biz(r, 40010, "参数错误: POST a JSON body"));
	handle_trades(rq, r);
}

/* ---- main ---------------------------------------------------------------------------- */

static struct fake_server server = {
	.name = "fake_youzan",
	.handle = handle,
	.admin_handle = handle_admin,
	.fault_key = fault_key,
	.fault_fire = fault_fire,
	.cut_json = "{\"success\":true,\"code\":200,\"data\":{\"total_results\":3,"
		    "\"full_order_info_list\":[{\"full_order_info\":{\"order_in",
};

static void usage(FILE *out)
{
	fprintf(out, "usage: fake_youzan [--port N] [--port-file FILE] [--seed N] [--orders N]\n"
		     "                   [--history-days N] [--bad-orders N] [--client-id ID]\n"
		     "                   [--client-secret S] [--kdt-id ID] [--token-ttl SECS]\n"
		     "                   [--end \"YYYY-MM-DD HH:MM:SS\"]\n"
		     "                   [--fault SPEC]... [--verbose]\n"
		     "       fake_youzan --port N --admin PATH   (call an admin endpoint of a running\n"
		     "                   fake: fault and mutate are POSTed; prints the answer)\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		FAKE_LONGOPTS,
		FAKE_GEN_LONGOPTS,
		{ "client-id", required_argument, NULL, 'i' },
		{ "client-secret", required_argument, NULL, 'k' },
		{ "kdt-id", required_argument, NULL, 'K' },
		{ "token-ttl", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fake_gen gen = { .seed = 1, .orders = 200, .history_days = 60 };
	int o;

	server.gen = &gen;
	while ((o = fake_getopt(&server, argc, argv, longopts)) != -1) {
		switch (o) {
		case 'i': snprintf(opt.client_id, sizeof(opt.client_id), "%s", optarg); break;
		case 'k': snprintf(opt.client_secret, sizeof(opt.client_secret), "%s", optarg); break;
		case 'K': snprintf(opt.kdt_id, sizeof(opt.kdt_id), "%s", optarg); break;
		case 't': opt.token_ttl = strtol(optarg, NULL, 10); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (server.admin)
		return fake_admin(&server);
	if (fake_gen_check(&server, 8) < 0 || opt.token_ttl < 1) {
		usage(stderr);
		return 2;
	}
	shop.seed = gen.seed;
	shop.history_days = gen.history_days;
	shop.end = gen.end;
	generate((int)gen.orders, (int)gen.bad_orders);
	srand((unsigned)shop.seed);
	return fake_serve(&server);
}
