# tests/realdata/cdnow.awk — CDNOW_master.txt to the generic CSV profile; run by convert-cdnow.sh
# (which documents the mapping) after csv.awk. Variables: PROG, SHIFT (years), STATS (file).
BEGIN {
	print "platform,shop_id,shop_name,order_no,line_no,status,created_at,paid_at,updated_at,buyer_id,sku,product_title,quantity,unit_price,line_paid"
}
{ sub(/\r$/, "") }
/^[ \t]*$/ { blank++; next }
$1 == "customer_id" { header++; next }          # the header, recognised by its content
{
	if (NF != 4) die("expected 4 whitespace-separated fields, got " NF)
	cust = $1; ymd = $2; n = $3; v = scaled($4, 2)
	if (cust !~ /^[0-9]+$/) die("customer_id \"" cust "\" is not a number")
	if (ymd !~ /^[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]$/) die("date \"" ymd "\" is not YYYYMMDD")
	y = substr(ymd, 1, 4) + 0; m = substr(ymd, 5, 2) + 0; d = substr(ymd, 7, 2) + 0
	if (!valid_date(y, m, d)) die("date \"" ymd "\" does not exist")
	if (n !~ /^[0-9]+$/ || n + 0 < 1) die("number_of_cds \"" n "\" is not a positive integer")
	if ($4 !~ /^[0-9]+\.[0-9][0-9]$/ || v < 0) die("dollar_value \"" $4 "\" does not have exactly 2 decimals")
	n += 0
	if (cust != last_cust || ymd != last_ymd) seq = 0
	if (cust < last_cust || (cust == last_cust && ymd < last_ymd)) unsorted++
	seq++; last_cust = cust; last_ymd = ymd
	order_no = cust "-" ymd "-" seq
	day = shift_date(y, m, d, SHIFT)
	head = "cdnow,cdnow,CDNOW," order_no ","
	tail = "," day "," day "," day "," cust ",CD,CD"
	q = int(v / n); r = v - q * n
	line = 0
	if (r > 0) print head (++line) ",completed" tail "," r "," units(q + 1, 2) "," units(r * (q + 1), 2)
	if (n - r > 0) print head (++line) ",completed" tail "," (n - r) "," units(q, 2) "," units((n - r) * q, 2)
	rows++; lines += line; cds += n; cents += v
	if (v == 0) zero++
	if (!(cust in seen)) { seen[cust] = 1; customers++ }
	if (seq == 1) cust_days++
	if (!(cust in first) || ymd < first[cust]) first[cust] = ymd
	if (ymd < min_ymd || min_ymd == "") min_ymd = ymd
	if (ymd > max_ymd) max_ymd = ymd
}
END {
	if (exit_code) exit exit_code
	if (rows == 0) die("no transactions")
	for (c in first) if (first[c] > "19970331") late_first++
	printf "header_lines=%d\nblank_lines=%d\ntransactions=%d\norders=%d\nlines=%d\ncustomers=%d\n", header, blank, rows, rows, lines, customers > STATS
	printf "customer_days=%d\ncds=%.0f\ncents=%.0f\nzero_value_rows=%d\nfirst_date=%s\nlast_date=%s\n", cust_days, cds, cents, zero, min_ymd, max_ymd > STATS
	printf "first_purchase_after_q1_1997=%d\nunsorted_rows=%d\n", late_first, unsorted > STATS
}
