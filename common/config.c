/*
 * common/config.c — pipeline.conf reader
 *
 * The file is read line by line.  A section's key = value lines are
 * collected first (syntax, duplicates) and checked when the section ends,
 * because which keys a [source.NAME] accepts depends on its `type`, which
 * may come on any line.  Checking looks each key up in keyspecs[] below
 * (name, sections/types it is valid in, kind, flags, default, bounds,
 * field), refuses literal secrets, expands ${VAR} and stores the typed
 * value.  Every message starts with "file:line: "; the offending line is
 * quoted below it with secret-looking values hidden.
 */
#include "siyu/common/config.h"

#include "siyu/common/buf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_FILE_BYTES (4L * 1024 * 1024)
#define MAX_VALUE_BYTES (1L * 1024 * 1024)
#define MAX_SOURCE_NAME 63
#define MAX_ECHO 160

#define DAY 86400L

/* Where a key is valid: one bit per section kind and per source type. */
enum {
	W_WAREHOUSE = 1u << 0,
	W_RUN = 1u << 1,
	W_WECOM = 1u << 2,
	W_YOUZAN = 1u << 3,
	W_TAOBAO = 1u << 4,
	W_JD = 1u << 5,
	W_PDD = 1u << 6,
	W_DOUYIN = 1u << 7,
	W_CHANNELS = 1u << 8,
	W_CSV = 1u << 9,
	W_ACTIONS = 1u << 10,
	W_AUDIENCE = 1u << 11
};
#define W_API (W_WECOM | W_YOUZAN | W_TAOBAO | W_JD | W_PDD | W_DOUYIN | W_CHANNELS)
#define W_SOURCE (W_API | W_CSV)

/* Per-type defaults and limits: each platform's rate and window limits. */
static const struct source_type {
	const char *name;
	unsigned bit;
	const char *rps;        /* default rps */
	const char *window;     /* default window */
	long window_max;        /* the platform's longest window, seconds */
	const char *base_url;   /* default API root */
} source_types[] = {
	{ "wecom", W_WECOM, "5", "1d", 30 * DAY, "https://qyapi.weixin.qq.com" },
	{ "youzan", W_YOUZAN, "5", "1d", 90 * DAY, "https://open.youzanyun.com" },
	{ "taobao", W_TAOBAO, "5", "30m", DAY, "https://eco.taobao.com/router/rest" },
	{ "jd", W_JD, "5", "1d", 30 * DAY, "https://api.jd.com/routerjson" },
	{ "pdd", W_PDD, "5", "30m", 1800, "https://gw-api.pinduoduo.com/api/router" },
	{ "douyin", W_DOUYIN, "5", "1h", 7 * DAY, "https://openapi-fxg.jinritemai.com" },
	{ "channels", W_CHANNELS, "5", "1d", 7 * DAY, "https://api.weixin.qq.com" },
	{ "csv", W_CSV, NULL, NULL, 0, NULL },
};
#define NTYPES (sizeof(source_types) / sizeof(source_types[0]))
#define TYPE_CHOICES "wecom|youzan|taobao|jd|pdd|douyin|channels|csv"

enum kind {
	K_STR,      /* any text */
	K_BOOL,     /* yes|no|true|false|on|off|1|0 -> int */
	K_INT,      /* strtol, bounds -> long */
	K_DOUBLE,   /* strtod, bounds -> double */
	K_DUR,      /* config_parse_duration, bounds -> long */
	K_ENUM,     /* one of choices -> int index (if stored) */
	K_TZ,       /* IANA zone name -> string */
	K_DATE,     /* YYYY-MM-DD[( |T)HH:MM[:SS]][Z|+HH:MM] */
	K_URL,      /* http:// or https:// */
	K_LISTEN,   /* host:port */
	K_IDENT,    /* [a-z][a-z0-9_]* */
	K_CONNINFO, /* libpq conninfo, also kept as written (conninfo_as_written) */
	K_LIST,     /* comma-separated non-empty items */
	K_IDENTLIST, /* comma-separated K_IDENT items */
	K_INTLIST,  /* comma-separated integers in min..max, increasing */
	K_SEGMENTS, /* comma-separated RFM segment codes (rfm_segments) */
	K_MONTH,    /* YYYY-MM */
	K_YUAN      /* an amount in yuan: digits, at most 2 decimals */
};

/* The RFM segment codes of kpi.customer_value (docs/actions.md). */
static const char rfm_segments[] =
	"important_value|important_develop|important_retain|important_winback|"
	"general_value|general_develop|general_retain|general_winback";

enum { F_SECRET = 1u << 0, F_REQUIRED = 1u << 1, F_NONEMPTY = 1u << 2 };
enum { T_NONE, T_CFG, T_SRC };               /* where the typed value goes */
enum { PT_NONE, PT_RPS, PT_WINDOW, PT_BASE_URL }; /* default taken per type */

struct keyspec {
	const char *name;
	unsigned where;
	enum kind kind;
	unsigned flags;
	const char *def;     /* default as text (NULL: none) */
	int per_type;        /* default comes from source_types[] */
	double min, max;     /* bounds for K_INT, K_DOUBLE, K_DUR */
	const char *choices; /* K_ENUM: "a|b|c" */
	int target;
	size_t off;
};

#define CFG(f) T_CFG, offsetof(struct config, f)
#define SRC(f) T_SRC, offsetof(struct config_source, f)
#define KV T_NONE, 0

