/*
 * fake_shop.c — the generated shop of the platform fakes (see fake_shop.h).
 */
#include "fake_shop.h"

#include "fake_server.h"
#include "siyu/extract/api_sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const titles[] = { "保温杯 500ml", "抽纸 24包", "猫粮 2kg", "洗衣液 3kg",
				      "牙刷 4支装", "咖啡豆 454g", "蓝牙耳机", "毛巾 2条" };

static int rndn(struct fake_shop *s, int n)
{
	return fake_randn(&s->rng, n);
}

static struct shop_order *new_order(struct fake_shop *s)
{
	struct shop_order *o;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->o = fake_must(realloc(s->o, (size_t)s->cap * sizeof(*s->o)));
	}
	o = &s->o[s->n++];
	memset(o, 0, sizeof(*o));
	return o;
}

/* Line k's refund moves to r (every line's, when the platform refunds per order). */
static void set_refund(struct fake_shop *s, struct shop_order *o, int k, enum shop_refund r)
{
	for (int i = 0; i < o->nlines; i++)
		if (i == k || s->ids->order_refunds)
			o->l[i].refund = r;
}

static void make_lines(struct fake_shop *s, struct shop_order *o)
{
	int max = s->ids->max_lines > 0 ? s->ids->max_lines : SHOP_MAX_LINES;

	o->nlines = 1 + (max > 1 && rndn(s, 10) < 3 ? 1 + rndn(s, max - 1) : 0);
	for (int k = 0; k < o->nlines; k++) {
		struct shop_line *l = &o->l[k];
		int t = rndn(s, 8);
		int64_t total;

		s->ids->line_id(l->id, sizeof(l->id), o->id, s->serial, k);
		l->item_id = 3600000001LL + t;
		l->sku_id = 1740000001LL + t * 10 + rndn(s, 3);
		if (rndn(s, 4))
			snprintf(l->outer_sku, sizeof(l->outer_sku), "SKU-%02d", t);
		l->title = titles[t];
		l->num = 1 + rndn(s, 3);
		l->price = 100 + rndn(s, 30000);
		total = l->price * l->num;
		l->pay = total - (rndn(s, 3) == 0 ? rndn(s, (int)(total / 10) + 1) : 0);
	}
}

/* Status, times and refunds from created on; t_max bounds every time. */
static void make_state(struct fake_shop *s, struct shop_order *o, int64_t t_max)
{
	int r = rndn(s, 100);
	int64_t t = o->created;

	o->paid = o->shipped = o->finished = 0;
	if (r < 8 && !s->ids->no_unpaid) {
		o->st = SHOP_UNPAID;
	} else if (r < 15) {
		o->st = SHOP_CANCELLED;
		o->finished = t += 1800;
	} else {
		o->paid = t += 5 + rndn(s, 600);
		if (r < 35) {
			o->st = SHOP_PAID;
			if (r >= 32)
				set_refund(s, o, 0, SHOP_REFUND_ACTIVE);
		} else if (r < 50) {
			o->st = SHOP_SHIPPED;
			o->shipped = t += 3600 + rndn(s, 86400);
		} else if (r < 57) {
			o->st = SHOP_REFUNDED;
			o->finished = t += 3600 + rndn(s, 86400);
			for (int k = 0; k < o->nlines; k++)
				o->l[k].refund = SHOP_REFUND_DONE;
		} else {
			o->st = SHOP_COMPLETED;
			o->shipped = t += 3600 + rndn(s, 86400);
			o->finished = t += 86400 + rndn(s, 5 * 86400);
			if (r >= 90)
				set_refund(s, o, o->nlines - 1,
					   r >= 95 ? SHOP_REFUND_DONE : SHOP_REFUND_ACTIVE);
		}
	}
	o->modified = t + rndn(s, 600);
	if (o->modified > t_max)
		o->modified = t_max;
	if (o->finished > o->modified)
		o->finished = o->modified;
	if (o->shipped > o->modified)
		o->shipped = o->modified;
	if (o->paid > o->modified)
		o->paid = o->modified;
}

