/*
 * wecom_callback_http.c — the receiver's HTTP server on libmicrohttpd (see
 * wecom_callback.h). libmicrohttpd parses HTTP and the query string (URL-decoding
 * the parameters); this file only routes GET to the URL check and POST to the event
 * handler, caps the body, and logs one line per request (no secrets, no payloads).
 *
 * One internal polling thread serves every connection, so requests are handled one
 * at a time: an event is fsync'ed to the spool before its answer, and WeCom allows
 * 5 s for that, which a local fsync meets by orders of magnitude.
 */
#include "siyu/extract/wecom_callback.h"

#include "siyu/common/log.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNECTION_TIMEOUT_S 10
#define CONNECTION_LIMIT 64
#define STOP_GRACE_TICKS 60 /* x 50 ms: how long a stop waits for open connections */

struct wecom_callback_server {
	struct MHD_Daemon *daemon;
	struct wecom_callback *cb;
	unsigned port;
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
	log_warn("msg=\"http server: %s\"", text);
}

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
							  const char *where, char *err,
							  size_t errlen)
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
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* No MHD_OPTION_LISTENING_ADDRESS_REUSE: it means SO_REUSEPORT, which would let a
	 * second receiver share the port and split the events between two spools. */
	s->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, handle, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)CONNECTION_LIMIT, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen, "cannot listen on '%s' (in use, or not an address of this host)",
			 where);
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
	free(s);
}
