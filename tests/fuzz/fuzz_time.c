/*
 * fuzz_time.c — the time parsers (transform/ltime.c) on any text. An accepted time
 * formats to text PostgreSQL reads, which parses back to the same time; a time with
 * an offset survives the trip through unix seconds.
 */
#include "fuzz.h"

#include "siyu/common/ltime.h"

#include <string.h>

static void round_trip(const struct ltime *t)
{
	char text[64], again[64];
	struct ltime back;
	const char *why = NULL;
	int64_t secs, secs_back;
	int n = ltime_format(t, text, sizeof(text));

	FUZZ_CHECK(n > 0 && (size_t)n == strlen(text));
	FUZZ_CHECK(ltime_parse(text, (size_t)n, &back, &why) == 0);
	FUZZ_CHECK(ltime_format(&back, again, sizeof(again)) == n);
	FUZZ_CHECK(strcmp(text, again) == 0);
	if (t->has_offset) {
		FUZZ_CHECK(ltime_to_unix(t, &secs) == 0);
		FUZZ_CHECK(ltime_to_unix(&back, &secs_back) == 0 && secs_back == secs);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *why = NULL;
	struct ltime t;

	if (ltime_parse(s, size, &t, &why) == 0)
		round_trip(&t);
	else
		FUZZ_CHECK(why && *why);
	why = NULL;
	if (ltime_parse_unix_text(s, size, &t, &why) == 0)
		round_trip(&t);
	else
		FUZZ_CHECK(why && *why);
	return 0;
}
