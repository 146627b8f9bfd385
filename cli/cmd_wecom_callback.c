/*
 * cmd_wecom_callback.c — siyu wecom-callback: the always-on receiver of WeCom's
 * change events, spooling them into the raw zone for the nightly run.
 */
#include "cli.h"

#include "siyu/common/log.h"
#include "siyu/extract/wecom_callback.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void wecom_callback_usage(FILE *out)
{
	fprintf(out,
		"usage: siyu wecom-callback [--source NAME] [--listen HOST:PORT] [--port-file FILE]\n"
		"\n"
		"Receive WeCom's change callbacks (「接收事件服务器」 of the self-built app) and spool\n"
		"them for the nightly run: answers the URL check (echostr), checks msg_signature,\n"
		"decrypts with the EncodingAESKey, checks the receiver id, and appends each event\n"
		"to <spool_dir>/events-YYYYMMDD.jsonl with fsync before answering 200. Retries of\n"
		"an event are recognized and spooled once. Runs until SIGTERM or SIGINT.\n"
		"\n"
		"Settings of the [source.NAME] section (type wecom): callback_token and\n"
		"callback_aes_key (secrets, ${ENV} references), callback_receiver_id (default the\n"
		"corpid), callback_listen (default 127.0.0.1:8081), spool_dir (default\n"
		"<raw_dir>/NAME/callbacks), callback_read_timeout (default 3s: a request must\n"
		"arrive whole within it), callback_max_connections (default 256) and\n"
		"callback_max_connections_per_address (default 16). Put it behind an HTTPS\n"
		"reverse proxy: WeCom calls a public URL.\n"
		"\n"
		"  --source NAME       the wecom source (default: the first one in pipeline.conf)\n"
		"  --listen HOST:PORT  override callback_listen; port 0 picks a free port\n"
		"  --port-file FILE    write the port listened on to FILE once listening\n"
		"\n"
		"Exit: 0 stopped by a signal, 1 cannot listen or spool, 2 usage or configuration.\n");
}

struct cb_args {
	const char *source;
	const char *listen;
	const char *port_file;
};

