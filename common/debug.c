/*
 * debug.c — fault injection at named points (see include/siyu/common/debug.h).
 */
#include "siyu/common/debug.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POINT_MAX 128  /* "extract/" + the longest endpoint, with room */

/* One parsed variable: "POINT[:NUMBER]" or "POINT/NAME[:NUMBER]". */
struct trigger {
	char point[POINT_MAX];
	double number;  /* N for abort, seconds for pause */
	long arrivals;
};

static int state;  /* 0 not read yet, 1 inert, 2 armed */
static struct trigger abort_at, pause_at;

/* Parse name=POINT[:NUMBER] into t; an unset or malformed value leaves t empty. */
static void parse(const char *name, struct trigger *t, double dflt)
{
	const char *v = getenv(name);
	const char *colon;
	char *end;
	size_t n;

	t->point[0] = '\0';
	if (!v || !*v)
		return;
	colon = strchr(v, ':');
	n = colon ? (size_t)(colon - v) : strlen(v);
	t->number = dflt;
	if (colon) {
		t->number = strtod(colon + 1, &end);
		if (end == colon + 1 || *end || t->number < 0) {
			fprintf(stderr, "siyu: ignoring %s=%s (want POINT[:NUMBER])\n", name, v);
			return;
		}
	}
	if (n == 0 || n >= sizeof(t->point))
		return;
	memcpy(t->point, v, n);
	t->point[n] = '\0';
}

static void arm(void)
{
	parse("SIYU_DEBUG_ABORT_AT", &abort_at, 1);
	parse("SIYU_DEBUG_PAUSE_AT", &pause_at, 1);
	state = abort_at.point[0] || pause_at.point[0] ? 2 : 1;
}

static volatile sig_atomic_t resume_early;

static void on_resume(int sig)
{
	(void)sig;
	resume_early = 1;
}

/* Sleep, or less when SIGUSR1 arrives (a test that is done with the pause). */
static void pause_for(double seconds)
{
	struct sigaction sa, old;
	struct timespec ts;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_resume;
	sigemptyset(&sa.sa_mask);
	resume_early = 0;
	sigaction(SIGUSR1, &sa, &old);
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (!resume_early && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	sigaction(SIGUSR1, &old, NULL);
}

/* Does the trigger's point t name this arrival: "point" itself, or "point/name"? */
static int matches(const char *t, const char *point, const char *name)
{
	size_t n = strlen(point);

	if (!t[0] || strncmp(t, point, n) != 0)
		return 0;
	if (t[n] == '\0')
		return 1;
	return name && t[n] == '/' && strcmp(t + n + 1, name) == 0;
}

void debug_point_at(const char *point, const char *name)
{
	if (state == 0)
		arm();
	if (state == 1)
		return;
	if (matches(pause_at.point, point, name)) {
		fprintf(stderr, "siyu: SIYU_DEBUG_PAUSE_AT: pausing %.1fs at %s%s%s\n", pause_at.number,
			point, name ? "/" : "", name ? name : "");
		pause_for(pause_at.number);
	}
	if (matches(abort_at.point, point, name) &&
	    (double)++abort_at.arrivals >= abort_at.number) {
		fprintf(stderr, "siyu: SIYU_DEBUG_ABORT_AT: killing myself at %s%s%s %ld\n", point,
			name ? "/" : "", name ? name : "", abort_at.arrivals);
		fflush(stderr);
		kill(getpid(), SIGKILL);
		_exit(137); /* not reached */
	}
}

void debug_point(const char *point)
{
	debug_point_at(point, NULL);
}
