/*
 * test_wecom_callback.c — unit tests of the callback receiver without HTTP:
 * the XML parser (WeCom's shapes, every rejection, and a fuzz loop that runs under
 * ASan/UBSan in make check), the dedupe key, the spool line, the durable append with
 * its torn-line repair, and the GET/POST handlers end to end with real encryption.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "siyu/common/buf.h"
#include "siyu/extract/wecom_callback.h"
#include "siyu/extract/wecom_crypto.h"

/* The official sample credentials (sbzhu/weworkapi_python callback/Sample.py). */
#define TOKEN "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
#define AES_KEY "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
#define CORP "ww1436e0e65a779aee"

/* A self-built app's change_external_chat update, as the docs (92130) show it. */
static const char chat_update[] =
	"<xml>\n"
	"  <ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n"
	"  <FromUserName><![CDATA[sys]]></FromUserName>\n"
	"  <CreateTime>1403610513</CreateTime>\n"
	"  <MsgType><![CDATA[event]]></MsgType>\n"
	"  <Event><![CDATA[change_external_chat]]></Event>\n"
	"  <ChatId><![CDATA[wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA]]></ChatId>\n"
	"  <ChangeType><![CDATA[update]]></ChangeType>\n"
	"  <UpdateDetail><![CDATA[del_member]]></UpdateDetail>\n"
	"  <QuitScene>0</QuitScene>\n"
	"  <MemChangeCnt>2</MemChangeCnt>\n"
	"  <MemChangeList>\n"
	"    <Item><![CDATA[wmOgQhDgAAuXFJGwbve4g4iXknfOAAAA]]></Item>\n"
	"    <Item>wmOgQhDgAAuXFJGwbve4g4iXknfOBBBB</Item>\n"
	"  </MemChangeList>\n"
	"  <LastMemVer><![CDATA[9c3f97c2ada667dfb5f6d03308d963e1]]></LastMemVer>\n"
	"  <CurMemVer><![CDATA[71217227bbd112ecfe3a49c482195cb4]]></CurMemVer>\n"
	"</xml>\n";

static const char del_follow[] =
	"<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>"
	"<FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1717385300</CreateTime>"
	"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event>"
	"<ChangeType><![CDATA[del_follow_user]]></ChangeType><UserID><![CDATA[chenjing]]></UserID>"
	"<ExternalUserID><![CDATA[wmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k]]></ExternalUserID></xml>";

static int parse(struct wecom_xml *x, const char *text)
{
	char err[256];

	return wecom_xml_parse(x, text, strlen(text), err, sizeof(err));
}

/* ---- XML --------------------------------------------------------------------------- */

static void test_xml_official_shapes(void **state)
{
	struct wecom_xml x;
	const struct wecom_xml_field *f;

	(void)state;
	assert_int_equal(parse(&x, chat_update), 0);
	assert_int_equal(x.nfields, 13);
	assert_string_equal(wecom_xml_get(&x, "ToUserName"), CORP);
	assert_string_equal(wecom_xml_get(&x, "CreateTime"), "1403610513");
	assert_string_equal(wecom_xml_get(&x, "QuitScene"), "0");
	assert_string_equal(wecom_xml_get(&x, "UpdateDetail"), "del_member");
	f = wecom_xml_find(&x, "MemChangeList");
	assert_non_null(f);
	assert_true(f->is_list);
	assert_null(wecom_xml_get(&x, "MemChangeList"));
	assert_int_equal(f->nitems, 2);
	assert_string_equal(f->items[0], "wmOgQhDgAAuXFJGwbve4g4iXknfOAAAA");
	assert_string_equal(f->items[1], "wmOgQhDgAAuXFJGwbve4g4iXknfOBBBB");
	assert_null(wecom_xml_get(&x, "JoinScene"));
	wecom_xml_release(&x);

	/* the official sample's plaintext: no CDATA, Chinese text */
	assert_int_equal(parse(&x, "<xml><ToUserName>ww1436e0e65a779aee</ToUserName>"
				   "<Content>\xe4\xbd\xa0\xe5\xa5\xbd</Content></xml>"), 0);
	assert_string_equal(wecom_xml_get(&x, "Content"), "\xe4\xbd\xa0\xe5\xa5\xbd");
	wecom_xml_release(&x);
}