static int parse_args(struct cli *cli, int argc, char **argv, struct cb_args *a)
{
	static const struct option options[] = {
		CLI_COMMON_LONG_OPTIONS,
		{ "source", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port-file", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:vhs:l:p:", options, NULL)) != -1) {
		if (cli_common_option(cli, opt, optarg))
			continue;
		switch (opt) {
		case 'h': wecom_callback_usage(stdout); return -1;
		case 's': a->source = optarg; break;
		case 'l': a->listen = optarg; break;
		case 'p': a->port_file = optarg; break;
		default: wecom_callback_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "siyu wecom-callback: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	return 0;
}

/* The wecom source named by --source, else the first one. */
static const struct config_source *find_source(const struct cli *cli, const char *name)
{
	const struct config_source *src;

	if (name) {
		src = config_source_find(&cli->cfg, name);
		if (!src)
			fprintf(stderr, "siyu wecom-callback: no source '%s' in %s\n", name,
				cli->cfg.path);
		else if (strcmp(src->type, "wecom") != 0)
			fprintf(stderr, "siyu wecom-callback: source '%s' is of type %s, not wecom\n",
				name, src->type);
		else
			return src;
		return NULL;
	}
	for (size_t i = 0; i < cli->cfg.nsources; i++)
		if (strcmp(cli->cfg.sources[i].type, "wecom") == 0)
			return &cli->cfg.sources[i];
	fprintf(stderr, "siyu wecom-callback: no source of type wecom in %s\n", cli->cfg.path);
	return NULL;
}

/* A setting that must be there; NULL after a message naming it. */
static const char *need(const struct config_source *src, const char *key)
{
	const char *v = config_source_get(src, key);

	if (v && *v)
		return v;
	fprintf(stderr, "siyu wecom-callback: [source.%s] has no %s (set it to an ${ENV_VAR} "
		"holding the value from the app's 「接收事件服务器」 page)\n", src->name, key);
	if (src->unset_env)
		fprintf(stderr, "siyu wecom-callback: %s\n", src->unset_env);
	return NULL;
}

/* Write the port to path through a temporary file and rename: readers never see half. */
static int write_port_file(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Wait for SIGTERM or SIGINT (blocked in every thread); returns the signal. */
static int wait_for_signal(const sigset_t *set)
{
	int sig = 0;

	while (sigwait(set, &sig) != 0)
		;
	return sig;
}

/* The receiver's limits: callback_max_connections, callback_max_connections_per_address
 * and callback_read_timeout, checked (and defaulted) by the config reader. */
static void read_limits(const struct config_source *src, struct wecom_callback_limits *l)
{
	long secs = 0;

	l->max_connections = (unsigned)atol(config_source_get(src, "callback_max_connections"));
	l->max_per_address =
		(unsigned)atol(config_source_get(src, "callback_max_connections_per_address"));
	config_parse_duration(config_source_get(src, "callback_read_timeout"), &secs);
	l->read_timeout_s = (unsigned)secs;
}

static int serve(struct wecom_callback *cb, const char *where,
		 const struct wecom_callback_limits *limits, const char *port_file,
		 const sigset_t *set)
{
	struct wecom_callback_server *server;
	char err[512];
	int sig;

	server = wecom_callback_server_start(cb, where, limits, err, sizeof(err));
	if (!server) {
		fprintf(stderr, "siyu wecom-callback: %s\n", err);
		return EXIT_FAILED;
	}
	if (port_file && write_port_file(port_file, wecom_callback_server_port(server)) < 0) {
		fprintf(stderr, "siyu wecom-callback: cannot write port file '%s': %s\n", port_file,
			strerror(errno));
		wecom_callback_server_stop(server);
		return EXIT_FAILED;
	}
	log_info("msg=\"listening\" listen=%s port=%u spool_dir=\"%s\" max_connections=%u "
		 "max_per_address=%u read_timeout=%us",
		 where, wecom_callback_server_port(server), cb->spool_dir, limits->max_connections,
		 limits->max_per_address, limits->read_timeout_s);
	sig = wait_for_signal(set);
	log_info("msg=\"stopping\" signal=%s", sig == SIGTERM ? "TERM" : "INT");
	wecom_callback_server_stop(server);
	log_info("msg=\"stopped\" spooled=%lu duplicates=%lu rejected=%lu ignored=%lu",
		 cb->spooled, cb->duplicates, cb->rejected, cb->ignored);
	return EXIT_OK;
}

int cmd_wecom_callback(struct cli *cli, int argc, char **argv)
{
	struct cb_args a = { 0 };
	const struct config_source *src;
	const char *token, *aes_key, *receiver, *where;
	struct wecom_callback cb;
	struct wecom_callback_limits limits;
	char spool[4096], err[512];
	sigset_t set;
	int rc;

	if ((rc = parse_args(cli, argc, argv, &a)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rc = cli_load_config(cli)) != 0)
		return rc;
	src = find_source(cli, a.source);
	if (!src)
		return EXIT_USAGE;
	token = need(src, "callback_token");
	aes_key = token ? need(src, "callback_aes_key") : NULL;
	if (!token || !aes_key)
		return EXIT_USAGE;
	receiver = config_source_get(src, "callback_receiver_id");
	if (!receiver || !*receiver)
		receiver = config_source_get(src, "corpid");
	where = a.listen ? a.listen : config_source_get(src, "callback_listen");
	if (!where || !*where)
		where = "127.0.0.1:8081";
	if (wecom_spool_dir(&cli->cfg, src, spool, sizeof(spool)) < 0) {
		fprintf(stderr, "siyu wecom-callback: spool directory name too long\n");
		return EXIT_USAGE;
	}
	if (wecom_callback_init(&cb, token, aes_key, receiver, spool, err, sizeof(err)) < 0) {
		fprintf(stderr, "siyu wecom-callback: source %s: %s\n", src->name, err);
		return strstr(err, "callback_") ? EXIT_USAGE : EXIT_FAILED;
	}
	/* Block the stop signals before the server thread starts, so that it inherits the
	 * mask and only sigwait sees them; a broken client connection is not a signal. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	read_limits(src, &limits);
	rc = serve(&cb, where, &limits, a.port_file, &set);
	wecom_callback_release(&cb);
	return rc;
}
