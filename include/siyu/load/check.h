/*
 * check.h — data tests of the warehouse (dbt-style) and source freshness.
 *
 * A data test is a query that returns the rows breaking a rule (natural keys
 * unique, foreign keys resolving, accepted values, non-negative money, order
 * lines reconciling with their header, derived columns consistent); it
 * passes when it returns none. Freshness compares each source's watermark
 * and last successful load with its warn_after / error_after.
 */
#ifndef SIYU_LOAD_CHECK_H
#define SIYU_LOAD_CHECK_H

#include "siyu/common/config.h"

#include <libpq-fe.h>
#include <stddef.h>

#define CHECK_EXAMPLES 5

enum check_status { CHECK_OK, CHECK_WARN, CHECK_FAIL };

struct check_result {
	char name[96];                 /* e.g. "lines.paid", "freshness.taobao_csv" */
	const char *rule;              /* what the test asserts, one line */
	enum check_status status;
	long long failing;             /* rows breaking the rule; 0 for freshness */
	int nexamples;
	char example[CHECK_EXAMPLES][256]; /* failing rows, by natural key */
	char detail[256];              /* freshness: the lags and thresholds */
	/* freshness only: the lags in seconds (-1: never loaded) and the thresholds (0: off) */
	double watermark_lag_s, success_lag_s;
	long warn_after_s, error_after_s;
};

/* Called once per test, in order; r is valid during the call only. */
typedef void (*check_report_fn)(const struct check_result *r, void *arg);

/*
 * Does name match the selection? select holds name prefixes ("lines.",
 * "unique.order_identity"); nselect 0 selects everything.
 */
int check_selected(const char *name, const char *const *select, int nselect);

/*
 * Run the selected data tests in one REPEATABLE READ READ ONLY transaction
 * (one consistent snapshot) and report each. Returns the number of failed
 * tests, or -1 on a database error (err filled; the transaction is ended).
 */
int check_data(PGconn *conn, const char *const *select, int nselect, check_report_fn report,
	       void *arg, char *err, size_t errlen);

/*
 * Freshness of every enabled source of cfg that has warn_after or
 * error_after: its lag is the larger of now − its newest watermark (over its
 * entities) and now − the end of its last successful load; past error_after
 * it fails, past warn_after it warns; never loaded counts as infinitely
 * late. Returns the number of failures, or -1 (err filled).
 */
int check_freshness(PGconn *conn, const struct config *cfg, const char *const *select,
		    int nselect, check_report_fn report, void *arg, char *err, size_t errlen);

/* Report every data test with status CHECK_OK and no query run (for --list). */
void check_list(check_report_fn report, void *arg);

#endif /* SIYU_LOAD_CHECK_H */
