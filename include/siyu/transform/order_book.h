/*
 * order_book.h — what an export's rows need from the rest of their file.
 *
 * A back-office export is not a list of complete lines: JD, PDD and the
 * WeChat shop repeat the order's payment on each of its rows, Taobao gives
 * its lines (宝贝报表) and its orders (订单报表) as two files, and most exports
 * number no line within its order. So an export is read in passes:
 *
 *   order_book_add_order   (Taobao) every row of the 订单报表: the order's
 *                          status, times, buyer, shop and amounts
 *   order_book_note        every good line, first pass: lines, weights and
 *                          statuses per order
 *   order_book_complete    every line again, second pass, in the same order:
 *                          its number in the order, its share of the order's
 *                          payment and refund, the order's status, and the
 *                          订单报表's fields
 *   order_book_each_orphan the 订单报表 orders no line named
 *
 * Shares are exact: the k-th line of an order whose goods were paid P over
 * weights w gets floor(P·W_k/W) − floor(P·W_{k−1}/W) (W_k the weights of
 * lines 1..k), so the lines add up to P to the fen, a line never gets more
 * than its weight's share rounded up, and a refund R ≤ P shared the same way
 * over the lines' paid amounts never exceeds a line's paid amount.
 *
 * Memory: one entry per order (its number, a few sums; the 订单报表's text
 * fields for Taobao), about 150 bytes, never a row.
 *
 * Pure: no I/O.
 */
#ifndef SIYU_TRANSFORM_ORDER_BOOK_H
#define SIYU_TRANSFORM_ORDER_BOOK_H

#include "siyu/transform/order_line.h"
#include "siyu/transform/order_profile.h"

struct order_book;

/* An empty book for profile p's files (borrowed). NULL when out of memory. */
struct order_book *order_book_new(const struct order_profile *p);

/* Free; NULL is fine. */
void order_book_free(struct order_book *b);

/*
 * Remember the order-level fields of one row of a two-file export's order
 * file (parsed with orders_file set; borrowed). Returns 0, 1 when the order
 * is already in the book (a repeated row: the caller rejects it, naming
 * *first_line, the row that came first), or -1 out of memory.
 */
int order_book_add_order(struct order_book *b, const struct order_line *o, long src_line,
			 long *first_line);

/*
 * Remember that the order file's row src_line of order order_no was rejected,
 * so that its lines are rejected naming it rather than as missing. 0 / -1
 * out of memory (a row of an order already in the book changes nothing).
 */
int order_book_add_rejected(struct order_book *b, struct span order_no, long src_line);

/* First pass: count the good line l (borrowed) in its order. 0, or -1 out of memory. */
int order_book_note(struct order_book *b, const struct order_line *l);

/*
 * Second pass: complete the line l, noted before, in place (text it gains
 * borrows from the book until the next call). Returns 0, or -1 with why
 * filled when the line cannot load: its order is not in the order file or
 * its row there was rejected, the shop is unknown or differs, the export is older than the order, the
 * order's payment is less than its shipping or its refund more than its
 * payment.
 */
int order_book_complete(struct order_book *b, struct order_line *l, char *why, size_t whylen);

/*
 * Call fn for each order of the order file that no line completed, in no
 * particular order. fn returns 0 to go on, -1 to stop (returned).
 */
int order_book_each_orphan(struct order_book *b,
			   int (*fn)(void *arg, const char *order_no, long src_line), void *arg);

/* Orders in the book. */
size_t order_book_orders(const struct order_book *b);

#endif /* SIYU_TRANSFORM_ORDER_BOOK_H */