static void test_xml_text_forms(void **state)
{
	struct wecom_xml x;

	(void)state;
	assert_int_equal(parse(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<xml>"
				   "<A>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;</A>"
				   "<B>&#20320;&#x597D;&#x1F600;</B>"
				   "<C><![CDATA[<not>&markup;]]></C>"
				   "<D>x<![CDATA[y]]>z</D>"
				   "<E></E><F/><G><![CDATA[]]></G>"
				   "<H>  spaced  </H></xml>\n"), 0);
	assert_string_equal(wecom_xml_get(&x, "A"), "a <b> & \"c\" 'd'");
	assert_string_equal(wecom_xml_get(&x, "B"), "\xe4\xbd\xa0\xe5\xa5\xbd\xf0\x9f\x98\x80");
	assert_string_equal(wecom_xml_get(&x, "C"), "<not>&markup;");
	assert_string_equal(wecom_xml_get(&x, "D"), "xyz");
	assert_string_equal(wecom_xml_get(&x, "E"), "");
	assert_string_equal(wecom_xml_get(&x, "F"), "");
	assert_string_equal(wecom_xml_get(&x, "G"), "");
	assert_string_equal(wecom_xml_get(&x, "H"), "  spaced  ");
	wecom_xml_release(&x);

	/* expat reads any well-formed XML of that shape: blanks in tags, comments, PIs */
	assert_int_equal(parse(&x, "<xml ><!-- a comment --><A >1</A ><?pi x?></xml >"), 0);
	assert_int_equal(x.nfields, 1);
	assert_string_equal(wecom_xml_get(&x, "A"), "1");
	wecom_xml_release(&x);

	/* an empty root, an empty list */
	assert_int_equal(parse(&x, "<xml></xml>"), 0);
	assert_int_equal(x.nfields, 0);
	wecom_xml_release(&x);
	assert_int_equal(parse(&x, "<xml><L><Item/><Item>b</Item></L></xml>"), 0);
	assert_int_equal(wecom_xml_find(&x, "L")->nitems, 2);
	assert_string_equal(wecom_xml_find(&x, "L")->items[0], "");
	wecom_xml_release(&x);
}

static void test_xml_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"<xml>",
		"<xml><A>1</A>",
		"<xml><A>1</B></xml>",
		"<xml><A x=\"1\">1</A></xml>",
		"<root><A>1</A></root>",
		"<xml><A>1</A><A>2</A></xml>",
		"<xml a=\"1\"></xml>",
		"<xml>text<A>1</A></xml>",
		"<xml><A>1</A>text</xml>",
		"<!DOCTYPE xml><xml></xml>",
		"<!DOCTYPE x [<!ENTITY e \"x\">]><xml><A>&e;</A></xml>",
		"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><A>&e;</A></xml>",
		"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
		"<xml><A>&b;</A></xml>",
		"<xml><A>&e;</A></xml>",
		"<xml><A>&#0;</A></xml>",
		"<xml><A>&#xD800;</A></xml>",
		"<xml><A>&#x110000;</A></xml>",
		"<xml><A>&#;</A></xml>",
		"<xml><A>&#12</A></xml>",
		"<xml><A>&amp</A></xml>",
		"<xml><A><![CDATA[open</A></xml>",
		"<xml><A>1</A></xml>junk",
		"<xml><A>1</A></xml><xml></xml>",
		"<xml><A>a<b</A></xml>",
		"<xml><L><Item><Deep>x</Deep></Item></L></xml>",
		"<xml><L><Item>x</Item>text</L></xml>",
		"<xml><A>\x01</A></xml>",
		"<xml><A>\xff</A></xml>",
		"<xml><A>\xc0\xaf</A></xml>",            /* overlong '/' */
		"<xml><A>\xed\xa0\x80</A></xml>",        /* a surrogate */
		"<xml><A>\xe4\xbd</A></xml>",            /* cut short */
		"<xml><1A>x</1A></xml>",
		"<?xml version=\"1.0\"<xml></xml>",
		"<xml></xml",
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct wecom_xml x;

		err[0] = '\0';
		if (wecom_xml_parse(&x, bad[i], strlen(bad[i]), err, sizeof(err)) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_true(err[0] != '\0');
		assert_int_equal(x.nfields, 0);
		assert_null(x.fields);
	}
	/* a NUL inside the input is a control character */
	{
		struct wecom_xml x;

		assert_int_equal(wecom_xml_parse(&x, "<xml><A>a\0b</A></xml>", 21, err, sizeof(err)), -1);
	}
}

