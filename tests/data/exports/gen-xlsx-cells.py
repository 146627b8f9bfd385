#!/usr/bin/env python3
"""Write cells.xlsx, the fixture of tests/unit/test_xlsx_file.c (run from this folder)."""
import xlsxgen

xlsxgen.write("cells.xlsx", [
    ("订单列表", [
        ["订单号", "金额", ("inline", "时间"), "文本数字", "公式"],
        ["4994149116891036239", ("n", "59.9"), ("date", 45717.5, 1), ("inline", "00123"),
         ("str", "=\"4873529812127365337\"")],
        None,
        [],
        ["a", None, ("rich", ["富", "文本"]), None, "line1\nline2, \"q\""],
        [("n", "4.99414911689103E+18"), ("b", "1"), ("date", 45658.25, 2), ("e", "#N/A"),
         ("n", "3")],
    ]),
    ("Sheet2", [["ignored"]]),
])
