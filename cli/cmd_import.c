/*
 * cmd_import.c — siyu import: load order files into the warehouse.
 */
#include "cli.h"

#include "siyu/common/log.h"
#include "siyu/load/db.h"
#include "siyu/source/order_import.h"
#include "siyu/transform/order_csv.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PII_KEY_MIN 16

static void import_usage(FILE *out)
{
	fprintf(out,
		"usage: siyu import [--profile NAME] [--source NAME] [--timezone TZ] [--encoding ENC]\n"
		"                   [--dry-run] FILE...\n"
		"\n"
		"Load order files (CSV, plain or gzip; one row per order line) into the\n"
		"warehouse. Each file is one transaction: its orders, counts and watermark\n"
		"commit together or not at all. Invalid rows go to etl.reject with the\n"
		"reason and the raw line (phones masked); the others load. A damaged file\n"
		"(truncated gzip, cut inside quotes, neither UTF-8 nor GBK) fails whole.\n"
		"Importing the same file again\n"
		"changes nothing; an older version of an order never replaces a newer one.\n"
		"\n"
		"  --profile NAME   column layout and status labels (default: generic,\n"
		"                   see docs/import-generic.md)\n"
		"  --source NAME    name in etl.run_source and etl.watermark (default: the\n"
		"                   file's name)\n"
		"  --timezone TZ    zone of times without an offset (default: [run] timezone)\n"
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
	enum csv_encoding encoding;
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

/*
 * A source name several files share (--source, or one base name twice): its
 * etl.run_source row is their sum, recorded here after each file, failed
 * when one failed. A name of one file is recorded by order_import_file
 * itself, inside the file's transaction.
 */
struct source_sum {
	const char *name;
	int files, done, failed;
	char err[1024];
	struct load_counts c;
};

static const char *source_of(const struct import_args *a, const char *file)
{
	return a->source ? a->source : base_name(file);
}

/* sums[i] for files[i]: files of one name point at the first file's entry. */
static void count_sources(const struct import_args *a, int nfiles, char **files,
			  struct source_sum *sums, struct source_sum **of)
{
	for (int i = 0; i < nfiles; i++) {
		int j = 0;

		while (j < i && strcmp(of[j]->name, source_of(a, files[i])) != 0)
			j++;
		of[i] = j < i ? of[j] : &sums[i];
		of[i]->name = source_of(a, files[i]);
		of[i]->files++;
	}
}

static void record_shared(PGconn *conn, long long run_id, struct source_sum *s,
			  const struct load_counts *c, const char *err)
{
	load_counts_add(&s->c, c);
	if (err && !s->failed) {
		s->failed = 1;
		snprintf(s->err, sizeof(s->err), "%s", err);
	}
	s->done++;
	runlog_source_finish(conn, run_id, s->name,
			     s->failed ? "failed" : s->done < s->files ? "running" : "succeeded",
			     &s->c, s->failed ? s->err : NULL);
}

static int import_all(struct cli *cli, PGconn *conn, const struct import_args *a, int nfiles,
		      char **files, long long run_id)
{
	const char *key = getenv("SIYU_PII_KEY");
	struct source_sum *sums = calloc((size_t)nfiles, sizeof(*sums));
	struct source_sum **of = calloc((size_t)nfiles, sizeof(*of));
	int failed = 0;

	if (!sums || !of) {
		fprintf(stderr, "siyu import: out of memory\n");
		free(sums);
		free(of);
		return EXIT_FAILED;
	}
	count_sources(a, nfiles, files, sums, of);
	for (int i = 0; i < nfiles; i++) {
		struct order_import_opts o = {
			.run_id = run_id,
			.source = of[i]->name,
			.path = files[i],
			.profile = a->profile,
			.encoding = a->encoding,
			.timezone = a->timezone ? a->timezone : cli->cfg.timezone,
			.pii_key = key && *key ? (const unsigned char *)key : NULL,
			.pii_key_len = key ? strlen(key) : 0,
			.max_reject_ratio = cli->cfg.max_reject_ratio,
			.dry_run = a->dry_run,
			.own_run_source = of[i]->files == 1,
		};
		struct load_counts c;
		char err[1024];
		int rc;

		if (!o.own_run_source && of[i]->done == 0)
			runlog_source_begin(conn, run_id, o.source);
		rc = order_import_file(conn, &o, &c, err, sizeof(err));
		if (!o.own_run_source)
			record_shared(conn, run_id, of[i], &c, rc < 0 ? err : NULL);
		if (rc < 0) {
			fprintf(stderr, "siyu: import failed: %s\n", err);
			print_counts(files[i], &c, "FAILED, rolled back");
			failed++;
			continue;
		}
		print_counts(files[i], &c, a->dry_run ? "dry run, rolled back" : "loaded");
	}
	free(sums);
	free(of);
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
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	char err[320];
	int opt;

	a->profile = "generic";
	while ((opt = getopt_long(argc, argv, "c:vhp:s:t:e:n", options, NULL)) != -1) {
		if (cli_common_option(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h': import_usage(stdout); return -1;
		case 'p': a->profile = optarg; break;
		case 's': a->source = optarg; break;
		case 't': a->timezone = optarg; break;
		case 'e':
			if (csv_encoding_parse(optarg, &a->encoding) < 0) {
				fprintf(stderr, "siyu import: unknown encoding '%s' (auto, utf-8, gbk)\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n': a->dry_run = 1; break;
		default: import_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "siyu import: no file given\n");
		return EXIT_USAGE;
	}
	if (order_csv_profile_check(a->profile, err, sizeof(err)) < 0) {
		fprintf(stderr, "siyu import: %s\n", err);
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_import(struct cli *cli, int argc, char **argv)
{
	struct import_args a = { 0 };
	const char *key = getenv("SIYU_PII_KEY");
	long long run_id = 0;
	PGconn *conn;
	int rc;

	rc = parse_import_args(cli, argc, argv, &a);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
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
	if (runlog_begin(conn, "import", argv[optind], &run_id) < 0) {
		db_close(conn);
		return EXIT_FAILED;
	}
	rc = import_all(cli, conn, &a, argc - optind, argv + optind, run_id);
	cli_finish_run(cli, conn, "import", run_id, rc);
	db_close(conn);
	return rc;
}
