/*
 * wecom_callback_http.c — the receiver's HTTP server on libmicrohttpd (see
 * wecom_callback.h). libmicrohttpd parses HTTP and the query string (URL-decoding
 * the parameters); this file only routes GET to the URL check and POST to the event
 * handler, caps the body, and logs one line per request (no secrets, no payloads).
 *
 * One internal polling thread serves every connection, so requests are handled one
 * at a time: an event is fsync'ed to the spool before its answer, and WeCom allows
 * 5 s for that, which a local fsync meets by orders of magnitude.
 *
 * Slow clients: libmicrohttpd enforces the connection limits (overall and per address)
 * and an idle timeout, but a client that sends one byte now and then is never idle.
 * So a reaper thread closes (shutdown(2), which libmicrohttpd then sees as the client
 * going away) every connection whose request has not arrived whole by its deadline:
 * read_timeout after the connection opened, or after the previous answer on it.
 */
#include "siyu/extract/wecom_callback.h"

#include "siyu/common/log.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STOP_GRACE_TICKS 60 /* x 50 ms: how long a stop waits for open connections */
#define REAPER_TICK_MS 100

/* An open connection and the time by which its request must have arrived. */
struct watched {
	struct watched *prev, *next;
	MHD_socket fd;
	struct timespec deadline; /* CLOCK_MONOTONIC */
	int cut;                  /* shut down by the reaper already */
};

struct wecom_callback_server {
	struct MHD_Daemon *daemon;
	struct wecom_callback *cb;
	struct wecom_callback_limits limits;
	unsigned port;

	pthread_mutex_t lock; /* guards watched and stopping */
	pthread_cond_t wake;
	struct watched *watched;
	int stopping;
	pthread_t reaper;
};

/* Per request: the body as it arrives. */
struct request {
	struct buf body;
	int too_big;
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char text[512];
	size_t n;

	(void)cls;
	vsnprintf(text, sizeof(text), fmt, ap);
	n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	for (char *p = text; *p; p++)
		if (*p == '"' || *p == '\n')
			*p = '\'';
	/* a client gone mid-request (or cut by the reaper, which logs its own line) is
	 * routine: one line per connection would flood the log under a slow-client attack */
	if (strstr(text, "connection closure"))
		log_debug("msg=\"http server: %s\"", text);
	else
		log_warn("msg=\"http server: %s\"", text);
}

/* ---- the reaper of slow connections ---------------------------------------------------- */

static void deadline_from_now(const struct wecom_callback_server *s, struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += s->limits.read_timeout_s;
}

static int passed(const struct timespec *now, const struct timespec *t)
{
	return now->tv_sec > t->tv_sec || (now->tv_sec == t->tv_sec && now->tv_nsec >= t->tv_nsec);
}

/*
 * libmicrohttpd's connection notifications (in its thread): watch a new connection,
 * forget a closed one. CLOSED comes before libmicrohttpd closes the socket, so the
 * reaper, which shuts sockets down under the same lock, never touches a reused fd.
 */
static void connection_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	struct wecom_callback_server *s = cls;
	struct watched *w = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

		w = ci ? calloc(1, sizeof(*w)) : NULL;
		if (!w)
			return; /* unwatched: only the idle timeout applies to it */
		w->fd = ci->connect_fd;
		deadline_from_now(s, &w->deadline);
		pthread_mutex_lock(&s->lock);
		w->next = s->watched;
		if (s->watched)
			s->watched->prev = w;
		s->watched = w;
		pthread_mutex_unlock(&s->lock);
		*socket_context = w;
	} else if (w) {
		pthread_mutex_lock(&s->lock);
		if (w->prev)
			w->prev->next = w->next;
		else
			s->watched = w->next;
		if (w->next)
			w->next->prev = w->prev;
		pthread_mutex_unlock(&s->lock);
		free(w);
		*socket_context = NULL;
	}
}

/* A request arrived whole: the connection has read_timeout again, to be answered and,
 * when kept alive, for its next request. */