static void test_xml_limits(void **state)
{
	struct buf doc = BUF_INIT;
	struct wecom_xml x;
	char err[256];

	(void)state;
	/* WECOM_XML_MAX_FIELDS fields are fine, one more is not */
	assert_int_equal(buf_adds(&doc, "<xml>"), 0);
	for (int i = 0; i < WECOM_XML_MAX_FIELDS; i++)
		assert_int_equal(buf_addf(&doc, "<F%d>%d</F%d>", i, i, i), 0);
	assert_int_equal(buf_adds(&doc, "</xml>"), 0);
	assert_int_equal(wecom_xml_parse(&x, doc.data, doc.len, err, sizeof(err)), 0);
	wecom_xml_release(&x);
	doc.len -= strlen("</xml>");
	assert_int_equal(buf_adds(&doc, "<Extra>1</Extra></xml>"), 0);
	assert_int_equal(wecom_xml_parse(&x, doc.data, doc.len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too many fields"));
	/* a 65-byte tag name */
	buf_reset(&doc);
	assert_int_equal(buf_adds(&doc, "<xml><"), 0);
	for (int i = 0; i < WECOM_XML_MAX_NAME + 1; i++)
		assert_int_equal(buf_addch(&doc, 'N'), 0);
	assert_int_equal(buf_adds(&doc, ">x</N></xml>"), 0);
	assert_int_equal(wecom_xml_parse(&x, doc.data, doc.len, err, sizeof(err)), -1);
	/* many list items */
	buf_reset(&doc);
	assert_int_equal(buf_adds(&doc, "<xml><L>"), 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_addf(&doc, "<Item>u%d</Item>", i), 0);
	assert_int_equal(buf_adds(&doc, "</L></xml>"), 0);
	assert_int_equal(wecom_xml_parse(&x, doc.data, doc.len, err, sizeof(err)), 0);
	assert_int_equal(wecom_xml_find(&x, "L")->nitems, 1000);
	assert_string_equal(wecom_xml_find(&x, "L")->items[999], "u999");
	wecom_xml_release(&x);
	buf_release(&doc);
}

/* Any input: 0 with a consistent result, or -1 with nothing left allocated. */
static void parse_any(const char *p, size_t n)
{
	struct wecom_xml x;
	char err[256];
	int rc = wecom_xml_parse(&x, p, n, err, sizeof(err));

	if (rc == 0) {
		for (size_t i = 0; i < x.nfields; i++) {
			const struct wecom_xml_field *f = &x.fields[i];

			assert_non_null(f->name);
			assert_true(f->is_list ? f->value == NULL : f->value != NULL);
			for (size_t k = 0; k < f->nitems; k++)
				assert_non_null(f->items[k]);
		}
	} else {
		assert_int_equal(rc, -1);
		assert_null(x.fields);
	}
	wecom_xml_release(&x);
}

static void test_xml_fuzz(void **state)
{
	static const char specials[] = "<>/&;#x![]CDATA= \n\t\"'\x80\xe4\xff";
	const char *seeds[] = { chat_update, del_follow,
				"<xml><A>&#x597D;&amp;</A><L><Item/></L><B/></xml>" };
	unsigned long rng = 0x5eed;

	(void)state;
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		size_t n = strlen(seeds[s]);
		char *copy = malloc(n + 1);

		assert_non_null(copy);
		/* every prefix: the parser never reads past the length it was given */
		for (size_t len = 0; len <= n; len++) {
			char *exact = malloc(len ? len : 1);

			assert_non_null(exact);
			memcpy(exact, seeds[s], len);
			parse_any(exact, len);
			free(exact);
		}
		/* every position replaced by every special byte */
		for (size_t i = 0; i < n; i++) {
			for (size_t k = 0; k < sizeof(specials) - 1; k++) {
				memcpy(copy, seeds[s], n + 1);
				copy[i] = specials[k];
				parse_any(copy, n);
			}
		}
		/* random multi-byte mutations, deletions and duplications */
		for (int round = 0; round < 20000; round++) {
			size_t m = n;

			memcpy(copy, seeds[s], n + 1);
			for (int edits = 1 + (int)(rng % 4); edits > 0 && m > 1; edits--) {
				size_t pos;

				rng = rng * 6364136223846793005UL + 1442695040888963407UL;
				pos = (size_t)(rng >> 33) % m;
				switch ((rng >> 20) % 3) {
				case 0: copy[pos] = specials[(rng >> 8) % (sizeof(specials) - 1)]; break;
				case 1: memmove(copy + pos, copy + pos + 1, m - pos); m--; break;
				default: copy[pos] = (char)(rng >> 40); break;
				}
			}
			parse_any(copy, m);
		}
		free(copy);
	}
}

/* ---- key and JSON --------------------------------------------------------------------- */

static void key_of(const char *xml, char key[WECOM_EVENT_KEY_HEX + 1])
{
	struct wecom_xml x;

	assert_int_equal(parse(&x, xml), 0);
	wecom_event_key(&x, key);
	wecom_xml_release(&x);
	assert_int_equal(strlen(key), WECOM_EVENT_KEY_HEX);
}

static void test_event_key(void **state)
{
	char a[WECOM_EVENT_KEY_HEX + 1], b[WECOM_EVENT_KEY_HEX + 1];

	(void)state;
	key_of(del_follow, a);
	/* the same event again (a retry): same key, whatever the layout */
	key_of("<xml>\n <ExternalUserID>wmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k</ExternalUserID>\n"
	       " <UserID>chenjing</UserID><ChangeType>del_follow_user</ChangeType>"
	       "<Event>change_external_contact</Event><MsgType>event</MsgType>"
	       "<CreateTime>1717385300</CreateTime><FromUserName>sys</FromUserName>"
	       "<ToUserName>ww1436e0e65a779aee</ToUserName></xml>", b);
	assert_string_equal(a, b);
	/* a different staff member, time or change type: another key */
	key_of("<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>sys</FromUserName>"
	       "<CreateTime>1717385300</CreateTime><MsgType>event</MsgType>"
	       "<Event>change_external_contact</Event><ChangeType>del_external_contact</ChangeType>"
	       "<UserID>chenjing</UserID><ExternalUserID>wmH2kLCQAAq1xYz0aB3cD4eF5gH6iJ7k"
	       "</ExternalUserID></xml>", b);
	assert_string_not_equal(a, b);
	key_of("<xml><CreateTime>1</CreateTime><UserID>a</UserID></xml>", a);
	key_of("<xml><CreateTime>1</CreateTime><UserID>b</UserID></xml>", b);
	assert_string_not_equal(a, b);
	key_of("<xml><CreateTime>1</CreateTime><UserID>a</UserID></xml>", a);
	key_of("<xml><CreateTime>2</CreateTime><UserID>a</UserID></xml>", b);
	assert_string_not_equal(a, b);
	/* WelcomeCode is not part of the identity */
	key_of("<xml><CreateTime>1</CreateTime><WelcomeCode>W1</WelcomeCode></xml>", a);
	key_of("<xml><CreateTime>1</CreateTime><WelcomeCode>W2</WelcomeCode></xml>", b);
	assert_string_equal(a, b);
	/* a list's members and their order matter; a field boundary is not ambiguous */
	key_of("<xml><L><Item>a</Item><Item>b</Item></L></xml>", a);
	key_of("<xml><L><Item>b</Item><Item>a</Item></L></xml>", b);
	assert_string_not_equal(a, b);
	key_of("<xml><L><Item>ab</Item></L></xml>", b);
	assert_string_not_equal(a, b);
	key_of("<xml><A>b</A><C>d</C></xml>", a);
	key_of("<xml><A>bC</A></xml>", b);
	assert_string_not_equal(a, b);
}

static void json_of(const char *xml, const char *key, struct buf *out)
{
	struct wecom_xml x;
	struct timespec t = { 1717385212, 123456789 }; /* 2024-06-03T03:26:52.123Z */

	assert_int_equal(parse(&x, xml), 0);
	assert_int_equal(wecom_event_json(&x, key, &t, out), 0);
	wecom_xml_release(&x);
}

static void test_event_json(void **state)
{
	struct buf out = BUF_INIT;

	(void)state;
	json_of(chat_update, "00112233445566778899aabbccddeeff", &out);
	assert_string_equal(
		out.data,
		"{\"received_at\":\"2024-06-03T03:26:52.123Z\",\"key\":\"00112233445566778899aabbccddeeff\","
		"\"event\":{\"ToUserName\":\"ww1436e0e65a779aee\",\"FromUserName\":\"sys\","
		"\"CreateTime\":\"1403610513\",\"MsgType\":\"event\",\"Event\":\"change_external_chat\","
		"\"ChatId\":\"wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA\",\"ChangeType\":\"update\","
		"\"UpdateDetail\":\"del_member\",\"QuitScene\":\"0\",\"MemChangeCnt\":\"2\","
		"\"MemChangeList\":[\"wmOgQhDgAAuXFJGwbve4g4iXknfOAAAA\",\"wmOgQhDgAAuXFJGwbve4g4iXknfOBBBB\"],"
		"\"LastMemVer\":\"9c3f97c2ada667dfb5f6d03308d963e1\","
		"\"CurMemVer\":\"71217227bbd112ecfe3a49c482195cb4\"}}");
	buf_reset(&out);
	/* MemChangeList sent as text (seen in some SDK tests) becomes an array too */
	json_of("<xml><MemChangeList><![CDATA[a, b,,c]]></MemChangeList><M2></M2>"
		"<MemChangeCnt/></xml>", "k", &out);
	assert_non_null(strstr(out.data, "\"MemChangeList\":[\"a\",\"b\",\"c\"]"));
	buf_reset(&out);
	json_of("<xml><MemChangeList></MemChangeList></xml>", "k", &out);
	assert_non_null(strstr(out.data, "\"MemChangeList\":[]"));
	buf_reset(&out);
	/* quotes, backslashes, slashes, newlines and non-ASCII text, escaped for JSON */
	json_of("<xml><Remark><![CDATA[a\"b\\c/d\ne\t\xe5\xa5\xbd]]></Remark></xml>", "k", &out);
	assert_non_null(strstr(out.data, "\"Remark\":\"a\\\"b\\\\c/d\\ne\\t\xe5\xa5\xbd\""));
	assert_null(strchr(out.data, '\n'));
	buf_release(&out);
}

/* ---- the spool ---------------------------------------------------------------------- */

static char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/siyu-test-wecom-XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4096];

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) < 0)
			remove_tree(path);
	}
	closedir(d);
	rmdir(dir);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(buf_add(&b, chunk, n), 0);
	fclose(f);
	return buf_detach(&b, NULL);
}

