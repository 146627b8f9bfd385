/*
 * fuzz_youzan.c — the Youzan order transform (transform/youzan_json.c) on any JSON: a
 * page ({"data":{"full_order_info_list":[…]}}) or one order, as the source reads them.
 * An order is turned into canonical lines or rejected with a reason; never more lines
 * than YOUZAN_MAX_LINES.
 */
#include "fuzz.h"
#include "json_input.h"

#include "siyu/order_line.h"
#include "siyu/youzan.h"

#include <string.h>

static const unsigned char key[] = "fuzz-pii-key-0123456789";

static void one_order(struct youzan_order *o, struct json_object *item)
{
	struct youzan_xform x = { "12345", key, sizeof(key) - 1, 0 };
	char why[512] = "";
	int rc = youzan_order_parse(&x, item, o, why, sizeof(why));

	if (rc == 0) {
		FUZZ_CHECK(o->nlines >= 1 && o->nlines <= YOUZAN_MAX_LINES);
		for (size_t k = 0; k < o->nlines; k++)
			FUZZ_CHECK(o->line[k].order_no.n > 0);
	} else {
		FUZZ_CHECK((rc == -1 || rc == -2) && why[0]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *doc = json_input(data, size), *d, *list;
	struct youzan_order o;

	if (!doc)
		return 0;
	memset(&o, 0, sizeof(o));
	if (json_object_object_get_ex(doc, "data", &d) &&
	    json_object_object_get_ex(d, "full_order_info_list", &list) &&
	    json_object_is_type(list, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(list); i++)
			one_order(&o, json_object_array_get_idx(list, i));
	} else {
		one_order(&o, doc);
	}
	youzan_order_release(&o);
	json_object_put(doc);
	return 0;
}
