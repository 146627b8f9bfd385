/*
 * csv_source.h — the csv driver (source/csv_source.c): merchant order files (the
 * generic CSV and the back-office export profiles), one transaction per file (per
 * Taobao pair), each kept in the raw zone first. Also siyu import's files: a csv
 * source given on the command line.
 */
#ifndef SIYU_SOURCE_CSV_SOURCE_H
#define SIYU_SOURCE_CSV_SOURCE_H

#include "siyu/common/config.h"
#include "siyu/source/source.h"

extern const struct source_driver csv_driver;

/* A csv source made from siyu import's options (not from pipeline.conf). */
struct csv_import {
	struct config_source src;          /* what the driver reads */
	struct config_kv kv[4];            /* profile, encoding, shop_id, as_of */
	char name[256], profile[64], encoding[32], timezone[64], shop[128], as_of[48];
};

/*
 * Fill imp as the csv source name with profile, encoding (NULL: "generic",
 * "auto") and timezone (NULL: [run] timezone); imp->src lives as long as imp.
 */
void csv_import_source(struct csv_import *imp, const char *name, const char *profile,
		       const char *encoding, const char *timezone);

/*
 * An export's settings: the shop the file does not name (shop_id, --shop) and
 * the export's time (as_of text, --as-of or the file's); NULL: not given.
 */
void csv_import_export(struct csv_import *imp, const char *shop_id, const char *as_of);

/*
 * Whether the raw-zone directory dir holds files siyu import loaded (its
 * manifest says so): 1 and imp filled as the source name read the way the
 * import read it, 0 not an import, -1 the manifest cannot be read.
 */
int csv_import_read(const char *dir, const char *name, struct csv_import *imp);

#endif /* SIYU_SOURCE_CSV_SOURCE_H */
