/*
 * wecom_callback_xml.c — the small, strict parser of WeCom's flat callback XML
 * (see wecom_xml_parse in wecom_callback.h). No recursion, every read bounded by the
 * input length, every input byte checked as UTF-8 first; fuzzed by
 * tests/unit/test_wecom_callback.c.
 */
#include "siyu/extract/wecom_callback.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xp {
	const char *s;
	size_t n, i;
	char *err;
	size_t errlen;
};

static int xp_fail(struct xp *p, const char *what)
{
	snprintf(p->err, p->errlen, "%s at byte %zu", what, p->i);
	return -1;
}

static int is_xml_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static void xp_skip_space(struct xp *p)
{
	while (p->i < p->n && is_xml_space(p->s[p->i]))
		p->i++;
}

/* Consume lit when the input continues with it. */
static int xp_take(struct xp *p, const char *lit)
{
	size_t l = strlen(lit);

	if (p->n - p->i < l || memcmp(p->s + p->i, lit, l) != 0)
		return 0;
	p->i += l;
	return 1;
}

static int xp_peek(const struct xp *p, const char *lit)
{
	size_t l = strlen(lit);

	return p->n - p->i >= l && memcmp(p->s + p->i, lit, l) == 0;
}

/*
 * Valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF) and no control
 * characters but tab, LF and CR: XML 1.0's character set, near enough, and nothing
 * that PostgreSQL's jsonb would refuse later.
 */
int wecom_utf8_check(const char *text, size_t n, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t len;

		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				goto fail;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			goto fail;
		}
		if (n - i < len)
			goto fail;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				goto fail;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			goto fail;
		i += len;
	}
	return 0;
fail:
	*bad = i;
	return -1;
}

static int utf8_put(struct buf *b, uint32_t cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_add(b, u, n);
}

/* &lt; &gt; &amp; &quot; &apos; &#NNN; &#xHHH; (p->i at '&'). */
static int xp_entity(struct xp *p, struct buf *out)
{
	static const struct { const char *name; char ch; } named[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' }, { "&apos;", '\'' },
	};
	uint32_t cp = 0;
	int hex, digits = 0;

	for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++)
		if (xp_take(p, named[k].name))
			return buf_addch(out, named[k].ch) < 0 ? xp_fail(p, "out of memory") : 0;
	if (!xp_take(p, "&#"))
		return xp_fail(p, "unknown entity");
	hex = xp_take(p, "x");
	while (p->i < p->n && p->s[p->i] != ';') {
		char ch = p->s[p->i];
		int v;

		if (ch >= '0' && ch <= '9')
			v = ch - '0';
		else if (hex && ch >= 'a' && ch <= 'f')
			v = ch - 'a' + 10;
		else if (hex && ch >= 'A' && ch <= 'F')
			v = ch - 'A' + 10;
		else
			return xp_fail(p, "bad character reference");
		cp = cp * (hex ? 16u : 10u) + (uint32_t)v;
		if (++digits > 8 || cp > 0x10ffff)
			return xp_fail(p, "bad character reference");
		p->i++;
	}
	if (!digits || !xp_take(p, ";"))
		return xp_fail(p, "bad character reference");
	if (!(cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
	      (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000))
		return xp_fail(p, "character reference to a character XML does not allow");
	return utf8_put(out, cp) < 0 ? xp_fail(p, "out of memory") : 0;
}

/* Text and CDATA up to the next "</" (not consumed) into out. */
static int xp_text(struct xp *p, struct buf *out)
{
	if (buf_add(out, "", 0) < 0)
		return xp_fail(p, "out of memory");
	while (p->i < p->n) {
		char ch = p->s[p->i];

		if (xp_peek(p, "</"))
			return 0;
		if (xp_take(p, "<![CDATA[")) {
			size_t start = p->i;

			while (p->i < p->n && !xp_peek(p, "]]>"))
				p->i++;
			if (p->i >= p->n)
				return xp_fail(p, "unterminated CDATA section");
			if (buf_add(out, p->s + start, p->i - start) < 0)
				return xp_fail(p, "out of memory");
			p->i += 3;
			continue;
		}
		if (ch == '<')
			return xp_fail(p, "unexpected markup in text");
		if (ch == '&') {
			if (xp_entity(p, out) < 0)
				return -1;
			continue;
		}
		if (buf_addch(out, ch) < 0)
			return xp_fail(p, "out of memory");
		p->i++;
	}
	return xp_fail(p, "unexpected end of input");
}

/* A tag name into name: [A-Za-z_][A-Za-z0-9_.-]*, at most WECOM_XML_MAX_NAME bytes. */
static int xp_name(struct xp *p, char name[WECOM_XML_MAX_NAME + 1])
{
	size_t len = 0;

	while (p->i < p->n) {
		char ch = p->s[p->i];
		int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
			 (len > 0 && ((ch >= '0' && ch <= '9') || ch == '.' || ch == '-'));

		if (!ok)
			break;
		if (len == WECOM_XML_MAX_NAME)
			return xp_fail(p, "tag name too long");
		name[len++] = ch;
		p->i++;
	}
	name[len] = '\0';
	return len ? 0 : xp_fail(p, "expected a tag name");
}

/* "<name>" or "<name/>" (p->i at '<'): 1 = empty element, 0 = open, -1 = error. */
static int xp_open_tag(struct xp *p, char name[WECOM_XML_MAX_NAME + 1])
{
	if (!xp_take(p, "<"))
		return xp_fail(p, "expected '<'");
	if (xp_name(p, name) < 0)
		return -1;
	if (xp_take(p, "/>"))
		return 1;
	if (!xp_take(p, ">"))
		return xp_fail(p, "attributes or junk in a tag");
	return 0;
}