static void test_spool_append(void **state)
{
	char *dir = make_tmpdir();
	char path[4200], sub[4200], err[512], *text;
	int fd;

	(void)state;
	/* 2024-06-03T23:59:59Z and 2024-06-04T00:00:00Z go to two files (UTC dates) */
	assert_int_equal(wecom_spool_append(dir, 1717459199, "{\"a\":1}", 7, err, sizeof(err)), 0);
	assert_int_equal(wecom_spool_append(dir, 1717459199, "{\"a\":2}", 7, err, sizeof(err)), 0);
	assert_int_equal(wecom_spool_append(dir, 1717459200, "{\"b\":1}", 7, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/events-20240603.jsonl", dir);
	text = slurp(path);
	assert_string_equal(text, "{\"a\":1}\n{\"a\":2}\n");
	free(text);
	snprintf(path, sizeof(path), "%s/events-20240604.jsonl", dir);
	text = slurp(path);
	assert_string_equal(text, "{\"b\":1}\n");
	free(text);

	/* a line cut short by a crash is ended before the next one is appended */
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"torn", 6), 6);
	close(fd);
	assert_int_equal(wecom_spool_append(dir, 1717459200, "{\"b\":2}", 7, err, sizeof(err)), 0);
	text = slurp(path);
	assert_string_equal(text, "{\"b\":1}\n{\"torn\n{\"b\":2}\n");
	free(text);

	/* mkdir -p, and an unwritable place fails with the path in the message */
	snprintf(sub, sizeof(sub), "%s/x/y/z", dir);
	assert_int_equal(wecom_spool_mkdir(sub, err, sizeof(err)), 0);
	assert_int_equal(wecom_spool_append(sub, 0, "{}", 2, err, sizeof(err)), 0);
	snprintf(sub, sizeof(sub), "%s/missing", dir);
	assert_int_equal(wecom_spool_append(sub, 0, "{}", 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "events-19700101.jsonl"));
	remove_tree(dir);
	free(dir);
}

