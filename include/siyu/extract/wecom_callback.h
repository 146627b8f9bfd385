/*
 * wecom_callback.h — the WeCom change-callback receiver, without the HTTP part.
 *
 *   GET  ?msg_signature&timestamp&nonce&echostr   URL check: answer the decrypted echostr
 *   POST ?msg_signature&timestamp&nonce  <xml><ToUserName/><Encrypt/><AgentID/></xml>
 *        -> verify, decrypt, parse the event XML, append it to the spool (write + fsync),
 *           and only then answer 200
 *
 * The spool lives in the raw zone: <spool_dir>/events-YYYYMMDD.jsonl (UTC date of
 * receipt), one JSON object per line:
 *   {"received_at":"2025-06-01T08:30:00.123Z","key":"<32 hex>","event":{...}}
 * where "event" holds every field of the event XML as a string, and fields with
 * child elements (MemChangeList's <Item>s) as arrays of strings. The key is the same
 * for WeCom's retries of one event (see wecom_event_key), so retries are answered
 * 200 without a second line when the receiver still remembers the key, and the
 * loader (source/wecom_events.c) drops any duplicate that got through.
 *
 * The HTTP server (libmicrohttpd) is in wecom_callback_http.c; `siyu wecom-callback`
 * (cli/cmd_wecom_callback.c) wires config, server and signals together.
 */
#ifndef SIYU_EXTRACT_WECOM_CALLBACK_H
#define SIYU_EXTRACT_WECOM_CALLBACK_H

#include "siyu/common/buf.h"
#include "siyu/extract/wecom_crypto.h"

#include <pthread.h>
#include <stddef.h>
#include <time.h>

struct config;
struct config_source;

/* ---- the event XML ------------------------------------------------------------------- */

#define WECOM_XML_MAX_FIELDS 64
#define WECOM_XML_MAX_ITEMS 10000
#define WECOM_XML_MAX_NAME 64

struct wecom_xml_field {
	char *name;
	char *value;   /* text of a leaf element ("" when empty); NULL for a list */
	char **items;  /* texts of the child elements of a list */
	size_t nitems;
	int is_list;
};

struct wecom_xml {
	struct wecom_xml_field *fields;
	size_t nfields;
};

/*
 * Read WeCom's flat XML with expat: <xml><Name>text</Name>…</xml>, where text is
 * characters (entities and character references resolved) and/or CDATA sections, and
 * a field may instead hold child elements (<MemChangeList><Item>a</Item>…</MemChangeList>,
 * one level). Refused: attributes, a DOCTYPE (no entity is ever declared), deeper
 * nesting, text mixed with child elements, names repeated outside a list, more than
 * WECOM_XML_MAX_FIELDS fields or WECOM_XML_MAX_ITEMS items; the input must be valid
 * UTF-8 without control characters other than tab, CR and LF. Comments and processing
 * instructions are ignored. Returns 0, or -1 with a reason ("… at byte N") in err
 * (x is then empty). x must be zeroed or released; release it with wecom_xml_release.
 */
int wecom_xml_parse(struct wecom_xml *x, const char *text, size_t len, char *err, size_t errlen);
void wecom_xml_release(struct wecom_xml *x);

/*
 * 0 when s (n bytes) is valid UTF-8 without control characters other than tab, LF and
 * CR; else -1 and *bad = the offset of the first bad byte.
 */
int wecom_utf8_check(const char *s, size_t n, size_t *bad);

/* The field named name, or NULL. Borrowed. */
const struct wecom_xml_field *wecom_xml_find(const struct wecom_xml *x, const char *name);

/* The text of leaf field name, or NULL when absent or a list. Borrowed. */
const char *wecom_xml_get(const struct wecom_xml *x, const char *name);

/* ---- one event -------------------------------------------------------------------------- */

#define WECOM_EVENT_KEY_HEX 32

/*
 * The dedupe key of an event: hex of the first 128 bits of SHA-256 over every field
 * (names sorted, lists in order) except WelcomeCode, a short-lived code that is not
 * part of the event's identity. WeCom's retries resend the same plaintext, so they
 * get the same key; two different events (another ChangeType, another UserID, another
 * MemChangeList, another CreateTime) get different ones.
 */
void wecom_event_key(const struct wecom_xml *x, char out[WECOM_EVENT_KEY_HEX + 1]);

/*
 * Append the spool line (without the final newline) for an event received at
 * received (UTC, with milliseconds) to out. 0 or -1 (memory).
 */
int wecom_event_json(const struct wecom_xml *x, const char *key, const struct timespec *received,
		     struct buf *out);

/* ---- the spool --------------------------------------------------------------------------- */

/*
 * Append line + '\n' to <dir>/events-YYYYMMDD.jsonl (UTC date of when) with one
 * write(2) and fsync(2) it (and the directory when the file is new). A file whose
 * last line was cut short by a crash gets a '\n' first, so that the cut line stays
 * a line of its own (the loader rejects it) and never glues onto the new one.
 * Returns 0, or -1 with err filled (the path and strerror).
 */
