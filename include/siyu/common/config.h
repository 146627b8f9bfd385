/*
 * include/siyu/common/config.h — pipeline.conf reader
 *
 * Reads the INI file that describes the warehouse, the run, every source and
 * the action lists ([warehouse], [run], [source.NAME], [actions],
 * [audience.NAME]) into one struct config.  Keys are
 * checked against a table of typed entries (name, type, default, bounds,
 * secret/required flags) in common/config.c; pipeline.conf at the top of the
 * repository is the commented reference of every key.
 *
 * Syntax, in short:
 *   # comment            ; comment
 *   [source.shop1]       NAME is [a-z0-9][a-z0-9_-]*, at most 63 bytes
 *   [audience.vip]       (the same rule for audience names)
 *   key = value  # inline comment (after whitespace, unquoted values only)
 *   key = "quoted # not a comment, \"escaped\" \\ backslash"
 *   key = ${ENV_VAR}  ${ENV_VAR:-default}  $$ (a literal '$')
 * A UTF-8 BOM and CRLF line ends are accepted.  Keys marked secret (app
 * secrets, tokens) must be exactly one ${ENV_VAR} reference: secret values
 * come from the environment, never from the file.
 *
 * A source with `enabled = no` is still checked, but ${VAR}s that are not
 * set expand to "" in it and its required keys may be empty, so a paused
 * source needs no credentials in the environment.
 *
 * Relative paths (raw_dir, csv path) are kept as written: they are relative
 * to the working directory of the process, not to the file.
 *
 * Values hold secrets after expansion (kv[].secret, and conninfo when it
 * says password=${VAR}): never log them.
 */
#ifndef SIYU_COMMON_CONFIG_H
#define SIYU_COMMON_CONFIG_H

#include <stddef.h>

/* [run] log_level */
enum config_log_level {
	CONFIG_LOG_ERROR = 0,
	CONFIG_LOG_WARN = 1,
	CONFIG_LOG_INFO = 2,
	CONFIG_LOG_DEBUG = 3
};

/* One key of a [source.NAME] section, value after ${…} expansion. */
struct config_kv {
	char *key;
	char *value;
	int line;   /* line in the file; 0 = a default filled in by the reader */
	int secret; /* 1: a secret key; never log or print the value */
};

struct config_source {
	char *name;     /* NAME from [source.NAME] */
	char *type;     /* wecom|youzan|taobao|jd|pdd|douyin|channels|csv */
	int line;       /* line of the section header */

	/* typed common settings, defaults filled in (seconds for durations) */
	int enabled;            /* enabled = yes (default) */
	double rps;             /* client-side request rate; 0 for csv */
	long timeout;           /* total timeout of one request, s (30) */
	long connect_timeout;   /* s (10) */
	long retries;           /* retries after the first try (5) */
	long lookback_s;        /* overlap re-read before the watermark (1h) */
	long safety_lag_s;      /* window end lags now by this much (5m) */
	long window_s;          /* longest window per request; 0 for csv */
	long warn_after_s;      /* freshness: warn after this lag; 0 = off */
	long error_after_s;     /* freshness: fail after this lag; 0 = off */
	long stats_days;        /* wecom: re-pull this many days of stats (7) */
	long staff_refresh_s;   /* wecom: re-read staff names this old, s (30 d) */
	double max_reject_ratio; /* -1 = inherit [run] max_reject_ratio */
	char *timezone;         /* NULL = inherit [run] timezone */
	char *unset_env;        /* NULL, or "FILE:LINE: environment variable 'X' is not
				 * set (used by 'secret' in [source.N] ...)": a secret
				 * this environment lacks; the source cannot run */

	/*
	 * Every key of the section as given (after expansion), in file order,
	 * followed by the defaults of keys that have one and were not given
	 * (line 0).  Look keys up with config_source_get().
	 */
	struct config_kv *kv;
	size_t nkv;
};