static const struct keyspec keyspecs[] = {
	/* [warehouse] */
	{ "conninfo", W_WAREHOUSE, K_CONNINFO, 0, "", PT_NONE, 0, 0, NULL, CFG(conninfo) },
	{ "application_name", W_WAREHOUSE, K_STR, F_NONEMPTY, "siyu", PT_NONE, 0, 0, NULL, CFG(application_name) },
	/* [run] */
	{ "timezone", W_RUN, K_TZ, 0, "Asia/Shanghai", PT_NONE, 0, 0, NULL, CFG(timezone) },
	{ "raw_dir", W_RUN, K_STR, F_NONEMPTY, "var/raw", PT_NONE, 0, 0, NULL, CFG(raw_dir) },
	{ "max_reject_ratio", W_RUN, K_DOUBLE, 0, "0.01", PT_NONE, 0, 1, NULL, CFG(max_reject_ratio) },
	{ "batch_rows", W_RUN, K_INT, 0, "10000", PT_NONE, 100, 1000000, NULL, CFG(batch_rows) },
	{ "log_level", W_RUN, K_ENUM, 0, "info", PT_NONE, 0, 0, "error|warn|info|debug", CFG(log_level) },
	{ "metrics_file", W_RUN, K_STR, 0, "", PT_NONE, 0, 0, NULL, CFG(metrics_file) },
	/* [actions] (docs/actions.md) */
	{ "care_steps", W_ACTIONS, K_INTLIST, 0, "1,3,7,15,30", PT_NONE, 1, 365, NULL, CFG(care_steps) },
	{ "at_risk_segments", W_ACTIONS, K_SEGMENTS, 0,
	  "important_value,important_develop,important_retain,important_winback", PT_NONE, 0, 0, NULL,
	  CFG(at_risk_segments) },
	{ "push_source", W_ACTIONS, K_STR, 0, "", PT_NONE, 0, 0, NULL, CFG(push_source) },
	{ "push_tag_group", W_ACTIONS, K_STR, F_NONEMPTY, "私域人群", PT_NONE, 0, 0, NULL, CFG(push_tag_group) },
	/* [audience.NAME] (docs/actions.md) */
	{ "title", W_AUDIENCE, K_STR, 0, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "segment", W_AUDIENCE, K_SEGMENTS, 0, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "tag", W_AUDIENCE, K_LIST, 0, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "state", W_AUDIENCE, K_LIST, 0, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "platform", W_AUDIENCE, K_IDENTLIST, 0, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "first_order_month", W_AUDIENCE, K_MONTH, 0, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "min_orders", W_AUDIENCE, K_INT, 0, NULL, PT_NONE, 1, 1000000, NULL, KV },
	{ "min_paid", W_AUDIENCE, K_YUAN, 0, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "in_group", W_AUDIENCE, K_ENUM, 0, "any", PT_NONE, 0, 0, "any|yes|no|never", KV },
	{ "push_tag", W_AUDIENCE, K_STR, F_NONEMPTY, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "message", W_AUDIENCE, K_STR, F_NONEMPTY, NULL, PT_NONE, 0, 0, NULL, KV },
	/* [source.NAME], every type */
	{ "type", W_SOURCE, K_ENUM, F_REQUIRED, NULL, PT_NONE, 0, 0, TYPE_CHOICES, KV },
	{ "enabled", W_SOURCE, K_BOOL, 0, "yes", PT_NONE, 0, 0, NULL, SRC(enabled) },
	{ "timezone", W_SOURCE, K_TZ, 0, NULL, PT_NONE, 0, 0, NULL, SRC(timezone) },
	{ "max_reject_ratio", W_SOURCE, K_DOUBLE, 0, NULL, PT_NONE, 0, 1, NULL, SRC(max_reject_ratio) },
	{ "warn_after", W_SOURCE, K_DUR, 0, "0", PT_NONE, 0, 366 * DAY, NULL, SRC(warn_after_s) },
	{ "error_after", W_SOURCE, K_DUR, 0, "0", PT_NONE, 0, 366 * DAY, NULL, SRC(error_after_s) },
	/* API sources */
	{ "base_url", W_API, K_URL, 0, NULL, PT_BASE_URL, 0, 0, NULL, KV },
	{ "rps", W_API, K_DOUBLE, 0, NULL, PT_RPS, 0.01, 1000, NULL, SRC(rps) },
	{ "timeout", W_API, K_DUR, 0, "30", PT_NONE, 1, 3600, NULL, SRC(timeout) },
	{ "connect_timeout", W_API, K_DUR, 0, "10", PT_NONE, 1, 600, NULL, SRC(connect_timeout) },
	{ "retries", W_API, K_INT, 0, "5", PT_NONE, 0, 100, NULL, SRC(retries) },
	{ "lookback", W_API, K_DUR, 0, "1h", PT_NONE, 0, 366 * DAY, NULL, SRC(lookback_s) },
	{ "safety_lag", W_API, K_DUR, 0, "5m", PT_NONE, 0, DAY, NULL, SRC(safety_lag_s) },
	{ "window", W_API, K_DUR, 0, NULL, PT_WINDOW, 60, 366 * DAY, NULL, SRC(window_s) },
	{ "start", W_API, K_DATE, 0, NULL, PT_NONE, 0, 0, NULL, KV },
	/* wecom */
	{ "corpid", W_WECOM, K_STR, F_REQUIRED, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "secret", W_WECOM, K_STR, F_REQUIRED | F_SECRET, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "callback_token", W_WECOM, K_STR, F_SECRET, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "callback_aes_key", W_WECOM, K_STR, F_SECRET, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "callback_listen", W_WECOM, K_LISTEN, 0, "127.0.0.1:8081", PT_NONE, 0, 0, NULL, KV },
	{ "callback_receiver_id", W_WECOM, K_STR, 0, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "callback_max_connections", W_WECOM, K_INT, 0, "256", PT_NONE, 1, 10000, NULL, KV },
	{ "callback_max_connections_per_address", W_WECOM, K_INT, 0, "16", PT_NONE, 1, 10000, NULL, KV },
	{ "callback_read_timeout", W_WECOM, K_DUR, 0, "3s", PT_NONE, 1, 300, NULL, KV },
	{ "stats_days", W_WECOM, K_INT, 0, "7", PT_NONE, 1, 30, NULL, SRC(stats_days) },
	{ "staff_refresh", W_WECOM, K_DUR, 0, "30d", PT_NONE, DAY, 366 * DAY, NULL, SRC(staff_refresh_s) },
	{ "spool_dir", W_WECOM, K_STR, F_NONEMPTY, NULL, PT_NONE, 0, 0, NULL, KV },
	/* youzan (grant_id or kdt_id: see oneofs[]) */
	{ "client_id", W_YOUZAN | W_PDD, K_STR, F_REQUIRED, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "client_secret", W_YOUZAN | W_PDD, K_STR, F_REQUIRED | F_SECRET, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "grant_id", W_YOUZAN, K_STR, 0, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "kdt_id", W_YOUZAN, K_STR, 0, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "page_size", W_YOUZAN | W_TAOBAO | W_JD | W_PDD | W_DOUYIN | W_CHANNELS, K_INT, 0, "100",
	  PT_NONE, 1, 100, NULL, KV },
	/* taobao, jd, douyin */
	{ "app_key", W_TAOBAO | W_JD | W_DOUYIN, K_STR, F_REQUIRED, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "app_secret", W_TAOBAO | W_JD | W_DOUYIN, K_STR, F_REQUIRED | F_SECRET, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "session", W_TAOBAO, K_STR, F_REQUIRED | F_SECRET, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "sign_method", W_TAOBAO, K_ENUM, 0, "md5", PT_NONE, 0, 0, "md5|hmac|hmac-sha256", KV },
	/* taobao, jd, pdd: the OAuth refresh token that renews an expired session/token */
	{ "refresh_token", W_TAOBAO | W_JD | W_PDD, K_STR, F_SECRET, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "token_url", W_TAOBAO | W_JD, K_URL, 0, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "access_token", W_JD | W_PDD, K_STR, F_REQUIRED | F_SECRET, NULL, PT_NONE, 0, 0, NULL, KV },
	/* douyin: access_token, or shop_id for a self-use app (see oneofs[]) */
	{ "access_token", W_DOUYIN, K_STR, F_SECRET, NULL, PT_NONE, 0, 0, NULL, KV },
	/* the shop's id in the warehouse (dim_channel.shop_id; API sources: default the
	 * section's name) */
	{ "shop_id", W_TAOBAO | W_JD | W_PDD | W_DOUYIN | W_CHANNELS | W_CSV, K_STR, 0, NULL,
	  PT_NONE, 0, 0, NULL, KV },
	/* channels */
	{ "appid", W_CHANNELS, K_STR, F_REQUIRED, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "appsecret", W_CHANNELS, K_STR, F_REQUIRED | F_SECRET, NULL, PT_NONE, 0, 0, NULL, KV },
	/* csv */
	{ "profile", W_CSV, K_ENUM, 0, "generic", PT_NONE, 0, 0, "generic|taobao|jd|pdd|douyin|channels|youzan|auto", KV },
	{ "path", W_CSV, K_STR, F_REQUIRED, NULL, PT_NONE, 0, 0, NULL, KV },
	{ "encoding", W_CSV, K_ENUM, 0, "auto", PT_NONE, 0, 0, "auto|utf-8|gbk", KV },
	{ "platform", W_CSV, K_IDENT, 0, NULL, PT_NONE, 0, 0, NULL, KV },
	/* the shop's display name (dim_channel.shop_name): csv, for files without the
	 * column; API sources, whose order APIs do not give it */
	{ "shop_name", W_CSV | W_TAOBAO | W_JD | W_PDD | W_DOUYIN | W_CHANNELS, K_STR, 0, NULL,
	  PT_NONE, 0, 0, NULL, KV },
};
#define NKEYSPECS (sizeof(keyspecs) / sizeof(keyspecs[0]))

/* Source types that need one key out of two. */
static const struct oneof {
	unsigned where;
	const char *a, *b;
} oneofs[] = {
	{ W_YOUZAN, "kdt_id", "grant_id" },
	{ W_DOUYIN, "access_token", "shop_id" },
};