static void connection_renew(struct wecom_callback_server *s, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct watched *w = ci ? ci->socket_context : NULL;

	if (!w)
		return;
	pthread_mutex_lock(&s->lock);
	deadline_from_now(s, &w->deadline);
	pthread_mutex_unlock(&s->lock);
}

/* Shut down the connections past their deadline; returns how many. Under s->lock. */
static unsigned cut_overdue(struct wecom_callback_server *s)
{
	struct timespec now;
	unsigned n = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (struct watched *w = s->watched; w; w = w->next) {
		if (w->cut || !passed(&now, &w->deadline))
			continue;
		shutdown(w->fd, SHUT_RDWR);
		w->cut = 1;
		n++;
	}
	return n;
}

static void *reaper_main(void *arg)
{
	struct wecom_callback_server *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		struct timespec until;
		unsigned cut;

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += REAPER_TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->wake, &s->lock, &until);
		cut = cut_overdue(s);
		if (cut) {
			pthread_mutex_unlock(&s->lock);
			log_warn("msg=\"callback connections closed\" count=%u reason=\"no whole "
				 "request within %u s\"",
				 cut, s->limits.read_timeout_s);
			pthread_mutex_lock(&s->lock);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* The lock, the condition (on the monotonic clock) and the thread; 0 or -1. */
static int reaper_start(struct wecom_callback_server *s)
{
	pthread_condattr_t attr;
	int ok;

	if (pthread_mutex_init(&s->lock, NULL) != 0)
		return -1;
	ok = pthread_condattr_init(&attr) == 0;
	ok = ok && pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
	     pthread_cond_init(&s->wake, &attr) == 0;
	pthread_condattr_destroy(&attr);
	if (!ok) {
		pthread_mutex_destroy(&s->lock);
		return -1;
	}
	if (pthread_create(&s->reaper, NULL, reaper_main, s) != 0) {
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		return -1;
	}
	return 0;
}

static void reaper_stop(struct wecom_callback_server *s)
{
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->reaper, NULL);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
}

/* ---- requests ----------------------------------------------------------------------------- */

