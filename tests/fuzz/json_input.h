/*
 * json_input.h — the fuzz input as one JSON value, for the JSON → canonical targets.
 */
#ifndef SIYU_FUZZ_JSON_INPUT_H
#define SIYU_FUZZ_JSON_INPUT_H

#include <json-c/json.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* The bytes as a JSON value (NULL when they are not one); release with json_object_put. */
static struct json_object *json_input(const uint8_t *data, size_t size)
{
	struct json_tokener *tok;
	struct json_object *v;

	if (size > INT_MAX || !(tok = json_tokener_new()))
		return NULL;
	v = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	return v;
}

#endif /* SIYU_FUZZ_JSON_INPUT_H */
