/*
 * fuzz_config.c — the pipeline.conf reader (common/config.c) on any text, and the
 * literal-password check of its conninfo (load/db.c, libpq's parser). A file is read or
 * refused with a message naming file:line; an expanded secret never appears in that
 * message unless the file itself holds the text.
 */
#define _GNU_SOURCE /* memmem */
#include "fuzz.h"

#include "siyu/common/config.h"
#include "siyu/load/db.h"

#include <string.h>

#define SECRET "Zq7-fuzz-secret-value-Zq7"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* what ${FUZZ_SECRET} and ${FUZZ_OTHER:-…} expand to */
	setenv("FUZZ_SECRET", SECRET, 1);
	setenv("SIYU_PII_KEY", "fuzz-pii-key-0123456789", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char err[1024];

	memset(&cfg, 0, sizeof(cfg));
	err[0] = '\0';
	if (config_parse_buffer(&cfg, "fuzz.conf", (const char *)data, size, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < cfg.nsources; i++)
			FUZZ_CHECK(config_source_find(&cfg, cfg.sources[i].name) != NULL);
		if (cfg.conninfo_as_written)
			FUZZ_CHECK(db_conninfo_literal_password(cfg.conninfo_as_written) >= 0);
		config_release(&cfg);
		return 0;
	}
	FUZZ_CHECK(strncmp(err, "fuzz.conf:", 10) == 0);
	if (!memmem(data, size, "Zq7", 3))
		FUZZ_CHECK(!strstr(err, SECRET));
	FUZZ_CHECK(cfg.nsources == 0 && cfg.sources == NULL);
	return 0;
}
