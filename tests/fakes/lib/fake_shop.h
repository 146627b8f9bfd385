/*
 * fake_shop.h — the generated shop that the platform fakes (fake_taobao, fake_jd,
 * fake_pdd, fake_douyin, fake_channels) serve, each in its own API's shapes.
 *
 * One model for all: orders with up to four lines, a lifecycle state, per-line refunds,
 * times, a buyer and shipping; generated from a seed over --history-days before --end;
 * changed between calls by fake_shop_mutate (status moves, refunds in part and in full,
 * late updates, new orders); and the truth the warehouse must then hold, in the
 * warehouse's own terms (fake_shop_truth: orders, lines, fen totals, canonical status
 * counts, qualifying orders, buyers), so that every platform's test compares the
 * warehouse with the fake's own figures the same way. How a platform writes an order
 * (codes, money, times, wrappers) is the fake's; what the order is, is this module's.
 */
#ifndef SIYU_TESTS_FAKE_SHOP_H
#define SIYU_TESTS_FAKE_SHOP_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#define SHOP_MAX_LINES 4

/* Where an order is in its life (the platform maps it to its own codes). */
enum shop_state {
	SHOP_UNPAID,     /* created, not paid */
	SHOP_CANCELLED,  /* closed before payment */
	SHOP_PAID,       /* paid, not shipped */
	SHOP_SHIPPED,
	SHOP_COMPLETED,
	SHOP_REFUNDED    /* closed after a full refund */
};

/* A line's after-sale. */
enum shop_refund { SHOP_REFUND_NONE, SHOP_REFUND_ACTIVE, SHOP_REFUND_DONE };

struct shop_line {
	char id[32];              /* the platform's line / sub-order id */
	int64_t item_id, sku_id;
	char outer_sku[24];       /* "" = none */
	const char *title;
	int num;
	int64_t price, pay;       /* fen: unit price; what the buyer paid for the line */
	enum shop_refund refund;
};

struct shop_order {
	char id[40];              /* the platform's order number (text) */
	enum shop_state st;
	int64_t created, paid, shipped, finished, modified; /* unix s; 0 = not yet */
	int buyer;                /* index into fake_shop.buyer */
	int64_t post;             /* shipping, fen */
	int nlines;
	struct shop_line l[SHOP_MAX_LINES];
	int bad;                  /* 0; 1 an unknown status, 2 a malformed amount: served, the
				     warehouse must reject it */
};

struct shop_buyer {
	char id[48];              /* the platform's buyer id (open uid, open id, ...) */
	char unionid[40];         /* "" = none (Channels) */
};

/* What the platform's orders can be: its id formats (called while generating,
 * deterministic per seed) and what it cannot show. */
struct shop_ids {
	void (*order_id)(char *out, size_t n, uint64_t serial, int64_t created);
	void (*line_id)(char *out, size_t n, const char *order_id, uint64_t serial, int k);
	void (*buyer_id)(char *out, size_t n, uint64_t r);
	int unionids;             /* give about half the buyers a unionid */
	int max_lines;            /* 0 = SHOP_MAX_LINES (PDD: one goods per order) */
	int no_unpaid;            /* the API does not show unpaid orders: none are made */
	int order_refunds;        /* refunds are per order (JD, PDD): all lines together */
	int no_buyer_id;          /* the orders carry no buyer id (PDD): truth's buyers is 0 */
};

struct fake_shop {
	struct shop_order *o;
	int n, cap;
	struct shop_buyer *buyer;
	int nbuyers;
	uint64_t seed, rng, serial;
	int history_days;
	int64_t end;              /* generated times end here */
	const struct shop_ids *ids;
};

struct fake_gen;

/*
 * Generate g's orders (g->bad_orders of them bad) updated within g->history_days before
 * g->end, with the platform's ids (borrowed); the same shop for the same seed.
 */
void fake_shop_generate(struct fake_shop *s, const struct fake_gen *g,
			const struct shop_ids *ids);

/*
 * Change the shop (deterministic per seed and step): about a tenth of the good orders
 * move on (paid, shipped, completed, cancelled; a line refund asked, granted; a full
 * refund), a few of them as late updates (modified 20 minutes before the others), and
 * 3 + step new orders arrive. Every change gets a modified time after every earlier
 * one, at most now − 10 min. Fills done with "updated" and "added".
 */
void fake_shop_mutate(struct fake_shop *s, int step, struct json_object *done);

/* The canonical status the warehouse must show ("unpaid", "paid", …, "refunded"). */
const char *fake_shop_canonical(const struct shop_order *o);

/* Whether line k of o counts as refunded (its own refund done, or the whole order). */
int fake_shop_line_refunded(const struct shop_order *o, int k);

/*
 * The truth: orders, lines, items, gross_fen, paid_fen (lines + shipping), refund_fen,
 * qualifying, status_<canonical>, bad_orders, buyers (distinct buyer ids among the
 * good orders) — the keys tests/integration/lib-shop.sh reads from the warehouse.
 */
