# tests/realdata/online-retail.awk — UCI Online Retail to the generic CSV profile; run by
# convert-online-retail.sh (which documents the mapping) after csv.awk over the CSV read
# twice: pass 1 learns each invoice (first time, customer, kind), pass 2 writes the lines.
# Variables: PROG, SHIFT (years), STATS (file).

BEGIN {
	HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
}
FNR == 1 {
	pass++
	if ($0 != HEADER) die("unexpected header \"" $0 "\"")
	if (pass == 2)
		print "platform,shop_id,shop_name,order_no,line_no,status,created_at,paid_at,updated_at,buyer_id,sku,product_title,quantity,unit_price,line_paid"
	next
}
{
	if (csv_split($0, f) != 8) die("expected 8 fields")
	inv = f[1]; qty = f[4]; t = f[5]; cust = f[7]
	if (inv !~ /^[CA]?[0-9]+$/) die("InvoiceNo \"" inv "\" is not [CA]digits")
	if (qty !~ /^-?[0-9]+$/ || qty + 0 == 0) die("Quantity \"" qty "\" is not a non-zero integer")
	if (t !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]$/)
		die("InvoiceDate \"" t "\" is not YYYY-MM-DD HH:MM:SS")
	if (cust !~ /^([0-9]+)?$/) die("CustomerID \"" cust "\" is not a number")
	kind = substr(inv, 1, 1) == "C" ? "cancel" : substr(inv, 1, 1) == "A" ? "adjust" : qty + 0 < 0 ? "writeoff" : "sale"
}
pass == 1 {
	rows++
	if (!(inv in inv_kind)) {
		inv_kind[inv] = kind; inv_time[inv] = t; inv_cust[inv] = cust; invoices++; kind_invoices[kind]++
	} else {
		if (inv_kind[inv] != kind) die("invoice " inv " mixes " inv_kind[inv] " and " kind " lines")
		if (inv_cust[inv] != cust) die("invoice " inv " has two CustomerIDs")
		if (substr(t, 1, 10) != substr(inv_time[inv], 1, 10)) die("invoice " inv " spans two dates")
		if (t != inv_time[inv] && !(inv in mixed_time)) { mixed_time[inv] = 1; mixed_times++ }
		if (t < inv_time[inv]) inv_time[inv] = t
	}
	kind_rows[kind]++
	if (cust != "" && !(cust in customer)) { customer[cust] = 1; customers++ }
	if (cust == "") guest_rows++
	if ($0 in row_seen) duplicate_rows++
	row_seen[$0] = 1
	next
}
kind == "adjust" || kind == "writeoff" { next }          # not orders: left out, counted in pass 1
{
	q = qty < 0 ? -qty : qty + 0
	if (kind == "cancel" && qty + 0 > 0) die("cancellation " inv " has a positive quantity")
	# the line total in 1/1000 pound, exact; written with 2 decimals when it is whole pence
	p = scaled(f[6], 3)
	if (p < 0) { price_text = f[6]; paid_text = f[6] "*" q; bad_price_rows++ }   # siyu rejects it
	else {
		price_text = f[6]
		m = p * q
		paid_text = m % 10 == 0 ? units(m / 10, 2) : units(m, 3)
		if (m % 10 != 0 || p % 10 != 0) { sub_penny_rows++; sub_penny_invoice[inv] = 1 }
		else if (kind == "sale") sale_pence += m / 10
		else cancel_pence += m / 10
	}
	ts = inv_time[inv]
	created = shift_date(substr(ts, 1, 4) + 0, substr(ts, 6, 2) + 0, substr(ts, 9, 2) + 0, SHIFT) substr(ts, 11)
	line_no = ++lines_of[inv]
	printf "online_retail,uk,Online Retail,%s,%d,%s,%s,%s,%s,%s,%s,%s,%d,%s,%s\n",
		inv, line_no, kind == "sale" ? "completed" : "cancelled", created,
		kind == "sale" ? created : "", created, cust, csv_quote(f[2]), csv_quote(f[3]), q,
		price_text, paid_text
	written++
}
END {
	if (exit_code) exit exit_code
	if (pass != 2) die("the input must be given twice (two passes)")
	n = 0; for (i in sub_penny_invoice) n++
	printf "rows=%d\ninvoices=%d\ncustomers=%d\nguest_rows=%d\nduplicate_rows=%d\nmixed_time_invoices=%d\n",
		rows, invoices, customers, guest_rows, duplicate_rows, mixed_times > STATS
	split("sale cancel writeoff adjust", k, " ")
	for (i = 1; i <= 4; i++)
		printf "%s_rows=%d\n%s_invoices=%d\n", k[i], kind_rows[k[i]], k[i], kind_invoices[k[i]] > STATS
	printf "written_lines=%d\nsub_penny_lines=%d\nsub_penny_invoices=%d\nunparsed_price_lines=%d\n",
		written, sub_penny_rows, n, bad_price_rows > STATS
	printf "sale_pence_whole_lines=%.0f\ncancel_pence_whole_lines=%.0f\n", sale_pence, cancel_pence > STATS
}
