/*
 * order_book.c — per-order facts of an export, gathered over passes
 * (see include/siyu/transform/order_book.h).
 *
 * An open-addressing table of orders keyed by order number (FNV-1a); the
 * 订单报表 fields of a Taobao order hang off its entry.
 */
#include "siyu/transform/order_book.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

/* The 订单报表 row of a Taobao order. */
struct book_head {
	long src_line;
	int rejected;               /* the row was rejected: only src_line is set */
	enum order_status status;
	struct ltime created, paid;
	int has_paid;
	int64_t order_paid_fen, shipping_fen, refund_fen;
	char *buyer_id, *shop_id, *shop_name;
	int has_phone;
	char phone_hash[65];
	char phone_masked[16];
};

struct book_order {
	uint64_t hash;
	char *order_no;             /* NULL: an empty slot */
	struct book_head *head;     /* two-file exports */
	int lines;                  /* first pass: good lines */
	int64_t weight_sum, gross_sum;
	int64_t line_paid_sum;      /* the rows' own paid amounts, when they have them */
	unsigned open_ranks;        /* bit per status rank of the lines not closed */
	int any_refunding, any_refunded;
	int done;                   /* second pass: lines completed */
	int64_t weight_done, paid_done;
};

struct order_book {
	const struct order_profile *profile;
	struct book_order *slots;
	size_t nslots;              /* power of two */
	size_t used;
	char ordinal[24];           /* the text of the last line number handed out */
};

static uint64_t hash_text(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct order_book *order_book_new(const struct order_profile *p)
{
	struct order_book *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->profile = p;
	b->nslots = 1024;
	b->slots = calloc(b->nslots, sizeof(*b->slots));
	if (!b->slots) {
		free(b);
		return NULL;
	}
	return b;
}

static void free_head(struct book_head *h)
{
	if (!h)
		return;
	free(h->buyer_id);
	free(h->shop_id);
	free(h->shop_name);
	free(h);
}

void order_book_free(struct order_book *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nslots; i++) {
		free(b->slots[i].order_no);
		free_head(b->slots[i].head);
	}
	free(b->slots);
	free(b);
}

size_t order_book_orders(const struct order_book *b)
{
	return b->used;
}

static struct book_order *probe(struct book_order *slots, size_t nslots, uint64_t h,
				const char *no, size_t n)
{
	size_t i = (size_t)h & (nslots - 1);

	while (slots[i].order_no &&
	       !(slots[i].hash == h && strlen(slots[i].order_no) == n &&
		 memcmp(slots[i].order_no, no, n) == 0))
		i = (i + 1) & (nslots - 1);
	return &slots[i];
}

static int grow(struct order_book *b)
{
	size_t n = b->nslots * 2;
	struct book_order *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < b->nslots; i++) {
		struct book_order *e = &b->slots[i];

		if (e->order_no)
			*probe(slots, n, e->hash, e->order_no, strlen(e->order_no)) = *e;
	}
	free(b->slots);
	b->slots = slots;
	b->nslots = n;
	return 0;
}

/* The entry of order number no; created when create is set. NULL: absent, or out of memory. */
static struct book_order *lookup(struct order_book *b, struct span no, int create)
{
	uint64_t h = hash_text(no.p, no.n);
	struct book_order *e = probe(b->slots, b->nslots, h, no.p, no.n);

	if (e->order_no || !create)
		return e->order_no ? e : NULL;
	if ((b->used + 1) * 4 > b->nslots * 3) {
		if (grow(b) < 0)
			return NULL;
		e = probe(b->slots, b->nslots, h, no.p, no.n);
	}
	if (!(e->order_no = strndup(no.p, no.n)))
		return NULL;
	e->hash = h;
	b->used++;
	return e;
}

/* A NUL-terminated copy of s, NULL for an empty one; *failed set when out of memory. */
static char *copy_span(struct span s, int *failed)
{
	char *c;

	if (s.n == 0)
		return NULL;
	if (!(c = strndup(s.p, s.n)))
		*failed = 1;
	return c;
}

static struct span span_of(const char *s)
{
	return s ? (struct span){ s, strlen(s) } : (struct span){ "", 0 };
}

int order_book_add_order(struct order_book *b, const struct order_line *o, long src_line,
			 long *first_line)
{
	struct book_order *e = lookup(b, o->order_no, 1);
	struct book_head *h;
	int failed = 0;

	if (!e)
		return -1;
	if (e->head) {
		*first_line = e->head->src_line;
		return 1;
	}
	if (!(h = calloc(1, sizeof(*h))))
		return -1;
	h->src_line = src_line;
	h->status = o->status;
	h->created = o->created;
	h->paid = o->paid;
	h->has_paid = o->has_paid;
	h->order_paid_fen = o->order_paid_fen;
	h->shipping_fen = o->shipping_fen;
	h->refund_fen = o->order_refund_fen;
	h->buyer_id = copy_span(o->buyer_id, &failed);
	h->shop_id = copy_span(o->shop_id, &failed);
	h->shop_name = copy_span(o->shop_name, &failed);
	h->has_phone = o->has_phone;
	memcpy(h->phone_hash, o->phone_hash, sizeof(h->phone_hash));
	memcpy(h->phone_masked, o->phone_masked, sizeof(h->phone_masked));
	e->head = h;
	return failed ? -1 : 0;
}

