/*
 * wecom_callback_xml.c — WeCom's flat callback XML read with expat (see wecom_xml_parse
 * in wecom_callback.h). expat does the XML: well-formedness, entities and character
 * references, CDATA, the encoding; this file keeps WeCom's shape (<xml>, fields, one
 * level of list items, no attributes) and refuses any DOCTYPE, so no entity is ever
 * declared or expanded. The receiver calls it only on a decrypted message, after the
 * signature was checked (wecom_callback_event). Fuzzed by tests/fuzz/fuzz_callback.c.
 */
#include "siyu/extract/wecom_callback.h"

#include <expat.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The parse in progress: expat's callbacks build x. */
struct xp {
	XML_Parser parser;
	struct wecom_xml *x;
	int depth;                     /* 1 inside <xml>, 2 in a field, 3 in a list item */
	struct wecom_xml_field *field; /* the field open at depth 2 */
	struct buf text;               /* the text of the open field or item */
	char *err;
	size_t errlen;
	int failed;
};

/* Stop the parse with a reason (the first one wins). */
static void xp_fail(struct xp *p, const char *what)
{
	if (p->failed)
		return;
	p->failed = 1;
	snprintf(p->err, p->errlen, "%s at byte %ld", what,
		 (long)XML_GetCurrentByteIndex(p->parser));
	XML_StopParser(p->parser, XML_FALSE);
}

static int is_blank_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
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

/* <Name> inside <xml>: a new field, a leaf until a child element makes it a list. */
static const char *open_field(struct xp *p, const char *name)
{
	struct wecom_xml_field *f;

	if (wecom_xml_find(p->x, name))
		return "repeated field";
	if (p->x->nfields == WECOM_XML_MAX_FIELDS)
		return "too many fields";
	f = &p->x->fields[p->x->nfields];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	if (!f->name)
		return "out of memory";
	p->x->nfields++; /* owned by x from here: released on any failure */
	p->field = f;
	buf_reset(&p->text);
	return NULL;
}

/* <Item> inside a field: the field is a list; text before the first item is layout. */
static const char *open_item(struct xp *p)
{
	struct wecom_xml_field *f = p->field;

	if (!f->is_list && !is_blank_text(p->text.data, p->text.len))
		return "text mixed with child elements";
	if (f->nitems == WECOM_XML_MAX_ITEMS)
		return "too many list items";
	if (f->nitems % 16 == 0) {
		char **grown = realloc(f->items, (f->nitems + 16) * sizeof(*grown));

		if (!grown)
			return "out of memory";
		f->items = grown;
	}
	f->is_list = 1;
	buf_reset(&p->text);
	return NULL;
}

/* </Item> or </Name>: the text becomes the item or the leaf's value. */
static const char *close_element(struct xp *p, int depth)
{
	struct wecom_xml_field *f = p->field;

	if (depth == 3) {
		f->items[f->nitems] = strdup(buf_str(&p->text));
		if (!f->items[f->nitems])
			return "out of memory";
		f->nitems++;
		buf_reset(&p->text);
	} else if (depth == 2) {
		if (!f->is_list && !(f->value = strdup(buf_str(&p->text))))
			return "out of memory";
		p->field = NULL;
	}
	return NULL;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xp *p = ud;
	const char *why = NULL;

	if (p->failed)
		return;
	if (atts[0])
		why = "attributes in a tag";
	else if (strlen(name) > WECOM_XML_MAX_NAME)
		why = "tag name too long";
	else if (++p->depth == 1)
		why = strcmp(name, "xml") != 0 ? "expected <xml>" : NULL;
	else if (p->depth == 2)
		why = open_field(p, name);
	else if (p->depth == 3)
		why = open_item(p);
	else
		why = "elements nested deeper than a list";
	if (why)
		xp_fail(p, why);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct xp *p = ud;
	const char *why;

	(void)name; /* expat checks that it matches */
	if (p->failed)
		return;
	why = close_element(p, p->depth--);
	if (why)
		xp_fail(p, why);
}

/* Character data, CDATA included, in pieces: kept in a field or an item; layout
 * (whitespace) between fields and between items. */
static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct xp *p = ud;
	int blank = is_blank_text(s, (size_t)len);

	if (p->failed)
		return;
	if (p->depth < 2 || (p->depth == 2 && p->field->is_list)) {
		if (!blank)
			xp_fail(p, p->depth < 2 ? "text outside a field" : "text mixed with child elements");
		return;
	}
	if (buf_add(&p->text, s, (size_t)len) < 0)
		xp_fail(p, "out of memory");
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	xp_fail(ud, "a DOCTYPE (WeCom sends none; entities are not expanded)");
}

int wecom_xml_parse(struct wecom_xml *x, const char *text, size_t len, char *err, size_t errlen)
{
	struct xp p = { 0 };
	size_t bad;

	memset(x, 0, sizeof(*x));
	if (wecom_utf8_check(text, len, &bad) < 0) {
		snprintf(err, errlen, "not UTF-8 text, or a control character, at byte %zu", bad);
		return -1;
	}
	if (len > INT_MAX) {
		snprintf(err, errlen, "XML larger than %d bytes", INT_MAX);
		return -1;
	}
	x->fields = calloc(WECOM_XML_MAX_FIELDS, sizeof(*x->fields));
	/* UTF-8 whatever the XML declaration says: the bytes were checked as UTF-8 */
	p.parser = x->fields ? XML_ParserCreate("UTF-8") : NULL;
	if (!p.parser) {
		free(x->fields);
		x->fields = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p.x = x;
	p.err = err;
	p.errlen = errlen;
	buf_init(&p.text, len + 1); /* no text is longer than the input */
	XML_SetUserData(p.parser, &p);
	XML_SetElementHandler(p.parser, on_start, on_end);
	XML_SetCharacterDataHandler(p.parser, on_text);
	XML_SetStartDoctypeDeclHandler(p.parser, on_doctype);
	if (XML_Parse(p.parser, text, (int)len, XML_TRUE) != XML_STATUS_OK && !p.failed) {
		p.failed = 1;
		snprintf(err, errlen, "%s at byte %ld", XML_ErrorString(XML_GetErrorCode(p.parser)),
			 (long)XML_GetCurrentByteIndex(p.parser));
	}
	XML_ParserFree(p.parser);
	buf_release(&p.text);
	if (p.failed) {
		wecom_xml_release(x);
		return -1;
	}
	return 0;
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