/*
 * [audience.NAME]: one audience definition (docs/actions.md), checked against
 * its keys (segment, tag, state, platform, first_order_month, min_orders,
 * min_paid, in_group, title; push_tag and message for siyu push) and kept as
 * written.
 */
struct config_audience {
	char *name;             /* NAME from [audience.NAME] */
	int line;               /* line of the section header */
	struct config_kv *kv;   /* keys as given, in file order, then defaults (line 0) */
	size_t nkv;
};

struct config {
	char *path;             /* the name given to config_load/parse_buffer */

	/* [warehouse] */
	char *conninfo;         /* "" = libpq's PG* environment decides; may
				 * hold an expanded password: never log it */
	char *conninfo_as_written; /* before ${…} expansion, NULL when not given:
				    * db_conninfo_literal_password (load/db.c) refuses
				    * a password written in the file */
	int conninfo_line;      /* its line in the file */
	char *application_name; /* "siyu" */

	/* [run] */
	char *timezone;         /* IANA name, "Asia/Shanghai" */
	char *raw_dir;          /* "var/raw" */
	double max_reject_ratio; /* 0..1, 0.01 */
	long batch_rows;        /* 100..1000000, 10000 */
	int log_level;          /* enum config_log_level, CONFIG_LOG_INFO */
	char *metrics_file;     /* Prometheus textfile written after each run; "" = none */

	struct config_source *sources; /* in file order */
	size_t nsources;

	/* [actions] (docs/actions.md) */
	int actions_line;       /* line of [actions]; 0 = none */
	char *care_steps;       /* "1,3,7,15,30": days after the first order, increasing */
	char *at_risk_segments; /* RFM segment codes, comma-separated */
	char *push_source;      /* the wecom source siyu push calls; "" = push is off */
	char *push_tag_group;   /* WeCom tag group of the pushed audience tags */

	struct config_audience *audiences; /* in file order */
	size_t naudiences;
};

/*
 * Read the file at path into *cfg.  *cfg must be zeroed (or released); it
 * is filled from scratch.  Returns 0, or -1 with a message in err (at most
 * errlen bytes, NUL-terminated; err may be NULL) of the form
 * "FILE:LINE: what is wrong" and, where it helps, a second line quoting
 * the offending line as written in the file (never an expanded secret).
 * On -1, *cfg is left zeroed: nothing to release.
 */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);

/*
 * Same as config_load(), reading len bytes of text (need not be
 * NUL-terminated); name is used in messages and stored as cfg->path.
 * For tests and fuzzing.
 */
int config_parse_buffer(struct config *cfg, const char *name,
			const char *text, size_t len, char *err, size_t errlen);

/*
 * Free everything *cfg owns and zero it.  Safe on a zeroed struct and on
 * one that a failed parse left behind; cfg may be NULL.
 */
void config_release(struct config *cfg);

/*
 * The source named name, or NULL.  The pointer is borrowed from cfg and
 * lives until config_release(cfg).
 */
const struct config_source *config_source_find(const struct config *cfg,
					       const char *name);

/*
 * The value of key in src: the (expanded) value as given in the file, else
 * the key's default, else NULL.  Borrowed from src.  Common typed keys
 * (rps, lookback, ...) are here as written too; prefer the typed fields.
 */
const char *config_source_get(const struct config_source *src,
			      const char *key);

/* The audience named name, or NULL; borrowed from cfg. */
const struct config_audience *config_audience_find(const struct config *cfg,
						   const char *name);

/* The value of key in audience a (as given, else its default), or NULL; borrowed. */
const char *config_audience_get(const struct config_audience *a, const char *key);

/*
 * Parse a duration: a sequence of <digits><unit> with units s, m, h, d, w
 * ("90s", "30m", "2h", "1d", "1h30m"), or plain digits meaning seconds.
 * Returns 0 and sets *seconds, or -1 (bad syntax, negative, overflow)
 * leaving *seconds alone.
 */
int config_parse_duration(const char *s, long *seconds);

#endif /* SIYU_COMMON_CONFIG_H */