/* ---- the receiver ------------------------------------------------------------------ */

struct pushed {
	char ts[16], nonce[16], sig[WECOM_SIGNATURE_HEX + 1];
	struct buf body;
};

/* Encrypt xml as WeCom would for receiver corp and build the POST body and query. */
static void push_body(const char *xml, const char *corp, struct pushed *p)
{
	struct wecom_crypto c;
	struct buf enc = BUF_INIT;
	char err[256];

	assert_int_equal(wecom_crypto_init(&c, TOKEN, AES_KEY, corp, err, sizeof(err)), 0);
	assert_int_equal(wecom_crypto_encrypt(&c, NULL, xml, strlen(xml), &enc), 0);
	snprintf(p->ts, sizeof(p->ts), "1717385400");
	snprintf(p->nonce, sizeof(p->nonce), "%d", rand());
	wecom_crypto_sign(&c, p->ts, p->nonce, enc.data, p->sig);
	buf_init(&p->body, 0);
	assert_int_equal(buf_addf(&p->body,
				  "<xml><ToUserName><![CDATA[%s]]></ToUserName>"
				  "<Encrypt><![CDATA[%s]]></Encrypt>"
				  "<AgentID><![CDATA[1000002]]></AgentID></xml>", corp, enc.data), 0);
	buf_release(&enc);
	wecom_crypto_release(&c);
}