/* A key = value line of the current section, not checked yet. */
struct pending {
	char *key;
	char *val;  /* quotes and escapes resolved, ${} not yet expanded */
	char *raw;  /* the line as written, for messages */
	int line;
};

enum { SEC_NONE, SEC_WAREHOUSE, SEC_RUN, SEC_SOURCE, SEC_ACTIONS, SEC_AUDIENCE };

struct parser {
	struct config *cfg;
	const char *name;
	char *err;
	size_t errlen;

	int sec;            /* SEC_* of the current section */
	int sec_line;
	char *sec_raw;      /* header line as written */
	char label[128];    /* "[run]", "[source.x] (type wecom)" */
	unsigned mask;      /* W_* bit(s) of the current section */
	struct pending *pend;
	size_t npend, cappend;

	int warehouse_line, run_line, actions_line; /* 0 = not seen yet */
	int disabled;       /* current source has enabled = no: see finish_source */
	char unset_var[256]; /* set by expand() when an optional ${VAR} is unset */
};

static char *xstrndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Keys whose values should never be echoed unless they are ${…} references. */
static int key_looks_secret(const char *key)
{
	static const char *const words[] = {
		"secret", "token", "password", "passwd", "session", "aes_key", "pwd",
	};
	size_t i;

	if (!key)
		return 0;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(key, words[i]))
			return 1;
	return 0;
}

static int is_var_start(int c)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_var_char(int c)
{
	return is_var_start(c) || (c >= '0' && c <= '9');
}

/* 1 if v is exactly one ${NAME} reference (no default, nothing around). */
static int is_pure_ref(const char *v)
{
	size_t i = 2;

	if (!v || v[0] != '$' || v[1] != '{' || !is_var_start((unsigned char)v[2]))
		return 0;
	while (is_var_char((unsigned char)v[i]))
		i++;
	return v[i] == '}' && v[i + 1] == '\0';
}

/*
 * Append "\n  LINE | text" to err, with control characters shown as '?'
 * and, when hide is set, everything after the first '=' replaced.
 */