static void make_order(struct fake_shop *s, int64_t created, int64_t t_max)
{
	struct shop_order *o = new_order(s);

	s->serial++;
	o->created = created;
	s->ids->order_id(o->id, sizeof(o->id), s->serial, created);
	o->buyer = rndn(s, s->nbuyers);
	o->post = rndn(s, 3) == 0 ? 0 : rndn(s, 2) ? 800 : 1000;
	make_lines(s, o);
	make_state(s, o, t_max);
}

void fake_shop_generate(struct fake_shop *s, const struct fake_gen *g,
			const struct shop_ids *ids)
{
	int norders = (int)g->orders, nbad = (int)g->bad_orders;
	int64_t from, span;

	s->seed = g->seed;
	s->history_days = g->history_days;
	s->end = g->end;
	s->ids = ids;
	from = s->end - (int64_t)s->history_days * FAKE_DAY;
	span = s->end - from - FAKE_DAY > 0 ? s->end - from - FAKE_DAY : 1;
	s->rng = s->seed * 0x2545f4914f6cdd1dULL + 7;
	s->nbuyers = norders / 3 + 1;
	s->buyer = fake_must(calloc((size_t)s->nbuyers, sizeof(*s->buyer)));
	for (int i = 0; i < s->nbuyers; i++) {
		struct shop_buyer *b = &s->buyer[i];

		s->ids->buyer_id(b->id, sizeof(b->id), fake_rand(&s->rng));
		if (s->ids->unionids && rndn(s, 2))
			snprintf(b->unionid, sizeof(b->unionid), "oU7x%016llx",
				 (unsigned long long)fake_rand(&s->rng));
	}
	for (int i = 0; i < norders; i++)
		make_order(s, from + rndn(s, (int)(span < 0x7fffffff ? span : 0x7fffffff)), s->end);
	for (int i = 0; i < nbad && i < s->n; i++)
		s->o[(i * 7 + 3) % s->n].bad = 1 + i % 2;
}

/* ---- truth ----------------------------------------------------------------------------- */

int fake_shop_line_refunded(const struct shop_order *o, int k)
{
	return o->st == SHOP_REFUNDED || o->l[k].refund == SHOP_REFUND_DONE;
}

const char *fake_shop_canonical(const struct shop_order *o)
{
	int done = 0, active = 0;

	for (int k = 0; k < o->nlines; k++) {
		done += o->l[k].refund == SHOP_REFUND_DONE;
		active += o->l[k].refund == SHOP_REFUND_ACTIVE;
	}
	switch (o->st) {
	case SHOP_UNPAID: return "unpaid";
	case SHOP_CANCELLED: return "cancelled";
	case SHOP_REFUNDED: return "refunded";
	default: break;
	}
	if (done == o->nlines)
		return "refunded";
	if (active)
		return "refunding";
	return o->st == SHOP_PAID ? "paid" : o->st == SHOP_SHIPPED ? "shipped" : "completed";
}

