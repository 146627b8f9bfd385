#!/usr/bin/env bash
# tests/realdata/convert-online-retail.sh — UCI Online Retail (online_retail.csv[.gz]) to the
# generic CSV profile (docs/import-generic.md). Deterministic, bash + POSIX awk only.
# See README.md for every choice.
#
#   convert-online-retail.sh [--shift-years N] [--stats FILE] online_retail.csv.gz >retail.csv
#
#   --shift-years N  add N years to every date (default 0). dw.dim_date covers 2015–2035, so
#                    the warehouse needs 11: 2010 and 2011 have the calendars of 2021 and 2022,
#                    including the days Europe/London changes clocks (27 March, 30 October).
#   --stats FILE     write key=value counts (rows, invoices by kind, customers, duplicates, …)
#
# An invoice is an order: platform online_retail, shop uk, order_no = InvoiceNo, line_no =
# rank of the row within its invoice, sku = StockCode, product_title = Description,
# buyer_id = CustomerID (empty: a guest order), created = updated = the earliest
# InvoiceDate of the invoice (UK local clock time; import with --timezone Europe/London).
#   * sales invoices (digits only): status completed, paid_at = created.
#   * C invoices (cancellations, negative quantities): status cancelled, no paid_at,
#     quantity = |Quantity|: an order that was never paid, so no sales KPI counts it (the
#     data does not say which invoice a cancellation reverses, so the original stays sold).
#   * stock write-offs (non-C invoices with negative quantity, price 0, no customer; each is
#     its own invoice) and A invoices (bad-debt adjustments, two with negative prices) are
#     not orders: left out and counted.
#   * unit_price is the source text; line_paid = |Quantity| × UnitPrice computed exactly in
#     1/1000 pound and written with 2 decimals when it is whole pence, else with 3: siyu
#     rejects the 4 lines priced 0.001 ("more than 2 decimals"), which keeps every loaded
#     amount exact to the penny.
#   * exact duplicate rows are kept as lines of their own (line_no differs).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd -P)

shift_years=0
stats=/dev/null
while [ $# -gt 0 ]; do
	case $1 in
	--shift-years) shift_years=${2:?--shift-years needs a number}; shift 2 ;;
	--stats) stats=${2:?--stats needs a file}; shift 2 ;;
	--) shift; break ;;
	-*) echo "convert-online-retail.sh: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: convert-online-retail.sh [--shift-years N] [--stats FILE] online_retail.csv[.gz]" >&2; exit 2; }
case $shift_years in '' | *[!0-9]*) echo "convert-online-retail.sh: --shift-years wants a whole number" >&2; exit 2 ;; esac

input=$1
[ -r "$input" ] || { echo "convert-online-retail.sh: cannot read '$input'" >&2; exit 1; }
cat_input() { case $input in *.gz) gzip -dc -- "$input" ;; *) cat -- "$input" ;; esac; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat_input >"$tmp/online_retail.csv"
awk -v PROG=convert-online-retail.sh -v SHIFT="$shift_years" -v STATS="$stats" \
	-f "$here/csv.awk" -f "$here/online-retail.awk" "$tmp/online_retail.csv" "$tmp/online_retail.csv"