struct json_object *fake_shop_truth(const struct fake_shop *s);

/*
 * The same truth for a fake with its own order model (fake_youzan predates this
 * harness): a tally fed order by order, each good order's lines first
 * (shop_tally_line), then the order (shop_tally_order); a bad order only counts
 * (bad_orders). shop_tally_json gives the keys above; buyers is the caller's count.
 */
struct shop_tally {
	int64_t orders, lines, items, gross, paid, refund, qualifying, bad, buyers;
	int64_t by_status[7];
	int64_t order_paid, order_refund; /* of the order being tallied */
};

void shop_tally_line(struct shop_tally *t, int64_t num, int64_t price, int64_t pay,
		     int refunded);
void shop_tally_order(struct shop_tally *t, const char *canonical, int64_t post, int paid);
struct json_object *shop_tally_json(const struct shop_tally *t);

/*
 * The orders whose modified time is in [from, to] into *out (malloc'd, the caller
 * frees), oldest first or, with desc, newest first (ties by id, the same way); their
 * number.
 */
int fake_shop_select(const struct fake_shop *s, int64_t from, int64_t to, int desc,
		     struct shop_order ***out);

/* ---- what every platform fake serving a shop keeps --------------------------------------- */

/* Calls seen, and over the list calls since /__admin/stats?clear=1 what was asked. */
struct shop_stats {
	long calls, list_calls, token_calls, rejected;
	int64_t min_start, max_end, max_span;
	long max_page_size;
};

/* Note a list call asking [from, to] with page_size. */
void fake_shop_note_list(struct shop_stats *st, int64_t from, int64_t to, long page_size);

#define SHOP_MAX_TOKENS 16

/* The access tokens a fake issued (the newest SHOP_MAX_TOKENS). */
struct shop_tokens {
	char v[SHOP_MAX_TOKENS][136];
	int64_t expires[SHOP_MAX_TOKENS];
	int n;
	long issued;
};

/*
 * Issue a token living ttl seconds: first (the one the tests configure) the first time,
 * then prefix-<n>-<random>. Copied to out.
 */
void fake_tokens_issue(struct shop_tokens *t, const char *first, const char *prefix, long ttl,
		       uint64_t r, char *out, size_t n);

/* 1 when tok was issued and has not expired. */
int fake_tokens_valid(const struct shop_tokens *t, const char *tok);

/* Every token expires now (the token_invalid fault). */
void fake_tokens_expire(struct shop_tokens *t);

struct fake_server;
struct fake_request;
struct fake_reply;

/*
 * Whether sign is the signature of every parameter of rq but sign under scheme (an
 * enum api_sign_scheme) and secret: extract/api_sign.c, checked against the platforms'
 * published vectors by tests/unit/test_api_sign.c.
 */
int fake_signed(const struct fake_request *rq, int scheme, const char *secret, const char *sign);

/*
 * The admin endpoints of a shop fake: mutate?step=N, expect, stats[?clear=1] (calls,
 * list_calls, token_calls, tokens_issued, faults_fired, rejected, min_start, max_end,
 * max_span, max_page_size).
 */
void fake_shop_admin(struct fake_shop *s, struct shop_stats *st, struct shop_tokens *tk,
		     const struct fake_server *srv, struct fake_request *rq, const char *what,
		     struct fake_reply *r);

/* What a shop fake checks: its app's credentials and the tokens it hands out. */
struct shop_creds {
	char app_key[64];              /* --app-key: app_key, client_id or appid */
	char app_secret[128];          /* --app-secret */
	char access_token[128];        /* --access-token: the token issued first */
	char refresh_token[128];       /* --refresh-token */
	char shop_id[32];              /* --shop-id */
	long token_ttl;                /* --token-ttl: seconds a token lives */
	int issue_first;               /* the first token is valid from the start (it is
					  configured, not fetched, by the client) */
	const char *token_prefix;      /* the later tokens' prefix */
};

/*
 * The main of a shop fake: the common options, the generator's and the credentials'
 * (--app-key, --app-secret, --access-token, --refresh-token, --shop-id, --token-ttl);
 * the admin client with --admin; else generate the shop, issue the first token when
 * c->issue_first, and serve. The exit code.
 */
int fake_shop_main(struct fake_server *srv, struct fake_shop *shop, const struct shop_ids *ids,
		   struct shop_creds *c, struct shop_tokens *tk, int argc, char **argv);

/* The orders of hit[0..n) on page (from 1) of page_size into a new JSON array, each by fn. */
struct json_object *fake_shop_page(struct shop_order **hit, int n, long page, long page_size,
				   struct json_object *(*fn)(const struct shop_order *o));

#endif /* SIYU_TESTS_FAKE_SHOP_H */