static void echo_line(char *err, size_t errlen, int line, const char *raw, int hide)
{
	char buf[MAX_ECHO + 16];
	size_t n = 0, used;
	const char *s;

	if (!err || !errlen || !raw)
		return;
	for (s = raw; *s && n < MAX_ECHO; s++) {
		unsigned char c = (unsigned char)*s;

		buf[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
		if (hide && c == '=') {
			const char *h = " <hidden>";

			memcpy(buf + n, h, strlen(h));
			n += strlen(h);
			break;
		}
	}
	if (*s && !hide && n == MAX_ECHO) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	used = strlen(err);
	if (used + 1 < errlen)
		snprintf(err + used, errlen - used, "\n%5d | %s", line, buf);
}

/* Format "name:line: message" into p->err; returns -1. */
__attribute__((format(printf, 5, 6)))
static int fail(struct parser *p, int line, const char *raw, int hide, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -1;
	if (line > 0)
		n = snprintf(p->err, p->errlen, "%s:%d: ", p->name, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->name);
	if (n < 0)
		n = 0;
	if ((size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	if (raw)
		echo_line(p->err, p->errlen, line, raw, hide);
	return -1;
}

static int oom(struct parser *p, int line)
{
	return fail(p, line, NULL, 0, "out of memory");
}

static const struct source_type *find_type(const char *name)
{
	size_t i;

	for (i = 0; i < NTYPES; i++)
		if (strcmp(source_types[i].name, name) == 0)
			return &source_types[i];
	return NULL;
}

static const struct keyspec *find_spec(const char *key, unsigned mask)
{
	size_t i;

	for (i = 0; i < NKEYSPECS; i++)
		if ((keyspecs[i].where & mask) && strcmp(keyspecs[i].name, key) == 0)
			return &keyspecs[i];
	return NULL;
}

static const char *spec_default(const struct keyspec *ks, const struct source_type *t)
{
	switch (ks->per_type) {
	case PT_RPS:
		return t ? t->rps : NULL;
	case PT_WINDOW:
		return t ? t->window : NULL;
	case PT_BASE_URL:
		return t ? t->base_url : NULL;
	default:
		return ks->def;
	}
}

/* Levenshtein distance (99 for long strings): enough for "did you mean". */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64], prev, tmp;

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

static const char *suggest(const char *key, unsigned mask)
{
	const char *best = NULL;
	size_t i, bestd = 3;

	for (i = 0; i < NKEYSPECS; i++) {
		size_t d;

		if (!(keyspecs[i].where & mask))
			continue;
		d = edit_distance(key, keyspecs[i].name);
		if (d < bestd && d * 3 <= strlen(keyspecs[i].name)) {
			bestd = d;
			best = keyspecs[i].name;
		}
	}
	return best;
}

/* ---- value parsers ---------------------------------------------------- */

int config_parse_duration(const char *s, long *seconds)
{
	long total = 0;
	const char *q = s;

	if (!s || !*s)
		return -1;
	while (*q) {
		long v = 0, mult;

		if (!isdigit((unsigned char)*q))
			return -1;
		while (isdigit((unsigned char)*q)) {
			int d = *q - '0';

			if (v > (LONG_MAX - d) / 10)
				return -1;
			v = v * 10 + d;
			q++;
		}
		switch (*q) {
		case '\0':
			if (q != s + strspn(s, "0123456789"))
				return -1; /* "1h30" : a bare number only alone */
			mult = 1;
			break;
		case 's': mult = 1; q++; break;
		case 'm': mult = 60; q++; break;
		case 'h': mult = 3600; q++; break;
		case 'd': mult = DAY; q++; break;
		case 'w': mult = 7 * DAY; q++; break;
		default:
			return -1;
		}
		if (v > LONG_MAX / mult || total > LONG_MAX - v * mult)
			return -1;
		total += v * mult;
	}
	*seconds = total;
	return 0;
}

/* "1d", "90s", "1h30m": for messages. */
static void fmt_duration(char *buf, size_t len, long s)
{
	if (s != 0 && s % DAY == 0)
		snprintf(buf, len, "%ldd", s / DAY);
	else if (s != 0 && s % 3600 == 0)
		snprintf(buf, len, "%ldh", s / 3600);
	else if (s != 0 && s % 60 == 0)
		snprintf(buf, len, "%ldm", s / 60);
	else
		snprintf(buf, len, "%lds", s);
}

static int parse_long(const char *s, long *out)
{
	char *end;
	long v;

	if (!*s || is_blank((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s || is_blank((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Index of s in "a|b|c", or -1. */
static int enum_index(const char *choices, const char *s)
{
	size_t n = strlen(s);
	int i = 0;
	const char *c = choices;

	for (;;) {
		const char *bar = strchr(c, '|');
		size_t len = bar ? (size_t)(bar - c) : strlen(c);

		if (len == n && n > 0 && strncmp(c, s, n) == 0)
			return i;
		if (!bar)
			return -1;
		c = bar + 1;
		i++;
	}
}

static int digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* YYYY-MM-DD[( |T)HH:MM[:SS]][Z|(+|-)HH:MM] */
static int check_date(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, dim;

	if (strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1)
		return -1;
	dim = mdays[mo - 1] + (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	if (d > dim)
		return -1;
	s += 10;
	if (!*s)
		return 0;
	if ((*s != ' ' && *s != 'T') || digits(s + 1, 2, &h) || s[3] != ':' ||
	    digits(s + 4, 2, &mi) || h > 23 || mi > 59)
		return -1;
	s += 6;
	if (*s == ':') {
		if (digits(s + 1, 2, &sec) || sec > 59)
			return -1;
		s += 3;
	}
	if (*s == 'Z')
		return s[1] ? -1 : 0;
	if (*s == '+' || *s == '-') {
		if (digits(s + 1, 2, &h) || s[3] != ':' || digits(s + 4, 2, &mi) ||
		    h > 14 || mi > 59 || s[6])
			return -1;
		return 0;
	}
	return *s ? -1 : 0;
}

/*
 * An IANA name: letters, digits, '_', '-', '+', '/' in components, no
 * "..".  When the zoneinfo directory exists the zone file must exist too.
 */
static int check_tz(const char *s, char *why, size_t whylen)
{
	const char *dir = getenv("TZDIR");
	const char *c;
	char path[512];
	struct stat st;

	if (!*s || strlen(s) > 64 || s[0] == '/' || strstr(s, "..") || strstr(s, "//")) {
		snprintf(why, whylen, "not an IANA time zone name like Asia/Shanghai");
		return -1;
	}
	for (c = s; *c; c++) {
		if (!isalnum((unsigned char)*c) && !strchr("_-+/", *c)) {
			snprintf(why, whylen, "not an IANA time zone name like Asia/Shanghai");
			return -1;
		}
	}
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0; /* no tz database here: checked where it is used */
	snprintf(path, sizeof(path), "%s/%s", dir, s);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		/* the directory, not the path: the name may come from the environment */
		snprintf(why, whylen, "unknown time zone (not in %.100s)", dir);
		return -1;
	}
	return 0;
}

static int check_url(const char *s)
{
	const char *h;

	if (strncmp(s, "https://", 8) == 0)
		h = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		h = s + 7;
	else
		return -1;
	if (!*h || *h == '/')
		return -1;
	for (; *s; s++)
		if (is_blank((unsigned char)*s) || *s == '\n')
			return -1;
	return 0;
}

static int check_listen(const char *s)
{
	const char *colon = strrchr(s, ':');
	long port;

	if (!colon || colon == s)
		return -1;
	if (parse_long(colon + 1, &port) || port < 1 || port > 65535 || colon[1] == '+' ||
	    colon[1] == '-')
		return -1;
	for (; s < colon; s++)
		if (is_blank((unsigned char)*s))
			return -1;
	return 0;
}

static int check_ident(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return -1;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return -1;
	return 0;
}

/*
 * The items of a comma-separated list, blanks around each trimmed: fn(item, len, arg)
 * for each in order. -1 when an item is empty or fn refuses one.
 */
static int each_item(const char *s, int (*fn)(const char *item, size_t len, void *arg), void *arg)
{
	for (;;) {
		const char *comma = strchr(s, ','), *b = s, *e = comma ? comma : s + strlen(s);

		while (b < e && is_blank((unsigned char)*b))
			b++;
		while (e > b && is_blank((unsigned char)e[-1]))
			e--;
		if (e == b || fn(b, (size_t)(e - b), arg) < 0)
			return -1;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static int any_item(const char *item, size_t len, void *arg)
{
	(void)item, (void)len, (void)arg;
	return 0;
}

/* item as a NUL-terminated copy in buf (size n); -1 when it does not fit */
static int item_copy(char *buf, size_t n, const char *item, size_t len)
{
	if (len >= n)
		return -1;
	memcpy(buf, item, len);
	buf[len] = '\0';
	return 0;
}

static int ident_item(const char *item, size_t len, void *arg)
{
	char buf[64];

	(void)arg;
	return item_copy(buf, sizeof(buf), item, len) < 0 ? -1 : check_ident(buf);
}

static int segment_item(const char *item, size_t len, void *arg)
{
	char buf[32];

	(void)arg;
	return item_copy(buf, sizeof(buf), item, len) < 0 || enum_index(rfm_segments, buf) < 0 ? -1 : 0;
}

/* an integer in [min, max] greater than the previous item (*arg: min, max, previous) */
static int intlist_item(const char *item, size_t len, void *arg)
{
	long *range = arg, v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)item[i]) || v > 100000000L)
			return -1;
		v = v * 10 + (item[i] - '0');
	}
	if (v < range[0] || v > range[1] || v <= range[2])
		return -1;
	range[2] = v;
	return 0;
}

/* YYYY-MM */
static int check_month(const char *s)
{
	int y, m;

	if (strlen(s) != 7 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m))
		return -1;
	return y >= 1970 && m >= 1 && m <= 12 ? 0 : -1;
}

/* yuan: 1 to 12 digits, then at most 2 decimals ("199", "199.9", "199.90") */
static int check_yuan(const char *s)
{
	size_t i = strspn(s, "0123456789"), f;

	if (i == 0 || i > 12)
		return -1;
	if (!s[i])
		return 0;
	f = strspn(s + i + 1, "0123456789");
	return s[i] == '.' && f >= 1 && f <= 2 && !s[i + 1 + f] ? 0 : -1;
}

/* ---- lexing and expansion --------------------------------------------- */

/*
 * Resolve quotes, escapes and an inline comment in the text after '='.
 * Sets *out (malloc'd) or returns -1 with a static reason in *why.
 */
static int lex_value(const char *s, size_t n, char **out, const char **why)
{
	struct buf b = { NULL, 0, 0, MAX_VALUE_BYTES - 1 };
	size_t i = 0, end;

	while (i < n && is_blank((unsigned char)s[i]))
		i++;
	if (i < n && s[i] == '"') {
		for (i++;; i++) {
			if (i >= n) {
				*why = "unterminated quoted value";
				goto fail;
			}
			if (s[i] == '"')
				break;
			if (s[i] == '\\') {
				if (i + 1 >= n || (s[i + 1] != '"' && s[i + 1] != '\\')) {
					*why = "bad escape in quoted value (only \\\" and \\\\)";
					goto fail;
				}
				i++;
			}
			if (buf_add(&b, s + i, 1) < 0) {
				*why = "value too long";
				goto fail;
			}
		}
		for (i++; i < n && is_blank((unsigned char)s[i]); i++)
			;
		if (i < n && s[i] != '#') {
			*why = "unexpected text after the closing quote";
			goto fail;
		}
	} else {
		/* an unquoted value ends at " #" (whitespace, then '#') */
		for (end = i; end < n; end++)
			if (s[end] == '#' && end > 0 && is_blank((unsigned char)s[end - 1]))
				break;
		while (end > i && is_blank((unsigned char)s[end - 1]))
			end--;
		if (buf_add(&b, s + i, end > i ? end - i : 0) < 0) {
			*why = "value too long";
			goto fail;
		}
	}
	*out = buf_detach(&b, NULL);
	if (!*out) {
		*why = "out of memory";
		return -1;
	}
	return 0;
fail:
	buf_release(&b);
	return -1;
}

/*
 * Expand ${VAR}, ${VAR:-default} and $$ in a lexed value of key pd->key.
 * Sets *out (malloc'd) or reports an error. With optional, an unset VAR
 * expands to "" and is named in p->unset_var instead of being an error.
 */
static int expand(struct parser *p, const struct pending *pd, int hide, int optional, char **out)
{
	struct buf b = { NULL, 0, 0, MAX_VALUE_BYTES - 1 };
	const char *v = pd->val;

	while (*v) {
		const char *dollar = strchr(v, '$');
		const char *name, *close, *def = NULL, *env;
		size_t nlen;
		char var[256];

		if (!dollar) {
			if (buf_add(&b, v, strlen(v)) < 0)
				goto nomem;
			break;
		}
		if (buf_add(&b, v, (size_t)(dollar - v)) < 0)
			goto nomem;
		if (dollar[1] == '$') {
			if (buf_add(&b, "$", 1) < 0)
				goto nomem;
			v = dollar + 2;
			continue;
		}
		if (dollar[1] != '{') {
			buf_release(&b);
			return fail(p, pd->line, pd->raw, hide,
				    "'$' in the value of '%s' must start ${VAR} (write $$ for a literal '$')",
				    pd->key);
		}
		name = dollar + 2;
		for (nlen = 0; is_var_char((unsigned char)name[nlen]); nlen++)
			;
		close = name + nlen;
		if (close[0] == ':' && close[1] == '-') {
			def = close + 2;
			close = strchr(def, '}');
		}
		if (!close || *close != '}' || nlen == 0 || !is_var_start((unsigned char)name[0]) ||
		    nlen >= sizeof(var)) {
			buf_release(&b);
			return fail(p, pd->line, pd->raw, hide,
				    "bad ${...} reference in the value of '%s' (expected ${NAME} or ${NAME:-default})",
				    pd->key);
		}
		memcpy(var, name, nlen);
		var[nlen] = '\0';
		env = getenv(var);
		if (def) {
			if (!env || !*env) {
				if (buf_add(&b, def, (size_t)(close - def)) < 0)
					goto nomem;
				env = NULL;
			}
		} else if (!env && optional) {
			if (!p->unset_var[0])
				snprintf(p->unset_var, sizeof(p->unset_var), "%s", var);
		} else if (!env && !p->disabled) {
			buf_release(&b);
			return fail(p, pd->line, pd->raw, hide,
				    "environment variable '%s' is not set (used by '%s' in %s)",
				    var, pd->key, p->label);
		}
		if (env && buf_add(&b, env, strlen(env)) < 0)
			goto nomem;
		v = close + 1;
	}
	*out = buf_detach(&b, NULL);
	if (!*out)
		return oom(p, pd->line);
	return 0;
nomem:
	buf_release(&b);
	return fail(p, pd->line, NULL, 0, "value of '%s' is too long or out of memory", pd->key);
}

/* ---- applying values -------------------------------------------------- */

/*
 * How a message quotes the value of pd, expanded to v: as written when it holds ${…}
 * references, with a note. What they expand to comes from the environment, and may be
 * a secret referenced by mistake (callback_listen = ${WECOM_CALLBACK_TOKEN}).
 */
static const char *quoted_value(const struct pending *pd, const char *v, const char **note)
{
	int from_env = strstr(pd->val, "${") != NULL;

	*note = from_env ? " (its expansion not shown)" : "";
	return from_env ? pd->val : v;
}

static int bad_value(struct parser *p, const struct pending *pd, const struct keyspec *ks,
		     const char *v, const char *expected)
{
	int hide = (ks->flags & F_SECRET) || key_looks_secret(ks->name);
	const char *note, *shown = quoted_value(pd, v, &note);

	return fail(p, pd->line, pd->raw, hide && !is_pure_ref(pd->val),
		    "bad value '%s'%s for '%s' in %s: %s", hide ? "<hidden>" : shown,
		    hide ? "" : note, ks->name, p->label, expected);
}

static int store_string(struct parser *p, const struct pending *pd, char **field, const char *v)
{
	char *d = xstrdup(v);

	if (!d)
		return oom(p, pd->line);
	free(*field);
	*field = d;
	return 0;
}

/*
 * Check v against ks and store it in the field of base that ks names
 * (base is the struct config or struct config_source).
 */
static int apply_value(struct parser *p, const struct keyspec *ks, void *base,
		       const struct pending *pd, const char *v)
{
	char *field = (ks->target != T_NONE && base) ? (char *)base + ks->off : NULL;
	char expected[160], lo[32], hi[32];
	long l;
	double d;
	int b;

	switch (ks->kind) {
	case K_STR:
	case K_CONNINFO:
		if ((ks->flags & F_NONEMPTY) && !*v)
			return bad_value(p, pd, ks, v, "must not be empty");
		if (field)
			return store_string(p, pd, (char **)(void *)field, v);
		return 0;
	case K_BOOL:
		if (parse_bool(v, &b) < 0)
			return bad_value(p, pd, ks, v, "expected yes or no (true/false, on/off, 1/0)");
		if (field)
			*(int *)(void *)field = b;
		return 0;
	case K_INT:
		if (parse_long(v, &l) < 0 || l < (long)ks->min || l > (long)ks->max) {
			snprintf(expected, sizeof(expected), "expected an integer in %ld..%ld",
				 (long)ks->min, (long)ks->max);
			return bad_value(p, pd, ks, v, expected);
		}
		if (field)
			*(long *)(void *)field = l;
		return 0;
	case K_DOUBLE:
		if (parse_double(v, &d) < 0 || d < ks->min || d > ks->max) {
			snprintf(expected, sizeof(expected), "expected a number in %g..%g",
				 ks->min, ks->max);
			return bad_value(p, pd, ks, v, expected);
		}
		if (field)
			*(double *)(void *)field = d;
		return 0;
	case K_DUR:
		if (config_parse_duration(v, &l) < 0 || l < (long)ks->min || l > (long)ks->max) {
			fmt_duration(lo, sizeof(lo), (long)ks->min);
			fmt_duration(hi, sizeof(hi), (long)ks->max);
			snprintf(expected, sizeof(expected),
				 "expected a duration like 90s, 30m, 2h, 1d (seconds if no unit) in %s..%s",
				 lo, hi);
			return bad_value(p, pd, ks, v, expected);
		}
		if (field)
			*(long *)(void *)field = l;
		return 0;
	case K_ENUM:
		b = enum_index(ks->choices, v);
		if (b < 0) {
			snprintf(expected, sizeof(expected), "expected one of %s", ks->choices);
			return bad_value(p, pd, ks, v, expected);
		}
		if (field)
			*(int *)(void *)field = b;
		return 0;
	case K_TZ:
		if (check_tz(v, expected, sizeof(expected)) < 0)
			return bad_value(p, pd, ks, v, expected);
		if (field)
			return store_string(p, pd, (char **)(void *)field, v);
		return 0;
	case K_DATE:
		if (check_date(v) < 0)
			return bad_value(p, pd, ks, v,
					 "expected a date like 2025-01-01 or 2025-01-01 08:00:00");
		return 0;
	case K_URL:
		if (check_url(v) < 0)
			return bad_value(p, pd, ks, v, "expected an http:// or https:// URL");
		return 0;
	case K_LISTEN:
		if (check_listen(v) < 0)
			return bad_value(p, pd, ks, v, "expected host:port, like 127.0.0.1:8081");
		return 0;
	case K_IDENT:
		if (check_ident(v) < 0)
			return bad_value(p, pd, ks, v, "expected a lowercase name like taobao ([a-z][a-z0-9_]*)");
		return 0;
	case K_LIST:
		if (each_item(v, any_item, NULL) < 0)
			return bad_value(p, pd, ks, v, "expected a comma-separated list without empty items");
		return 0;
	case K_IDENTLIST:
		if (each_item(v, ident_item, NULL) < 0)
			return bad_value(p, pd, ks, v,
					 "expected comma-separated lowercase names like taobao, youzan");
		return 0;
	case K_INTLIST: {
		long range[3] = { (long)ks->min, (long)ks->max, (long)ks->min - 1 };

		if (each_item(v, intlist_item, range) < 0) {
			snprintf(expected, sizeof(expected),
				 "expected increasing whole numbers in %ld..%ld, comma-separated, like 1,3,7,15,30",
				 (long)ks->min, (long)ks->max);
			return bad_value(p, pd, ks, v, expected);
		}
		break;
	}
	case K_SEGMENTS:
		if (each_item(v, segment_item, NULL) < 0)
			return bad_value(p, pd, ks, v, "expected comma-separated RFM segment codes: "
					 "important_value, important_develop, important_retain, important_winback, "
					 "general_value, general_develop, general_retain, general_winback");
		break;
	case K_MONTH:
		if (check_month(v) < 0)
			return bad_value(p, pd, ks, v, "expected a month like 2026-02");
		return 0;
	case K_YUAN:
		if (check_yuan(v) < 0)
			return bad_value(p, pd, ks, v, "expected an amount in yuan like 199 or 199.90");
		return 0;
	}
	if (field)
		return store_string(p, pd, (char **)(void *)field, v);
	return 0;
}

/* Apply a built-in default; a failure here is a bug in keyspecs[]. */
static int apply_default(struct parser *p, const struct keyspec *ks, void *base,
			 const char *def)
{
	struct pending pd;

	pd.key = NULL;
	pd.val = NULL;
	pd.raw = NULL;
	pd.line = 0;
	return apply_value(p, ks, base, &pd, def);
}

/* Append key = value (value handed over) to the list *kvs of *nkv entries. */
static int add_kv(struct parser *p, struct config_kv **kvs, size_t *nkv, const char *key,
		  char *value, int line, int secret)
{
	struct config_kv *kv;
	char *k = xstrdup(key);

	if (!k) {
		free(value);
		return oom(p, line);
	}
	kv = realloc(*kvs, (*nkv + 1) * sizeof(*kv));
	if (!kv) {
		free(k);
		free(value);
		return oom(p, line);
	}
	*kvs = kv;
	kv[*nkv].key = k;
	kv[*nkv].value = value;
	kv[*nkv].line = line;
	kv[*nkv].secret = secret;
	(*nkv)++;
	return 0;
}

static const struct pending *find_pending(const struct parser *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->npend; i++)
		if (strcmp(p->pend[i].key, key) == 0)
			return &p->pend[i];
	return NULL;
}

/* "wecom", "secret" -> "WECOM_SECRET": a name to suggest in messages. */
static void env_name_hint(char *buf, size_t len, const char *source, const char *key)
{
	size_t n = 0;
	const char *parts[2];
	int i;

	parts[0] = source;
	parts[1] = key;
	for (i = 0; i < 2; i++) {
		const char *c;

		if (!parts[i])
			continue;
		if (n && n + 1 < len)
			buf[n++] = '_';
		for (c = parts[i]; *c && n + 1 < len; c++)
			buf[n++] = is_var_char((unsigned char)*c) ? (char)toupper((unsigned char)*c) : '_';
	}
	buf[n] = '\0';
}

/*
 * Check, expand and store one pending line of the current section: the typed value in
 * base (NULL: none), the text in the list *kvs (NULL: none); src is the source the
 * section describes (NULL outside [source.NAME]).
 */
static int apply_pending(struct parser *p, const struct pending *pd, void *base,
			 struct config_source *src, struct config_kv **kvs, size_t *nkv)
{
	const struct keyspec *ks = find_spec(pd->key, p->mask);
	int hide = key_looks_secret(pd->key) && !is_pure_ref(pd->val);
	char *v = NULL;

	if (!ks) {
		const char *hint = suggest(pd->key, p->mask);

		if (hint)
			return fail(p, pd->line, pd->raw, hide,
				    "unknown key '%s' in %s (did you mean '%s'?)",
				    pd->key, p->label, hint);
		return fail(p, pd->line, pd->raw, hide, "unknown key '%s' in %s", pd->key, p->label);
	}
	if ((ks->flags & F_SECRET) && !is_pure_ref(pd->val)) {
		char var[160];

		env_name_hint(var, sizeof(var), src ? src->name : NULL, pd->key);
		return fail(p, pd->line, pd->raw, 1,
			    "'%s' in %s is a secret: write it as an environment reference like "
			    "${%s}, not a literal (secret values must come from the environment)",
			    pd->key, p->label, var);
	}
	if (ks->kind == K_CONNINFO) {
		/* for the literal-password check, which needs libpq's parser (load/db.c) */
		if (store_string(p, pd, &p->cfg->conninfo_as_written, pd->val) < 0)
			return -1;
		p->cfg->conninfo_line = pd->line;
	}
	/*
	 * A source's secret may be missing from this environment: status,
	 * check or replay need none, and a run fails only that source
	 * (src->unset_env says why) while the others load.
	 */
	p->unset_var[0] = '\0';
	if (expand(p, pd, hide, src && (ks->flags & F_SECRET), &v) < 0)
		return -1;
	if (p->unset_var[0]) {
		char why[1024];

		snprintf(why, sizeof(why), "%s:%d: environment variable '%s' is not set (used by "
			 "'%s' in %s)", p->name, pd->line, p->unset_var, pd->key, p->label);
		if (!src->unset_env && !(src->unset_env = xstrdup(why))) {
			free(v);
			return oom(p, pd->line);
		}
	} else if ((ks->flags & F_REQUIRED) && !*v && !p->disabled) {
		free(v);
		return fail(p, pd->line, pd->raw, hide, "required key '%s' in %s is empty",
			    pd->key, p->label);
	}
	if (apply_value(p, ks, base, pd, v) < 0) {
		free(v);
		return -1;
	}
	if (kvs)
		return add_kv(p, kvs, nkv, pd->key, v, pd->line, (ks->flags & F_SECRET) != 0);
	free(v);
	return 0;
}

static void clear_pending(struct parser *p)
{
	size_t i;

	for (i = 0; i < p->npend; i++) {
		free(p->pend[i].key);
		free(p->pend[i].val);
		free(p->pend[i].raw);
	}
	p->npend = 0;
}

static int finish_source(struct parser *p)
{
	struct config_source *src = &p->cfg->sources[p->cfg->nsources - 1];
	const struct pending *tp = find_pending(p, "type");
	const struct source_type *t;
	const struct pending *pd;
	size_t i;
	char *tv = NULL;

	if (!tp)
		return fail(p, p->sec_line, p->sec_raw, 0,
			    "%s: missing required key 'type' (one of %s)", p->label, TYPE_CHOICES);
	if (expand(p, tp, 0, 0, &tv) < 0)
		return -1;
	t = find_type(tv);
	if (!t) {
		const char *note, *shown = quoted_value(tp, tv, &note);

		fail(p, tp->line, tp->raw, 0, "unknown source type '%s'%s in %s (one of %s)",
		     shown, note, p->label, TYPE_CHOICES);
		free(tv);
		return -1;
	}
	src->type = tv;
	p->mask = t->bit;
	snprintf(p->label, sizeof(p->label), "[source.%s] (type %s)", src->name, t->name);

	/*
	 * A paused source (enabled = no) may name variables that are not set
	 * in this environment: they expand to "" and required keys may be
	 * empty.  Its keys are still checked, and secrets still refused.
	 */
	pd = find_pending(p, "enabled");
	if (pd) {
		char *ev = NULL;
		int on;

		if (expand(p, pd, 0, 0, &ev) == 0 && parse_bool(ev, &on) == 0 && !on)
			p->disabled = 1;
		free(ev); /* an error is reported again, in order, below */
	}

	/* defaults of typed fields */
	src->max_reject_ratio = -1;
	for (i = 0; i < NKEYSPECS; i++) {
		const struct keyspec *ks = &keyspecs[i];
		const char *def = spec_default(ks, t);

		if ((ks->where & t->bit) && ks->target == T_SRC && def &&
		    apply_default(p, ks, src, def) < 0)
			return -1;
	}
	for (i = 0; i < p->npend; i++)
		if (apply_pending(p, &p->pend[i], src, src, &src->kv, &src->nkv) < 0)
			return -1;

	for (i = 0; i < NKEYSPECS; i++) {
		const struct keyspec *ks = &keyspecs[i];
		const char *def = spec_default(ks, t);
		char *dv;

		if (!(ks->where & t->bit) || find_pending(p, ks->name))
			continue;
		if (ks->flags & F_REQUIRED)
			return fail(p, p->sec_line, p->sec_raw, 0, "%s: missing required key '%s'",
				    p->label, ks->name);
		if (!def)
			continue;
		dv = xstrdup(def);
		if (!dv || add_kv(p, &src->kv, &src->nkv, ks->name, dv, 0, 0) < 0)
			return oom(p, p->sec_line);
	}
	for (i = 0; i < sizeof(oneofs) / sizeof(oneofs[0]); i++) {
		const struct oneof *o = &oneofs[i];
		const char *a, *b;

		if (!(o->where & t->bit))
			continue;
		a = config_source_get(src, o->a);
		b = config_source_get(src, o->b);
		if (p->disabled ? (!a && !b) : ((!a || !*a) && (!b || !*b)))
			return fail(p, p->sec_line, p->sec_raw, 0,
				    "%s: missing required key '%s' (or '%s')", p->label, o->a, o->b);
	}
	if (src->window_s > t->window_max && t->window_max > 0) {
		char w[32], m[32];

		pd = find_pending(p, "window");
		fmt_duration(w, sizeof(w), src->window_s);
		fmt_duration(m, sizeof(m), t->window_max);
		return fail(p, pd ? pd->line : p->sec_line, pd ? pd->raw : p->sec_raw, 0,
			    "window %s in %s is longer than the platform allows (%s)", w, p->label, m);
	}
	if (src->warn_after_s > 0 && src->error_after_s > 0 &&
	    src->error_after_s < src->warn_after_s) {
		pd = find_pending(p, "error_after");
		return fail(p, pd ? pd->line : p->sec_line, pd ? pd->raw : p->sec_raw, 0,
			    "error_after in %s is shorter than warn_after", p->label);
	}
	return 0;
}

static int finish_audience(struct parser *p)
{
	struct config_audience *a = &p->cfg->audiences[p->cfg->naudiences - 1];
	const struct pending *msg = find_pending(p, "message");
	size_t i;

	if (msg && !find_pending(p, "push_tag"))
		return fail(p, msg->line, msg->raw, 0, "message in %s needs push_tag: the group message "
			    "goes to the customers siyu push tags", p->label);
	for (i = 0; i < p->npend; i++)
		if (apply_pending(p, &p->pend[i], NULL, NULL, &a->kv, &a->nkv) < 0)
			return -1;
	for (i = 0; i < NKEYSPECS; i++) {
		const struct keyspec *ks = &keyspecs[i];
		char *dv;

		if (!(ks->where & W_AUDIENCE) || !ks->def || find_pending(p, ks->name))
			continue;
		dv = xstrdup(ks->def);
		if (!dv || add_kv(p, &a->kv, &a->nkv, ks->name, dv, 0, 0) < 0)
			return oom(p, p->sec_line);
	}
	return 0;
}

/* Check and store the collected lines of the section that just ended. */
static int finish_section(struct parser *p)
{
	size_t i;
	int rc = 0;

	if (p->sec == SEC_WAREHOUSE || p->sec == SEC_RUN || p->sec == SEC_ACTIONS) {
		for (i = 0; i < p->npend && rc == 0; i++)
			rc = apply_pending(p, &p->pend[i], p->cfg, NULL, NULL, NULL);
	} else if (p->sec == SEC_SOURCE) {
		rc = finish_source(p);
	} else if (p->sec == SEC_AUDIENCE) {
		rc = finish_audience(p);
	}
	clear_pending(p);
	free(p->sec_raw);
	p->sec_raw = NULL;
	p->sec = SEC_NONE;
	p->disabled = 0;
	return rc;
}

/* ---- lines ------------------------------------------------------------ */

static int check_source_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > MAX_SOURCE_NAME)
		return -1;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return -1;
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-'))
			return -1;
	return 0;
}

/* "[audience.NAME]": a new audience (name, n: NAME). */
static int audience_section(struct parser *p, const char *name, size_t n, const char *raw, int line)
{
	struct config *cfg = p->cfg;
	struct config_audience *na;
	size_t i;
	char *aname;

	if (check_source_name(name, n) < 0)
		return fail(p, line, raw, 0,
			    "bad audience name '%.*s': use [a-z0-9][a-z0-9_-]*, at most %d characters",
			    (int)n, name, MAX_SOURCE_NAME);
	for (i = 0; i < cfg->naudiences; i++)
		if (strlen(cfg->audiences[i].name) == n && memcmp(cfg->audiences[i].name, name, n) == 0)
			return fail(p, line, raw, 0, "duplicate section [audience.%s] (first on line %d)",
				    cfg->audiences[i].name, cfg->audiences[i].line);
	aname = xstrndup(name, n);
	if (!aname)
		return oom(p, line);
	na = realloc(cfg->audiences, (cfg->naudiences + 1) * sizeof(*na));
	if (!na) {
		free(aname);
		return oom(p, line);
	}
	cfg->audiences = na;
	memset(&na[cfg->naudiences], 0, sizeof(*na));
	na[cfg->naudiences].name = aname;
	na[cfg->naudiences].line = line;
	cfg->naudiences++;
	p->sec = SEC_AUDIENCE;
	p->mask = W_AUDIENCE;
	snprintf(p->label, sizeof(p->label), "[audience.%s]", aname);
	return 0;
}

/* "[name]" (s, n: the trimmed line). */
static int section_line(struct parser *p, const char *s, size_t n, const char *raw, int line)
{
	const char *close = memchr(s, ']', n);
	const char *name, *rest;
	size_t nlen;
	struct config *cfg = p->cfg;

	if (!close)
		return fail(p, line, raw, 0, "missing ']' in section header");
	for (rest = close + 1; rest < s + n && is_blank((unsigned char)*rest); rest++)
		;
	if (rest < s + n && *rest != '#' && *rest != ';')
		return fail(p, line, raw, 0, "unexpected text after ']' in section header");
	if (finish_section(p) < 0)
		return -1;

	name = s + 1;
	nlen = (size_t)(close - name);
	while (nlen && is_blank((unsigned char)*name)) {
		name++;
		nlen--;
	}
	while (nlen && is_blank((unsigned char)name[nlen - 1]))
		nlen--;

	p->sec_raw = xstrdup(raw);
	if (!p->sec_raw)
		return oom(p, line);
	p->sec_line = line;
	if (nlen == 9 && memcmp(name, "warehouse", 9) == 0) {
		if (p->warehouse_line)
			return fail(p, line, raw, 0, "duplicate section [warehouse] (first on line %d)",
				    p->warehouse_line);
		p->warehouse_line = line;
		p->sec = SEC_WAREHOUSE;
		p->mask = W_WAREHOUSE;
		snprintf(p->label, sizeof(p->label), "[warehouse]");
	} else if (nlen == 3 && memcmp(name, "run", 3) == 0) {
		if (p->run_line)
			return fail(p, line, raw, 0, "duplicate section [run] (first on line %d)",
				    p->run_line);
		p->run_line = line;
		p->sec = SEC_RUN;
		p->mask = W_RUN;
		snprintf(p->label, sizeof(p->label), "[run]");
	} else if (nlen >= 7 && memcmp(name, "source.", 7) == 0) {
		struct config_source *ns;
		size_t i;
		char *sname;

		if (check_source_name(name + 7, nlen - 7) < 0)
			return fail(p, line, raw, 0,
				    "bad source name '%.*s': use [a-z0-9][a-z0-9_-]*, at most %d characters",
				    (int)(nlen - 7), name + 7, MAX_SOURCE_NAME);
		for (i = 0; i < cfg->nsources; i++)
			if (strlen(cfg->sources[i].name) == nlen - 7 &&
			    memcmp(cfg->sources[i].name, name + 7, nlen - 7) == 0)
				return fail(p, line, raw, 0,
					    "duplicate section [source.%s] (first on line %d)",
					    cfg->sources[i].name, cfg->sources[i].line);
		sname = xstrndup(name + 7, nlen - 7);
		if (!sname)
			return oom(p, line);
		ns = realloc(cfg->sources, (cfg->nsources + 1) * sizeof(*ns));
		if (!ns) {
			free(sname);
			return oom(p, line);
		}
		cfg->sources = ns;
		memset(&ns[cfg->nsources], 0, sizeof(*ns));
		ns[cfg->nsources].name = sname;
		ns[cfg->nsources].line = line;
		cfg->nsources++;
		p->sec = SEC_SOURCE;
		p->mask = W_SOURCE;
		snprintf(p->label, sizeof(p->label), "[source.%s]", sname);
	} else if (nlen == 7 && memcmp(name, "actions", 7) == 0) {
		if (p->actions_line)
			return fail(p, line, raw, 0, "duplicate section [actions] (first on line %d)",
				    p->actions_line);
		p->actions_line = line;
		cfg->actions_line = line;
		p->sec = SEC_ACTIONS;
		p->mask = W_ACTIONS;
		snprintf(p->label, sizeof(p->label), "[actions]");
	} else if (nlen >= 9 && memcmp(name, "audience.", 9) == 0) {
		return audience_section(p, name + 9, nlen - 9, raw, line);
	} else {
		return fail(p, line, raw, 0,
			    "unknown section [%.*s] (expected [warehouse], [run], [actions], "
			    "[source.NAME] or [audience.NAME])", (int)nlen, name);
	}
	return 0;
}

static int key_line(struct parser *p, const char *s, size_t n, const char *raw, int line)
{
	const char *eq = memchr(s, '=', n);
	size_t klen, i;
	const char *why = NULL;
	char *key, *val = NULL;
	struct pending *pd;
	const struct pending *dup;

	if (!eq)
		return fail(p, line, raw, 0, "syntax error: expected 'key = value' or '[section]'");
	klen = (size_t)(eq - s);
	while (klen && is_blank((unsigned char)s[klen - 1]))
		klen--;
	if (klen == 0)
		return fail(p, line, raw, 0, "syntax error: missing key before '='");
	for (i = 0; i < klen; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return fail(p, line, raw, 0,
				    "syntax error: bad key '%.*s' (keys are lowercase: [a-z0-9_]+)",
				    (int)klen, s);
	key = xstrndup(s, klen);
	if (!key)
		return oom(p, line);
	if (p->sec == SEC_NONE) {
		fail(p, line, raw, key_looks_secret(key),
		     "key '%s' outside of any section (put it under [warehouse], [run], [actions], "
		     "[source.NAME] or [audience.NAME])",
		     key);
		free(key);
		return -1;
	}
	dup = find_pending(p, key);
	if (dup) {
		fail(p, line, raw, key_looks_secret(key),
		     "duplicate key '%s' in %s (first set on line %d)", key, p->label, dup->line);
		free(key);
		return -1;
	}
	if (lex_value(eq + 1, n - (size_t)(eq + 1 - s), &val, &why) < 0) {
		fail(p, line, raw, key_looks_secret(key), "syntax error in the value of '%s': %s",
		     key, why);
		free(key);
		return -1;
	}
	if (p->npend == p->cappend) {
		size_t cap = p->cappend ? p->cappend * 2 : 16;

		pd = realloc(p->pend, cap * sizeof(*pd));
		if (!pd)
			goto nomem;
		p->pend = pd;
		p->cappend = cap;
	}
	pd = &p->pend[p->npend];
	pd->raw = xstrdup(raw);
	if (!pd->raw)
		goto nomem;
	pd->key = key;
	pd->val = val;
	pd->line = line;
	p->npend++;
	return 0;
nomem:
	free(key);
	free(val);
	return oom(p, line);
}

static int parse_line(struct parser *p, const char *raw, int line)
{
	const char *s = raw;
	size_t n = strlen(raw);

	while (n && is_blank((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && is_blank((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return section_line(p, s, n, raw, line);
	return key_line(p, s, n, raw, line);
}

static int apply_global_defaults(struct parser *p)
{
	size_t i;

	p->cfg->max_reject_ratio = 0.01;
	for (i = 0; i < NKEYSPECS; i++) {
		const struct keyspec *ks = &keyspecs[i];

		if ((ks->where & (W_WAREHOUSE | W_RUN | W_ACTIONS)) && ks->def && ks->target == T_CFG &&
		    apply_default(p, ks, p->cfg, ks->def) < 0)
			return -1;
	}
	return 0;
}

int config_parse_buffer(struct config *cfg, const char *name, const char *text, size_t len,
			char *err, size_t errlen)
{
	struct parser p;
	const char *s = text, *end = text + len;
	int line = 0, rc = -1;

	memset(&p, 0, sizeof(p));
	memset(cfg, 0, sizeof(*cfg));
	p.cfg = cfg;
	p.name = name ? name : "(config)";
	p.err = err;
	p.errlen = errlen;
	if (err && errlen)
		err[0] = '\0';

	cfg->path = xstrdup(p.name);
	if (!cfg->path) {
		oom(&p, 0);
		goto out;
	}
	if (apply_global_defaults(&p) < 0)
		goto out;
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *raw;

		line++;
		if (memchr(s, '\0', n)) {
			fail(&p, line, NULL, 0, "NUL byte in line");
			goto out;
		}
		if (n && s[n - 1] == '\r')
			n--;
		raw = xstrndup(s, n);
		if (!raw) {
			oom(&p, line);
			goto out;
		}
		rc = parse_line(&p, raw, line);
		free(raw);
		if (rc < 0)
			goto out;
		rc = -1;
		s = nl ? nl + 1 : end;
	}
	if (finish_section(&p) < 0)
		goto out;
	rc = 0;
out:
	clear_pending(&p);
	free(p.pend);
	free(p.sec_raw);
	if (rc < 0)
		config_release(cfg);
	return rc;
}

int config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (err && errlen)
		err[0] = '\0';
	f = fopen(path, "rb");
	if (!f) {
		if (err && errlen)
			snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			char *nb;

			if (cap >= (size_t)MAX_FILE_BYTES) {
				if (err && errlen)
					snprintf(err, errlen, "%s: file is larger than %ld bytes",
						 path, MAX_FILE_BYTES);
				goto out;
			}
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				if (err && errlen)
					snprintf(err, errlen, "%s: out of memory", path);
				goto out;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		if (err && errlen)
			snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = config_parse_buffer(cfg, path, buf ? buf : "", len, err, errlen);
out:
	free(buf);
	fclose(f);
	return rc;
}

static void kv_release(struct config_kv *kv, size_t n);

static void source_release(struct config_source *src)
{
	kv_release(src->kv, src->nkv);
	free(src->name);
	free(src->type);
	free(src->timezone);
	free(src->unset_env);
}

static void kv_release(struct config_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void config_release(struct config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nsources; i++)
		source_release(&cfg->sources[i]);
	free(cfg->sources);
	for (i = 0; i < cfg->naudiences; i++) {
		kv_release(cfg->audiences[i].kv, cfg->audiences[i].nkv);
		free(cfg->audiences[i].name);
	}
	free(cfg->audiences);
	free(cfg->care_steps);
	free(cfg->at_risk_segments);
	free(cfg->push_source);
	free(cfg->push_tag_group);
	free(cfg->path);
	free(cfg->conninfo);
	free(cfg->conninfo_as_written);
	free(cfg->application_name);
	free(cfg->timezone);
	free(cfg->raw_dir);
	free(cfg->metrics_file);
	memset(cfg, 0, sizeof(*cfg));
}

const struct config_source *config_source_find(const struct config *cfg, const char *name)
{
	size_t i;

	if (!cfg || !name)
		return NULL;
	for (i = 0; i < cfg->nsources; i++)
		if (strcmp(cfg->sources[i].name, name) == 0)
			return &cfg->sources[i];
	return NULL;
}

static const char *kv_get(const struct config_kv *kv, size_t n, const char *key)
{
	size_t i;

	for (i = 0; key && i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].value;
	return NULL;
}

const char *config_source_get(const struct config_source *src, const char *key)
{
	return src ? kv_get(src->kv, src->nkv, key) : NULL;
}

const struct config_audience *config_audience_find(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; cfg && name && i < cfg->naudiences; i++)
		if (strcmp(cfg->audiences[i].name, name) == 0)
			return &cfg->audiences[i];
	return NULL;
}

const char *config_audience_get(const struct config_audience *a, const char *key)
{
	return a ? kv_get(a->kv, a->nkv, key) : NULL;
}
