# tests/realdata/jaffle.awk — jaffle_shop seeds to the generic CSV profile; run by
# convert-jaffle.sh (which documents the mapping) after csv.awk, over raw_customers.csv,
# raw_payments.csv and raw_orders.csv in that order. Variables: PROG, STATS (file).

BEGIN {
	# the canonical status of each jaffle_shop status, and whether the payments were refunded
	canon["placed"] = "paid"
	canon["shipped"] = "shipped"
	canon["completed"] = "completed"
	canon["return_pending"] = "refunding"
	canon["returned"] = "refunded"
	print "platform,shop_id,shop_name,order_no,line_no,status,created_at,paid_at,updated_at,buyer_id,sku,product_title,quantity,unit_price,line_paid,line_refund"
}
FNR == 1 {
	file++
	sub(/\r$/, "")
	want = file == 1 ? "id,first_name,last_name" : file == 2 ? "id,order_id,payment_method,amount" : "id,user_id,order_date,status"
	if ($0 != want) die("unexpected header \"" $0 "\" (want \"" want "\")")
	next
}
{ sub(/\r$/, "") }
/^$/ { next }
file == 1 {
	if (csv_split($0, f) != 3 || f[1] !~ /^[0-9]+$/) die("bad customer row")
	if (f[1] in customer) die("customer " f[1] " appears twice")
	customer[f[1]] = 1; customers++
	next
}
file == 2 {
	if (csv_split($0, f) != 4 || f[1] !~ /^[0-9]+$/ || f[2] !~ /^[0-9]+$/ || f[4] !~ /^[0-9]+$/)
		die("bad payment row")
	if (f[1] in pay_seen) die("payment " f[1] " appears twice")
	if (f[3] !~ /^[a-z_]+$/) die("bad payment_method \"" f[3] "\"")
	pay_seen[f[1]] = 1; payments++; payment_cents += f[4]
	if (f[4] == 0) zero_payments++
	# the payments of an order, kept in payment id order (the file is sorted by id; check it)
	if (f[1] + 0 <= last_pay) die("payments are not sorted by id")
	last_pay = f[1] + 0
	k = ++npay[f[2]]
	pay_method[f[2], k] = f[3]; pay_cents[f[2], k] = f[4] + 0
	next
}
{
	if (csv_split($0, f) != 4 || f[1] !~ /^[0-9]+$/ || f[2] !~ /^[0-9]+$/) die("bad order row")
	if (!(f[4] in canon)) die("unknown status \"" f[4] "\"")
	if (f[3] !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/ ||
	    !valid_date(substr(f[3], 1, 4) + 0, substr(f[3], 6, 2) + 0, substr(f[3], 9, 2) + 0))
		die("bad order_date \"" f[3] "\"")
	if (f[1] in order) die("order " f[1] " appears twice")
	if (!(f[2] in customer)) die("order " f[1] " has unknown user_id " f[2])
	if (!(f[1] in npay)) die("order " f[1] " has no payment: it cannot be written as order lines")
	order[f[1]] = 1; orders++
	status_count[f[4]]++
	if (!(f[2] in buyer)) { buyer[f[2]] = 1; buyers++ }
	refunded = f[4] == "returned"
	for (k = 1; k <= npay[f[1]]; k++) {
		c = pay_cents[f[1], k]
		printf "jaffle,jaffle_shop,jaffle_shop,%s,%d,%s,%s,%s,%s,%s,%s,%s,1,%s,%s,%s\n",
			f[1], k, canon[f[4]], f[3], f[3], f[3], f[2], pay_method[f[1], k], pay_method[f[1], k],
			units(c, 2), units(c, 2), units(refunded ? c : 0, 2)
		lines++; order_cents += c
		if (refunded) refund_cents += c
	}
}
END {
	if (exit_code) exit exit_code
	if (file != 3) die("want raw_customers.csv raw_payments.csv raw_orders.csv")
	for (o in npay) if (!(o in order)) die("payments of unknown order " o)
	printf "customers=%d\norders=%d\npayments=%d\nlines=%d\nbuyers=%d\n", customers, orders, payments, lines, buyers > STATS
	printf "payment_cents=%.0f\norder_cents=%.0f\nrefund_cents=%.0f\nzero_payments=%d\n", payment_cents, order_cents, refund_cents, zero_payments > STATS
	n = split("placed shipped completed return_pending returned", st, " ")
	for (k = 1; k <= n; k++) printf "status.%s=%d\n", st[k], status_count[st[k]] > STATS
}
