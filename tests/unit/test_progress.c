/*
 * test_progress.c — unit tests of common/progress.c on a fake clock: the text, the ETA,
 * how often it reports, tty redraws vs logfmt lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "siyu/common/log.h"
#include "siyu/common/progress.h"

static double fake_now;

static double fake_clock(void)
{
	return fake_now;
}

static void start(struct progress *p, FILE *out, int tty)
{
	fake_now = 100;
	progress_begin(p, out, "youzan_api");
	p->clock = fake_clock;
	p->started = p->reported = fake_now;
	p->tty = tty;
	p->every = tty ? 0.5 : 10;
}

static FILE *saved_stderr;

/* The logger writes to stderr: capture it in *text (complete after end_capture). */
static FILE *capture(char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);

	assert_non_null(f);
	saved_stderr = stderr;
	stderr = f;
	log_set_level(LOG_INFO);
	return f;
}

static void end_capture(FILE *f)
{
	fflush(f);
	stderr = saved_stderr;
	fclose(f);
}

static void test_format(void **state)
{
	struct progress p;
	char line[256];

	(void)state;
	start(&p, NULL, 0);
	fake_now = 104;
	p.pages = 1;
	p.records = 400;
	assert_string_equal(progress_format(&p, line, sizeof(line)),
			    "youzan_api: 1 page, 400 records, 100/s");
	p.pages = 12;
	p.done = 25;
	p.total = 100; /* a quarter in 4 s: 12 s to go */
	assert_string_equal(progress_format(&p, line, sizeof(line)),
			    "youzan_api: 12 pages, 400 records, 100/s, 25% ETA 12s");
	p.done = 1;
	p.total = 3600; /* 1/3600 in 4 s: 3h59m56s to go */
	assert_string_equal(progress_format(&p, line, sizeof(line)),
			    "youzan_api: 12 pages, 400 records, 100/s, 0% ETA 3h59m");
	p.done = 0; /* nothing done yet: no ETA */
	assert_non_null(strstr(progress_format(&p, line, sizeof(line)), "ETA ?"));
}

static void test_tty(void **state)
{
	struct progress p;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	assert_non_null(out);
	start(&p, out, 1);
	progress_update(&p, 1, 100, 0, 0); /* too soon: nothing */
	fflush(out);
	assert_int_equal(len, 0);
	fake_now += 0.6;
	progress_update(&p, 2, 200, 0, 0);
	fake_now += 0.1;
	progress_update(&p, 3, 300, 0, 0); /* too soon again */
	fake_now += 0.6;
	progress_update(&p, 3, 300, 50, 100);
	progress_end(&p);
	fclose(out);
	assert_non_null(strstr(text, "\r\033[Kyouzan_api: 2 pages, 200 records"));
	assert_non_null(strstr(text, "\r\033[Kyouzan_api: 3 pages, 300 records, 231/s, 50% ETA 1s"));
	assert_null(strstr(text, "1 page,"));
	/* the end clears the line */
	assert_int_equal(strcmp(text + len - 4, "\r\033[K"), 0);
	free(text);
}

static void test_log_lines(void **state)
{
	struct progress p;
	char *text = NULL;
	size_t len = 0;
	FILE *err = capture(&text, &len);

	(void)state;
	start(&p, NULL, 0);
	progress_update(&p, 1, 10, 0, 0);
	progress_end(&p); /* a short load: nothing at all */
	start(&p, NULL, 0);
	fake_now += 11;
	progress_update(&p, 2, 1100, 0, 0);
	fake_now += 5;
	progress_update(&p, 3, 1600, 0, 0); /* within 10 s of the last line */
	fake_now += 1;
	progress_end(&p);
	end_capture(err);
	assert_non_null(strstr(text, "level=info msg=progress source=youzan_api pages=2 records=1100 "
				     "rate=100.0\n"));
	assert_non_null(strstr(text, "msg=progress source=youzan_api pages=3 records=1600 rate=94.1 "
				     "final=true\n"));
	assert_null(strstr(text, "records=10 "));
	assert_null(strstr(text, "\r"));
	free(text);
}

/* A log line on the terminal clears the redrawn line first; the next report draws it again. */
static void test_log_clears_the_line(void **state)
{
	struct progress p;
	char *text = NULL;
	size_t len = 0;
	FILE *out = capture(&text, &len); /* the terminal: the log and the line share it */

	(void)state;
	start(&p, out, 1);
	fake_now += 1;
	progress_update(&p, 1, 100, 0, 0);
	log_info("msg=\"unit committed\"");
	fake_now += 1;
	progress_update(&p, 2, 200, 0, 0);
	progress_end(&p);
	log_info("msg=after");
	end_capture(out);
	assert_non_null(strstr(text, "\r\033[Kyouzan_api: 1 page, 100 records, 100/s\r\033[Kts="));
	assert_non_null(strstr(text, "msg=\"unit committed\"\n\r\033[Kyouzan_api: 2 pages, 200 "
				     "records, 100/s\r\033[Kts="));
	assert_int_equal(strcmp(text + len - 10, "msg=after\n"), 0);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_tty),
		cmocka_unit_test(test_log_lines),
		cmocka_unit_test(test_log_clears_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
