/*
 * cmd_push.c — siyu push [--dry-run] [--audience NAME]: the audiences with a push_tag
 * written back to WeCom as customer tags (source/push.c, docs/actions.md).
 */
#include "cli.h"

#include "siyu/common/log.h"
#include "siyu/load/actions.h"
#include "siyu/load/db.h"
#include "siyu/source/push.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void push_usage(FILE *out)
{
	fprintf(out,
		"usage: siyu push [--dry-run] [--audience NAME]\n"
		"\n"
		"Write each audience with a push_tag back to WeCom as a customer tag on its\n"
		"members' owner relationships (docs/actions.md): the tag is found in, or added\n"
		"to, the tag group [actions] push_tag_group; members not yet tagged are tagged,\n"
		"those who left the audience untagged; with a message, one group-message task per\n"
		"staff member for the newly tagged. Members are as of the last siyu run. A second\n"
		"push changes nothing; an interrupted one continues. Every call is logged in\n"
		"etl.push_log. Off unless [actions] push_source names a wecom source.\n"
		"\n"
		"  --dry-run        read the tag list, print what would change, change nothing\n"
		"  --audience NAME  push only this audience\n");
}

static int parse_push_args(struct cli *cli, int argc, char **argv, struct push_opts *o)
{
	static const struct option options[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "dry-run", no_argument, NULL, 'n' },
		{ "audience", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:vhna:", options, NULL)) != -1) {
		if (cli_common_option(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h': push_usage(stdout); return -1;
		case 'n': o->dry_run = 1; break;
		case 'a': o->audience = optarg; break;
		default: push_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		push_usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

/* The wecom source [actions] push_source names; NULL after a message. */
static const struct config_source *push_source(const struct config *cfg)
{
	const struct config_source *src = config_source_find(cfg, cfg->push_source);
	const char *type = src ? config_source_get(src, "type") : NULL;

	if (!src || !type || strcmp(type, "wecom") != 0) {
		fprintf(stderr, "siyu push: [actions] push_source = %s: %s\n", cfg->push_source,
			src ? "not a wecom source" : "no such [source.NAME] section");
		return NULL;
	}
	if (src->unset_env) {
		fprintf(stderr, "siyu push: %s\n", src->unset_env);
		return NULL;
	}
	return src;
}

static int push(PGconn *conn, const struct config *cfg, const struct config_source *src,
		const struct push_opts *o)
{
	struct push_counts c;
	long long push_id;
	char err[2048];
	int locked = db_try_advisory_lock(conn, "siyu push");

	if (locked <= 0) {
		fprintf(stderr, "siyu push: %s\n", locked < 0 ? db_last_error()
			: "another siyu push is running; try again when it has finished");
		return locked < 0 ? EXIT_FAILED : EXIT_LOCKED;
	}
	if (actions_config_sync(conn, cfg) < 0)
		return EXIT_FAILED;
	if (push_run(conn, cfg, src, o, &push_id, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "siyu push: %s\n", err);
		return push_id ? EXIT_FAILED : EXIT_USAGE;
	}
	if (o->dry_run)
		printf("push %lld (dry run): nothing changed\n", push_id);
	else
		printf("push %lld: %d tagged, %d untagged, %d skipped, %d message tasks\n", push_id,
		       c.tagged, c.untagged, c.skipped, c.tasks);
	log_info("msg=\"push finished\" push_id=%lld dry_run=%d tagged=%d untagged=%d skipped=%d tasks=%d",
		 push_id, o->dry_run, c.tagged, c.untagged, c.skipped, c.tasks);
	return EXIT_OK;
}

int cmd_push(struct cli *cli, int argc, char **argv)
{
	struct push_opts o = { .report = stdout };
	const struct config_source *src;
	PGconn *conn;
	int rc = parse_push_args(cli, argc, argv, &o);

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = cli_load_config(cli)) != 0)
		return rc;
	if (!cli->cfg.push_source[0]) {
		fprintf(stderr, "siyu push: off: set [actions] push_source to the wecom source to push "
				"with (docs/actions.md)\n");
		return EXIT_OK;
	}
	if (!(src = push_source(&cli->cfg)))
		return EXIT_USAGE;
	if (!(conn = cli_connect(cli)))
		return EXIT_FAILED;
	rc = push(conn, &cli->cfg, src, &o);
	db_close(conn);
	return rc;
}