int order_book_add_rejected(struct order_book *b, struct span order_no, long src_line)
{
	struct book_order *e = lookup(b, order_no, 1);

	if (!e)
		return -1;
	if (e->head)
		return 0;
	if (!(e->head = calloc(1, sizeof(*e->head))))
		return -1;
	e->head->src_line = src_line;
	e->head->rejected = 1;
	return 0;
}

/* Rank of an open status, for the order's status over its lines. */
static int open_rank(enum order_status st)
{
	switch (st) {
	case ORDER_UNPAID: return 0;
	case ORDER_PAID: return 1;
	case ORDER_SHIPPED: return 2;
	case ORDER_COMPLETED: return 3;
	default: return -1;
	}
}

int order_book_note(struct order_book *b, const struct order_line *l)
{
	struct book_order *e = lookup(b, l->order_no, 1);
	int rank = open_rank(l->status);

	if (!e)
		return -1;
	e->lines++;
	e->weight_sum += l->weight_fen;
	e->gross_sum += l->gross_fen;
	e->line_paid_sum += l->has_line_paid ? l->paid_fen : 0;
	if (rank >= 0)
		e->open_ranks |= 1u << rank;
	e->any_refunding |= l->status == ORDER_REFUNDING;
	e->any_refunded |= l->status == ORDER_REFUNDED;
	return 0;
}

/*
 * The order's status over its lines (Douyin gives one per sub-order): a
 * refund under way wins; else the least advanced open line, where a paid
 * line beside a shipped one makes the order partly shipped; closed lines
 * count only when all are: refunded if any was, else cancelled.
 */
static enum order_status order_status_of(const struct book_order *e)
{
	static const enum order_status by_rank[] = {
		ORDER_UNPAID, ORDER_PAID, ORDER_SHIPPED, ORDER_COMPLETED,
	};
	int rank;

	if (e->any_refunding)
		return ORDER_REFUNDING;
	if (!e->open_ranks)
		return e->any_refunded ? ORDER_REFUNDED : ORDER_CANCELLED;
	for (rank = 0; !(e->open_ranks & (1u << rank)); rank++)
		;
	if (rank == 1 && (e->open_ranks & 0xCu))
		return ORDER_SHIPPED;
	return by_rank[rank];
}

/* floor(total · done / sum) without overflow; 0 when sum is 0. */
static int64_t share_upto(int64_t total, int64_t done, int64_t sum)
{
	if (sum <= 0)
		return 0;
	return (int64_t)((u128)total * (u128)done / (u128)sum);
}

/* The next line's share of total over weights (weight of this line w, sum, done before it). */
static int64_t next_share(int64_t total, int64_t before, int64_t w, int64_t sum)
{
	return share_upto(total, before + w, sum) - share_upto(total, before, sum);
}

/* Take the 订单报表 fields into a line of a two-file export. */
static int take_head(const struct book_head *h, struct order_line *l, char *why, size_t whylen)
{
	struct span shop = span_of(h->shop_id);

	if (shop.n && l->shop_id.n &&
	    (shop.n != l->shop_id.n || memcmp(shop.p, l->shop_id.p, shop.n) != 0)) {
		snprintf(why, whylen, "the 订单报表 names shop \"%s\", not the shop the import was "
			 "given (--shop)", h->shop_id);
		return -1;
	}
	if (shop.n)
		l->shop_id = shop;
	l->shop_name = span_of(h->shop_name);
	l->buyer_id = span_of(h->buyer_id);
	l->status = h->status;
	l->created = h->created;
	l->paid = h->paid;
	l->has_paid = h->has_paid;
	l->order_paid_fen = h->order_paid_fen;
	l->shipping_fen = h->shipping_fen;
	l->order_refund_fen = h->refund_fen;
	l->has_phone = h->has_phone;
	memcpy(l->phone_hash, h->phone_hash, sizeof(l->phone_hash));
	memcpy(l->phone_masked, h->phone_masked, sizeof(l->phone_masked));
	if (!h->has_paid) { /* an unpaid order paid nothing on any line */
		l->paid_fen = l->refund_fen = 0;
		l->has_line_paid = l->has_line_refund = 1;
	}
	return 0;
}

