/*
 * cmd_import.c — siyu import: load order files into the warehouse.
 */
#include "cli.h"

#include "siyu/common/log.h"
#include "siyu/load/db.h"
#include "siyu/transform/order_profile.h"
#include "siyu/source/csv_source.h"
#include "siyu/source/order_import.h"
#include "siyu/source/replay.h"
#include "siyu/transform/order_status.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


static void import_usage(FILE *out)
{
	fprintf(out,
		"usage: siyu import [--profile NAME|auto] [--shop ID] [--as-of TIME] [--source NAME]\n"
		"                   [--timezone TZ] [--encoding ENC] [--dry-run] FILE...\n"
		"\n"
		"Load order files (CSV plain or gzip, or .xlsx) into the warehouse: siyu's\n"
		"generic CSV, or an order export downloaded from a seller back office.\n"
		"Each file (each Taobao pair) is one transaction: its orders, counts and\n"
		"watermark commit together or not at all. Invalid rows go to etl.reject\n"
		"with the reason and the raw line (phones masked); the others load. A\n"
		"damaged file (truncated gzip, cut inside quotes, neither UTF-8 nor GBK)\n"
		"fails whole. Importing the same file again changes nothing; an older\n"
		"version of an order never replaces a newer one.\n"
		"\n"
		"  --profile NAME   generic (default; docs/import-generic.md), taobao, jd,\n"
		"                   pdd, douyin, channels, youzan (docs/import-NAME.md), or\n"
		"                   auto: chosen per file from its header. A taobao import\n"
		"                   takes the 订单报表 and the 宝贝报表 together\n"
		"  --shop ID        the shop's id on its platform, for exports that do not\n"
		"                   name it (all but some Taobao files)\n"
		"  --as-of TIME     when the export was downloaded: the version of its\n"
		"                   orders (default: the time in the file name, else the\n"
		"                   file's modification time)\n"
		"  --source NAME    name in etl.run_source and etl.watermark (default: the\n"
		"                   file's name)\n"
		"  --timezone TZ    zone of times without an offset (default: the back\n"
		"                   office's, Asia/Shanghai, for exports; else [run] timezone)\n"
		"  --encoding ENC   auto (default: decided from the whole file, UTF-8 or\n"
		"                   GB18030/GBK; the log says which and why), utf-8 or gbk\n"
		"  --dry-run        load, report, then roll everything back\n"
		"\n"
		"Phones in buyer_phone are stored only as an HMAC keyed by $SIYU_PII_KEY\n"
		"(at least 16 characters) plus a masked form; without it such a file fails.\n"
		"Exit: 0 all files loaded, 1 a file failed, 2 usage, 75 a run is active.\n");
}

struct import_args {
	const char *profile;
	const char *source;
	const char *timezone;
	const char *shop;
	const char *as_of_text;
	struct ltime as_of;
	enum csv_encoding encoding;
	const char *encoding_name;   /* as given, NULL: auto */
	int dry_run;
};

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void print_counts(const char *path, const struct load_counts *c, const char *outcome)
{
	printf("%s: %s; read %lld, orders inserted %lld, updated %lld, unchanged %lld, "
	       "duplicate lines %lld, rejected %lld\n",
	       path, outcome, c->read, c->inserted, c->updated, c->unchanged, c->duplicates,
	       c->rejected);
}

static const char *unit_source(const struct import_args *a, const struct import_unit *u)
{
	return a->source ? a->source : base_name(u->path);
}

/* share[i] for units[i]: the units of one source name share the first one's row (source_share). */
static void share_sources(const struct import_args *a, const struct import_unit *units,
			  int nunits, struct source_share *shares, struct source_share **share)
{
	for (int i = 0; i < nunits; i++) {
		int j = 0;

		while (j < i && strcmp(unit_source(a, &units[j]), unit_source(a, &units[i])) != 0)
			j++;
		share[i] = &shares[j];
		share[i]->loads++;
	}
}

/*
 * Each unit (a file, a Taobao pair) is a csv source of its own, named --source,
 * else its file's name, loaded by the csv driver in one transaction (an
 * export's version: --as-of, else the driver takes its file's time). Units
 * of one name share its run_source row. Stops when the connection is lost
 * for good.
 */
