/*
 * json_out.c — the envelope and printing of the commands' --json output.
 */
#include "cli.h"

#include <stdio.h>
#include <time.h>

json_object *cli_json_document(const char *schema)
{
	json_object *doc = json_object_new_object();
	char now[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(doc, "schema", json_object_new_string(schema));
	json_object_object_add(doc, "generated_at", json_object_new_string(now));
	return doc;
}

void cli_json_print(json_object *doc)
{
	printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_SPACED |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
}