int wecom_spool_append(const char *dir, time_t when, const char *line, size_t len, char *err,
		       size_t errlen);

/* 1 when name is a spool file name (events-YYYYMMDD.jsonl), else 0. */
int wecom_spool_is_name(const char *name);

/* mkdir -p dir (0750). 0, or -1 with err filled. */
int wecom_spool_mkdir(const char *dir, char *err, size_t errlen);

/*
 * Where the spool of source src lives: its spool_dir, else <[run] raw_dir>/<name>/callbacks.
 * Returns 0, or -1 when the path does not fit in n.
 */
int wecom_spool_dir(const struct config *cfg, const struct config_source *src, char *out,
		    size_t n);

/* ---- the receiver ----------------------------------------------------------------------- */

#define WECOM_RECENT_KEYS 4096
#define WECOM_MAX_BODY (64 * 1024)

struct wecom_callback {
	struct wecom_crypto crypto;
	char *spool_dir;
	pthread_mutex_t lock;
	/* keys spooled lately (a ring), to answer WeCom's retries without a second line */
	char (*recent)[WECOM_EVENT_KEY_HEX + 1];
	size_t nrecent, next_recent;
	/* counters for the shutdown log line */
	unsigned long spooled, duplicates, rejected, ignored;
};

/* What to answer: an HTTP status, a body, and a reason for the log line. */
struct wecom_reply {
	int status;
	struct buf body;
	char reason[160];
	char event[96];   /* "change_external_contact/del_follow_user" when known */
	char key[WECOM_EVENT_KEY_HEX + 1];
};

/*
 * Set up the receiver: crypto from token / EncodingAESKey / receiver id, the spool
 * directory (created), and the recent keys of the last two spool files (so that a
 * restart still recognizes retries). Returns 0, or -1 with err filled.
 */
int wecom_callback_init(struct wecom_callback *cb, const char *token, const char *aes_key,
			const char *receiver_id, const char *spool_dir, char *err, size_t errlen);
void wecom_callback_release(struct wecom_callback *cb);

void wecom_reply_init(struct wecom_reply *r);
void wecom_reply_release(struct wecom_reply *r);

/*
 * The URL check (GET): verify msg_signature over echostr, decrypt it, answer the
 * plaintext with 200; else 400 (missing parameter, undecryptable) or 403 (bad
 * signature, wrong receiver). Any argument may be NULL (missing). Returns r->status.
 */
int wecom_callback_verify_url(struct wecom_callback *cb, const char *msg_signature,
			      const char *timestamp, const char *nonce, const char *echostr,
			      struct wecom_reply *r);

/*
 * An event push (POST): take the Encrypt text of the envelope (without parsing it as
 * XML), verify the signature over it, decrypt, parse the event, and spool it durably
 * before answering 200 (empty body). A retry of a spooled event answers 200 without a
 * new line. A message that is not an event (MsgType other than event) is answered 200
 * and not spooled. 400: missing parameter, no single base64 Encrypt in the body,
 * undecryptable, event XML invalid; 403: bad signature or wrong receiver; 500: the
 * spool could not be written (WeCom will retry). now is the time of receipt.
 * Returns r->status.
 */
int wecom_callback_event(struct wecom_callback *cb, const char *msg_signature,
			 const char *timestamp, const char *nonce, const char *body, size_t len,
			 const struct timespec *now, struct wecom_reply *r);

/* ---- the HTTP server (wecom_callback_http.c) ---------------------------------------------- */

struct wecom_callback_server;

/*
 * What keeps slow or idle clients from starving WeCom's pushes (docs/wecom_callback.md,
 * "Limits"): a connection is closed when its request has not arrived whole within
 * read_timeout_s of its opening (or of the previous answer on a kept-alive connection),
 * however slowly it keeps sending; connections beyond max_per_address from one address,
 * or beyond max_connections in all, are closed as soon as they are accepted.
 * pipeline.conf's callback_read_timeout, callback_max_connections and
 * callback_max_connections_per_address (common/config.c holds the defaults).
 */
struct wecom_callback_limits {
	unsigned max_connections;
	unsigned max_per_address;
	unsigned read_timeout_s;
};

/*
 * Listen on listen ("HOST:PORT", "[v6]:PORT"; port 0 = any free port) and serve cb
 * from a libmicrohttpd thread, within limits, until wecom_callback_server_stop.
 * Returns the server or NULL with err filled.
 */
struct wecom_callback_server *wecom_callback_server_start(struct wecom_callback *cb,
							  const char *listen,
							  const struct wecom_callback_limits *limits,
							  char *err, size_t errlen);

/* The port actually bound. */
unsigned wecom_callback_server_port(const struct wecom_callback_server *s);

/* Stop accepting, let open connections finish (up to 3 s), close; NULL is fine. */
void wecom_callback_server_stop(struct wecom_callback_server *s);

#endif /* SIYU_EXTRACT_WECOM_CALLBACK_H */
