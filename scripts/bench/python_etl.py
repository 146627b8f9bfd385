#!/usr/bin/python3
"""python_etl.py — the bench's Python reference (issue #16): a straightforward Python ETL.

    PGDATABASE=db SIYU_PII_KEY=... scripts/bench/python_etl.py FILE.csv

What issue #16 describes, written the way one would write it in an afternoon:
stdlib csv, psycopg2 COPY into an unlogged staging table, one INSERT ... ON CONFLICT
merge. It reads the bench's CSV (scripts/gen-bench.sh) and does the same per-line work
the siyu client does on it: amounts from yuan to integer fen, statuses to the canonical
set, phones normalized, HMAC-SHA256 keyed (SIYU_PII_KEY) and masked, times read in the
shops' zone (Asia/Shanghai); the dedupe is SQL (the newest version of each order, one
line per line number).

Its target is a plain orders/lines pair with the warehouse's natural keys (ref.orders:
platform, shop_id, order_no; ref.order_line: those + line_no), primary keys only. Not
the warehouse schema: identity resolution and the dimensions are not one INSERT, and a
reference that cannot do them must not be charged for them; no foreign key from lines to
orders either (siyu's facts are not checked row by row since migration 0240). So the
reference does less than siyu import: parse, dedupe, one upsert per table, and no
customer, identity or dimension work at all.

The input streams (psycopg2 reads the COPY data from a file-like object in chunks): memory
does not grow with the file. Prints one line: counts and seconds.
"""
import csv
import hashlib
import hmac
import os
import re
import sys
import time

import psycopg2

STATUS = {
    "待付款": "unpaid", "交易成功": "completed", "已发货": "shipped", "交易关闭": "cancelled",
    "退款中": "refunding", "已退款": "refunded",
}
COLUMNS = ("platform", "shop_id", "shop_name", "order_no", "line_no", "status", "created_at",
           "paid_at", "updated_at", "buyer_id", "buyer_unionid", "sku", "product_title",
           "quantity", "unit_price", "line_paid", "line_refund", "shipping_fee", "order_discount")
ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NON_DIGIT = re.compile(r"\D")

SCHEMA = """
DROP SCHEMA IF EXISTS ref CASCADE;
CREATE SCHEMA ref;
CREATE TABLE ref.orders (
    platform text, shop_id text, order_no text, shop_name text, status text,
    created_at timestamptz, paid_at timestamptz, updated_at timestamptz,
    buyer_id text, buyer_unionid text, phone_hash text, phone_masked text,
    paid_fen bigint, refund_fen bigint, shipping_fen bigint, discount_fen bigint,
    PRIMARY KEY (platform, shop_id, order_no));
CREATE TABLE ref.order_line (
    platform text, shop_id text, order_no text, line_no int, sku text, product_title text,
    quantity int, unit_price_fen bigint, gross_fen bigint, paid_fen bigint, refund_fen bigint,
    PRIMARY KEY (platform, shop_id, order_no, line_no));
"""
STAGING = """
CREATE UNLOGGED TABLE ref.staged (
    src_row bigint, platform text, shop_id text, shop_name text, order_no text, line_no int,
    status text, created_at timestamptz, paid_at timestamptz, updated_at timestamptz,
    buyer_id text, buyer_unionid text, phone_hash text, phone_masked text, sku text,
    product_title text, quantity int, unit_price_fen bigint, gross_fen bigint,
    paid_fen bigint, refund_fen bigint, shipping_fen bigint, discount_fen bigint)
"""
# The newest version of each order, one line per line number (the first as read), then the
# orders upserted and the lines of the orders that changed.
MERGE = """
WITH v AS (
    SELECT s.*, max(updated_at) OVER (PARTITION BY platform, shop_id, order_no) AS newest
      FROM ref.staged s
), l AS (
    SELECT DISTINCT ON (platform, shop_id, order_no, line_no) *
      FROM v WHERE updated_at = newest
     ORDER BY platform, shop_id, order_no, line_no, src_row
), o AS (
    INSERT INTO ref.orders AS t
    SELECT platform, shop_id, order_no, min(shop_name), min(status), min(created_at),
           min(paid_at), min(updated_at), min(buyer_id), min(buyer_unionid), min(phone_hash),
           min(phone_masked), sum(paid_fen), sum(refund_fen), min(shipping_fen),
           min(discount_fen)
      FROM l GROUP BY platform, shop_id, order_no
    ON CONFLICT (platform, shop_id, order_no) DO UPDATE
       SET shop_name = EXCLUDED.shop_name, status = EXCLUDED.status,
           created_at = EXCLUDED.created_at, paid_at = EXCLUDED.paid_at,
           updated_at = EXCLUDED.updated_at, buyer_id = EXCLUDED.buyer_id,
           buyer_unionid = EXCLUDED.buyer_unionid, phone_hash = EXCLUDED.phone_hash,
           phone_masked = EXCLUDED.phone_masked, paid_fen = EXCLUDED.paid_fen,
           refund_fen = EXCLUDED.refund_fen, shipping_fen = EXCLUDED.shipping_fen,
           discount_fen = EXCLUDED.discount_fen
     WHERE t.updated_at < EXCLUDED.updated_at
    RETURNING platform, shop_id, order_no
)
INSERT INTO ref.order_line AS t
SELECT l.platform, l.shop_id, l.order_no, l.line_no, l.sku, l.product_title, l.quantity,
       l.unit_price_fen, l.gross_fen, l.paid_fen, l.refund_fen
  FROM l JOIN o USING (platform, shop_id, order_no)
ON CONFLICT (platform, shop_id, order_no, line_no) DO UPDATE
   SET sku = EXCLUDED.sku, product_title = EXCLUDED.product_title,
       quantity = EXCLUDED.quantity, unit_price_fen = EXCLUDED.unit_price_fen,
       gross_fen = EXCLUDED.gross_fen, paid_fen = EXCLUDED.paid_fen,
       refund_fen = EXCLUDED.refund_fen
"""