/* The line's paid amount: its own, or its share of the order's goods payment. */
static int share_payment(const struct order_book *b, const struct book_order *e,
			 struct order_line *l, int64_t *goods_paid, char *why, size_t whylen)
{
	int64_t w = e->weight_sum > 0 ? l->weight_fen : 1;
	int64_t sum = e->weight_sum > 0 ? e->weight_sum : e->lines;
	int64_t before = e->weight_sum > 0 ? e->weight_done : e->done;

	*goods_paid = l->order_paid_fen - l->shipping_fen;
	if (l->has_line_paid || b->profile->amounts == AMOUNTS_LINE)
		return 0;
	if (*goods_paid < 0) {
		snprintf(why, whylen, "the order's payment %lld.%02lld is less than its shipping "
			 "%lld.%02lld", (long long)(l->order_paid_fen / 100),
			 (long long)(l->order_paid_fen % 100), (long long)(l->shipping_fen / 100),
			 (long long)(l->shipping_fen % 100));
		return -1;
	}
	l->paid_fen = next_share(*goods_paid, before, w, sum);
	if (b->profile->amounts == AMOUNTS_ORDER && l->has_paid)
		l->discount_fen = e->gross_sum + l->shipping_fen > l->order_paid_fen
					  ? e->gross_sum + l->shipping_fen - l->order_paid_fen
					  : 0;
	return 0;
}

/*
 * The line's refund: its own; a share of the order's (over the lines' paid
 * amounts; a refund of the shipping too stays within the goods, as the lines
 * carry no shipping); or all it paid when the row or the order says refunded.
 */
static int share_refund(const struct book_order *e, struct order_line *l, int64_t goods_paid,
			enum order_status order_status, char *why, size_t whylen)
{
	int64_t base = l->has_line_paid ? e->line_paid_sum : goods_paid;

	if (l->has_line_refund)
		return 0;
	if (l->order_refund_fen > 0) {
		if (l->order_refund_fen > l->order_paid_fen) {
			snprintf(why, whylen, "the order's refund %lld.%02lld exceeds its payment",
				 (long long)(l->order_refund_fen / 100),
				 (long long)(l->order_refund_fen % 100));
			return -1;
		}
		l->refund_fen = next_share(l->order_refund_fen < base ? l->order_refund_fen : base,
					   e->paid_done, l->paid_fen, base);
		return 0;
	}
	if (l->order_refund_fen < 0 && (l->refund_done || order_status == ORDER_REFUNDED))
		l->refund_fen = l->paid_fen;
	return 0;
}

int order_book_complete(struct order_book *b, struct order_line *l, char *why, size_t whylen)
{
	struct book_order *e = lookup(b, l->order_no, 0);
	int two_files = b->profile->orders.cols != NULL;
	enum order_status status;
	int64_t goods_paid;

	if (!e || e->done >= e->lines) {
		snprintf(why, whylen, "internal: line of order %.*s was not noted", (int)l->order_no.n,
			 l->order_no.p);
		return -1;
	}
	if (two_files && !e->head) {
		snprintf(why, whylen, "order %.*s is in the %s but not in the %s given with it",
			 (int)l->order_no.n, l->order_no.p, b->profile->lines.label,
			 b->profile->orders.label);
		return -1;
	}
	if (two_files && e->head->rejected) {
		snprintf(why, whylen, "its order's row %ld in the %s was rejected", e->head->src_line,
			 b->profile->orders.label);
		return -1;
	}
	if (two_files && take_head(e->head, l, why, whylen) < 0)
		return -1;
	if (l->shop_id.n == 0) {
		snprintf(why, whylen, "cannot tell the shop: neither file has a shop column; give "
			 "the shop's id (--shop ID, or shop = ID in the source)");
		return -1;
	}
	if (order_version_value(&l->updated) < order_version_value(&l->created)) {
		snprintf(why, whylen, "the export's time (--as-of) is earlier than the order's "
			 "creation");
		return -1;
	}
	status = two_files ? l->status : order_status_of(e);
	if (share_payment(b, e, l, &goods_paid, why, whylen) < 0 ||
	    share_refund(e, l, goods_paid, status, why, whylen) < 0)
		return -1;
	l->status = status;
	e->done++;
	e->weight_done += e->weight_sum > 0 ? l->weight_fen : 0;
	e->paid_done += l->paid_fen;
	l->line_no = e->done;
	if (l->line_id.n == 0) {
		snprintf(b->ordinal, sizeof(b->ordinal), "%d", e->done);
		l->line_id = span_of(b->ordinal);
	}
	return 0;
}

int order_book_each_orphan(struct order_book *b,
			   int (*fn)(void *arg, const char *order_no, long src_line), void *arg)
{
	for (size_t i = 0; i < b->nslots; i++) {
		struct book_order *e = &b->slots[i];

		if (e->order_no && e->head && !e->head->rejected && e->done == 0 &&
		    fn(arg, e->order_no, e->head->src_line) < 0)
			return -1;
	}
	return 0;
}
