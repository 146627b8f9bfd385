/*
 * test_sql_tree.c — unit tests of load/sql_tree.c: the apply order of repeatable scripts
 * from their requires lines, the scripts a migration requires, the scripts that must be
 * applied again after one, and the errors (unknown script, cycle, self).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/load/sql_tree.h"

struct spec {
	const char *name;
	const char *text;
};

/* A tree of the given scripts (in their folder/name order) and migrations. */
static void build(struct sql_tree *t, const struct spec *scripts, size_t ns,
		  const struct spec *migrations, size_t nm)
{
	memset(t, 0, sizeof(*t));
	t->scripts = calloc(ns + 1, sizeof(*t->scripts));
	t->migrations = calloc(nm + 1, sizeof(*t->migrations));
	assert_non_null(t->scripts);
	assert_non_null(t->migrations);
	for (size_t i = 0; i < ns; i++) {
		t->scripts[i].name = strdup(scripts[i].name);
		t->scripts[i].text = strdup(scripts[i].text);
		t->scripts[i].len = strlen(scripts[i].text);
	}
	for (size_t i = 0; i < nm; i++) {
		t->migrations[i].name = strdup(migrations[i].name);
		t->migrations[i].text = strdup(migrations[i].text);
		t->migrations[i].len = strlen(migrations[i].text);
	}
	t->nscripts = ns;
	t->nmigrations = nm;
}

static size_t index_of(const struct sql_tree *t, const char *name)
{
	for (size_t i = 0; i < t->nscripts; i++)
		if (strcmp(t->scripts[i].name, name) == 0)
			return i;
	fail_msg("no script %s", name);
	return 0;
}

static void test_order_keeps_names_where_free(void **state)
{
	static const struct spec s[] = {
		{ "functions/a.sql", "SELECT 1;" },
		{ "kpi/engagement.sql", "-- x\n-- requires: kpi/growth.sql, kpi/span.sql\nSELECT 1;" },
		{ "kpi/growth.sql", "--requires:   kpi/pool.sql\n" },
		{ "kpi/pool.sql", "-- requires: kpi/span.sql\n" },
		{ "kpi/sales.sql", "" },
		{ "kpi/span.sql", "SELECT 1; -- requires: kpi/sales.sql is not at the start of a line\n" },
	};
	static const char *const want[] = {
		"functions/a.sql", "kpi/sales.sql", "kpi/span.sql", "kpi/pool.sql",
		"kpi/growth.sql", "kpi/engagement.sql",
	};
	struct sql_tree t;

	(void)state;
	build(&t, s, 6, NULL, 0);
	assert_int_equal(sql_tree_resolve(&t), 0);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(t.scripts[i].name, want[i]);
	/* requires indexes follow the new order */
	assert_int_equal(t.scripts[4].nrequires, 1);
	assert_string_equal(t.scripts[t.scripts[4].requires[0]].name, "kpi/pool.sql");
	assert_int_equal(t.scripts[2].nrequires, 0);
	sql_tree_release(&t);
}

static void test_dependents_and_required(void **state)
{
	static const struct spec s[] = {
		{ "functions/f.sql", "" },
		{ "functions/g.sql", "-- requires: functions/f.sql\n" },
		{ "kpi/a.sql", "" },
		{ "kpi/b.sql", "-- requires: kpi/a.sql\n" },
		{ "kpi/c.sql", "-- requires: kpi/b.sql\n" },
		{ "kpi/d.sql", "" },
	};
	static const struct spec m[] = {
		{ "0005_x.sql", "-- requires: functions/g.sql\nCREATE TABLE x ();" },
	};
	unsigned char mark[6];
	struct sql_tree t;

	(void)state;
	build(&t, s, 6, m, 1);
	assert_int_equal(sql_tree_resolve(&t), 0);

	memset(mark, 0, sizeof(mark));
	sql_tree_mark_dependents(&t, index_of(&t, "kpi/a.sql"), mark);
	assert_false(mark[index_of(&t, "kpi/a.sql")]);
	assert_true(mark[index_of(&t, "kpi/b.sql")]);
	assert_true(mark[index_of(&t, "kpi/c.sql")]);
	assert_false(mark[index_of(&t, "kpi/d.sql")]);
	assert_false(mark[index_of(&t, "functions/g.sql")]);

	memset(mark, 0, sizeof(mark));
	sql_tree_mark_required(&t, &t.migrations[0], mark);
	assert_true(mark[index_of(&t, "functions/g.sql")]);
	assert_true(mark[index_of(&t, "functions/f.sql")]);
	assert_false(mark[index_of(&t, "kpi/a.sql")]);
	sql_tree_release(&t);
}

static void test_errors(void **state)
{
	static const struct spec unknown[] = {
		{ "kpi/a.sql", "-- requires: kpi/nope.sql\n" },
	};
	static const struct spec cycle[] = {
		{ "kpi/a.sql", "-- requires: kpi/b.sql\n" },
		{ "kpi/b.sql", "-- requires: kpi/a.sql\n" },
	};
	static const struct spec self[] = {
		{ "kpi/a.sql", "-- requires: kpi/a.sql\n" },
	};
	static const struct spec migration[] = {
		{ "0001_a.sql", "-- requires: functions/none.sql\n" },
	};
	struct sql_tree t;

	(void)state;
	build(&t, unknown, 1, NULL, 0);
	assert_int_equal(sql_tree_resolve(&t), -1);
	sql_tree_release(&t);
	build(&t, cycle, 2, NULL, 0);
	assert_int_equal(sql_tree_resolve(&t), -1);
	sql_tree_release(&t);
	build(&t, self, 1, NULL, 0);
	assert_int_equal(sql_tree_resolve(&t), -1);
	sql_tree_release(&t);
	build(&t, cycle, 0, migration, 1);
	assert_int_equal(sql_tree_resolve(&t), -1);
	sql_tree_release(&t);
}

static void test_legacy_applied(void **state)
{
	static const struct spec m[] = { { "0003_x.sql", "now" } };
	struct sql_legacy legacy = { NULL, "", "" };
	char then[65], other[65];
	struct sql_tree t;

	(void)state;
	build(&t, NULL, 0, m, 1);
	memset(t.migrations[0].sum, 'b', 64);
	legacy.name = strdup("0003_x.sql");
	memset(legacy.sum, 'a', 64);
	memset(legacy.now, 'b', 64);
	t.legacy = malloc(sizeof(legacy));
	assert_non_null(t.legacy);
	t.legacy[0] = legacy;
	t.nlegacy = 1;
	memset(then, 'a', 64);
	then[64] = '\0';
	memset(other, 'c', 64);
	other[64] = '\0';
	assert_true(sql_tree_legacy_applied(&t, &t.migrations[0], then));
	assert_false(sql_tree_legacy_applied(&t, &t.migrations[0], other));
	t.migrations[0].sum[0] = 'e'; /* the rewritten file was edited since */
	assert_false(sql_tree_legacy_applied(&t, &t.migrations[0], then));
	sql_tree_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_keeps_names_where_free),
		cmocka_unit_test(test_dependents_and_required),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_legacy_applied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
