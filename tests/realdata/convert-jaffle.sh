#!/usr/bin/env bash
# tests/realdata/convert-jaffle.sh — the jaffle_shop seeds to the generic CSV profile
# (docs/import-generic.md). Deterministic, bash + POSIX awk only. See README.md for every choice.
#
#   convert-jaffle.sh [--stats FILE] JAFFLE_DIR >jaffle.csv
#
#   JAFFLE_DIR       holds raw_customers.csv, raw_orders.csv, raw_payments.csv
#   --stats FILE     write key=value counts (customers, orders, payments, cents, statuses)
#
# An order is written as its payments: one line per payment (line_no = its rank by payment
# id within the order, sku = product_title = payment method, quantity 1, unit_price =
# line_paid = amount / 100), so that Σ line_paid = the order's amount = Σ of its payments.
# platform jaffle, shop jaffle_shop, order_no = order id, buyer_id = user_id,
# created = paid = updated = order_date (midnight, local to --timezone). Statuses: placed →
# paid, shipped → shipped, completed → completed, return_pending → refunding (no money back
# yet), returned → refunded with line_refund = line_paid (the warehouse received the
# goods: the whole order is refunded). Customers without orders cannot be written (the
# profile has order lines only); they are counted in the stats.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd -P)

stats=/dev/null
while [ $# -gt 0 ]; do
	case $1 in
	--stats) stats=${2:?--stats needs a file}; shift 2 ;;
	--) shift; break ;;
	-*) echo "convert-jaffle.sh: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: convert-jaffle.sh [--stats FILE] JAFFLE_DIR" >&2; exit 2; }

awk -v PROG=convert-jaffle.sh -v STATS="$stats" -f "$here/csv.awk" -f "$here/jaffle.awk" \
	"$1/raw_customers.csv" "$1/raw_payments.csv" "$1/raw_orders.csv"
