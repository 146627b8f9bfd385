#!/usr/bin/env bash
# tests/realdata/convert-cdnow.sh — CDNOW_master.txt to the generic CSV profile
# (docs/import-generic.md). Deterministic, bash + POSIX awk only. See README.md for every choice.
#
#   convert-cdnow.sh [--shift-years N] [--stats FILE] CDNOW_master.txt >cdnow.csv
#
#   --shift-years N  add N years to every date (default 0). dw.dim_date covers 2015–2035, so
#                    the warehouse needs 28: 1997 and 1998 have the calendars of 2025 and 2026.
#   --stats FILE     write key=value counts of the input (rows, customers, cds, cents, …)
#
# One input row (a transaction) is one order: platform cdnow, shop cdnow,
# order_no = customer-YYYYMMDD-seq (seq counts the customer's rows of that date, from 1;
# the date is the original one), status completed, created = paid = updated = the date
# (midnight, local to --timezone), buyer_id = the 5-digit customer id. The n CDs of value
# V cents become at most two lines of sku CD whose quantities add up to n and whose
# quantity × unit_price add up to V exactly: r = V mod n CDs at ⌊V/n⌋ + 1 cents, n − r CDs
# at ⌊V/n⌋ cents. Rows worth 0.00 are kept (an order paid 0).
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
	-*) echo "convert-cdnow.sh: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: convert-cdnow.sh [--shift-years N] [--stats FILE] CDNOW_master.txt" >&2; exit 2; }
case $shift_years in '' | *[!0-9]*) echo "convert-cdnow.sh: --shift-years wants a whole number" >&2; exit 2 ;; esac

awk -v PROG=convert-cdnow.sh -v SHIFT="$shift_years" -v STATS="$stats" \
	-f "$here/csv.awk" -f "$here/cdnow.awk" "$1"
