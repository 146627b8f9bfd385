/*
 * cmd_check.c — siyu check: data tests and source freshness.
 */
#include "cli.h"

#include "siyu/load/check.h"
#include "siyu/load/db.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SELECT 64

static void check_usage(FILE *out)
{
	fprintf(out,
		"usage: siyu check [--select NAME]... [--list] [--json]\n"
		"\n"
		"Test the warehouse after a load, like dbt's data tests: natural keys unique,\n"
		"foreign keys resolving (order_identity and fact_order one to one), accepted\n"
		"status values, non-negative money, every order with lines that add up to\n"
		"its header (gross = sum of line gross; paid = sum of line paid + shipping;\n"
		"refund = sum of line refund; line_count, item_count), is_qualifying,\n"
		"order_seq, is_first_order and first_order_at consistent, every customer\n"
		"with an identity and every identity with a customer. Then source freshness:\n"
		"each enabled source with warn_after / error_after in pipeline.conf warns or\n"
		"fails when its newest watermark or its last successful load is older.\n"
		"\n"
		"One line per test: ok, WARN or FAIL, the name and, for a failure, how many\n"
		"rows break the rule, the rule and up to five of them by natural key.\n"
		"\n"
		"  --select NAME   run only the tests whose name starts with NAME (repeatable;\n"
		"                  e.g. lines., unique.order_identity, freshness.)\n"
		"  --list          list the tests and their rules; run nothing\n"
		"  --json          the same content as one JSON object (docs/json.md)\n"
		"\n"
		"Exit: 0 every test passed (warnings allowed), 1 a test failed or the\n"
		"database could not be read, 2 usage or configuration.\n");
}

/* The schema version of --json; bump when a key changes meaning or goes away. */
#define CHECK_SCHEMA "siyu.check/1"

struct tally {
	int ok, warned, failed;
	int list;
	json_object *tests; /* --json: the array the results go to */
	int complete;       /* every selected test ran (or was listed) */
};

static const char *const status_names[] = {
	[CHECK_OK] = "ok", [CHECK_WARN] = "warn", [CHECK_FAIL] = "fail"
};

/* Seconds as JSON: null when unknown (-1) or off (0, for thresholds). */
static json_object *seconds_json(double s, double none)
{
	return s == none ? NULL : json_object_new_int64((long long)s);
}

static json_object *result_json(const struct check_result *r, int list)
{
	json_object *o = json_object_new_object(), *ex;

	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "rule", json_object_new_string(r->rule));
	if (list)
		return o;
	json_object_object_add(o, "status", json_object_new_string(status_names[r->status]));
	json_object_object_add(o, "failing_rows", json_object_new_int64(r->failing));
	ex = json_object_new_array();
	for (int i = 0; i < r->nexamples; i++)
		json_object_array_add(ex, json_object_new_string(r->example[i]));
	json_object_object_add(o, "examples", ex);
	json_object_object_add(o, "detail", r->detail[0] ? json_object_new_string(r->detail) : NULL);
	if (strncmp(r->name, "freshness.", 10) == 0) {
		json_object *f = json_object_new_object();

		json_object_object_add(f, "watermark_lag_seconds", seconds_json(r->watermark_lag_s, -1));
		json_object_object_add(f, "last_success_lag_seconds",
				       seconds_json(r->success_lag_s, -1));
		json_object_object_add(f, "warn_after_seconds", seconds_json((double)r->warn_after_s, 0));
		json_object_object_add(f, "error_after_seconds",
				       seconds_json((double)r->error_after_s, 0));
		json_object_object_add(o, "freshness", f);
	}
	return o;
}

static void print_result(const struct check_result *r, void *arg)
{
	struct tally *t = arg;

	if (t->tests) {
		json_object_array_add(t->tests, result_json(r, t->list));
		if (!t->list) {
			t->ok += r->status == CHECK_OK;
			t->warned += r->status == CHECK_WARN;
			t->failed += r->status == CHECK_FAIL;
		}
		return;
	}
	if (t->list) {
		printf("%-46s %s\n", r->name, r->rule);
		return;
	}
	switch (r->status) {
	case CHECK_OK:
		t->ok++;
		printf("ok   %s\n", r->name);
		if (r->detail[0])
			printf("       %s\n", r->detail);
		return;
	case CHECK_WARN:
		t->warned++;
		printf("WARN %s\n       %s\n", r->name, r->detail);
		return;
	case CHECK_FAIL:
		t->failed++;
		break;
	}
	if (r->detail[0]) {
		printf("FAIL %s\n       %s\n", r->name, r->detail);
		return;
	}
	printf("FAIL %s (%lld failing row%s)\n       rule: %s\n", r->name, r->failing,
	       r->failing == 1 ? "" : "s", r->rule);
	for (int i = 0; i < r->nexamples; i++)
		printf("       %s\n", r->example[i]);
	if (r->failing > r->nexamples)
		printf("       ... and %lld more\n", r->failing - r->nexamples);
}

/* List or run the selected tests, reporting each to t. Returns the exit code. */
static int run_checks(struct cli *cli, const char *const *select, int nselect, struct tally *t)
{
	char err[1024];
	PGconn *conn;
	int rc;

	if (t->list) {
		check_list(print_result, t);
		t->complete = 1;
		return EXIT_OK;
	}
	if ((rc = cli_load_config(cli)) != 0)
		return rc;
	conn = cli_connect(cli);
	if (!conn)
		return EXIT_FAILED;
	if (check_data(conn, select, nselect, print_result, t, err, sizeof(err)) < 0 ||
	    check_freshness(conn, &cli->cfg, select, nselect, print_result, t, err,
			    sizeof(err)) < 0) {
		fprintf(stderr, "siyu check: %s\n", err);
		db_close(conn);
		return EXIT_FAILED;
	}
	db_close(conn);
	if (t->ok + t->warned + t->failed == 0) {
		fprintf(stderr, "siyu check: no test matches the --select given\n");
		return EXIT_USAGE;
	}
	t->complete = 1;
	if (!t->tests)
		printf("check: %d ok, %d failed, %d warning%s\n", t->ok, t->failed, t->warned,
		       t->warned == 1 ? "" : "s");
	return t->failed ? EXIT_FAILED : EXIT_OK;
}

int cmd_check(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "select", required_argument, NULL, 's' },
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *select[MAX_SELECT];
	struct tally t = { 0 };
	int nselect = 0, opt, rc, as_json = 0;
	json_object *doc = NULL;

	while ((opt = getopt_long(argc, argv, "c:vhs:l", options, NULL)) != -1) {
		if (cli_common_option(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h': check_usage(stdout); return EXIT_OK;
		case 's':
			if (nselect == MAX_SELECT) {
				fprintf(stderr, "siyu check: too many --select options\n");
				return EXIT_USAGE;
			}
			select[nselect++] = optarg;
			break;
		case 'l': t.list = 1; break;
		case 'j': as_json = 1; break;
		default: check_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "siyu check: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (as_json) {
		doc = cli_json_document(CHECK_SCHEMA);
		t.tests = json_object_new_array();
		json_object_object_add(doc, "tests", t.tests);
	}
	rc = run_checks(cli, select, nselect, &t);
	if (doc && t.complete) {
		if (!t.list) {
			json_object *sum = json_object_new_object();

			json_object_object_add(sum, "ok", json_object_new_int(t.ok));
			json_object_object_add(sum, "failed", json_object_new_int(t.failed));
			json_object_object_add(sum, "warnings", json_object_new_int(t.warned));
			json_object_object_add(doc, "summary", sum);
		}
		cli_json_print(doc);
	}
	json_object_put(doc);
	return rc;
}
