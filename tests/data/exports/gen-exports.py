#!/usr/bin/env python3
"""gen-exports.py — the back-office export fixtures of tests/integration/t0800-exports.sh.

Written from the headers documented in docs/import-<platform>.md (the sources are
cited there), one folder per profile:

  v1.csv      the first export, UTF-8 with a BOM (Taobao: v1-orders.csv + v1-lines.csv,
              GBK as 千牛 writes them)
  v2.csv      a re-export a week later, in the other encoding, with later statuses for
              some orders and the others unchanged
  v1.xlsx     the first export as .xlsx (the same cells; numbers as numbers, times as
              date-styled serials, ids as text)

and expected.txt with what the warehouse must hold after v1 and after v2, computed
here from the documented rules (docs/import-<platform>.md "Amounts"), not by siyu.

Every fixture has: a multi-line order, an unpaid order, an order closed before payment,
one refunded in full after payment, one with a partial refund or a refund under way,
an Excel-protected id (="…", a tab, or a leading '), a 19-digit order number where the
platform has them, a cell with an embedded newline, and an amount of 1,000 yuan or more.
Run it from this folder: python3 gen-exports.py  (python3 and its standard library only).
It also writes the demo's exports into ../../../sample/exports (first exports, named as the
back offices name them, so that the version comes from the name).
"""
import csv
import io
import os

import xlsxgen

AS_OF_V1 = "2025-03-10 09:00:00"
AS_OF_V2 = "2025-03-17 09:00:00"