static enum MHD_Result send_reply(struct MHD_Connection *conn, int status, const char *body,
				  size_t len)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, POST");
	rc = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static const char *arg(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

/* The request's log line: 2xx at info, 4xx/5xx at warn. */
static void log_request(const char *method, const struct wecom_reply *r)
{
	if (r->status < 400)
		log_info("msg=\"callback\" method=%s status=%d event=%s key=%s reason=\"%s\"", method,
			 r->status, r->event[0] ? r->event : "-", r->key[0] ? r->key : "-",
			 r->reason);
	else
		log_warn("msg=\"callback rejected\" method=%s status=%d event=%s reason=\"%s\"",
			 method, r->status, r->event[0] ? r->event : "-", r->reason);
}

static enum MHD_Result dispatch(struct wecom_callback_server *s, struct MHD_Connection *conn,
				const char *method, struct request *req)
{
	struct wecom_reply r;
	enum MHD_Result rc;
	const char *body = "";
	size_t body_len = 0;

	connection_renew(s, conn);
	wecom_reply_init(&r);
	if (strcmp(method, MHD_HTTP_METHOD_GET) == 0) {
		wecom_callback_verify_url(s->cb, arg(conn, "msg_signature"), arg(conn, "timestamp"),
					  arg(conn, "nonce"), arg(conn, "echostr"), &r);
		if (r.status == 200) {
			body = buf_str(&r.body);
			body_len = r.body.len;
		}
	} else if (strcmp(method, MHD_HTTP_METHOD_POST) == 0) {
		if (req->too_big) {
			r.status = MHD_HTTP_CONTENT_TOO_LARGE;
			snprintf(r.reason, sizeof(r.reason), "body larger than %d bytes", WECOM_MAX_BODY);
		} else {
			struct timespec now;

			clock_gettime(CLOCK_REALTIME, &now);
			wecom_callback_event(s->cb, arg(conn, "msg_signature"), arg(conn, "timestamp"),
					     arg(conn, "nonce"), buf_str(&req->body), req->body.len,
					     &now, &r);
		}
	} else {
		r.status = MHD_HTTP_METHOD_NOT_ALLOWED;
		snprintf(r.reason, sizeof(r.reason), "method not allowed");
	}
	if (r.status >= 400) {
		body = r.status >= 500 ? "error\n" : "rejected\n";
		body_len = strlen(body);
	}
	log_request(method, &r);
	rc = send_reply(conn, r.status, body, body_len);
	wecom_reply_release(&r);
	return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct wecom_callback_server *s = cls;
	struct request *req = *con_cls;

	(void)url;
	(void)version;
	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		buf_init(&req->body, WECOM_MAX_BODY);
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!req->too_big && buf_add(&req->body, upload_data, *upload_data_size) < 0) {
			req->too_big = 1;
			buf_release(&req->body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return dispatch(s, conn, method, req);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct request *req = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!req)
		return;
	buf_release(&req->body);
	free(req);
	*con_cls = NULL;
}

/* "host:port" or "[v6]:port" into an address; 0 or -1 with err filled. */
static int resolve_listen(const char *where, struct sockaddr_storage *ss, socklen_t *sslen,
			  char *err, size_t errlen)
{
	char host[256], port[16];
	const char *colon = strrchr(where, ':'), *given = where;
	struct addrinfo hints, *res = NULL;
	size_t hlen;
	int rc;

	if (!colon || strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof(port) ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || atol(colon + 1) > 65535)
		goto bad;
	hlen = (size_t)(colon - where);
	if (hlen >= 2 && where[0] == '[' && where[hlen - 1] == ']') {
		where++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		goto bad;
	memcpy(host, where, hlen);
	host[hlen] = '\0';
	snprintf(port, sizeof(port), "%s", colon + 1);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(err, errlen, "cannot resolve listen address '%s': %s", given,
			 gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
bad:
	snprintf(err, errlen, "bad listen address '%s' (expected HOST:PORT, like 127.0.0.1:8081)",
		 given);
	return -1;
}

struct wecom_callback_server *wecom_callback_server_start(struct wecom_callback *cb,
							  const char *where,
							  const struct wecom_callback_limits *limits,
							  char *err, size_t errlen)
{
	struct wecom_callback_server *s;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	const union MHD_DaemonInfo *info;
	/* MHD_USE_ITC: needed by MHD_quiesce_daemon for the graceful stop */
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;

	if (resolve_listen(where, &ss, &sslen, err, errlen) < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cb = cb;
	s->limits = *limits;
	if (reaper_start(s) < 0) {
		snprintf(err, errlen, "cannot start the connection reaper thread");
		free(s);
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* No MHD_OPTION_LISTENING_ADDRESS_REUSE: it means SO_REUSEPORT, which would let a
	 * second receiver share the port and split the events between two spools.
	 * The connection timeout is libmicrohttpd's idle timeout; the reaper adds the
	 * deadline for a whole request. */
	s->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, handle, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT,
		limits->read_timeout_s, MHD_OPTION_CONNECTION_LIMIT, limits->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, limits->max_per_address,
		MHD_OPTION_NOTIFY_CONNECTION, connection_notify, s, MHD_OPTION_NOTIFY_COMPLETED,
		completed, NULL, MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen, "cannot listen on '%s' (in use, or not an address of this host)",
			 where);
		reaper_stop(s);
		free(s);
		return NULL;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	return s;
}

unsigned wecom_callback_server_port(const struct wecom_callback_server *s)
{
	return s->port;
}

void wecom_callback_server_stop(struct wecom_callback_server *s)
{
	const struct timespec tick = { 0, 50 * 1000 * 1000 };
	MHD_socket listener;

	if (!s)
		return;
	/* Stop accepting, let the requests in progress be answered (an event already
	 * spooled deserves its 200, or WeCom retries it), then close what is left. */
	listener = MHD_quiesce_daemon(s->daemon);
	for (int i = 0; i < STOP_GRACE_TICKS; i++) {
		const union MHD_DaemonInfo *info =
			MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

		if (!info || info->num_connections == 0)
			break;
		nanosleep(&tick, NULL);
	}
	MHD_stop_daemon(s->daemon);
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	reaper_stop(s);
	free(s);
}