static int import_all(struct cli *cli, PGconn *conn, const struct import_args *a,
		      const struct import_unit *units, int nunits, long long run_id)
{
	struct source_share *shares = calloc((size_t)nunits, sizeof(*shares));
	struct source_share **share = calloc((size_t)nunits, sizeof(*share));
	char as_of[LTIME_FMT_SIZE] = "";
	int failed = 0, rc;

	if (!shares || !share) {
		fprintf(stderr, "siyu import: out of memory\n");
		free(shares);
		free(share);
		return EXIT_FAILED;
	}
	share_sources(a, units, nunits, shares, share);
	if (a->as_of_text)
		ltime_format(&a->as_of, as_of, sizeof(as_of));
	for (int i = 0; i < nunits; i++) {
		const struct order_profile *p = order_profile_find(units[i].profile);
		/* a two-file export: both files, the driver pairs them again */
		const char *file[] = { units[i].path, units[i].orders_path };
		struct csv_import imp;
		struct source_ctx ctx;
		struct load_counts c = { 0 };
		struct failure f;

		csv_import_source(&imp, unit_source(a, &units[i]), units[i].profile,
				  a->encoding_name, a->timezone ? a->timezone : p->zone);
		csv_import_export(&imp, a->shop, as_of[0] ? as_of : NULL);
		cli_source_ctx(cli, conn, run_id, &imp.src, "import", &ctx);
		ctx.files = file;
		ctx.nfiles = units[i].orders_path ? 2 : 1;
		ctx.dry_run = a->dry_run;
		ctx.share = share[i];
		rc = source_load(&ctx, &c, &f);
		if (rc < 0) {
			print_counts(units[i].path, &c, "FAILED, rolled back");
			failed++;
			if (rc == -2) {
				fprintf(stderr, "siyu import: the files after %s were not loaded\n",
					units[i].path);
				break;
			}
			continue;
		}
		print_counts(units[i].path, &c, a->dry_run ? "dry run, rolled back" : "loaded");
	}
	free(shares);
	free(share);
	return failed ? EXIT_FAILED : EXIT_OK;
}

static int parse_import_args(struct cli *cli, int argc, char **argv, struct import_args *a)
{
	static const struct option options[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "profile", required_argument, NULL, 'p' },
		{ "source", required_argument, NULL, 's' },
		{ "timezone", required_argument, NULL, 't' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "shop", required_argument, NULL, 'S' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	a->profile = "generic";
	while ((opt = getopt_long(argc, argv, "c:vhp:s:t:e:nS:a:", options, NULL)) != -1) {
		if (cli_common_option(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h': import_usage(stdout); return -1;
		case 'p': a->profile = optarg; break;
		case 's': a->source = optarg; break;
		case 't': a->timezone = optarg; break;
		case 'e':
			a->encoding_name = optarg;
			if (csv_encoding_parse(optarg, &a->encoding) < 0) {
				fprintf(stderr, "siyu import: unknown encoding '%s' (auto, utf-8, gbk)\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n': a->dry_run = 1; break;
		case 'S': a->shop = optarg; break;
		case 'a': a->as_of_text = optarg; break;
		default: import_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "siyu import: no file given\n");
		return EXIT_USAGE;
	}
	if (strcasecmp(a->profile, "auto") != 0 && !order_profile_find(a->profile)) {
		fprintf(stderr, "siyu import: unknown profile '%s' (profiles: %s, or auto)\n",
			a->profile, order_profile_names());
		return EXIT_USAGE;
	}
	if (a->as_of_text) {
		const char *why;

		if (ltime_parse(a->as_of_text, strlen(a->as_of_text), &a->as_of, &why) < 0) {
			fprintf(stderr, "siyu import: --as-of '%s': %s\n", a->as_of_text, why);
			return EXIT_USAGE;
		}
	}
	if (a->shop && !*a->shop) {
		fprintf(stderr, "siyu import: --shop needs an id\n");
		return EXIT_USAGE;
	}
	return 0;
}

/* Connect, lock, record the run and import every unit. */
static int import_units(struct cli *cli, const struct import_args *a,
			const struct import_unit *units, int nunits, const char *first)
{
	const char *key = getenv("SIYU_PII_KEY");
	long long run_id = 0;
	PGconn *conn;
	int rc;

	if ((rc = cli_load_config(cli)) != 0)
		return rc;
	if (key && *key && strlen(key) < PII_KEY_MIN) {
		fprintf(stderr, "siyu import: SIYU_PII_KEY is shorter than %d characters\n",
			PII_KEY_MIN);
		return EXIT_USAGE;
	}
	conn = cli_connect(cli);
	if (!conn)
		return EXIT_FAILED;
	if ((rc = cli_take_run_lock(conn, "import")) != 0) {
		db_close(conn);
		return rc;
	}
	if (runlog_set_timezone(conn, cli->cfg.timezone) < 0) {
		db_close(conn);
		return EXIT_USAGE;
	}
	/* imports keep their files in the raw zone too: never reuse one of its run ids */
	if (replay_reserve_run_ids(conn, cli->cfg.raw_dir) < 0 ||
	    runlog_begin(conn, "import", first, &run_id) < 0) {
		db_close(conn);
		return EXIT_FAILED;
	}
	rc = import_all(cli, conn, a, units, nunits, run_id);
	cli_finish_run(cli, conn, "import", run_id, rc);
	db_close(conn);
	return rc;
}

int cmd_import(struct cli *cli, int argc, char **argv)
{
	struct import_args a = { 0 };
	struct import_unit *units;
	char err[4096];
	int rc, nunits;

	rc = parse_import_args(cli, argc, argv, &a);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	units = calloc((size_t)(argc - optind), sizeof(*units));
	if (!units)
		return EXIT_FAILED;
	nunits = order_import_plan(a.profile, argv + optind, argc - optind, a.encoding, units, err,
				   sizeof(err));
	if (nunits < 0) {
		fprintf(stderr, "siyu import: %s\n", err);
		free(units);
		return EXIT_USAGE;
	}
	rc = import_units(cli, &a, units, nunits, argv[optind]);
	free(units);
	return rc;
}