static void add_kv(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static const char *const status_names[7] = { "unpaid",    "paid",      "shipped", "completed",
					     "cancelled", "refunding", "refunded" };

void shop_tally_line(struct shop_tally *t, int64_t num, int64_t price, int64_t pay,
		     int refunded)
{
	t->lines++;
	t->items += num;
	t->gross += price * num;
	t->order_paid += pay;
	if (refunded)
		t->order_refund += pay;
}

/* The order's paid and refunded fen are its lines' (from shop_tally_line) plus post. */
void shop_tally_order(struct shop_tally *t, const char *canonical, int64_t post, int paid)
{
	int64_t opay = t->order_paid + post, orefund = t->order_refund;

	t->orders++;
	t->paid += opay;
	t->refund += orefund;
	for (int k = 0; k < 7; k++)
		t->by_status[k] += !strcmp(canonical, status_names[k]);
	/* the warehouse's is_qualifying (etl.merge_orders) */
	if (paid && strcmp(canonical, "cancelled") && strcmp(canonical, "refunded") &&
	    !(orefund > 0 && orefund >= opay))
		t->qualifying++;
	t->order_paid = t->order_refund = 0;
}

struct json_object *shop_tally_json(const struct shop_tally *t)
{
	struct json_object *j = json_object_new_object();

	add_kv(j, "orders", t->orders);
	add_kv(j, "lines", t->lines);
	add_kv(j, "items", t->items);
	add_kv(j, "gross_fen", t->gross);
	add_kv(j, "paid_fen", t->paid);
	add_kv(j, "refund_fen", t->refund);
	add_kv(j, "qualifying", t->qualifying);
	for (int k = 0; k < 7; k++) {
		char key[32];

		snprintf(key, sizeof(key), "status_%s", status_names[k]);
		add_kv(j, key, t->by_status[k]);
	}
	add_kv(j, "bad_orders", t->bad);
	add_kv(j, "buyers", t->buyers);
	return j;
}

struct json_object *fake_shop_truth(const struct fake_shop *s)
{
	struct shop_tally t = { 0 };
	char *seen = fake_must(calloc((size_t)s->nbuyers + 1, 1));

	for (int i = 0; i < s->n; i++) {
		const struct shop_order *o = &s->o[i];

		if (o->bad) {
			t.bad++;
			continue;
		}
		for (int k = 0; k < o->nlines; k++)
			shop_tally_line(&t, o->l[k].num, o->l[k].price, o->l[k].pay,
					fake_shop_line_refunded(o, k));
		shop_tally_order(&t, fake_shop_canonical(o), o->post, o->paid != 0);
		if (!s->ids->no_buyer_id && !seen[o->buyer]) {
			seen[o->buyer] = 1;
			t.buyers++;
		}
	}
	free(seen);
	return shop_tally_json(&t);
}

/* ---- changes ----------------------------------------------------------------------------- */

/* Move o one step on; 0 when it has nowhere to go (final). */
static int move_on(struct fake_shop *s, struct shop_order *o, int64_t t)
{
	struct shop_line *last = &o->l[o->nlines - 1];

	switch (o->st) {
	case SHOP_UNPAID:
		if (rndn(s, 3)) {
			o->st = SHOP_PAID;
			o->paid = t - 60;
		} else {
			o->st = SHOP_CANCELLED;
			o->finished = t - 60;
		}
		return 1;
	case SHOP_PAID:
		if (o->l[0].refund == SHOP_REFUND_ACTIVE) { /* the refund is granted in full */
			o->st = SHOP_REFUNDED;
			o->finished = t - 60;
			for (int k = 0; k < o->nlines; k++)
				o->l[k].refund = SHOP_REFUND_DONE;
		} else if (rndn(s, 4)) {
			o->st = SHOP_SHIPPED;
			o->shipped = t - 60;
		} else {
			set_refund(s, o, 0, SHOP_REFUND_ACTIVE); /* the buyer asks for a refund */
		}
		return 1;
	case SHOP_SHIPPED:
		o->st = SHOP_COMPLETED;
		o->finished = t - 60;
		return 1;
	case SHOP_COMPLETED:
		if (last->refund == SHOP_REFUND_DONE)
			return 0;
		set_refund(s, o, o->nlines - 1, last->refund == SHOP_REFUND_NONE ? SHOP_REFUND_ACTIVE
										  : SHOP_REFUND_DONE);
		return 1;
	case SHOP_CANCELLED:
	case SHOP_REFUNDED:
		break;
	}
	return 0;
}

void fake_shop_mutate(struct fake_shop *s, int step, struct json_object *done)
{
	int64_t t = (int64_t)time(NULL) - 600;
	int updated = 0, added = 0, n = s->n;

	/*
	 * A change is a new version: give it a modified time after every earlier one, or
	 * a versioned merge would rightly keep the older state (and a test would flake).
	 * Late updates come 20 minutes "before" the others, still after every earlier one.
	 */
	for (int i = 0; i < n; i++)
		if (s->o[i].modified + 1200 >= t)
			t = s->o[i].modified + 1200 + 1;
	s->rng = s->seed * 1000003ULL + (uint64_t)step * 7919ULL;
	for (int i = 0; i < n; i++) {
		struct shop_order *o = &s->o[i];

		if (o->bad || rndn(s, 10) != 0 || !move_on(s, o, t))
			continue;
		o->modified = rndn(s, 5) == 0 ? t - 1200 : t;
		updated++;
	}
	for (int i = 0; i < 3 + step; i++) {
		make_order(s, t - 3600 + rndn(s, 3000), t);
		s->o[s->n - 1].modified = t;
		added++;
	}
	json_object_object_add(done, "updated", json_object_new_int(updated));
	json_object_object_add(done, "added", json_object_new_int(added));
}

/* ---- queries ------------------------------------------------------------------------------ */

static int by_modified(const void *a, const void *b)
{
	const struct shop_order *x = *(struct shop_order *const *)a;
	const struct shop_order *y = *(struct shop_order *const *)b;

	if (x->modified != y->modified)
		return x->modified < y->modified ? -1 : 1;
	return strcmp(x->id, y->id);
}

int fake_shop_select(const struct fake_shop *s, int64_t from, int64_t to, int desc,
		     struct shop_order ***out)
{
	struct shop_order **hit = fake_must(malloc(((size_t)s->n + 1) * sizeof(*hit)));
	int n = 0;

	for (int i = 0; i < s->n; i++)
		if (s->o[i].modified >= from && s->o[i].modified <= to)
			hit[n++] = &s->o[i];
	qsort(hit, (size_t)n, sizeof(*hit), by_modified);
	for (int i = 0; desc && i < n / 2; i++) {
		struct shop_order *x = hit[i];

		hit[i] = hit[n - 1 - i];
		hit[n - 1 - i] = x;
	}
	*out = hit;
	return n;
}

/* ---- what every platform fake serving a shop keeps ------------------------------------------ */

void fake_shop_note_list(struct shop_stats *st, int64_t from, int64_t to, long page_size)
{
	st->list_calls++;
	if (!st->min_start || from < st->min_start)
		st->min_start = from;
	if (to > st->max_end)
		st->max_end = to;
	if (to - from > st->max_span)
		st->max_span = to - from;
	if (page_size > st->max_page_size)
		st->max_page_size = page_size;
}

void fake_tokens_issue(struct shop_tokens *t, const char *first, const char *prefix, long ttl,
		       uint64_t r, char *out, size_t n)
{
	int slot = t->n < SHOP_MAX_TOKENS ? t->n++ : (int)(t->issued % SHOP_MAX_TOKENS);

	if (t->issued++ == 0)
		snprintf(t->v[slot], sizeof(t->v[slot]), "%s", first);
	else
		snprintf(t->v[slot], sizeof(t->v[slot]), "%s-%ld-%08x", prefix, t->issued,
			 (unsigned)r);
	t->expires[slot] = (int64_t)time(NULL) + ttl;
	snprintf(out, n, "%s", t->v[slot]);
}

int fake_tokens_valid(const struct shop_tokens *t, const char *tok)
{
	for (int i = 0; tok && i < t->n; i++)
		if (!strcmp(t->v[i], tok))
			return time(NULL) < t->expires[i];
	return 0;
}

void fake_tokens_expire(struct shop_tokens *t)
{
	for (int i = 0; i < t->n; i++)
		t->expires[i] = 0;
}

int fake_signed(const struct fake_request *rq, int scheme, const char *secret, const char *sign)
{
	struct api_param p[FAKE_MAX_PARAMS];
	char want[API_SIGN_MAX];

	for (int i = 0; i < rq->nparams; i++)
		p[i] = (struct api_param){ rq->param[i].key, rq->param[i].value };
	return sign && api_sign((enum api_sign_scheme)scheme, p, (size_t)rq->nparams, secret,
				want) == 0 && strcmp(want, sign) == 0;
}

static void add_stat(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

void fake_shop_admin(struct fake_shop *s, struct shop_stats *st, struct shop_tokens *tk,
		     const struct fake_server *srv, struct fake_request *rq, const char *what,
		     struct fake_reply *r)
{
	struct json_object *o;

	if (!strcmp(what, "mutate")) {
		const char *step = fake_query(rq, "step");

		o = json_object_new_object();
		fake_shop_mutate(s, step ? atoi(step) : 1, o);
		fake_reply_admin(rq, r, o);
	} else if (!strcmp(what, "expect")) {
		fake_reply_admin(rq, r, fake_shop_truth(s));
	} else if (!strcmp(what, "stats")) {
		o = json_object_new_object();
		add_stat(o, "calls", st->calls);
		add_stat(o, "list_calls", st->list_calls);
		add_stat(o, "token_calls", st->token_calls);
		add_stat(o, "tokens_issued", tk->issued);
		add_stat(o, "faults_fired", srv->faults_fired);
		add_stat(o, "rejected", st->rejected);
		add_stat(o, "min_start", st->min_start);
		add_stat(o, "max_end", st->max_end);
		add_stat(o, "max_span", st->max_span);
		add_stat(o, "max_page_size", st->max_page_size);
		if (fake_query(rq, "clear"))
			memset(st, 0, sizeof(*st));
		fake_reply_admin(rq, r, o);
	}
}

struct json_object *fake_shop_page(struct shop_order **hit, int n, long page, long page_size,
				   struct json_object *(*fn)(const struct shop_order *o))
{
	struct json_object *list = json_object_new_array();

	for (long i = (page - 1) * page_size; i < n && i < page * page_size; i++)
		json_object_array_add(list, fn(hit[i]));
	return list;
}

static void shop_usage(FILE *out, const char *name)
{
	fprintf(out, "usage: %s [--port N] [--port-file FILE] [--seed N] [--orders N]\n"
		     "       [--history-days N] [--bad-orders N] [--end \"YYYY-MM-DD HH:MM:SS\"]\n"
		     "       [--app-key K] [--app-secret S] [--access-token T] [--refresh-token R]\n"
		     "       [--shop-id ID] [--token-ttl SECS] [--fault SPEC]... [--verbose]\n"
		     "   or: %s --port N --admin PATH   (call an admin endpoint of a running fake)\n",
		name, name);
}

int fake_shop_main(struct fake_server *srv, struct fake_shop *shop, const struct shop_ids *ids,
		   struct shop_creds *c, struct shop_tokens *tk, int argc, char **argv)
{
	static const struct option longopts[] = {
		FAKE_LONGOPTS,
		FAKE_GEN_LONGOPTS,
		{ "app-key", required_argument, NULL, 'k' },
		{ "app-secret", required_argument, NULL, 'S' },
		{ "access-token", required_argument, NULL, 't' },
		{ "refresh-token", required_argument, NULL, 'R' },
		{ "shop-id", required_argument, NULL, 'i' },
		{ "token-ttl", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct fake_gen gen = { .seed = 1, .orders = 200, .history_days = 60 };
	char first[136];
	int o;

	srv->gen = &gen;
	while ((o = fake_getopt(srv, argc, argv, longopts)) != -1) {
		switch (o) {
		case 'k': snprintf(c->app_key, sizeof(c->app_key), "%s", optarg); break;
		case 'S': snprintf(c->app_secret, sizeof(c->app_secret), "%s", optarg); break;
		case 't': snprintf(c->access_token, sizeof(c->access_token), "%s", optarg); break;
		case 'R': snprintf(c->refresh_token, sizeof(c->refresh_token), "%s", optarg); break;
		case 'i': snprintf(c->shop_id, sizeof(c->shop_id), "%s", optarg); break;
		case 'T': c->token_ttl = strtol(optarg, NULL, 10); break;
		case 'h': shop_usage(stdout, srv->name); return 0;
		default: shop_usage(stderr, srv->name); return 2;
		}
	}
	if (srv->admin)
		return fake_admin(srv);
	if (fake_gen_check(srv, 2) < 0 || c->token_ttl < 1) {
		shop_usage(stderr, srv->name);
		return 2;
	}
	fake_shop_generate(shop, &gen, ids);
	if (c->issue_first)
		fake_tokens_issue(tk, c->access_token, c->token_prefix, c->token_ttl, 0, first,
				  sizeof(first));
	return fake_serve(srv);
}