static int post(struct wecom_callback *cb, const struct pushed *p, const char *sig,
		struct wecom_reply *r)
{
	struct timespec now = { 1717459199, 0 };

	wecom_reply_release(r);
	wecom_reply_init(r);
	return wecom_callback_event(cb, sig, p->ts, p->nonce, p->body.data, p->body.len, &now, r);
}

static int count_lines(const char *path)
{
	char *text = slurp(path);
	int n = 0;

	if (!text)
		return 0;
	for (char *p = text; *p; p++)
		n += *p == '\n';
	free(text);
	return n;
}

static void test_receiver(void **state)
{
	char *dir = make_tmpdir();
	char path[4200], err[512], bad_sig[WECOM_SIGNATURE_HEX + 1];
	struct wecom_callback cb;
	struct wecom_reply r;
	struct pushed add, retry, other_corp, text_msg;
	char *line;

	(void)state;
	snprintf(path, sizeof(path), "%s/events-20240603.jsonl", dir);
	assert_int_equal(wecom_callback_init(&cb, TOKEN, AES_KEY, CORP, dir, err, sizeof(err)), 0);
	wecom_reply_init(&r);

	push_body(del_follow, CORP, &add);
	assert_int_equal(post(&cb, &add, add.sig, &r), 200);
	assert_string_equal(r.reason, "spooled");
	assert_string_equal(r.event, "change_external_contact/del_follow_user");
	assert_int_equal(r.body.len, 0);
	assert_int_equal(count_lines(path), 1);
	line = slurp(path);
	assert_non_null(strstr(line, "\"received_at\":\"2024-06-03T23:59:59.000Z\""));
	assert_non_null(strstr(line, r.key));
	assert_non_null(strstr(line, "\"ChangeType\":\"del_follow_user\""));
	free(line);

	/* WeCom's retry: encrypted again with another random prefix, another nonce */
	push_body(del_follow, CORP, &retry);
	assert_int_equal(post(&cb, &retry, retry.sig, &r), 200);
	assert_string_equal(r.reason, "duplicate of a spooled event (retry)");
	assert_int_equal(count_lines(path), 1);

	/* a wrong signature, a message for another corp: 403, nothing spooled */
	memcpy(bad_sig, add.sig, sizeof(bad_sig));
	bad_sig[0] = bad_sig[0] == 'a' ? 'b' : 'a';
	assert_int_equal(post(&cb, &add, bad_sig, &r), 403);
	assert_string_equal(r.reason, "bad signature");
	push_body(chat_update, "wwsomeoneelse", &other_corp);
	assert_int_equal(post(&cb, &other_corp, other_corp.sig, &r), 403);
	assert_string_equal(r.reason, "wrong receiver id");
	assert_int_equal(count_lines(path), 1);

	/* a chat message, not an event: 200, not spooled */
	push_body("<xml><ToUserName>x</ToUserName><MsgType>text</MsgType><Content>hi</Content></xml>",
		  CORP, &text_msg);
	assert_int_equal(post(&cb, &text_msg, text_msg.sig, &r), 200);
	assert_int_equal(count_lines(path), 1);

	/* missing parameters and broken bodies: 400 */
	wecom_reply_release(&r);
	wecom_reply_init(&r);
	{
		struct timespec now = { 1717459199, 0 };

		assert_int_equal(wecom_callback_event(&cb, NULL, "1", "2", "<xml/>", 6, &now, &r), 400);
		assert_int_equal(wecom_callback_event(&cb, "s", "1", "2", "not xml", 7, &now, &r), 400);
		assert_int_equal(wecom_callback_event(&cb, add.sig, add.ts, add.nonce,
						      "<xml><ToUserName>a</ToUserName></xml>", 37,
						      &now, &r), 400);
		assert_string_equal(r.reason, "no Encrypt in the body");
	}
	assert_int_equal(cb.spooled, 1);
	assert_int_equal(cb.duplicates, 1);
	assert_int_equal(cb.ignored, 1);

	/* the signature comes before any XML: an entity bomb in an unsigned body is
	 * never parsed, only refused for its signature */
	{
		struct pushed bomb = { .body = BUF_INIT };

		memcpy(&bomb, &add, offsetof(struct pushed, body));
		assert_int_equal(buf_adds(&bomb.body, "<!DOCTYPE x [<!ENTITY a \"aaaaaaaa\">"
						      "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
						      "<xml><Encrypt>AAAA</Encrypt><X>&b;</X></xml>"), 0);
		assert_int_equal(post(&cb, &bomb, bomb.sig, &r), 403);
		assert_string_equal(r.reason, "bad signature");
		buf_reset(&bomb.body);
		assert_int_equal(buf_adds(&bomb.body, "<xml><Encrypt>AA</Encrypt><Encrypt>BB</Encrypt></xml>"), 0);
		assert_int_equal(post(&cb, &bomb, bomb.sig, &r), 400);
		assert_string_equal(r.reason, "more than one Encrypt in the body");
		buf_reset(&bomb.body);
		assert_int_equal(buf_adds(&bomb.body, "<xml><Encrypt><b>AA</b></Encrypt></xml>"), 0);
		assert_int_equal(post(&cb, &bomb, bomb.sig, &r), 400);
		assert_string_equal(r.reason, "Encrypt is not base64 text");
		buf_release(&bomb.body);
	}
	/* a signed event that is not WeCom's XML (here a DOCTYPE): 400, nothing spooled */
	{
		struct pushed doctype;

		push_body("<!DOCTYPE xml><xml><MsgType>event</MsgType></xml>", CORP, &doctype);
		assert_int_equal(post(&cb, &doctype, doctype.sig, &r), 400);
		assert_non_null(strstr(r.reason, "decrypted event is not WeCom's XML: a DOCTYPE"));
		buf_release(&doctype.body);
	}
	assert_int_equal(count_lines(path), 1);
	assert_int_equal(cb.spooled, 1);
	assert_int_equal(cb.duplicates, 1);
	assert_int_equal(cb.ignored, 1);

	/* a restart remembers the spooled keys: the retry is still a retry */
	wecom_callback_release(&cb);
	assert_int_equal(wecom_callback_init(&cb, TOKEN, AES_KEY, CORP, dir, err, sizeof(err)), 0);
	assert_int_equal(post(&cb, &retry, retry.sig, &r), 200);
	assert_string_equal(r.reason, "duplicate of a spooled event (retry)");
	/* a new event after the restart */
	buf_release(&add.body);
	push_body(chat_update, CORP, &add);
	assert_int_equal(post(&cb, &add, add.sig, &r), 200);
	assert_string_equal(r.reason, "spooled");
	assert_int_equal(count_lines(path), 2);

	wecom_reply_release(&r);
	wecom_callback_release(&cb);
	buf_release(&add.body);
	buf_release(&retry.body);
	buf_release(&other_corp.body);
	buf_release(&text_msg.body);
	remove_tree(dir);
	free(dir);
}

