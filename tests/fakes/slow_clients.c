/*
 * slow_clients.c — a test client that holds HTTP connections open the way a slowloris
 * attack does, to show that `siyu wecom-callback` keeps answering WeCom meanwhile.
 *
 *   slow_clients --connect HOST:PORT --from IPV4 [--addresses K] [--per-address N]
 *                [--hold SECONDS] [--trickle-ms MS] [--refused-ms MS] [--ready FILE]
 *
 * Opens N connections from each of K consecutive source addresses starting at IPV4
 * (127.0.0.2, 127.0.0.3, …: all of 127/8 is loopback), sends the start of a POST
 * request on each and then one more header byte every MS milliseconds (default 250),
 * so that a connection is never idle but its request never ends. Writes FILE once
 * every connection is open, watches them for HOLD seconds (default 6), and prints
 *
 *   connections=T refused=R cut=C open=O longest_cut_ms=L
 *
 * refused: closed by the server within --refused-ms (default 1000) of opening (over a
 * connection limit); cut: closed later (a timeout); open: still open at the end;
 * longest_cut_ms: the longest time a cut connection stayed open.
 * Exit: 0, or 1 when a connection could not even be opened.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 4096

struct conn {
	int fd;
	long opened_ms;
	long closed_ms; /* -1 while open */
};

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int parse_hostport(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* A connection from source address from (host order) to to; -1 when it cannot open. */
static int open_from(uint32_t from, const struct sockaddr_in *to)
{
	struct sockaddr_in src;
	static const char start[] = "POST /wecom/callback?msg_signature=0&timestamp=0&nonce=0 "
				    "HTTP/1.1\r\nHost: slow\r\nContent-Length: 100\r\nX-Slow: ";
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(from);
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0 ||
	    connect(fd, (const struct sockaddr *)to, sizeof(*to)) < 0) {
		perror("slow_clients: connect");
		close(fd);
		return -1;
	}
	/* the server may have closed it already (a limit): not an error here */
	(void)send(fd, start, sizeof(start) - 1, MSG_NOSIGNAL);
	return fd;
}

/* Note connections the server closed; returns how many are still open. */
static size_t watch(struct conn *c, size_t n, int timeout_ms)
{
	struct pollfd pfd[MAX_CONNECTIONS];
	size_t open = 0;

	for (size_t i = 0; i < n; i++) {
		pfd[i].fd = c[i].closed_ms < 0 ? c[i].fd : -1;
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	if (poll(pfd, (nfds_t)n, timeout_ms) < 0 && errno != EINTR)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char junk[512];
		ssize_t r;

		if (c[i].closed_ms >= 0)
			continue;
		if (pfd[i].revents) {
			r = recv(c[i].fd, junk, sizeof(junk), MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				c[i].closed_ms = now_ms();
				continue;
			}
		}
		open++;
	}
	return open;
}

static void usage(void)
{
	fprintf(stderr, "usage: slow_clients --connect HOST:PORT --from IPV4 [--addresses K] "
			"[--per-address N] [--hold S] [--trickle-ms MS] [--refused-ms MS] "
			"[--ready FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "from", required_argument, NULL, 'f' },
		{ "addresses", required_argument, NULL, 'a' },
		{ "per-address", required_argument, NULL, 'n' },
		{ "hold", required_argument, NULL, 'h' },
		{ "trickle-ms", required_argument, NULL, 't' },
		{ "refused-ms", required_argument, NULL, 'r' },
		{ "ready", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	static struct conn conns[MAX_CONNECTIONS];
	struct sockaddr_in to;
	struct in_addr from = { 0 };
	const char *connect_to = NULL, *ready = NULL;
	long addresses = 1, per = 1, hold_s = 6, trickle_ms = 250, refused_ms = 1000;
	long end, next_trickle, refused = 0, cut = 0, open = 0, longest = 0;
	size_t n = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'c': connect_to = optarg; break;
		case 'f': if (inet_pton(AF_INET, optarg, &from) != 1) usage(); break;
		case 'a': addresses = atol(optarg); break;
		case 'n': per = atol(optarg); break;
		case 'h': hold_s = atol(optarg); break;
		case 't': trickle_ms = atol(optarg); break;
		case 'r': refused_ms = atol(optarg); break;
		case 'R': ready = optarg; break;
		default: usage();
		}
	}
	if (!connect_to || !from.s_addr || parse_hostport(connect_to, &to) < 0 || addresses < 1 ||
	    per < 1 || addresses * per > MAX_CONNECTIONS || trickle_ms < 1)
		usage();
	for (long a = 0; a < addresses; a++) {
		for (long k = 0; k < per; k++) {
			int fd = open_from(ntohl(from.s_addr) + (uint32_t)a, &to);

			if (fd < 0)
				return 1;
			conns[n].fd = fd;
			conns[n].opened_ms = now_ms();
			conns[n].closed_ms = -1;
			n++;
		}
	}
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (f)
			fclose(f);
	}
	end = now_ms() + hold_s * 1000;
	next_trickle = now_ms() + trickle_ms;
	while (now_ms() < end) {
		long wait = next_trickle - now_ms();

		if (watch(conns, n, wait > 0 ? (int)wait : 0) == 0)
			break;
		if (now_ms() >= next_trickle) {
			for (size_t i = 0; i < n; i++)
				if (conns[i].closed_ms < 0)
					(void)send(conns[i].fd, "x", 1, MSG_NOSIGNAL);
			next_trickle += trickle_ms;
		}
	}
	for (size_t i = 0; i < n; i++) {
		long lived = conns[i].closed_ms - conns[i].opened_ms;

		if (conns[i].closed_ms < 0)
			open++;
		else if (lived < refused_ms)
			refused++;
		else {
			cut++;
			if (lived > longest)
				longest = lived;
		}
		close(conns[i].fd);
	}
	printf("connections=%zu refused=%ld cut=%ld open=%ld longest_cut_ms=%ld\n", n, refused,
	       cut, open, longest);
	return 0;
}
