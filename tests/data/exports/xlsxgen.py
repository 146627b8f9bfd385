"""xlsxgen.py — write small .xlsx files for siyu's tests, deterministically.

Only the Python standard library (zipfile): no network, no third-party package.
A workbook is a list of sheets; a sheet is a list of rows; a row is a list of
cells, each None (no cell), a str (a shared string), or a tuple:
  ("n", "59.9")          a number, as Excel stores it
  ("date", 45717.5, s)   a number with date style s (1: built-in 22, 2: custom)
  ("inline", "text")     an inline string
  ("str", "text")        a formula's cached string result
  ("b", "1"), ("e", "#N/A")
Rows are numbered from 1; a row that is None is skipped (not written at all)
and an empty list writes an empty <row>.
"""
import zipfile
from xml.sax.saxutils import escape

STAMP = (2025, 1, 1, 0, 0, 0)


def _col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _cell(ref, cell, strings):
    if isinstance(cell, str):
        if cell not in strings:
            strings[cell] = len(strings)
        return '<c r="%s" t="s"><v>%d</v></c>' % (ref, strings[cell])
    kind = cell[0]
    if kind == "n":
        return '<c r="%s"><v>%s</v></c>' % (ref, cell[1])
    if kind == "date":
        return '<c r="%s" s="%d"><v>%s</v></c>' % (ref, cell[2], repr(cell[1]))
    if kind == "inline":
        return '<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (
            ref, escape(cell[1]))
    if kind == "rich":  # runs, and a phonetic guide that is not the text
        runs = "".join("<r><t>%s</t></r>" % escape(t) for t in cell[1])
        return '<c r="%s" t="inlineStr"><is>%s<rPh sb="0" eb="1"><t>PH</t></rPh></is></c>' % (
            ref, runs)
    if kind in ("str", "b", "e"):
        return '<c r="%s" t="%s"><v>%s</v></c>' % (ref, kind, escape(cell[1]))
    raise ValueError(kind)


def _sheet(rows, strings):
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<sheetData>']
    for r, row in enumerate(rows, 1):
        if row is None:
            continue
        cells = "".join(_cell("%s%d" % (_col(c), r), v, strings)
                        for c, v in enumerate(row) if v is not None)
        out.append('<row r="%d">%s</row>' % (r, cells))
    out.append("</sheetData></worksheet>")
    return "".join(out)


def _put(z, name, text):
    info = zipfile.ZipInfo(name, STAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, text.encode("utf-8"))


def write(path, sheets, date1904=False):
    """sheets: [(name, rows)]; the first is the one siyu reads."""
    strings = {}
    bodies = [_sheet(rows, strings) for _, rows in sheets]
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w") as z:
        _put(z, "[Content_Types].xml",
             '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
             'openxmlformats.org/package/2006/content-types"><Default Extension="xml" '
             'ContentType="application/xml"/></Types>')
        _put(z, "_rels/.rels",
             '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
             'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
             'Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>' % rel)
        sheet_list = "".join('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (escape(n), i, i)
                             for i, (n, _) in enumerate(sheets, 1))
        _put(z, "xl/workbook.xml",
             '<?xml version="1.0" encoding="UTF-8"?><workbook %s xmlns:r="%s">'
             '<workbookPr%s/><sheets>%s</sheets></workbook>'
             % (ns, rel, ' date1904="1"' if date1904 else "", sheet_list))
        # sheets in reverse part order, so that "the first sheet" is found by rels
        rels = "".join('<Relationship Id="rId%d" Type="%s/worksheet" '
                       'Target="worksheets/sheet%d.xml"/>' % (i, rel, len(sheets) + 1 - i)
                       for i in range(1, len(sheets) + 1))
        _put(z, "xl/_rels/workbook.xml.rels",
             '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
             'openxmlformats.org/package/2006/relationships">%s</Relationships>' % rels)
        _put(z, "xl/styles.xml",
             '<?xml version="1.0" encoding="UTF-8"?><styleSheet %s><numFmts count="1">'
             '<numFmt numFmtId="176" formatCode="yyyy/m/d\\ hh:mm;@"/></numFmts>'
             '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="22"/><xf numFmtId="176"/>'
             '<xf numFmtId="49"/></cellXfs></styleSheet>' % ns)
        for i, body in enumerate(bodies, 1):
            _put(z, "xl/worksheets/sheet%d.xml" % (len(sheets) + 1 - i), body)
        sst = "".join("<si><t xml:space=\"preserve\">%s</t></si>" % escape(s)
                      for s, _ in sorted(strings.items(), key=lambda kv: kv[1]))
        _put(z, "xl/sharedStrings.xml",
             '<?xml version="1.0" encoding="UTF-8"?><sst %s count="%d" uniqueCount="%d">%s'
             '</sst>' % (ns, len(strings), len(strings), sst))
