/*
 * fuzz_money.c — the money parsers (transform/money.c) on any text: yuan, integer fen,
 * and decimals at any scale. Whatever is accepted formats back to yuan text that
 * parses to the same fen.
 */
#include "fuzz.h"

#include "siyu/transform/money.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *why = NULL;
	char text[MONEY_FMT_SIZE];
	int64_t fen = 0, again = 0, scaled = 0;

	if (money_parse_yuan(s, size, &fen, &why) == 0) {
		money_format_fen(fen, text, sizeof(text));
		FUZZ_CHECK(money_parse_yuan(text, strlen(text), &again, &why) == 0);
		FUZZ_CHECK(again == fen);
		FUZZ_CHECK(fen <= MONEY_MAX && fen >= -MONEY_MAX);
	} else {
		FUZZ_CHECK(why && *why);
	}
	why = NULL;
	if (money_parse_fen(s, size, &fen, &why) == 0)
		FUZZ_CHECK(fen <= MONEY_MAX && fen >= -MONEY_MAX);
	else
		FUZZ_CHECK(why && *why);
	for (int scale = 0; scale <= MONEY_MAX_SCALE; scale++) {
		why = NULL;
		if (money_parse_decimal_scaled(s, size, scale, &scaled, &why) == 0)
			FUZZ_CHECK(scaled <= MONEY_MAX && scaled >= -MONEY_MAX);
		else
			FUZZ_CHECK(why && *why);
	}
	return 0;
}
