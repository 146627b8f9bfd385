/*
 * test_config.c — unit tests of common/config.c: a valid file with every
 * feature, defaults, ${ENV} expansion, quoting and comments, BOM and CRLF,
 * every error with its exact "file:line: message", secrets refused and
 * never echoed, durations, and the repository's pipeline.conf (as shipped,
 * and with every commented-out example switched on).
 *
 * Run from the repository root (or set SIYU_TOP) so that pipeline.conf is
 * found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "siyu/common/config.h"

#define ERRLEN 1024

/* Parse text as "t.conf"; fail the test on error. */
static void parse_ok(struct config *cfg, const char *text)
{
	char err[ERRLEN];
	int rc = config_parse_buffer(cfg, "t.conf", text, strlen(text), err, sizeof(err));

	if (rc != 0)
		fail_msg("unexpected error: %s", err);
}

/* The first line of err (the message without the quoted line). */
static const char *first_line(const char *err, char *buf, size_t len)
{
	size_t n = strcspn(err, "\n");

	if (n >= len)
		n = len - 1;
	memcpy(buf, err, n);
	buf[n] = '\0';
	return buf;
}

/*
 * Parse text, expect -1, a zeroed struct, and err's first line equal to
 * want; returns err (static) for further checks.
 */
static const char *expect_error(const char *text, const char *want)
{
	static char err[ERRLEN];
	char line[ERRLEN];
	struct config cfg;
	int rc;

	memset(&cfg, 0x5a, sizeof(cfg)); /* parse must not need a zeroed struct */
	rc = config_parse_buffer(&cfg, "t.conf", text, strlen(text), err, sizeof(err));
	if (rc != -1)
		fail_msg("expected an error for:\n%s", text);
	assert_null(cfg.path);
	assert_null(cfg.sources);
	assert_int_equal(cfg.nsources, 0);
	if (want && strcmp(first_line(err, line, sizeof(line)), want) != 0)
		fail_msg("error\n  got:  %s\n  want: %s", line, want);
	return err;
}

/* err's second line, "<line> | <text>", as printed. */
static void assert_echo(const char *err, const char *want)
{
	const char *nl = strchr(err, '\n');

	assert_non_null(nl);
	assert_string_equal(nl + 1, want);
}