static void test_verify_url(void **state)
{
	char *dir = make_tmpdir();
	char err[512];
	struct wecom_callback cb;
	struct wecom_reply r;

	(void)state;
	assert_int_equal(wecom_callback_init(&cb, TOKEN, AES_KEY, CORP, dir, err, sizeof(err)), 0);
	/* the official VerifyURL vector (sbzhu/weworkapi_python callback/Sample.py) */
	wecom_reply_init(&r);
	assert_int_equal(wecom_callback_verify_url(
				 &cb, "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373",
				 "47744683",
				 "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
				 &r),
			 200);
	assert_string_equal(r.body.data, "1288432023552776189");
	wecom_reply_release(&r);
	/* the same with its '+' form-decoded into ' ' */
	wecom_reply_init(&r);
	assert_int_equal(wecom_callback_verify_url(
				 &cb, "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373",
				 "47744683",
				 "fsi1xnbH4yQh0 PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
				 &r),
			 200);
	assert_string_equal(r.body.data, "1288432023552776189");
	wecom_reply_release(&r);
	/* wrong nonce: 403, no body */
	wecom_reply_init(&r);
	assert_int_equal(wecom_callback_verify_url(
				 &cb, "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373",
				 "47744684",
				 "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
				 &r),
			 403);
	assert_int_equal(r.body.len, 0);
	wecom_reply_release(&r);
	wecom_reply_init(&r);
	assert_int_equal(wecom_callback_verify_url(&cb, "x", "1", "2", NULL, &r), 400);
	assert_string_equal(r.reason, "missing echostr");
	assert_int_equal(wecom_callback_verify_url(&cb, "x", NULL, "2", "e", &r), 400);
	assert_string_equal(r.reason, "missing timestamp");
	wecom_reply_release(&r);
	wecom_callback_release(&cb);
	remove_tree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_official_shapes),
		cmocka_unit_test(test_xml_text_forms),
		cmocka_unit_test(test_xml_rejects),
		cmocka_unit_test(test_xml_limits),
		cmocka_unit_test(test_xml_fuzz),
		cmocka_unit_test(test_event_key),
		cmocka_unit_test(test_event_json),
		cmocka_unit_test(test_spool_append),
		cmocka_unit_test(test_receiver),
		cmocka_unit_test(test_verify_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
