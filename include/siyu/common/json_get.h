/*
 * json_get.h — lenient getters over json-c objects, for API answers.
 *
 * Platforms are inconsistent about types (WeCom sends numbers as strings,
 * "gender":"1", and absent fields as null): these getters accept both and
 * report three ways. Every stage that reads an API answer uses them: extract
 * (error codes, cursors), transform (the record mappings), source (plans).
 */
#ifndef SIYU_COMMON_JSON_GET_H
#define SIYU_COMMON_JSON_GET_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

enum wj_result {
	WJ_BAD = -1,   /* present but unusable (wrong type, not a number) */
	WJ_ABSENT = 0, /* missing, null, or "" where a number was expected */
	WJ_OK = 1
};

/*
 * An integer at obj[key]: a JSON integer, a string holding one (surrounding
 * blanks allowed, optional sign), or a number with no fraction. obj may be NULL.
 */
enum wj_result wj_int64(struct json_object *obj, const char *key, int64_t *out);

/* Same for a value itself (an array element). */
enum wj_result wj_int64_value(struct json_object *v, int64_t *out);

/*
 * Text at obj[key]: a string, or the text of a number. *out is borrowed from
 * obj. "" is WJ_OK with "". Objects and arrays are WJ_BAD.
 */
enum wj_result wj_text(struct json_object *obj, const char *key, const char **out);
enum wj_result wj_text_value(struct json_object *v, const char **out);

/*
 * A decimal at obj[key] as text ("87.5", "66.67", "100"): a JSON number kept
 * as written (no binary round trip) or a string holding one, copied into out.
 */
enum wj_result wj_decimal(struct json_object *obj, const char *key, char *out, size_t n);

/* An object / array at obj[key] (borrowed); null or missing is WJ_ABSENT. */
enum wj_result wj_object(struct json_object *obj, const char *key, struct json_object **out);
enum wj_result wj_array(struct json_object *obj, const char *key, struct json_object **out);

#endif /* SIYU_COMMON_JSON_GET_H */