static int has_zoneinfo(void)
{
	struct stat st;
	const char *dir = getenv("TZDIR");

	return stat(dir && *dir ? dir : "/usr/share/zoneinfo", &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- valid input ------------------------------------------------------ */

static void test_defaults(void **state)
{
	struct config cfg;

	(void)state;
	parse_ok(&cfg, "");
	assert_string_equal(cfg.path, "t.conf");
	assert_string_equal(cfg.conninfo, "");
	assert_string_equal(cfg.application_name, "siyu");
	assert_string_equal(cfg.timezone, "Asia/Shanghai");
	assert_string_equal(cfg.raw_dir, "var/raw");
	assert_true(cfg.max_reject_ratio == 0.01);
	assert_int_equal(cfg.batch_rows, 10000);
	assert_int_equal(cfg.log_level, CONFIG_LOG_INFO);
	assert_string_equal(cfg.metrics_file, "");
	assert_int_equal(cfg.nsources, 0);
	assert_null(cfg.sources);
	assert_int_equal(cfg.actions_line, 0);
	assert_string_equal(cfg.care_steps, "1,3,7,15,30");
	assert_string_equal(cfg.at_risk_segments,
			    "important_value,important_develop,important_retain,important_winback");
	assert_int_equal(cfg.naudiences, 0);
	config_release(&cfg);
	assert_null(cfg.path);

	parse_ok(&cfg, "[run]\nmetrics_file = /var/lib/prometheus/node-exporter/siyu.prom\n");
	assert_string_equal(cfg.metrics_file, "/var/lib/prometheus/node-exporter/siyu.prom");
	config_release(&cfg);

	/* comments and blank lines only; empty sections */
	parse_ok(&cfg, "# a\n; b\n\n   \t\n[warehouse]\n[run]\n  # indented comment\n");
	assert_string_equal(cfg.application_name, "siyu");
	config_release(&cfg);
}

static const char full_text[] =
	"# every feature\n"
	"[warehouse]\n"
	"conninfo = host=db dbname=siyu user=siyu_loader password=${SIYU_T_PGPW}  # from env\n"
	"application_name = \"siyu nightly # 1\"\n"
	"\n"
	"[run]\n"
	"timezone = UTC\n"
	"raw_dir = ${SIYU_T_UNSET_DIR:-/data/raw}\n"
	"max_reject_ratio = 0.05\n"
	"batch_rows = 5000\n"
	"log_level = debug\n"
	"\n"
	"[source.wecom]\n"
	"type = wecom\n"
	"corpid = ww01\n"
	"secret = ${SIYU_T_SECRET}\n"
	"callback_token = ${SIYU_T_TOKEN}\n"
	"callback_aes_key = \"${SIYU_T_AES}\"\n"
	"callback_listen = 0.0.0.0:9000\n"
	"stats_days = 14\n"
	"spool_dir = var/spool/wecom\n"
	"rps = 2.5\n"
	"timeout = 1m\n"
	"connect_timeout = 5\n"
	"retries = 0\n"
	"lookback = 2h\n"
	"safety_lag = 90s\n"
	"window = 7d\n"
	"start = 2025-01-01\n"
	"warn_after = 36h\n"
	"error_after = 3d\n"
	"timezone = Asia/Shanghai\n"
	"max_reject_ratio = 0\n"
	"base_url = http://127.0.0.1:18080\n"
	"\n"
	"[source.shop-1]\n"
	"path = sample/*.csv\n"
	"type = csv       # type may come after other keys\n"
	"profile = taobao\n"
	"encoding = gbk\n"
	"platform = tmall\n"
	"shop_id = 10086\n"
	"shop_name = \"旗舰店 \\\"A\\\" \\\\ #1\"\n"
	"enabled = no\n"
	"\n"
	"[source.yz]\n"
	"type = youzan\n"
	"client_id = cid\n"
	"client_secret = ${SIYU_T_SECRET}\n"
	"kdt_id = 12345\n"
	"start = \"2025-01-01 08:00:00\"\n"
	"[source.tb]\n"
	"type = taobao\n"
	"app_key = 123\n"
	"app_secret = ${SIYU_T_SECRET}\n"
	"session = ${SIYU_T_TOKEN}\n"
	"[source.jd]\n"
	"type = jd\n"
	"app_key = k\n"
	"app_secret = ${SIYU_T_SECRET}\n"
	"access_token = ${SIYU_T_TOKEN}\n"
	"[source.pdd]\n"
	"type = pdd\n"
	"client_id = c\n"
	"client_secret = ${SIYU_T_SECRET}\n"
	"access_token = ${SIYU_T_TOKEN}\n"
	"window = 30m\n"
	"[source.dy]\n"
	"type = douyin\n"
	"app_key = k\n"
	"app_secret = ${SIYU_T_SECRET}\n"
	"shop_id = 4463798\n"
	"[source.ch]\n"
	"type = channels\n"
	"appid = wx01\n"
	"appsecret = ${SIYU_T_SECRET}\n";

static void set_test_env(void)
{
	setenv("SIYU_T_PGPW", "pw with space", 1);
	setenv("SIYU_T_SECRET", "s3cr3t-value", 1);
	setenv("SIYU_T_TOKEN", "tok-value", 1);
	setenv("SIYU_T_AES", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", 1);
	unsetenv("SIYU_T_UNSET");
	unsetenv("SIYU_T_UNSET_DIR");
	setenv("SIYU_T_EMPTY", "", 1);
}

static void assert_kv(const struct config_source *s, const char *key, const char *value,
		      int line)
{
	size_t i;

	for (i = 0; i < s->nkv; i++) {
		if (strcmp(s->kv[i].key, key) == 0) {
			assert_string_equal(s->kv[i].value, value);
			assert_int_equal(s->kv[i].line, line);
			assert_string_equal(config_source_get(s, key), value);
			return;
		}
	}
	fail_msg("key '%s' not in [source.%s]", key, s->name);
}

static void test_full(void **state)
{
	struct config cfg;
	const struct config_source *s;
	size_t i, nsecret = 0;

	(void)state;
	set_test_env();
	parse_ok(&cfg, full_text);

	/* [warehouse], [run] */
	assert_string_equal(cfg.conninfo,
			    "host=db dbname=siyu user=siyu_loader password=pw with space");
	assert_string_equal(cfg.application_name, "siyu nightly # 1");
	assert_string_equal(cfg.timezone, "UTC");
	assert_string_equal(cfg.raw_dir, "/data/raw");
	assert_true(cfg.max_reject_ratio == 0.05);
	assert_int_equal(cfg.batch_rows, 5000);
	assert_int_equal(cfg.log_level, CONFIG_LOG_DEBUG);
	assert_int_equal(cfg.nsources, 8);

	/* wecom: every common key set */
	s = config_source_find(&cfg, "wecom");
	assert_ptr_equal(s, &cfg.sources[0]);
	assert_string_equal(s->name, "wecom");
	assert_string_equal(s->type, "wecom");
	assert_int_equal(s->line, 13);
	assert_int_equal(s->enabled, 1);
	assert_true(s->rps == 2.5);
	assert_int_equal(s->timeout, 60);
	assert_int_equal(s->connect_timeout, 5);
	assert_int_equal(s->retries, 0);
	assert_int_equal(s->lookback_s, 7200);
	assert_int_equal(s->safety_lag_s, 90);
	assert_int_equal(s->window_s, 7 * 86400);
	assert_int_equal(s->warn_after_s, 36 * 3600);
	assert_int_equal(s->error_after_s, 3 * 86400);
	assert_int_equal(s->stats_days, 14);
	assert_true(s->max_reject_ratio == 0);
	assert_string_equal(s->timezone, "Asia/Shanghai");
	assert_kv(s, "type", "wecom", 14);
	assert_kv(s, "corpid", "ww01", 15);
	assert_kv(s, "secret", "s3cr3t-value", 16);
	assert_kv(s, "callback_token", "tok-value", 17);
	assert_kv(s, "callback_aes_key", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", 18);
	assert_kv(s, "callback_listen", "0.0.0.0:9000", 19);
	assert_kv(s, "spool_dir", "var/spool/wecom", 21);
	assert_kv(s, "start", "2025-01-01", 29);
	assert_kv(s, "base_url", "http://127.0.0.1:18080", 34);
	assert_kv(s, "timeout", "1m", 23);
	assert_null(config_source_get(s, "callback_receiver_id"));
	assert_null(config_source_get(s, "nonexistent"));
	for (i = 0; i < s->nkv; i++)
		if (s->kv[i].secret)
			nsecret++;
	assert_int_equal(nsecret, 3);

	/* csv: type after other keys, quoted value with escapes, defaults */
	s = config_source_find(&cfg, "shop-1");
	assert_non_null(s);
	assert_string_equal(s->type, "csv");
	assert_int_equal(s->enabled, 0);
	assert_null(s->timezone);
	assert_true(s->max_reject_ratio == -1);
	assert_true(s->rps == 0);
	assert_int_equal(s->window_s, 0);
	assert_kv(s, "path", "sample/*.csv", 37);
	assert_kv(s, "type", "csv", 38);
	assert_kv(s, "profile", "taobao", 39);
	assert_kv(s, "encoding", "gbk", 40);
	assert_kv(s, "platform", "tmall", 41);
	assert_kv(s, "shop_id", "10086", 42);
	assert_kv(s, "shop_name", "旗舰店 \"A\" \\ #1", 43);
	assert_kv(s, "enabled", "no", 44);
	assert_null(config_source_get(s, "rps"));
	assert_null(config_source_get(s, "base_url"));

	/* API sources: per-type defaults */
	s = config_source_find(&cfg, "yz");
	assert_non_null(s);
	assert_string_equal(s->type, "youzan");
	assert_int_equal(s->enabled, 1);
	assert_true(s->rps == 5);
	assert_int_equal(s->timeout, 30);
	assert_int_equal(s->connect_timeout, 10);
	assert_int_equal(s->retries, 5);
	assert_int_equal(s->lookback_s, 3600);
	assert_int_equal(s->safety_lag_s, 300);
	assert_int_equal(s->window_s, 86400);
	assert_int_equal(s->warn_after_s, 0);
	assert_int_equal(s->error_after_s, 0);
	assert_int_equal(s->stats_days, 0);
	assert_kv(s, "kdt_id", "12345", 50);
	assert_kv(s, "start", "2025-01-01 08:00:00", 51);
	assert_kv(s, "base_url", "https://open.youzanyun.com", 0);
	assert_kv(s, "window", "1d", 0);
	assert_kv(s, "rps", "5", 0);
	assert_kv(s, "lookback", "1h", 0);
	assert_kv(s, "enabled", "yes", 0);

	s = config_source_find(&cfg, "tb");
	assert_non_null(s);
	assert_int_equal(s->window_s, 1800);
	assert_kv(s, "session", "tok-value", 56);
	assert_kv(s, "base_url", "https://eco.taobao.com/router/rest", 0);
	s = config_source_find(&cfg, "jd");
	assert_non_null(s);
	assert_string_equal(s->type, "jd");
	assert_kv(s, "access_token", "tok-value", 61);
	s = config_source_find(&cfg, "pdd");
	assert_non_null(s);
	assert_int_equal(s->window_s, 1800);
	s = config_source_find(&cfg, "dy");
	assert_non_null(s);
	assert_string_equal(s->type, "douyin");
	assert_null(config_source_get(s, "access_token"));
	assert_kv(s, "shop_id", "4463798", 72);
	s = config_source_find(&cfg, "ch");
	assert_non_null(s);
	assert_string_equal(s->type, "channels");
	assert_kv(s, "appsecret", "s3cr3t-value", 76);
	assert_int_equal(s->stats_days, 0);

	assert_null(config_source_find(&cfg, "nope"));
	assert_null(config_source_find(&cfg, NULL));
	assert_null(config_source_find(NULL, "wecom"));
	assert_null(config_source_get(NULL, "type"));
	config_release(&cfg);
	assert_int_equal(cfg.nsources, 0);
	config_release(&cfg); /* twice is fine */
}

static void test_types_and_bounds(void **state)
{
	struct config cfg;

	(void)state;
	parse_ok(&cfg, "[run]\nbatch_rows = 100\nmax_reject_ratio = 1\nlog_level = error\n");
	assert_int_equal(cfg.batch_rows, 100);
	assert_true(cfg.max_reject_ratio == 1);
	assert_int_equal(cfg.log_level, CONFIG_LOG_ERROR);
	config_release(&cfg);
	parse_ok(&cfg, "[run]\nbatch_rows = 1000000\nmax_reject_ratio = 0\nlog_level = warn\n");
	assert_int_equal(cfg.batch_rows, 1000000);
	assert_int_equal(cfg.log_level, CONFIG_LOG_WARN);
	config_release(&cfg);

	parse_ok(&cfg, "[source.a]\ntype = csv\npath = x\nenabled = TRUE\n"
		       "[source.b]\ntype = csv\npath = x\nenabled = off\n"
		       "[source.c]\ntype = csv\npath = x\nenabled = 1\n"
		       "[source.d]\ntype = csv\npath = x\nenabled = False\n");
	assert_int_equal(cfg.sources[0].enabled, 1);
	assert_int_equal(cfg.sources[1].enabled, 0);
	assert_int_equal(cfg.sources[2].enabled, 1);
	assert_int_equal(cfg.sources[3].enabled, 0);
	config_release(&cfg);

	/* a youzan shop by grant_id; douyin with a token; wecom stats bounds */
	setenv("SIYU_T_SECRET", "x", 1);
	parse_ok(&cfg, "[source.y]\ntype = youzan\nclient_id = c\nclient_secret = ${SIYU_T_SECRET}\n"
		       "grant_id = 9\nwindow = 90d\n"
		       "[source.d]\ntype = douyin\napp_key = k\napp_secret = ${SIYU_T_SECRET}\n"
		       "access_token = ${SIYU_T_SECRET}\n"
		       "[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_SECRET}\n"
		       "stats_days = 30\nrps = 0.01\nsafety_lag = 0\nlookback = 0s\n"
		       "callback_listen = [::1]:8081\n");
	assert_int_equal(cfg.sources[0].window_s, 90 * 86400);
	assert_int_equal(cfg.sources[2].stats_days, 30);
	assert_int_equal(cfg.sources[2].safety_lag_s, 0);
	assert_int_equal(cfg.sources[2].lookback_s, 0);
	config_release(&cfg);
}

/* ---- env expansion ---------------------------------------------------- */

static void test_env(void **state)
{
	struct config cfg;
	const char *err;

	(void)state;
	set_test_env();
	setenv("SIYU_T_DIR", "/srv/raw", 1);
	parse_ok(&cfg,
		 "[run]\n"
		 "raw_dir = ${SIYU_T_DIR}/x/${SIYU_T_DIR}\n"
		 "[warehouse]\n"
		 "application_name = \"$$HOME is ${SIYU_T_UNSET:-un set} ${SIYU_T_EMPTY:-was empty}"
		 " ${SIYU_T_DIR:-not used} [${SIYU_T_EMPTY}] $$$${SIYU_T_DIR} $$${SIYU_T_DIR}\"\n");
	assert_string_equal(cfg.raw_dir, "/srv/raw/x//srv/raw");
	assert_string_equal(cfg.application_name,
			    "$HOME is un set was empty /srv/raw [] $${SIYU_T_DIR} $/srv/raw");
	config_release(&cfg);

	/* an expanded value is not expanded again, nor is a default */
	setenv("SIYU_T_DIR", "${SIYU_T_UNSET}$x", 1);
	parse_ok(&cfg, "[run]\nraw_dir = ${SIYU_T_DIR}\n"
		       "[warehouse]\napplication_name = ${SIYU_T_UNSET:-$x}\n");
	assert_string_equal(cfg.raw_dir, "${SIYU_T_UNSET}$x");
	assert_string_equal(cfg.application_name, "$x");
	config_release(&cfg);

	/* an unset variable names the variable, the key and file:line */
	err = expect_error("[run]\n\nraw_dir = var/${SIYU_T_UNSET}/raw\n",
			   "t.conf:3: environment variable 'SIYU_T_UNSET' is not set "
			   "(used by 'raw_dir' in [run])");
	assert_echo(err, "    3 | raw_dir = var/${SIYU_T_UNSET}/raw");
	expect_error("[source.w]\ntype = wecom\ncorpid = ${SIYU_T_UNSET}\nsecret = ${SIYU_T_UNSET}\n",
		     "t.conf:3: environment variable 'SIYU_T_UNSET' is not set "
		     "(used by 'corpid' in [source.w] (type wecom))");
	expect_error("[source.w]\ntype = ${SIYU_T_UNSET}\n",
		     "t.conf:2: environment variable 'SIYU_T_UNSET' is not set "
		     "(used by 'type' in [source.w])");
	/* set but empty is not unset */
	parse_ok(&cfg, "[run]\nraw_dir = a${SIYU_T_EMPTY}b\n");
	assert_string_equal(cfg.raw_dir, "ab");
	config_release(&cfg);

	/* malformed references */
	expect_error("[run]\nraw_dir = a$b\n",
		     "t.conf:2: '$' in the value of 'raw_dir' must start ${VAR} "
		     "(write $$ for a literal '$')");
	expect_error("[run]\nraw_dir = a$\n",
		     "t.conf:2: '$' in the value of 'raw_dir' must start ${VAR} "
		     "(write $$ for a literal '$')");
	expect_error("[run]\nraw_dir = ${SIYU_T_DIR\n",
		     "t.conf:2: bad ${...} reference in the value of 'raw_dir' "
		     "(expected ${NAME} or ${NAME:-default})");
	expect_error("[run]\nraw_dir = ${}\n",
		     "t.conf:2: bad ${...} reference in the value of 'raw_dir' "
		     "(expected ${NAME} or ${NAME:-default})");
	expect_error("[run]\nraw_dir = ${1X}\n",
		     "t.conf:2: bad ${...} reference in the value of 'raw_dir' "
		     "(expected ${NAME} or ${NAME:-default})");
	expect_error("[run]\nraw_dir = ${SIYU_T_DIR-x}\n",
		     "t.conf:2: bad ${...} reference in the value of 'raw_dir' "
		     "(expected ${NAME} or ${NAME:-default})");
	expect_error("[run]\nraw_dir = ${SIYU_T_DIR:-x\n",
		     "t.conf:2: bad ${...} reference in the value of 'raw_dir' "
		     "(expected ${NAME} or ${NAME:-default})");
}

/*
 * A source's secret may be unset in this environment: the file loads (status,
 * check and replay need no secret) and the source says why it cannot run.
 */
static void test_unset_secret(void **state)
{
	struct config cfg;
	const struct config_source *w, *y;

	(void)state;
	set_test_env();
	setenv("SIYU_T_DIR", "/srv/raw", 1);
	parse_ok(&cfg, "[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_UNSET}\n"
		       "callback_token = ${SIYU_T_UNSET_DIR}\n"
		       "[source.y]\ntype = youzan\nclient_id = c\nkdt_id = 1\n"
		       "client_secret = ${SIYU_T_DIR}\n");
	w = config_source_find(&cfg, "w");
	y = config_source_find(&cfg, "y");
	assert_string_equal(config_source_get(w, "secret"), "");
	/* the first unset variable is the one named */
	assert_string_equal(w->unset_env, "t.conf:4: environment variable 'SIYU_T_UNSET' is not "
					  "set (used by 'secret' in [source.w] (type wecom))");
	assert_null(y->unset_env);
	assert_string_equal(config_source_get(y, "client_secret"), "/srv/raw");
	config_release(&cfg);

	/* set but empty is not unset: still an empty required key */
	expect_error("[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_EMPTY}\n",
		     "t.conf:4: required key 'secret' in [source.w] (type wecom) is empty");
}

/*
 * A paused source may name variables this environment does not set; its
 * keys are still checked, and a literal secret is still refused.
 */
static void test_disabled_source(void **state)
{
	struct config cfg;
	const struct config_source *s;

	(void)state;
	set_test_env();
	parse_ok(&cfg, "[source.w]\ntype = wecom\ncorpid = ${SIYU_T_UNSET}\n"
		       "secret = ${SIYU_T_UNSET}\nenabled = ${SIYU_T_UNSET:-no}\n"
		       "[source.y]\nenabled = no\ntype = youzan\nclient_id = c\n"
		       "client_secret = ${SIYU_T_UNSET}\nkdt_id = ${SIYU_T_UNSET}\n");
	s = config_source_find(&cfg, "w");
	assert_int_equal(s->enabled, 0);
	assert_string_equal(config_source_get(s, "secret"), "");
	assert_string_equal(config_source_get(s, "corpid"), "");
	assert_int_equal(cfg.sources[1].enabled, 0);
	config_release(&cfg);

	/* only that source is lenient */
	expect_error("[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_UNSET}\n"
		     "enabled = no\n[source.v]\ntype = wecom\ncorpid = ${SIYU_T_UNSET}\n"
		     "secret = ${SIYU_T_UNSET}\n",
		     "t.conf:8: environment variable 'SIYU_T_UNSET' is not set "
		     "(used by 'corpid' in [source.v] (type wecom))");
	expect_error("[source.w]\ntype = wecom\nenabled = no\nsecret = ${SIYU_T_UNSET}\n",
		     "t.conf:1: [source.w] (type wecom): missing required key 'corpid'");
	expect_error("[source.w]\ntype = wecom\nenabled = no\ncorpid = c\nsecret = s3\n",
		     "t.conf:5: 'secret' in [source.w] (type wecom) is a secret: write it as an "
		     "environment reference like ${W_SECRET}, not a literal (secret values must "
		     "come from the environment)");
	expect_error("[source.w]\ntype = csv\npath = x\nenabled = ${SIYU_T_UNSET}\n",
		     "t.conf:4: environment variable 'SIYU_T_UNSET' is not set "
		     "(used by 'enabled' in [source.w] (type csv))");
	expect_error("[source.w]\ntype = csv\npath = x\nenabled = nope\n",
		     "t.conf:4: bad value 'nope' for 'enabled' in [source.w] (type csv): "
		     "expected yes or no (true/false, on/off, 1/0)");
}

/* ---- quoting and comments --------------------------------------------- */

static void test_quotes_and_comments(void **state)
{
	struct config cfg;
	const char *err;

	(void)state;
	parse_ok(&cfg,
		 "[warehouse]   # trailing comment after a header\n"
		 "application_name = a#b c # comment\n"
		 "conninfo = # only a comment: empty value\n"
		 "[run] ; semicolon comment\n"
		 "raw_dir   =   \"  spaced  \"   # comment after quotes\n"
		 "timezone=UTC\n");
	assert_string_equal(cfg.application_name, "a#b c");
	assert_string_equal(cfg.conninfo, "");
	assert_string_equal(cfg.raw_dir, "  spaced  ");
	assert_string_equal(cfg.timezone, "UTC");
	config_release(&cfg);

	parse_ok(&cfg, "[warehouse]\napplication_name = \"q\\\"x\\\\y # ; = [z]\"\n");
	assert_string_equal(cfg.application_name, "q\"x\\y # ; = [z]");
	config_release(&cfg);

	parse_ok(&cfg, "[warehouse]\napplication_name = say \"hi\" there\n");
	assert_string_equal(cfg.application_name, "say \"hi\" there");
	config_release(&cfg);

	err = expect_error("[run]\nraw_dir = \"abc\n",
			   "t.conf:2: syntax error in the value of 'raw_dir': "
			   "unterminated quoted value");
	assert_echo(err, "    2 | raw_dir = \"abc");
	expect_error("[run]\nraw_dir = \"a\\nb\"\n",
		     "t.conf:2: syntax error in the value of 'raw_dir': "
		     "bad escape in quoted value (only \\\" and \\\\)");
	expect_error("[run]\nraw_dir = \"a\\\"\n",
		     "t.conf:2: syntax error in the value of 'raw_dir': unterminated quoted value");
	expect_error("[run]\nraw_dir = \"a\" b\n",
		     "t.conf:2: syntax error in the value of 'raw_dir': "
		     "unexpected text after the closing quote");
	/* an empty raw_dir is refused by its table entry */
	expect_error("[run]\nraw_dir = \"\"\n",
		     "t.conf:2: bad value '' for 'raw_dir' in [run]: must not be empty");
}

static void test_bom_crlf(void **state)
{
	static const char text[] =
		"\xEF\xBB\xBF# BOM, then CRLF line ends\r\n"
		"[run]\r\n"
		"raw_dir = \"a b\"\r\n"
		"timezone = UTC  # c\r\n"
		"\r\n"
		"[source.x]\r\n"
		"type = csv\r\n"
		"path = p.csv\r\n"
		"batch = 1\r\n";
	struct config cfg;
	char err[ERRLEN], line[ERRLEN];

	(void)state;
	/* without the last line: parses, no '\r' in values */
	assert_int_equal(config_parse_buffer(&cfg, "t.conf", text, strlen(text) - 11, err,
					     sizeof(err)), 0);
	assert_string_equal(cfg.raw_dir, "a b");
	assert_string_equal(cfg.timezone, "UTC");
	assert_string_equal(config_source_get(&cfg.sources[0], "path"), "p.csv");
	assert_int_equal(cfg.sources[0].line, 6);
	config_release(&cfg);

	/* line numbers count CRLF lines; the last line has no newline */
	assert_int_equal(config_parse_buffer(&cfg, "t.conf", text, strlen(text) - 2, err,
					     sizeof(err)), -1);
	assert_string_equal(first_line(err, line, sizeof(line)),
			    "t.conf:9: unknown key 'batch' in [source.x] (type csv)");
	assert_echo(err, "    9 | batch = 1");

	/* a BOM is skipped only at the start */
	expect_error("[run]\n\xEF\xBB\xBFraw_dir = x\n", NULL);
	/* text is taken by length: a NUL byte inside is an error */
	assert_int_equal(config_parse_buffer(&cfg, "t.conf", "[run]\nraw_dir = a\0b\n", 18,
					     err, sizeof(err)), -1);
	assert_string_equal(err, "t.conf:2: NUL byte in line");
	/* and the buffer need not be NUL-terminated */
	assert_int_equal(config_parse_buffer(&cfg, "t.conf", "[run]\nraw_dir = abcdef", 19,
					     err, sizeof(err)), 0);
	assert_string_equal(cfg.raw_dir, "abc");
	config_release(&cfg);
}

/* ---- errors ------------------------------------------------------------ */

struct err_case {
	const char *text;
	const char *want;  /* first line of the message */
	const char *echo;  /* second line, or NULL for no quoted line */
};

static void run_err_cases(const struct err_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *err = expect_error(c[i].text, c[i].want);

		if (c[i].echo)
			assert_echo(err, c[i].echo);
		else if (strchr(err, '\n'))
			fail_msg("unexpected quoted line in: %s", err);
	}
}

static void test_syntax_errors(void **state)
{
	static const struct err_case cases[] = {
		{ "[run]\nraw_dir\n",
		  "t.conf:2: syntax error: expected 'key = value' or '[section]'",
		  "    2 | raw_dir" },
		{ "[run]\n = x\n", "t.conf:2: syntax error: missing key before '='", "    2 |  = x" },
		{ "[run]\nRaw_Dir = x\n",
		  "t.conf:2: syntax error: bad key 'Raw_Dir' (keys are lowercase: [a-z0-9_]+)",
		  "    2 | Raw_Dir = x" },
		{ "[run]\nraw dir = x\n",
		  "t.conf:2: syntax error: bad key 'raw dir' (keys are lowercase: [a-z0-9_]+)",
		  "    2 | raw dir = x" },
		{ "# c\nraw_dir = x\n",
		  "t.conf:2: key 'raw_dir' outside of any section "
		  "(put it under [warehouse], [run], [actions], [source.NAME] or [audience.NAME])",
		  "    2 | raw_dir = x" },
		{ "[run\n", "t.conf:1: missing ']' in section header", "    1 | [run" },
		{ "[run] x\n", "t.conf:1: unexpected text after ']' in section header",
		  "    1 | [run] x" },
		{ "[warehouse]\n[Run]\n",
		  "t.conf:2: unknown section [Run] (expected [warehouse], [run], [actions], "
		  "[source.NAME] or [audience.NAME])",
		  "    2 | [Run]" },
		{ "[sources.x]\n",
		  "t.conf:1: unknown section [sources.x] (expected [warehouse], [run], [actions], "
		  "[source.NAME] or [audience.NAME])",
		  "    1 | [sources.x]" },
		{ "[source.]\n",
		  "t.conf:1: bad source name '': use [a-z0-9][a-z0-9_-]*, at most 63 characters",
		  "    1 | [source.]" },
		{ "[source.Shop]\n",
		  "t.conf:1: bad source name 'Shop': use [a-z0-9][a-z0-9_-]*, at most 63 characters",
		  "    1 | [source.Shop]" },
		{ "[source._x]\n",
		  "t.conf:1: bad source name '_x': use [a-z0-9][a-z0-9_-]*, at most 63 characters",
		  "    1 | [source._x]" },
		{ "[source.a.b]\n",
		  "t.conf:1: bad source name 'a.b': use [a-z0-9][a-z0-9_-]*, at most 63 characters",
		  "    1 | [source.a.b]" },
		{ "[source.a234567890123456789012345678901234567890123456789012345678901234]\n",
		  "t.conf:1: bad source name "
		  "'a234567890123456789012345678901234567890123456789012345678901234': "
		  "use [a-z0-9][a-z0-9_-]*, at most 63 characters",
		  "    1 | [source.a234567890123456789012345678901234567890123456789012345678901234]" },
		{ "[run]\n[warehouse]\n\n[run]\n",
		  "t.conf:4: duplicate section [run] (first on line 1)", "    4 | [run]" },
		{ "[warehouse]\n[ warehouse ]\n",
		  "t.conf:2: duplicate section [warehouse] (first on line 1)", "    2 | [ warehouse ]" },
		{ "[source.a]\ntype = csv\npath = x\n[source.b]\ntype = csv\npath = y\n[source.a]\n",
		  "t.conf:7: duplicate section [source.a] (first on line 1)", "    7 | [source.a]" },
		{ "[run]\nraw_dir = a\ntimezone = UTC\nraw_dir = b\n",
		  "t.conf:4: duplicate key 'raw_dir' in [run] (first set on line 2)",
		  "    4 | raw_dir = b" },
		{ "[source.a]\ntype = csv\npath = x\ntype = csv\n",
		  "t.conf:4: duplicate key 'type' in [source.a] (first set on line 2)",
		  "    4 | type = csv" },
	};

	(void)state;
	run_err_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_key_errors(void **state)
{
	static const struct err_case cases[] = {
		{ "[warehouse]\nschema_prefix = x\n",
		  "t.conf:2: unknown key 'schema_prefix' in [warehouse]", "    2 | schema_prefix = x" },
		{ "[run]\ntimezon = UTC\n",
		  "t.conf:2: unknown key 'timezon' in [run] (did you mean 'timezone'?)",
		  "    2 | timezon = UTC" },
		{ "[run]\nconninfo = x\n",
		  "t.conf:2: unknown key 'conninfo' in [run]", "    2 | conninfo = x" },
		{ "[source.wecom]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_SECRET}\n"
		  "secert = ${SIYU_T_SECRET}\n",
		  "t.conf:5: unknown key 'secert' in [source.wecom] (type wecom) "
		  "(did you mean 'secret'?)",
		  "    5 | secert = ${SIYU_T_SECRET}" },
		/* keys of other types, and API keys in a csv source */
		{ "[source.c]\ntype = csv\npath = x\nrps = 2\n",
		  "t.conf:4: unknown key 'rps' in [source.c] (type csv)", "    4 | rps = 2" },
		{ "[source.c]\ntype = csv\npath = x\ncorpid = 2\n",
		  "t.conf:4: unknown key 'corpid' in [source.c] (type csv)", "    4 | corpid = 2" },
		{ "[source.t]\ntype = taobao\napp_key = k\napp_secret = ${SIYU_T_SECRET}\n"
		  "session = ${SIYU_T_SECRET}\nprofile = generic\n",
		  "t.conf:6: unknown key 'profile' in [source.t] (type taobao)",
		  "    6 | profile = generic" },
		/* type */
		{ "# x\n[source.s]\npath = x\n",
		  "t.conf:2: [source.s]: missing required key 'type' "
		  "(one of wecom|youzan|taobao|jd|pdd|douyin|channels|csv)",
		  "    2 | [source.s]" },
		{ "[source.s]\ntype = shopify\n",
		  "t.conf:2: unknown source type 'shopify' in [source.s] "
		  "(one of wecom|youzan|taobao|jd|pdd|douyin|channels|csv)",
		  "    2 | type = shopify" },
		{ "[source.s]\ntype =\n",
		  "t.conf:2: unknown source type '' in [source.s] "
		  "(one of wecom|youzan|taobao|jd|pdd|douyin|channels|csv)",
		  "    2 | type =" },
		/* required keys: named with the section and its line */
		{ "[run]\n\n[source.w]\ntype = wecom\nsecret = ${SIYU_T_SECRET}\n[run2]\n",
		  "t.conf:3: [source.w] (type wecom): missing required key 'corpid'",
		  "    3 | [source.w]" },
		{ "[source.c]\ntype = csv\n",
		  "t.conf:1: [source.c] (type csv): missing required key 'path'", "    1 | [source.c]" },
		{ "[source.t]\ntype = taobao\napp_key = k\napp_secret = ${SIYU_T_SECRET}\n",
		  "t.conf:1: [source.t] (type taobao): missing required key 'session'",
		  "    1 | [source.t]" },
		{ "[source.y]\ntype = youzan\nclient_id = c\nclient_secret = ${SIYU_T_SECRET}\n",
		  "t.conf:1: [source.y] (type youzan): missing required key 'kdt_id' (or 'grant_id')",
		  "    1 | [source.y]" },
		{ "[source.d]\ntype = douyin\napp_key = c\napp_secret = ${SIYU_T_SECRET}\n",
		  "t.conf:1: [source.d] (type douyin): missing required key 'access_token' "
		  "(or 'shop_id')",
		  "    1 | [source.d]" },
		{ "[source.c]\ntype = channels\nappid = a\n",
		  "t.conf:1: [source.c] (type channels): missing required key 'appsecret'",
		  "    1 | [source.c]" },
		{ "[source.p]\ntype = pdd\nclient_id = a\nclient_secret = ${SIYU_T_SECRET}\n",
		  "t.conf:1: [source.p] (type pdd): missing required key 'access_token'",
		  "    1 | [source.p]" },
		{ "[source.w]\ntype = wecom\ncorpid =\nsecret = ${SIYU_T_SECRET}\n",
		  "t.conf:3: required key 'corpid' in [source.w] (type wecom) is empty",
		  "    3 | corpid =" },
		{ "[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_EMPTY}\n",
		  "t.conf:4: required key 'secret' in [source.w] (type wecom) is empty",
		  "    4 | secret = ${SIYU_T_EMPTY}" },
		{ "[source.c]\ntype = csv\npath = ${SIYU_T_EMPTY:-}\n",
		  "t.conf:3: required key 'path' in [source.c] (type csv) is empty",
		  "    3 | path = ${SIYU_T_EMPTY:-}" },
	};

	(void)state;
	set_test_env();
	run_err_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_value_errors(void **state)
{
	static const struct err_case cases[] = {
		{ "[run]\nbatch_rows = abc\n",
		  "t.conf:2: bad value 'abc' for 'batch_rows' in [run]: "
		  "expected an integer in 100..1000000",
		  "    2 | batch_rows = abc" },
		{ "[run]\nbatch_rows = 99\n",
		  "t.conf:2: bad value '99' for 'batch_rows' in [run]: "
		  "expected an integer in 100..1000000",
		  "    2 | batch_rows = 99" },
		{ "[run]\nbatch_rows = 1000001\n",
		  "t.conf:2: bad value '1000001' for 'batch_rows' in [run]: "
		  "expected an integer in 100..1000000",
		  "    2 | batch_rows = 1000001" },
		{ "[run]\nbatch_rows = 10e3\n",
		  "t.conf:2: bad value '10e3' for 'batch_rows' in [run]: "
		  "expected an integer in 100..1000000",
		  "    2 | batch_rows = 10e3" },
		{ "[run]\nbatch_rows = 99999999999999999999999\n",
		  "t.conf:2: bad value '99999999999999999999999' for 'batch_rows' in [run]: "
		  "expected an integer in 100..1000000",
		  "    2 | batch_rows = 99999999999999999999999" },
		{ "[run]\nbatch_rows =\n",
		  "t.conf:2: bad value '' for 'batch_rows' in [run]: "
		  "expected an integer in 100..1000000",
		  "    2 | batch_rows =" },
		{ "[run]\nmax_reject_ratio = 1.5\n",
		  "t.conf:2: bad value '1.5' for 'max_reject_ratio' in [run]: "
		  "expected a number in 0..1",
		  "    2 | max_reject_ratio = 1.5" },
		{ "[run]\nmax_reject_ratio = nan\n",
		  "t.conf:2: bad value 'nan' for 'max_reject_ratio' in [run]: "
		  "expected a number in 0..1",
		  "    2 | max_reject_ratio = nan" },
		{ "[run]\nmax_reject_ratio = 1%\n",
		  "t.conf:2: bad value '1%' for 'max_reject_ratio' in [run]: "
		  "expected a number in 0..1",
		  "    2 | max_reject_ratio = 1%" },
		{ "[run]\nlog_level = verbose\n",
		  "t.conf:2: bad value 'verbose' for 'log_level' in [run]: "
		  "expected one of error|warn|info|debug",
		  "    2 | log_level = verbose" },
		{ "[run]\ntimezone = Asia Shanghai\n",
		  "t.conf:2: bad value 'Asia Shanghai' for 'timezone' in [run]: "
		  "not an IANA time zone name like Asia/Shanghai",
		  "    2 | timezone = Asia Shanghai" },
		{ "[run]\ntimezone = ../etc/passwd\n",
		  "t.conf:2: bad value '../etc/passwd' for 'timezone' in [run]: "
		  "not an IANA time zone name like Asia/Shanghai",
		  "    2 | timezone = ../etc/passwd" },
		{ "[warehouse]\napplication_name =\n",
		  "t.conf:2: bad value '' for 'application_name' in [warehouse]: must not be empty",
		  "    2 | application_name =" },
		{ "[source.c]\ntype = csv\npath = x\nenabled = maybe\n",
		  "t.conf:4: bad value 'maybe' for 'enabled' in [source.c] (type csv): "
		  "expected yes or no (true/false, on/off, 1/0)",
		  "    4 | enabled = maybe" },
		{ "[source.c]\ntype = csv\npath = x\nprofile = shopify\n",
		  "t.conf:4: bad value 'shopify' for 'profile' in [source.c] (type csv): "
		  "expected one of generic|taobao|jd|pdd|douyin|channels|youzan|auto",
		  "    4 | profile = shopify" },
		{ "[source.c]\ntype = csv\npath = x\nencoding = latin1\n",
		  "t.conf:4: bad value 'latin1' for 'encoding' in [source.c] (type csv): "
		  "expected one of auto|utf-8|gbk",
		  "    4 | encoding = latin1" },
		{ "[source.c]\ntype = csv\npath = x\nplatform = Tmall\n",
		  "t.conf:4: bad value 'Tmall' for 'platform' in [source.c] (type csv): "
		  "expected a lowercase name like taobao ([a-z][a-z0-9_]*)",
		  "    4 | platform = Tmall" },
		{ "[source.c]\ntype = csv\npath = x\nmax_reject_ratio = -0.1\n",
		  "t.conf:4: bad value '-0.1' for 'max_reject_ratio' in [source.c] (type csv): "
		  "expected a number in 0..1",
		  "    4 | max_reject_ratio = -0.1" },
		{ "[source.c]\ntype = csv\npath = x\nwarn_after = 1y\n",
		  "t.conf:4: bad value '1y' for 'warn_after' in [source.c] (type csv): "
		  "expected a duration like 90s, 30m, 2h, 1d (seconds if no unit) in 0s..366d",
		  "    4 | warn_after = 1y" },
		{ "[source.t]\ntype = taobao\napp_key = k\napp_secret = ${SIYU_T_SECRET}\n"
		  "session = ${SIYU_T_SECRET}\nrps = 0\n",
		  "t.conf:6: bad value '0' for 'rps' in [source.t] (type taobao): "
		  "expected a number in 0.01..1000",
		  "    6 | rps = 0" },
		{ "[source.t]\ntype = jd\napp_key = k\napp_secret = ${SIYU_T_SECRET}\n"
		  "access_token = ${SIYU_T_SECRET}\nretries = -1\n",
		  "t.conf:6: bad value '-1' for 'retries' in [source.t] (type jd): "
		  "expected an integer in 0..100",
		  "    6 | retries = -1" },
		{ "[source.t]\ntype = jd\napp_key = k\napp_secret = ${SIYU_T_SECRET}\n"
		  "access_token = ${SIYU_T_SECRET}\ntimeout = 0\n",
		  "t.conf:6: bad value '0' for 'timeout' in [source.t] (type jd): "
		  "expected a duration like 90s, 30m, 2h, 1d (seconds if no unit) in 1s..1h",
		  "    6 | timeout = 0" },
		{ "[source.t]\ntype = jd\napp_key = k\napp_secret = ${SIYU_T_SECRET}\n"
		  "access_token = ${SIYU_T_SECRET}\nlookback = -1h\n",
		  "t.conf:6: bad value '-1h' for 'lookback' in [source.t] (type jd): "
		  "expected a duration like 90s, 30m, 2h, 1d (seconds if no unit) in 0s..366d",
		  "    6 | lookback = -1h" },
		{ "[source.t]\ntype = jd\napp_key = k\napp_secret = ${SIYU_T_SECRET}\n"
		  "access_token = ${SIYU_T_SECRET}\nstart = 2025-02-30\n",
		  "t.conf:6: bad value '2025-02-30' for 'start' in [source.t] (type jd): "
		  "expected a date like 2025-01-01 or 2025-01-01 08:00:00",
		  "    6 | start = 2025-02-30" },
		{ "[source.t]\ntype = jd\napp_key = k\napp_secret = ${SIYU_T_SECRET}\n"
		  "access_token = ${SIYU_T_SECRET}\nbase_url = ftp://x\n",
		  "t.conf:6: bad value 'ftp://x' for 'base_url' in [source.t] (type jd): "
		  "expected an http:// or https:// URL",
		  "    6 | base_url = ftp://x" },
		{ "[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_SECRET}\nstats_days = 31\n",
		  "t.conf:5: bad value '31' for 'stats_days' in [source.w] (type wecom): "
		  "expected an integer in 1..30",
		  "    5 | stats_days = 31" },
		{ "[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_SECRET}\n"
		  "callback_listen = 8081\n",
		  "t.conf:5: bad value '8081' for 'callback_listen' in [source.w] (type wecom): "
		  "expected host:port, like 127.0.0.1:8081",
		  "    5 | callback_listen = 8081" },
		{ "[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_SECRET}\n"
		  "callback_listen = localhost:70000\n",
		  "t.conf:5: bad value 'localhost:70000' for 'callback_listen' in [source.w] "
		  "(type wecom): expected host:port, like 127.0.0.1:8081",
		  "    5 | callback_listen = localhost:70000" },
		{ "[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_SECRET}\n"
		  "callback_read_timeout = 0\n",
		  "t.conf:5: bad value '0' for 'callback_read_timeout' in [source.w] (type wecom): "
		  "expected a duration like 90s, 30m, 2h, 1d (seconds if no unit) in 1s..5m",
		  "    5 | callback_read_timeout = 0" },
		{ "[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_SECRET}\n"
		  "callback_max_connections_per_address = 0\n",
		  "t.conf:5: bad value '0' for 'callback_max_connections_per_address' in [source.w] "
		  "(type wecom): expected an integer in 1..10000",
		  "    5 | callback_max_connections_per_address = 0" },
		/* cross-key checks */
		{ "[source.p]\ntype = pdd\nclient_id = a\nclient_secret = ${SIYU_T_SECRET}\n"
		  "access_token = ${SIYU_T_SECRET}\nwindow = 1h\n",
		  "t.conf:6: window 1h in [source.p] (type pdd) is longer than the platform "
		  "allows (30m)",
		  "    6 | window = 1h" },
		{ "[source.c]\ntype = csv\npath = x\nwarn_after = 2d\nerror_after = 1d\n",
		  "t.conf:5: error_after in [source.c] (type csv) is shorter than warn_after",
		  "    5 | error_after = 1d" },
	};

	(void)state;
	set_test_env();
	run_err_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_timezone_exists(void **state)
{
	struct config cfg;
	const char *err;

	(void)state;
	if (!has_zoneinfo())
		skip();
	parse_ok(&cfg, "[run]\ntimezone = America/New_York\n[source.c]\ntype = csv\npath = x\n"
		       "timezone = Etc/GMT+8\n");
	assert_string_equal(cfg.sources[0].timezone, "Etc/GMT+8");
	config_release(&cfg);
	err = expect_error("[run]\ntimezone = Asia/Shangai\n", NULL);
	assert_non_null(strstr(err, "t.conf:2: bad value 'Asia/Shangai' for 'timezone' in [run]: "
				    "unknown time zone (not in "));
	expect_error("[run]\ntimezone = Asia\n", NULL);
}

/* ---- secrets ------------------------------------------------------------ */

static void test_secrets(void **state)
{
	static const struct err_case cases[] = {
		{ "[source.wecom]\ntype = wecom\ncorpid = c\nsecret = hunter2\n",
		  "t.conf:4: 'secret' in [source.wecom] (type wecom) is a secret: write it as an "
		  "environment reference like ${WECOM_SECRET}, not a literal (secret values must "
		  "come from the environment)",
		  "    4 | secret = <hidden>" },
		{ "[source.shop-2]\ntype = taobao\napp_key = k\napp_secret = \"${SIYU_T_SECRET}x\"\n",
		  "t.conf:4: 'app_secret' in [source.shop-2] (type taobao) is a secret: write it as "
		  "an environment reference like ${SHOP_2_APP_SECRET}, not a literal (secret values "
		  "must come from the environment)",
		  "    4 | app_secret = <hidden>" },
		{ "[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_UNSET:-hunter2}\n",
		  "t.conf:4: 'secret' in [source.w] (type wecom) is a secret: write it as an "
		  "environment reference like ${W_SECRET}, not a literal (secret values must "
		  "come from the environment)",
		  "    4 | secret = <hidden>" },
		{ "[source.w]\ntype = wecom\ncorpid = c\nsecret =\n",
		  "t.conf:4: 'secret' in [source.w] (type wecom) is a secret: write it as an "
		  "environment reference like ${W_SECRET}, not a literal (secret values must "
		  "come from the environment)",
		  "    4 | secret = <hidden>" },
		{ "[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_SECRET}\n"
		  "callback_aes_key = abc\n",
		  "t.conf:5: 'callback_aes_key' in [source.w] (type wecom) is a secret: write it as "
		  "an environment reference like ${W_CALLBACK_AES_KEY}, not a literal (secret values "
		  "must come from the environment)",
		  "    5 | callback_aes_key = <hidden>" },
		{ "[source.p]\ntype = pdd\nclient_id = c\nclient_secret = ${SIYU_T_SECRET}\n"
		  "access_token = \"tok\"  # oops\n",
		  "t.conf:5: 'access_token' in [source.p] (type pdd) is a secret: write it as an "
		  "environment reference like ${P_ACCESS_TOKEN}, not a literal (secret values must "
		  "come from the environment)",
		  "    5 | access_token = <hidden>" },
		/* an unknown key that looks secret does not echo its value */
		{ "[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_SECRET}\n"
		  "app_secret = hunter2\n",
		  "t.conf:5: unknown key 'app_secret' in [source.w] (type wecom)",
		  "    5 | app_secret = <hidden>" },
		{ "[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_SECRET}\n"
		  "secret = hunter2\n",
		  "t.conf:5: duplicate key 'secret' in [source.w] (first set on line 4)",
		  "    5 | secret = <hidden>" },
		{ "access_token = hunter2\n",
		  "t.conf:1: key 'access_token' outside of any section "
		  "(put it under [warehouse], [run], [actions], [source.NAME] or [audience.NAME])",
		  "    1 | access_token = <hidden>" },
		{ "[source.w]\ntype = wecom\ncorpid = c\nsecret = \"hunter2\n",
		  "t.conf:4: syntax error in the value of 'secret': unterminated quoted value",
		  "    4 | secret = <hidden>" },
	};
	struct config cfg;
	const char *err;
	size_t i;

	(void)state;
	set_test_env();
	run_err_cases(cases, sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err = expect_error(cases[i].text, NULL);
		assert_null(strstr(err, "hunter2"));
	}

	/* the expanded value of a secret never appears in a message */
	setenv("SIYU_T_SECRET", "VERY-SECRET-VALUE", 1);
	err = expect_error("[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_SECRET}\n"
			   "callback_token = ${SIYU_T_SECRET}\nstats_days = 0\n",
			   "t.conf:6: bad value '0' for 'stats_days' in [source.w] (type wecom): "
			   "expected an integer in 1..30");
	assert_null(strstr(err, "VERY-SECRET-VALUE"));
	err = expect_error("[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_SECRET}\n"
			   "secert = ${SIYU_T_SECRET}\n", NULL);
	assert_null(strstr(err, "VERY-SECRET-VALUE"));
	/* nor when it is referenced by mistake in a setting that is not secret (found by
	 * fuzz_config: tests/fuzz/regressions/fuzz_config/) */
	err = expect_error("[source.w]\ntype = wecom\ncorpid = c\nsecret = ${SIYU_T_SECRET}\n"
			   "callback_listen = ${SIYU_T_SECRET}\n",
			   "t.conf:5: bad value '${SIYU_T_SECRET}' (its expansion not shown) for "
			   "'callback_listen' in [source.w] (type wecom): expected host:port, like "
			   "127.0.0.1:8081");
	assert_null(strstr(err, "VERY-SECRET-VALUE"));
	err = expect_error("[run]\ntimezone = Asia/${SIYU_T_SECRET}\n", NULL);
	assert_null(strstr(err, "VERY-SECRET-VALUE"));
	err = expect_error("[source.w]\ntype = ${SIYU_T_SECRET}\n",
			   "t.conf:2: unknown source type '${SIYU_T_SECRET}' (its expansion not shown) "
			   "in [source.w] (one of wecom|youzan|taobao|jd|pdd|douyin|channels|csv)");
	assert_null(strstr(err, "VERY-SECRET-VALUE"));

	/* conninfo is kept as written too, for load/db.c's literal-password check
	 * (test_db_conninfo.c); the expanded password is marked nowhere in cfg */
	parse_ok(&cfg, "[run]\n\n[warehouse]\nconninfo = host=db password=${SIYU_T_SECRET}\n");
	assert_string_equal(cfg.conninfo, "host=db password=VERY-SECRET-VALUE");
	assert_string_equal(cfg.conninfo_as_written, "host=db password=${SIYU_T_SECRET}");
	assert_int_equal(cfg.conninfo_line, 4);
	config_release(&cfg);
	parse_ok(&cfg, "[warehouse]\n");
	assert_null(cfg.conninfo_as_written);
	config_release(&cfg);
}

/* ---- durations ---------------------------------------------------------- */

static void test_durations(void **state)
{
	static const struct {
		const char *in;
		long want;
	} ok[] = {
		{ "0", 0 }, { "90", 90 }, { "90s", 90 }, { "30m", 1800 }, { "2h", 7200 },
		{ "1d", 86400 }, { "7d", 604800 }, { "1w", 604800 }, { "1h30m", 5400 },
		{ "1d2h3m4s", 93784 }, { "0s", 0 }, { "007m", 420 },
	};
	static const char *const bad[] = {
		"", "s", "m5", "-1", "+1", "1.5h", "1 h", " 1h", "1h ", "1H", "1y", "1h30",
		"1hh", "h1", "99999999999999999999", "9223372036854775807d", "1e3",
	};
	long v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = -1;
		if (config_parse_duration(ok[i].in, &v) != 0)
			fail_msg("'%s' refused", ok[i].in);
		assert_int_equal(v, ok[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		if (config_parse_duration(bad[i], &v) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(v, 42);
	}
	assert_int_equal(config_parse_duration(NULL, &v), -1);
	assert_int_equal(config_parse_duration("9223372036854775807", &v), 0);
	assert_true(v == 9223372036854775807L);
}

/* ---- buffers, files, many sources ------------------------------------- */

static void test_err_buffer(void **state)
{
	struct config cfg;
	char small[16];
	const char *text = "[run]\nbatch_rows = 1\n";

	(void)state;
	memset(small, 'x', sizeof(small));
	assert_int_equal(config_parse_buffer(&cfg, "t.conf", text, strlen(text), small,
					     sizeof(small)), -1);
	assert_string_equal(small, "t.conf:2: bad v");
	assert_int_equal(config_parse_buffer(&cfg, "t.conf", text, strlen(text), NULL, 0), -1);
	assert_int_equal(config_parse_buffer(&cfg, "t.conf", text, strlen(text), small, 1), -1);
	assert_string_equal(small, "");
	/* an empty text needs no pointer */
	assert_int_equal(config_parse_buffer(&cfg, NULL, "", 0, small, sizeof(small)), 0);
	assert_string_equal(cfg.path, "(config)");
	config_release(&cfg);
	config_release(NULL);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/test_config_XXXXXX";
	char err[ERRLEN], want[ERRLEN + 64];
	struct config cfg;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("[run]\nbatch_rows = 200\n[source.c]\ntype = csv\npath = x\n", f);
	fclose(f);
	assert_int_equal(config_load(&cfg, path, err, sizeof(err)), 0);
	assert_string_equal(cfg.path, path);
	assert_int_equal(cfg.batch_rows, 200);
	assert_int_equal(cfg.nsources, 1);
	config_release(&cfg);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[run]\nbatch_rows = 200\n[source.c]\ntype = csv\npath = x\nbad\n", f);
	fclose(f);
	assert_int_equal(config_load(&cfg, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s:6: syntax error: expected 'key = value' or '[section]'\n    6 | bad", path);
	assert_string_equal(err, want);
	assert_null(cfg.path);

	/* an empty file is a valid, all-defaults configuration */
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(config_load(&cfg, path, err, sizeof(err)), 0);
	assert_int_equal(cfg.batch_rows, 10000);
	config_release(&cfg);
	unlink(path);

	assert_int_equal(config_load(&cfg, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot open '%s': No such file or directory", path);
	assert_string_equal(err, want);
	assert_int_equal(config_load(&cfg, "/", err, sizeof(err)), -1);
	assert_string_equal(err, "cannot read '/': Is a directory");
}

static void test_many_sources(void **state)
{
	size_t cap = 300 * 64 + 70000, n = 0, i;
	char *text = malloc(cap);
	struct config cfg;
	char name[32];

	(void)state;
	assert_non_null(text);
	for (i = 0; i < 300; i++)
		n += (size_t)snprintf(text + n, cap - n, "[source.s%zu]\ntype = csv\npath = f%zu.csv\n",
				      i, i);
	n += (size_t)snprintf(text + n, cap - n, "[run]\nraw_dir = ");
	memset(text + n, 'r', 65000); /* a long value */
	n += 65000;
	text[n++] = '\n';
	text[n] = '\0';
	parse_ok(&cfg, text);
	assert_int_equal(cfg.nsources, 300);
	assert_int_equal(strlen(cfg.raw_dir), 65000);
	snprintf(name, sizeof(name), "s%d", 299);
	assert_string_equal(config_source_get(config_source_find(&cfg, name), "path"),
			    "f299.csv");
	assert_int_equal(config_source_find(&cfg, name)->line, 299 * 3 + 1);
	config_release(&cfg);
	free(text);
}

/* ---- the repository's pipeline.conf ------------------------------------ */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* pipeline.conf at $SIYU_TOP, or in . or a parent directory. */
static const char *repo_conf(void)
{
	static char path[4096];
	static const char *const rel[] = {
		"pipeline.conf", "../pipeline.conf", "../../pipeline.conf", "../../../pipeline.conf",
	};
	const char *top = getenv("SIYU_TOP");
	size_t i;

	if (top && *top) {
		snprintf(path, sizeof(path), "%s/pipeline.conf", top);
		return path;
	}
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
		if (access(rel[i], R_OK) == 0)
			return rel[i];
	return "pipeline.conf";
}

static void test_repo_pipeline_conf(void **state)
{
	struct config cfg;
	char err[ERRLEN];
	const struct config_source *s;

	(void)state;
	if (config_load(&cfg, repo_conf(), err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(cfg.conninfo, "");
	assert_string_equal(cfg.timezone, "Asia/Shanghai");
	assert_int_equal(cfg.nsources, 2);
	s = config_source_find(&cfg, "taobao_csv");
	assert_non_null(s);
	assert_string_equal(s->type, "csv");
	assert_string_equal(config_source_get(s, "profile"), "generic");
	assert_string_equal(config_source_get(s, "path"), "sample/orders-taobao.csv");
	assert_int_equal(s->enabled, 1);
	s = config_source_find(&cfg, "youzan_csv");
	assert_non_null(s);
	assert_string_equal(s->type, "csv");
	assert_string_equal(config_source_get(s, "path"), "sample/orders-youzan.csv");
	assert_int_equal(cfg.naudiences, 1);
	assert_string_equal(config_audience_get(config_audience_find(&cfg, "tmall_new_nogroup"), "in_group"),
			    "never");
	config_release(&cfg);
}

/* "# key = value" or "# [source.x]": a commented-out setting. */
static int is_commented_setting(const char *line, size_t n)
{
	size_t i = 2;

	if (n < 3 || line[0] != '#' || line[1] != ' ')
		return 0;
	if (line[2] == '[')
		return memchr(line, ']', n) != NULL;
	while (i < n && ((line[i] >= 'a' && line[i] <= 'z') || line[i] == '_'))
		i++;
	return i > 2 && n - i >= 3 && memcmp(line + i, " = ", 3) == 0;
}

/*
 * Every commented-out setting in pipeline.conf, switched on, must still be
 * a valid configuration: the reference documents real keys and values.
 */
static void test_repo_pipeline_conf_examples(void **state)
{
	struct config cfg;
	char err[ERRLEN];
	size_t len = 0, i, n = 0;
	char *text, *out;
	const char *s, *end;
	const struct config_source *src;
	int in_sections = 0;

	(void)state;
	text = read_all(repo_conf(), &len);
	assert_non_null(text);
	out = malloc(len + 1);
	assert_non_null(out);
	for (s = text, end = text + len; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t ln = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);

		if (ln >= 11 && memcmp(s, "[warehouse]", 11) == 0)
			in_sections = 1;
		if (in_sections && is_commented_setting(s, ln)) {
			memcpy(out + n, s + 2, ln - 2);
			n += ln - 2;
		} else {
			memcpy(out + n, s, ln);
			n += ln;
		}
		s += ln;
	}
	setenv("WECOM_SECRET", "w", 1);
	setenv("WECOM_CALLBACK_TOKEN", "t", 1);
	setenv("WECOM_CALLBACK_AES_KEY", "k", 1);
	setenv("TAOBAO_APP_SECRET", "a", 1);
	setenv("TAOBAO_SESSION", "s", 1);
	setenv("YOUZAN_CLIENT_SECRET", "y", 1);
	if (config_parse_buffer(&cfg, "pipeline.conf+examples", out, n, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg.nsources, 5);
	src = config_source_find(&cfg, "youzan");
	assert_non_null(src);
	assert_string_equal(src->type, "youzan");
	assert_string_equal(config_source_get(src, "client_secret"), "y");
	assert_string_equal(config_source_get(src, "kdt_id"), "44000001");
	assert_string_equal(config_source_get(src, "page_size"), "100");
	src = config_source_find(&cfg, "wecom");
	assert_non_null(src);
	assert_string_equal(src->type, "wecom");
	assert_string_equal(config_source_get(src, "secret"), "w");
	src = config_source_find(&cfg, "taobao");
	assert_non_null(src);
	assert_string_equal(src->type, "taobao");
	for (i = 0; i < cfg.nsources; i++)
		assert_int_equal(cfg.sources[i].enabled, 1);
	config_release(&cfg);
	free(out);
	free(text);
}

/* ---- [actions] and [audience.NAME] --------------------------------------- */

static void test_actions(void **state)
{
	struct config cfg;
	const struct config_audience *a;

	(void)state;
	parse_ok(&cfg,
		 "[audience.tmall_a]\n"
		 "title = 天猫A类未进群\n"
		 "platform = taobao\n"
		 "tag = A类, B类   # either\n"
		 "in_group = never\n"
		 "[actions]\n"
		 "care_steps = 1, 2,10\n"
		 "at_risk_segments = important_value,general_value\n"
		 "[audience.vip-2]\n"
		 "segment = important_value\n"
		 "state = live_618\n"
		 "first_order_month = 2026-02\n"
		 "min_orders = 2\n"
		 "min_paid = 199.90\n"
		 "push_tag = 高价值\n"
		 "message = 新品到店\n"
		 "[source.wecom]\n"
		 "type = wecom\n"
		 "corpid = ww1\n"
		 "secret = ${SIYU_T_UNSET_SECRET}\n");
	assert_int_equal(cfg.actions_line, 6);
	assert_string_equal(cfg.care_steps, "1, 2,10");
	assert_string_equal(cfg.at_risk_segments, "important_value,general_value");
	assert_string_equal(cfg.push_source, "");        /* push is off */
	assert_string_equal(cfg.push_tag_group, "私域人群");
	assert_int_equal(cfg.naudiences, 2);
	a = config_audience_find(&cfg, "tmall_a");
	assert_non_null(a);
	assert_int_equal(a->line, 1);
	assert_string_equal(config_audience_get(a, "title"), "天猫A类未进群");
	assert_string_equal(config_audience_get(a, "tag"), "A类, B类");
	assert_string_equal(config_audience_get(a, "in_group"), "never");
	assert_null(config_audience_get(a, "min_orders"));
	a = config_audience_find(&cfg, "vip-2");
	assert_non_null(a);
	assert_string_equal(config_audience_get(a, "in_group"), "any"); /* the default */
	assert_string_equal(config_audience_get(a, "min_paid"), "199.90");
	assert_string_equal(config_audience_get(a, "first_order_month"), "2026-02");
	assert_string_equal(config_audience_get(a, "push_tag"), "高价值");
	assert_string_equal(config_audience_get(a, "message"), "新品到店");
	assert_null(config_audience_get(config_audience_find(&cfg, "tmall_a"), "push_tag"));
	assert_null(config_audience_find(&cfg, "vip"));
	config_release(&cfg);
	assert_null(cfg.audiences);
}

static void test_actions_errors(void **state)
{
	static const struct err_case cases[] = {
		{ "[actions]\ncare_steps = 3,1\n",
		  "t.conf:2: bad value '3,1' for 'care_steps' in [actions]: expected increasing whole "
		  "numbers in 1..365, comma-separated, like 1,3,7,15,30",
		  "    2 | care_steps = 3,1" },
		{ "[actions]\ncare_steps = 0,3\n", NULL, "    2 | care_steps = 0,3" },
		{ "[actions]\ncare_steps = 1,,3\n", NULL, "    2 | care_steps = 1,,3" },
		{ "[actions]\ncare_steps = 1,366\n", NULL, "    2 | care_steps = 1,366" },
		{ "[actions]\ncare_steps = 1,3,3\n", NULL, "    2 | care_steps = 1,3,3" },
		{ "[actions]\ncare_steps = 1.5\n", NULL, "    2 | care_steps = 1.5" },
		{ "[actions]\nat_risk_segments = vip\n",
		  "t.conf:2: bad value 'vip' for 'at_risk_segments' in [actions]: expected comma-separated "
		  "RFM segment codes: important_value, important_develop, important_retain, "
		  "important_winback, general_value, general_develop, general_retain, general_winback",
		  "    2 | at_risk_segments = vip" },
		{ "[actions]\n[actions]\n", "t.conf:2: duplicate section [actions] (first on line 1)",
		  "    2 | [actions]" },
		{ "[actions]\ntimezone = UTC\n", "t.conf:2: unknown key 'timezone' in [actions]",
		  "    2 | timezone = UTC" },
		{ "[audience.Vip]\n",
		  "t.conf:1: bad audience name 'Vip': use [a-z0-9][a-z0-9_-]*, at most 63 characters",
		  "    1 | [audience.Vip]" },
		{ "[audience.a]\n[audience.b]\n[audience.a]\n",
		  "t.conf:3: duplicate section [audience.a] (first on line 1)", "    3 | [audience.a]" },
		{ "[audience.a]\nsegments = general_value\n",
		  "t.conf:2: unknown key 'segments' in [audience.a] (did you mean 'segment'?)",
		  "    2 | segments = general_value" },
		{ "[audience.a]\nfirst_order_month = 2026-13\n",
		  "t.conf:2: bad value '2026-13' for 'first_order_month' in [audience.a]: "
		  "expected a month like 2026-02",
		  "    2 | first_order_month = 2026-13" },
		{ "[audience.a]\nmin_paid = 1.234\n",
		  "t.conf:2: bad value '1.234' for 'min_paid' in [audience.a]: "
		  "expected an amount in yuan like 199 or 199.90",
		  "    2 | min_paid = 1.234" },
		{ "[audience.a]\nmin_paid = -5\n", NULL, "    2 | min_paid = -5" },
		{ "[audience.a]\nmin_orders = 0\n",
		  "t.conf:2: bad value '0' for 'min_orders' in [audience.a]: "
		  "expected an integer in 1..1000000",
		  "    2 | min_orders = 0" },
		{ "[audience.a]\nin_group = maybe\n",
		  "t.conf:2: bad value 'maybe' for 'in_group' in [audience.a]: "
		  "expected one of any|yes|no|never",
		  "    2 | in_group = maybe" },
		{ "[audience.a]\nplatform = taobao, Tmall\n",
		  "t.conf:2: bad value 'taobao, Tmall' for 'platform' in [audience.a]: "
		  "expected comma-separated lowercase names like taobao, youzan",
		  "    2 | platform = taobao, Tmall" },
		{ "[audience.a]\nmessage = hi\n",
		  "t.conf:2: message in [audience.a] needs push_tag: the group message goes to the "
		  "customers siyu push tags",
		  "    2 | message = hi" },
		{ "[actions]\npush_tag_group =\n", NULL, "    2 | push_tag_group =" },
		{ "[audience.a]\ntag = A类,\n",
		  "t.conf:2: bad value 'A类,' for 'tag' in [audience.a]: "
		  "expected a comma-separated list without empty items",
		  "    2 | tag = A类," },
	};

	(void)state;
	run_err_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_actions_errors),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_types_and_bounds),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_unset_secret),
		cmocka_unit_test(test_disabled_source),
		cmocka_unit_test(test_quotes_and_comments),
		cmocka_unit_test(test_bom_crlf),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_timezone_exists),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_many_sources),
		cmocka_unit_test(test_repo_pipeline_conf),
		cmocka_unit_test(test_repo_pipeline_conf_examples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
