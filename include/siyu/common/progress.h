/*
 * progress.h — one progress reporter for every long load (run, replay, import).
 *
 * The driver layer (source/source.c) tells it where a source's load stands
 * (pages fetched, records read and, when it knows, how far along it is: units
 * of the plan, bytes of a file); it decides how and when to show it. On a
 * terminal: one line on stderr, redrawn at most twice a second and cleared at
 * the end. Otherwise (cron,
 * systemd, CI): a logfmt line through the logger at most every 10 s and one
 * at the end, e.g.
 *   ts=... level=info msg=progress source=youzan_api pages=120 records=11800
 *   rate=393.3 done_pct=41.7 eta_s=42
 */
#ifndef SIYU_COMMON_PROGRESS_H
#define SIYU_COMMON_PROGRESS_H

#include <stdio.h>

struct progress {
	char source[64];
	FILE *out;               /* the terminal (tty mode) */
	int tty;                 /* redraw a line on out; else logfmt lines via the logger */
	double every;            /* seconds between two reports */
	double (*clock)(void);   /* monotonic seconds; tests set their own */
	double started, reported;
	long long pages, records;
	double done, total;      /* position for the ETA; total 0 = unknown */
	int drawn;               /* something was reported (a tty line is on screen) */
};

/*
 * Start reporting for source on out (usually stderr): tty mode when out is a
 * terminal and the log level is below debug (debug lines would tear the
 * redrawn line). No output yet.
 */
void progress_begin(struct progress *p, FILE *out, const char *source);

/*
 * Where the load stands: pages and records so far, done of total (any unit:
 * windows, files; total 0 = unknown, no ETA). May report (at most every
 * `every` seconds). p may be NULL (no-op).
 */
void progress_update(struct progress *p, long long pages, long long records, double done,
		     double total);

/*
 * The end: clear the tty line, or write a last logfmt line (final=true) when
 * there were any before (a short load says nothing).
 */
void progress_end(struct progress *p);

/*
 * The report as text, without the terminal control codes: "youzan_api: 120
 * pages, 11800 records, 393/s, 42% ETA 42s". For tests and the tty line.
 */
const char *progress_format(const struct progress *p, char *out, size_t n);

#endif /* SIYU_COMMON_PROGRESS_H */
