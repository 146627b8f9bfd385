/*
 * progress.c — the progress reporter of long loads (see progress.h).
 */
#include "siyu/common/progress.h"

#include "siyu/common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TTY_EVERY 0.5  /* a redrawn line can change often */
#define LOG_EVERY 10.0 /* a log should not drown in progress */

static double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The redrawn line goes (before a log line, at the end); the next report
 * draws it again.
 */
static void clear_line(void *arg)
{
	struct progress *p = arg;

	if (p->drawn)
		fputs("\r\033[K", p->out);
	p->drawn = 0;
	log_set_interrupt(NULL, NULL);
}

void progress_begin(struct progress *p, FILE *out, const char *source)
{
	const char *every;

	memset(p, 0, sizeof(*p));
	snprintf(p->source, sizeof(p->source), "%s", source);
	p->out = out;
	p->tty = out && isatty(fileno(out)) && log_threshold < LOG_DEBUG;
	p->every = p->tty ? TTY_EVERY : LOG_EVERY;
	/* SIYU_PROGRESS_EVERY=S overrides the interval (tests: 0, report every update) */
	if ((every = getenv("SIYU_PROGRESS_EVERY")) && *every)
		p->every = strtod(every, NULL);
	p->clock = monotonic;
	p->started = p->reported = p->clock();
}

/* Records per second since the start; 0 before any time passed. */
static double rate(const struct progress *p, double now)
{
	return now > p->started ? (double)p->records / (now - p->started) : 0;
}

/* Seconds left at the pace so far, or -1 when unknown. */
static double eta(const struct progress *p, double now)
{
	if (p->total <= 0 || p->done <= 0 || now <= p->started)
		return -1;
	return (p->total - p->done) * (now - p->started) / p->done;
}

static void format_seconds(double s, char *out, size_t n)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(out, n, "%ldh%02ldm", t / 3600, t % 3600 / 60);
	else if (t >= 60)
		snprintf(out, n, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(out, n, "%lds", t);
}

const char *progress_format(const struct progress *p, char *out, size_t n)
{
	double now = p->clock(), left = eta(p, now);
	char tail[64] = "";

	if (p->total > 0) {
		char when[32] = "?";

		if (left >= 0)
			format_seconds(left, when, sizeof(when));
		snprintf(tail, sizeof(tail), ", %.0f%% ETA %s", 100 * p->done / p->total, when);
	}
	snprintf(out, n, "%s: %lld page%s, %lld records, %.0f/s%s", p->source, p->pages,
		 p->pages == 1 ? "" : "s", p->records, rate(p, now), tail);
	return out;
}

static void report(struct progress *p, int final)
{
	double now = p->clock(), left = eta(p, now);
	char line[256];

	if (p->tty) {
		if (final) {
			clear_line(p);
			return;
		}
		fprintf(p->out, "\r\033[K%s", progress_format(p, line, sizeof(line)));
		fflush(p->out);
		p->drawn = 1;
		/* while the line is on screen, a log line clears it first */
		log_set_interrupt(clear_line, p);
		return;
	}
	if (final && !p->drawn)
		return; /* a short load: its "source finished" line says it all */
	p->drawn = 1;
	if (p->total > 0)
		log_info("msg=progress source=%s pages=%lld records=%lld rate=%.1f done_pct=%.1f "
			 "eta_s=%.0f%s", p->source, p->pages, p->records, rate(p, now),
			 100 * p->done / p->total, left >= 0 ? left : 0, final ? " final=true" : "");
	else
		log_info("msg=progress source=%s pages=%lld records=%lld rate=%.1f%s", p->source,
			 p->pages, p->records, rate(p, now), final ? " final=true" : "");
}

static void maybe_report(struct progress *p)
{
	double now = p->clock();

	if (now - p->reported < p->every)
		return;
	p->reported = now;
	report(p, 0);
}

void progress_update(struct progress *p, long long pages, long long records, double done,
		     double total)
{
	if (!p)
		return;
	p->pages = pages;
	p->records = records;
	p->done = done;
	p->total = total;
	maybe_report(p);
}

void progress_end(struct progress *p)
{
	if (p)
		report(p, 1);
}