def fen(yuan):
    """'19.90' → 1990 (integer arithmetic: money is never a float)."""
    if not yuan:
        return 0
    sign = -1 if yuan.startswith("-") else 1
    whole, _, frac = yuan.lstrip("+-").partition(".")
    return sign * (int(whole or "0") * 100 + int((frac + "00")[:2]))


def text(value):
    """A COPY text field: empty is NULL."""
    return value.translate(ESCAPE) if value else "\\N"


class Rows:
    """The CSV as COPY text, read by psycopg2 in chunks (nothing kept per row)."""

    def __init__(self, f, key):
        self.reader = csv.reader(f)
        header = next(self.reader)
        self.at = [header.index(c) for c in COLUMNS]
        self.phone_at = header.index("buyer_phone")
        self.key = key
        self.n = 0

    def phone(self, raw):
        digits = NON_DIGIT.sub("", raw)
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
        if not digits:
            return "\\N\t\\N"
        mac = hmac.new(self.key, digits.encode(), hashlib.sha256).hexdigest()
        return mac + "\t" + digits[:3] + "****" + digits[-4:]

    def line(self, r):
        (platform, shop_id, shop_name, order_no, line_no, status, created, paid, updated,
         buyer, unionid, sku, title, qty, price, paid_amt, refund, ship, discount) = \
            (r[i] for i in self.at)
        self.n += 1
        unit = fen(price)
        return "\t".join((
            str(self.n), text(platform), text(shop_id), text(shop_name), text(order_no),
            line_no, STATUS.get(status, status), created, text(paid), updated, text(buyer),
            text(unionid), self.phone(r[self.phone_at]), text(sku), text(title), qty,
            str(unit), str(unit * int(qty)), str(fen(paid_amt)), str(fen(refund)),
            str(fen(ship)), str(fen(discount)))) + "\n"

    def read(self, size=-1):
        """About size characters of rows (psycopg2 takes a chunk of any length)."""
        out, n = [], 0
        for r in self.reader:
            s = self.line(r)
            out.append(s)
            n += len(s)
            if n >= size > 0:
                break
        return "".join(out)

    readline = read


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python_etl.py FILE.csv  (PGDATABASE etc. name the database)")
    key = os.environ.get("SIYU_PII_KEY", "").encode()
    if not key:
        sys.exit("python_etl.py: SIYU_PII_KEY is not set")
    t0 = time.monotonic()
    conn = psycopg2.connect("")
    cur = conn.cursor()
    cur.execute("SET TimeZone = 'Asia/Shanghai'")
    cur.execute("SELECT to_regclass('ref.orders') IS NULL")
    if cur.fetchone()[0]:
        cur.execute(SCHEMA)
    cur.execute(STAGING)
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        rows = Rows(f, key)
        cur.copy_expert("COPY ref.staged FROM STDIN", rows, size=1 << 20)
    t1 = time.monotonic()
    cur.execute("ANALYZE ref.staged")
    cur.execute(MERGE)
    lines = cur.rowcount
    cur.execute("DROP TABLE ref.staged")
    conn.commit()
    cur.execute("SELECT count(*) FROM ref.orders")
    orders = cur.fetchone()[0]
    conn.close()
    t2 = time.monotonic()
    print(f"python_etl: {rows.n} lines staged in {t1 - t0:.2f} s, merged in {t2 - t1:.2f} s: "
          f"{orders} orders, {lines} lines inserted or updated")


if __name__ == "__main__":
    main()