static int xp_close_tag(struct xp *p, const char *name)
{
	char got[WECOM_XML_MAX_NAME + 1];

	if (!xp_take(p, "</"))
		return xp_fail(p, "expected a closing tag");
	if (xp_name(p, got) < 0)
		return -1;
	if (strcmp(got, name) != 0)
		return xp_fail(p, "mismatched closing tag");
	if (!xp_take(p, ">"))
		return xp_fail(p, "junk in a closing tag");
	return 0;
}

static void field_release(struct wecom_xml_field *f)
{
	free(f->name);
	free(f->value);
	for (size_t k = 0; k < f->nitems; k++)
		free(f->items[k]);
	free(f->items);
	memset(f, 0, sizeof(*f));
}

/* The children of a list field: <Item>text</Item>... up to the parent's closing tag. */
static int xp_items(struct xp *p, struct wecom_xml_field *f)
{
	struct buf text = BUF_INIT;
	char name[WECOM_XML_MAX_NAME + 1];
	int rc = -1, empty;

	f->is_list = 1;
	for (;;) {
		xp_skip_space(p);
		if (xp_peek(p, "</"))
			break;
		if (f->nitems == WECOM_XML_MAX_ITEMS) {
			xp_fail(p, "too many list items");
			goto out;
		}
		if ((empty = xp_open_tag(p, name)) < 0)
			goto out;
		buf_reset(&text);
		if (!empty && (xp_text(p, &text) < 0 || xp_close_tag(p, name) < 0))
			goto out;
		if (f->nitems % 16 == 0) {
			char **grown = realloc(f->items, (f->nitems + 16) * sizeof(*grown));

			if (!grown) {
				xp_fail(p, "out of memory");
				goto out;
			}
			f->items = grown;
		}
		f->items[f->nitems] = strdup(empty ? "" : buf_str(&text));
		if (!f->items[f->nitems]) {
			xp_fail(p, "out of memory");
			goto out;
		}
		f->nitems++;
	}
	rc = 0;
out:
	buf_release(&text);
	return rc;
}

/* One field of <xml>: a leaf with text, or a list of child elements. */
static int xp_field(struct xp *p, struct wecom_xml *x)
{
	struct wecom_xml_field *f;
	struct buf text = BUF_INIT;
	char name[WECOM_XML_MAX_NAME + 1];
	size_t body;
	int empty;

	if ((empty = xp_open_tag(p, name)) < 0)
		return -1;
	if (wecom_xml_find(x, name))
		return xp_fail(p, "repeated field");
	if (x->nfields == WECOM_XML_MAX_FIELDS)
		return xp_fail(p, "too many fields");
	f = &x->fields[x->nfields];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	if (!f->name)
		return xp_fail(p, "out of memory");
	x->nfields++; /* owned by x from here: released on any failure */
	if (empty) {
		f->value = strdup("");
		return f->value ? 0 : xp_fail(p, "out of memory");
	}
	body = p->i;
	xp_skip_space(p);
	if (p->i < p->n && p->s[p->i] == '<' && !xp_peek(p, "</") && !xp_peek(p, "<![CDATA[")) {
		if (xp_items(p, f) < 0)
			return -1;
	} else {
		p->i = body;
		if (xp_text(p, &text) < 0) {
			buf_release(&text);
			return -1;
		}
		f->value = buf_detach(&text, NULL);
	}
	return xp_close_tag(p, name);
}

int wecom_xml_parse(struct wecom_xml *x, const char *text, size_t len, char *err, size_t errlen)
{
	struct xp p = { text, len, 0, err, errlen };
	size_t bad;

	memset(x, 0, sizeof(*x));
	if (wecom_utf8_check(text, len, &bad) < 0) {
		snprintf(err, errlen, "not UTF-8 text, or a control character, at byte %zu", bad);
		return -1;
	}
	x->fields = calloc(WECOM_XML_MAX_FIELDS, sizeof(*x->fields));
	if (!x->fields) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	xp_skip_space(&p);
	if (xp_take(&p, "<?xml")) {
		while (p.i < p.n && !xp_peek(&p, "?>"))
			p.i++;
		if (!xp_take(&p, "?>")) {
			xp_fail(&p, "unterminated XML declaration");
			goto fail;
		}
		xp_skip_space(&p);
	}
	if (!xp_take(&p, "<xml>")) {
		xp_fail(&p, "expected <xml>");
		goto fail;
	}
	for (;;) {
		xp_skip_space(&p);
		if (xp_take(&p, "</xml>"))
			break;
		if (p.i >= p.n) {
			xp_fail(&p, "unexpected end of input");
			goto fail;
		}
		if (xp_field(&p, x) < 0)
			goto fail;
	}
	xp_skip_space(&p);
	if (p.i != p.n) {
		xp_fail(&p, "junk after </xml>");
		goto fail;
	}
	return 0;
fail:
	wecom_xml_release(x);
	return -1;
}

void wecom_xml_release(struct wecom_xml *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nfields; i++)
		field_release(&x->fields[i]);
	free(x->fields);
	x->fields = NULL;
	x->nfields = 0;
}

const struct wecom_xml_field *wecom_xml_find(const struct wecom_xml *x, const char *name)
{
	for (size_t i = 0; i < x->nfields; i++)
		if (strcmp(x->fields[i].name, name) == 0)
			return &x->fields[i];
	return NULL;
}

const char *wecom_xml_get(const struct wecom_xml *x, const char *name)
{
	const struct wecom_xml_field *f = wecom_xml_find(x, name);

	return f && !f->is_list ? f->value : NULL;
}