def fen(yuan):
    """'1,299.00' or '59.9' → fen, exactly."""
    s = yuan.replace(",", "").replace("¥", "")
    whole, _, frac = s.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def yuan(f):
    return "%d.%02d" % (f // 100, f % 100)


def share(total, weights):
    """The documented share rule: cumulative floor, lines add up to total exactly."""
    out, done, s = [], 0, sum(weights)
    if s == 0:
        weights, s = [1] * len(weights), len(weights)
    for w in weights:
        out.append(total * (done + w) // s - total * done // s)
        done += w
    return out


class Expect:
    """What one export version must leave in the warehouse."""

    def __init__(self):
        self.orders = {}  # order_no → dict

    def order(self, no, status, lines, shipping, refunds, paid):
        """lines: [(gross, paid)]; refunds: per line; paid: 1 when paid."""
        self.orders[no] = dict(status=status, lines=len(lines),
                               gross=sum(g for g, _ in lines),
                               paid=(sum(p for _, p in lines) + shipping) if paid else 0,
                               refund=sum(refunds), items=0)

    def changed_since(self, older):
        """Orders whose content differs from the older export's: what a re-export updates."""
        return sum(1 for no, v in self.orders.items() if older.orders.get(no) != v)

    def lines_out(self, prefix):
        o = self.orders.values()
        statuses = {}
        for v in o:
            statuses[v["status"]] = statuses.get(v["status"], 0) + 1
        out = ["%s.orders=%d" % (prefix, len(o)),
               "%s.lines=%d" % (prefix, sum(v["lines"] for v in o)),
               "%s.gross_fen=%d" % (prefix, sum(v["gross"] for v in o)),
               "%s.paid_fen=%d" % (prefix, sum(v["paid"] for v in o)),
               "%s.refund_fen=%d" % (prefix, sum(v["refund"] for v in o))]
        out += ["%s.status.%s=%d" % (prefix, k, statuses[k]) for k in sorted(statuses)]
        return out


def write_csv(path, header, rows, encoding):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    data = buf.getvalue()
    with open(path, "wb") as f:
        if encoding == "utf-8-sig":
            f.write(b"\xef\xbb\xbf" + data.encode("utf-8"))
        else:
            f.write(data.encode(encoding))


def unguard(v):
    """A cell as Excel would hold it after the guard is gone: ="x" → x, \\tx → x."""
    v = v.strip("\t")
    if v.startswith('="') and v.endswith('"'):
        v = v[2:-1]
    return v


def write_xlsx(path, header, rows, money, times):
    """The same export as .xlsx: money as numbers, times as date serials, the rest text."""
    def cell(h, v):
        v = unguard(v)
        if v in ("", "-"):
            return None if v == "" else v
        if h in money:
            return ("n", yuan(fen(v)).rstrip("0").rstrip("."))
        if h in times:
            return ("date", serial(v), 1)
        return ("inline", v) if h == header[0] else v
    sheet = [list(header)] + [[cell(h, r.get(h, "")) for h in header] for r in rows]
    xlsxgen.write(path, [("订单列表", sheet)])


def serial(t):
    """'2025-03-01 10:00:00' → Excel 1900-system serial."""
    import datetime
    d = datetime.datetime.strptime(t, "%Y-%m-%d %H:%M:%S")
    delta = d - datetime.datetime(1899, 12, 30)
    return delta.days + delta.seconds / 86400.0


# ---------------------------------------------------------------- jd

JD_HEADER = ["订单号", "商品ID", "商品名称", "订购数量", "支付方式", "下单时间", "京东价", "订单金额",
             "结算金额", "余额支付", "应付金额", "订单状态", "订单类型", "下单帐号", "客户姓名", "客户地址",
             "联系电话", "订单备注", "发票类型", "发票抬头", "发票内容", "商家备注", "运费金额", "付款确认时间",
             "订单完成时间", "订单来源", "商家SKUID"]


def jd(version):
    """One row per SKU; 应付金额 + 余额支付 is the order's payment, repeated on its rows."""
    e = Expect()
    rows = []

    def order(no, status, paid_at, lines, pay, balance, shipping, phone="", buyer="jd_a"):
        weights = [fen(p) * q for _, _, p, q in lines]
        total = fen(pay) + fen(balance)
        paid = paid_at != ""
        shares = share(total - fen(shipping), weights) if paid else [0] * len(lines)
        for (sku, title, p, q), _ in zip(lines, shares):
            rows.append({"订单号": no, "商品ID": sku, "商品名称": title, "订购数量": str(q),
                         "下单时间": "2025-03-01 10:00:00", "京东价": p, "应付金额": pay,
                         "余额支付": balance, "订单状态": status[1], "下单帐号": buyer,
                         "联系电话": phone, "运费金额": shipping, "付款确认时间": paid_at,
                         "客户地址": "北京市\n朝阳区 1 号", "商家SKUID": "S" + sku})
        refunds = shares if status[0] == "refunded" else [0] * len(lines)
        e.order(no, status[0], list(zip(weights, shares)), fen(shipping) if paid else 0,
                refunds, paid)

    t = "2025-03-01 10:01:00"
    # multi-line, 1 : 2 weights over 100.01 of goods: shares 33.33 + 66.68
    order("300000000001", ("shipped", "等待确认收货") if version == 1 else ("completed", "完成"), t,
          [("100001", "咖啡豆\t250g", "30.00", 1), ("100002", "挂耳 10 片", "30.00", 2)],
          "96.01", "10.00", "6.00", phone="13800001001")
    order("300000000002", ("unpaid", "等待付款") if version == 1 else ("paid", "等待出库"),
          "" if version == 1 else "2025-03-11 08:00:00",
          [("100001", "咖啡豆", "1,299.00", 1)], "1,299.00", "0.00", "0.00", buyer="j***2")
    order("300000000003", ("cancelled", "已取消"), "", [("100003", "滤纸", "9.90", 1)],
          "9.90", "0.00", "0.00")
    order("300000000004", ("refunded", "已取消"), t, [("100003", "滤纸", "9.90", 2)],
          "19.80", "0.00", "0.00", phone="1******6198")
    order("300000000005", ("refunding", "锁定"), t, [("100004", "手冲壶", "199.00", 1)],
          "189.00", "0.00", "0.00")
    return JD_HEADER, rows, e, {"京东价", "应付金额", "余额支付", "运费金额"}, {"下单时间", "付款确认时间"}


# ---------------------------------------------------------------- pdd

PDD_HEADER = ["商品", "订单号", "订单状态", "商品总价(元)", "店铺优惠折扣(元)", "平台优惠折扣(元)", "邮费(元)",
              "用户实付金额(元)", "商家实收金额(元)", "商品数量(件)", "支付时间", "发货时间", "确认收货时间",
              "商品id", "商品规格", "样式ID", "商家编码-规格维度", "售后状态", "订单成交时间",
              " 用户购买手机号"]


def pdd(version):
    """One row per order (goods); 用户实付金额 is the order's payment."""
    e = Expect()
    rows = []

    def order(no, status, paid_at, title, gross, qty, pay, shipping, after="无售后或售后取消",
              extra_rows=()):
        lines = [(title, gross, qty)] + list(extra_rows)
        weights = [fen(g) for _, g, _ in lines]
        paid = paid_at != ""
        shares = share(fen(pay) - fen(shipping), weights) if paid else [0] * len(lines)
        for (t, g, q) in lines:
            rows.append({"商品": t, "订单号": no, "订单状态": status[1], "商品总价(元)": g,
                         "邮费(元)": shipping, "用户实付金额(元)": pay, "商品数量(件)": str(q),
                         "支付时间": paid_at + ("\t" if paid_at else ""), "样式ID": "77\t",
                         "售后状态": after, "订单成交时间": paid_at or "2025-03-01 09:00:00",
                         " 用户购买手机号": "138****5678"})
        refunds = shares if status[0] == "refunded" else [0] * len(lines)
        e.order(no, status[0], list(zip(weights, shares)), fen(shipping) if paid else 0,
                refunds, paid)

    t = "2025-03-01 10:01:00"
    order("250301-100000000000001",
          ("shipped", "已发货，待签收") if version == 1 else ("completed", "已签收"), t,
          "冷萃咖啡液\n36 支装", "30.00", 3, "32.00", "5.00",
          extra_rows=[("赠品 杯子", "10.00", 1)])
    order("250301-100000000000002", ("unpaid", "待支付") if version == 1 else ("paid", "待发货"),
          "" if version == 1 else "2025-03-11 08:00:00", "咖啡豆", "1,099.00", 1, "1,099.00",
          "0.00")
    order("250301-100000000000003", ("cancelled", "已取消"), "", "滤纸", "9.90", 1, "9.90", "0.00")
    order("250301-100000000000004", ("refunded", "已签收，退款成功"), t, "滤纸", "19.80", 2,
          "19.80", "0.00")
    order("250301-100000000000005", ("refunding", "已签收"), t, "手冲壶", "199.00", 1, "189.00",
          "0.00", after="售后处理中")
    return (PDD_HEADER, rows, e, {"商品总价(元)", "邮费(元)", "用户实付金额(元)"},
            {"支付时间", "订单成交时间"})


# ---------------------------------------------------------------- douyin

DOUYIN_HEADER = ["主订单编号", "子订单编号", "选购商品", "商品规格", "商品数量", "商品ID", "商家编码",
                 "商品单价", "订单应付金额", "运费", "优惠总金额", "收件人", "收件人手机号", "省", "市",
                 "详细地址", "买家留言", "订单提交时间", "订单完成时间", "支付完成时间", "订单状态", "售后状态",
                 "取消原因"]


def douyin(version):
    """One row per sub-order; 订单应付金额 is the sub-order's payment."""
    e = Expect()
    rows = []

    def order(no, subs, paid_at, statuses):
        """subs: [(sub, title, price, qty, pay, status label, after, canonical)]"""
        lines, refunds = [], []
        paid = paid_at != "-"
        for sub, title, price, qty, pay, label, after, _ in subs:
            rows.append({"主订单编号": "\t" + no, "子订单编号": "\t" + sub, "选购商品": title,
                         "商品数量": str(qty), "商品ID": "\t3600000001", "商家编码": "-",
                         "商品单价": price, "订单应付金额": pay, "运费": "0.00",
                         "收件人手机号": "$$b3Jk0Zx$$", "订单提交时间": "2025-03-01 10:00:00",
                         "支付完成时间": paid_at, "订单状态": label, "售后状态": after,
                         "订单完成时间": "-", "详细地址": "##密文##"})
            p = fen(pay) if paid else 0
            lines.append((fen(price) * qty, p))
            refunds.append(p if after in ("退款成功", "已全额退款") else 0)
        e.order(no, statuses, lines, 0, refunds, paid)

    t = "2025-03-01 10:00:10"
    n = "69179267688236437"
    order(n + "51", [(n + "52", "咖啡豆", "59.90", 2, "109.80",
                      "已发货" if version == 1 else "已完成", "-", ""),
                     (n + "53", "滤纸\n100 张", "9.90", 1, "9.90",
                      "已发货" if version == 1 else "已完成", "-", "")],
          t, "shipped" if version == 1 else "completed")
    order(n + "60", [(n + "60", "磨豆机", "1,299.00", 1, "1,299.00",
                      "待支付" if version == 1 else "备货中", "-", "")],
          "-" if version == 1 else "2025-03-11 08:00:00", "unpaid" if version == 1 else "paid")
    order(n + "61", [(n + "61", "滤纸", "9.90", 1, "9.90", "已关闭", "-", "")], "-", "cancelled")
    order(n + "62", [(n + "62", "滤纸", "9.90", 2, "19.80", "已关闭", "退款成功", "")], t,
          "refunded")
    # one of two sub-orders refunded: the order is completed with a partial refund
    order(n + "70", [(n + "71", "手冲壶", "199.00", 1, "189.00", "已完成", "-", ""),
                     (n + "72", "滤纸", "9.90", 1, "9.90", "已关闭", "退款成功", "")],
          t, "completed")
    return DOUYIN_HEADER, rows, e, {"商品单价", "订单应付金额", "运费"}, {"订单提交时间", "支付完成时间"}


# ---------------------------------------------------------------- channels

CHANNELS_HEADER = ["订单号", "订单下单时间", "订单发货时间", "订单确认收货时间", "订单状态", "收件人姓名",
                   "收件人地址", "收件人手机", "买家备注", "商品总价", "订单实际支付金额", "订单实际收款金额",
                   "订单运费", "支付时间", "商品名称", "商品编码(平台)", "商品编码(自定义)", "SKU编码(自定义)",
                   "商品属性", "商品价格(单件)", "商品实际价格(单件)", "商品实际价格(总共)", "商品数量",
                   "商品发货", "商品售后", "商品已退款金额"]


def channels(version):
    """One row per product, the order's block repeated; 订单实际支付金额 shared by 商品实际价格(总共)."""
    e = Expect()
    rows = []

    def order(no, label, canon, paid_at, pay, shipping, items):
        """items: [(sku, title, price, actual_total, qty, after, refunded)]"""
        weights = [fen(a) for _, _, _, a, _, _, _ in items]
        paid = paid_at != ""
        shares = share(fen(pay) - fen(shipping), weights) if paid else [0] * len(items)
        refunds = []
        for (sku, title, price, actual, qty, after, refunded), s in zip(items, shares):
            rows.append({"订单号": "\t" + no, "订单下单时间": "2025-03-01 10:00:00", "订单状态": label,
                         "收件人手机": "138****1234", "收件人地址": "上海市\n徐汇区", "商品总价": "0",
                         "订单实际支付金额": pay, "订单运费": shipping, "支付时间": paid_at,
                         "商品名称": title, "商品编码(平台)": "10000123", "SKU编码(自定义)": sku,
                         "商品价格(单件)": price, "商品实际价格(总共)": actual, "商品数量": str(qty),
                         "商品售后": after, "商品已退款金额": refunded})
            refunds.append(fen(refunded) if refunded else (s if canon == "refunded" else 0))
        e.order(no, canon, list(zip([fen(i[2]) * i[4] for i in items], shares)),
                fen(shipping) if paid else 0, refunds, paid)

    t = "2025-03-01 10:01:00"
    n = "37299465913474874"
    order(n + "88", "已发货" if version == 1 else "已完成", "shipped" if version == 1 else "completed",
          t, "95.00", "5.00", [("A", "咖啡豆", "80.00", "70.00", 1, "", ""),
                               ("B", "滤纸", "30.00", "30.00", 1, "", "")])
    order(n + "89", "待付款" if version == 1 else "待发货", "unpaid" if version == 1 else "paid",
          "" if version == 1 else "2025-03-11 08:00:00", "1,299.00", "0.00",
          [("C", "磨豆机", "1,299.00", "1,299.00", 1, "", "")])
    order(n + "90", "已取消", "cancelled", "", "9.90", "0.00", [("D", "滤纸", "9.90", "9.90", 1, "", "")])
    order(n + "91", "已取消", "refunded", t, "19.80", "0.00",
          [("D", "滤纸", "9.90", "19.80", 2, "退款完成", "19.80")])
    order(n + "92", "已完成", "completed", t, "199.00", "0.00",
          [("E", "手冲壶", "199.00", "189.00", 1, "", ""),
           ("D", "滤纸", "10.00", "10.00", 1, "退款完成", "10.00")])
    return (CHANNELS_HEADER, rows, e, {"订单实际支付金额", "订单运费", "商品价格(单件)", "商品实际价格(总共)",
                                      "商品已退款金额"}, {"订单下单时间", "支付时间"})


# ---------------------------------------------------------------- youzan

YOUZAN_HEADER = ["订单号", "外部订单号", "订单商品状态", "交易成功时间", "商品名称", "商品类型", "商品规格",
                 "规格编码", "商品编码", "商品单价", "商品优惠后价格", "商品数量", "商品金额小计",
                 "店铺优惠（分摊）", "商品实际成交金额", "收货人/提货人", "收货人手机号/提货人手机号",
                 "详细收货地址/提货地址", "买家备注", "商品退款状态", "商品已退款金额", "订单创建时间",
                 "买家付款时间", "运费"]


def youzan(version):
    """One row per goods line; 商品实际成交金额 is the line's payment; 运费 the order's."""
    e = Expect()
    rows = []

    def order(no, label, canon, paid_at, shipping, items):
        """items: [(sku, title, price, qty, pay, refund_state, refunded)]"""
        paid = paid_at != ""
        lines, refunds = [], []
        for sku, title, price, qty, pay, rstate, refunded in items:
            rows.append({"订单号": no, "订单商品状态": label, "商品名称": title, "规格编码": sku,
                         "商品单价": "¥" + price, "商品数量": str(qty), "商品实际成交金额": pay,
                         "收货人手机号/提货人手机号": "'13800002001", "商品退款状态": rstate,
                         "商品已退款金额": refunded, "订单创建时间": "2025-03-01 10:00:00",
                         "买家付款时间": paid_at, "运费": shipping,
                         "详细收货地址/提货地址": "杭州市\n西湖区"})
            p = fen(pay) if paid else 0
            lines.append((fen(price) * qty, p))
            refunds.append(fen(refunded) if (refunded and paid) else
                           (p if canon == "refunded" else 0))
        e.order(no, canon, lines, fen(shipping) if paid else 0, refunds, paid)

    t = "2025-03-01 10:01:00"
    order("E20250301100000000001", "已发货" if version == 1 else "交易成功",
          "shipped" if version == 1 else "completed", t, "8.00",
          [("CF-1", "咖啡豆", "59.90", 2, "109.80", "", ""), ("FP-1", "滤纸", "9.90", 1, "9.90", "", "")])
    order("E20250301100000000002", "待付款" if version == 1 else "待发货",
          "unpaid" if version == 1 else "paid", "" if version == 1 else "2025-03-11 08:00:00", "0.00",
          [("GR-1", "磨豆机", "1,299.00", 1, "1,299.00", "", "")])
    order("E20250301100000000003", "交易关闭", "cancelled", "", "0.00",
          [("FP-1", "滤纸", "9.90", 1, "9.90", "", "")])
    order("E20250301100000000004", "交易关闭", "refunded", t, "0.00",
          [("FP-1", "滤纸", "9.90", 2, "19.80", "退款成功", "19.80")])
    order("E20250301100000000005", "交易成功", "completed", t, "0.00",
          [("KT-1", "手冲壶", "199.00", 1, "189.00", "退款成功", "20.00")])
    return (YOUZAN_HEADER, rows, e, {"商品单价", "商品实际成交金额", "商品已退款金额", "运费"},
            {"订单创建时间", "买家付款时间"})


# ---------------------------------------------------------------- taobao

TAOBAO_ORDERS = ["订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分",
                 "总金额", "返点积分", "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名",
                 "收货地址 ", "运送方式", "联系电话 ", "联系手机", "订单创建时间", "订单付款时间 ", "宝贝标题 ",
                 "宝贝种类 ", "物流单号 ", "物流公司", "订单备注", "宝贝总数量", "店铺Id", "店铺名称",
                 "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单", "退款金额"]
TAOBAO_LINES = ["订单编号", "标题", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注",
                "订单状态", "商家编码"]


def taobao(version):
    """订单报表 + 宝贝报表: the order's 买家实际支付金额 shared over 价格 × 购买数量; its 退款金额
    shared over the lines' paid amounts."""
    e = Expect()
    orders, lines = [], []

    def order(no, label, canon, paid_at, pay, shipping, refund, items, phone="'13800003001"):
        weights = [fen(p) * q for _, _, p, q in items]
        paid = paid_at != ""
        shares = share(fen(pay) - fen(shipping), weights) if paid else [0] * len(items)
        r = fen(refund) if paid else 0
        refunds = share(min(r, sum(shares)), shares) if r else [0] * len(items)
        if canon == "refunded" and not r:
            refunds = shares
        orders.append({"订单编号": '="%s"' % no, "买家会员名": "tb_" + no[-3:], "买家实际支付金额": pay,
                       "买家应付邮费": shipping, "订单状态": label, "订单创建时间": "2025-03-01 10:00:00",
                       "订单付款时间 ": paid_at, "退款金额": refund, "联系手机": phone,
                       "收货地址 ": "浙江省 杭州市\n西湖区 1 号", "店铺Id": "", "店铺名称": "山野咖啡旗舰店"})
        for sku, title, p, q in items:
            lines.append({"订单编号": '="%s"' % no, "标题": title, "价格": p, "购买数量": str(q),
                          "商家编码": sku, "订单状态": label})
        e.order(no, canon, list(zip(weights, shares)), fen(shipping) if paid else 0, refunds, paid)

    t = "2025-03-01 10:01:00"
    n = "499414911689103"
    order(n + "6239", "卖家已发货，等待买家确认" if version == 1 else "交易成功",
          "shipped" if version == 1 else "completed", t, "106.00", "6.00", "0.00",
          [("CF-1", "咖啡豆 250g", "59.90", 1), ("FP-1", "滤纸, 100 张", "20.05", 2)])
    order(n + "6240", "等待买家付款" if version == 1 else "买家已付款，等待卖家发货",
          "unpaid" if version == 1 else "paid", "" if version == 1 else "2025-03-11 08:00:00",
          "1,299.00" if version == 2 else "0.00", "0.00", "0.00", [("GR-1", "磨豆机", "1,299.00", 1)])
    order(n + "6241", "交易关闭", "cancelled", "", "0.00", "0.00", "0.00", [("FP-1", "滤纸", "9.90", 1)])
    order(n + "6242", "交易关闭", "refunded", t, "19.80", "0.00", "19.80", [("FP-1", "滤纸", "9.90", 2)])
    order(n + "6243", "交易成功", "completed", t, "189.00", "0.00", "30.00",
          [("KT-1", "手冲壶", "150.00", 1), ("FP-1", "滤纸", "49.00", 1)])
    return orders, lines, e


PROFILES = {"jd": jd, "pdd": pdd, "douyin": douyin, "channels": channels, "youzan": youzan}


def main():
    expected = []
    for name, make in PROFILES.items():
        os.makedirs(name, exist_ok=True)
        for version, enc in ((1, "utf-8-sig"), (2, "gb18030")):
            header, rows, e, money, times = make(version)
            write_csv("%s/v%d.csv" % (name, version), header, rows, enc)
            if version == 1:
                write_xlsx("%s/v1.xlsx" % name, header, rows, money, times)
                first = e
            expected += e.lines_out("%s.v%d" % (name, version))
        expected.append("%s.v2.changed_orders=%d" % (name, e.changed_since(first)))
    os.makedirs("taobao", exist_ok=True)
    for version, enc in ((1, "gb18030"), (2, "utf-8-sig")):
        orders, lines, e = taobao(version)
        write_csv("taobao/v%d-orders.csv" % version, TAOBAO_ORDERS, orders, enc)
        write_csv("taobao/v%d-lines.csv" % version, TAOBAO_LINES, lines, enc)
        if version == 1:
            first = e
        expected += e.lines_out("taobao.v%d" % version)
    expected.append("taobao.v2.changed_orders=%d" % e.changed_since(first))
    orders, lines, _ = taobao(1)
    money = {"买家实际支付金额", "买家应付邮费", "退款金额", "价格"}
    times = {"订单创建时间", "订单付款时间 "}
    write_xlsx("taobao/v1-orders.xlsx", TAOBAO_ORDERS, orders, money, times)
    write_xlsx("taobao/v1-lines.xlsx", TAOBAO_LINES, lines, money, times)
    with open("expected.txt", "w") as f:
        f.write("# written by gen-exports.py: what each export leaves in the warehouse\n")
        f.write("\n".join(expected) + "\n")
    sample = "../../../sample/exports"
    os.makedirs(sample, exist_ok=True)
    orders, lines, _ = taobao(1)
    write_csv(sample + "/ExportOrderList202503100900.csv", TAOBAO_ORDERS, orders, "gb18030")
    write_csv(sample + "/ExportOrderDetailList202503100900.csv", TAOBAO_LINES, lines, "gb18030")
    header, rows, _, money, times = douyin(1)
    write_xlsx(sample + "/1741568400_订单导出.xlsx", header, rows, money, times)


if __name__ == "__main__":
    main()
