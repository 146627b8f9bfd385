/*
 * test_db_conninfo.c — load/db.c's db_conninfo_literal_password: a password written in
 * pipeline.conf's conninfo is found the way libpq reads the string (PQconninfoParse), in
 * both forms, while passwords that come from ${…} references pass. `siyu` refuses such
 * a file (cli/main.c; tests/integration/t0200-import.sh).
 */
#include "siyu/load/db.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void test_literal_passwords(void **state)
{
	static const char *const literal[] = {
		"host=db password=hunter2",
		"host=db password = 'hunter2' user=x",
		"postgresql://siyu:hunter2@db/siyu",
		"postgres://db/siyu?user=x&password=hunter2",
		/* what a hand scanner missed: percent-encoded, partly a reference, twice */
		"postgresql://siyu:%68unter2@db/siyu",
		"host=db password=${PGPW}2",
		"password=${PGPW} host=db password=hunter2",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(literal) / sizeof(literal[0]); i++)
		if (db_conninfo_literal_password(literal[i]) != 1)
			fail_msg("not found: %s", literal[i]);
}

static void test_passwords_from_the_environment(void **state)
{
	static const char *const fine[] = {
		"",
		"host=db passfile=/x password=${PGPW}",
		"host=db password='${PGPW}'",
		"postgresql://siyu:${PGPW}@db/siyu",
		"postgresql://siyu@db:5432/siyu?sslmode=require",
		"postgres://db/siyu?password=${PGPW}&application_name=a$$b",
		/* "password" inside another setting's value is not a password */
		"host=db application_name='etl password=none'",
		/* all of it from the environment: libpq reads the expanded value */
		"${DATABASE_URL}",
		"host=${PGHOST:-localhost} password=${PGPW}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++)
		if (db_conninfo_literal_password(fine[i]) != 0)
			fail_msg("refused: %s", fine[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_passwords),
		cmocka_unit_test(test_passwords_from_the_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
