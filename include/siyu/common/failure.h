/*
 * failure.h — one error value: which source failed, on what, and why.
 *
 * Filled where the failure is understood and carried up unchanged:
 *
 *   source   the source (or, for siyu import, the file's source name)
 *   object   what failed: "orders.csv:12", "window 2025-01-01 00:00:00..2025-04-01
 *            00:00:00 page 3", "POST externalcontact/groupchat/list (owners 1-3,
 *            page 2)", the file or window being loaded
 *   reason   why, with the library's or server's words (and the SQLSTATE of a
 *            database error)
 *
 * The driver layer prints it once (failure_log: one logfmt line) and stores
 * failure_text() — "object: reason" — in etl.run_source.error, so the log, the
 * terminal and the warehouse say the same thing, without the source named twice.
 */
#ifndef SIYU_COMMON_FAILURE_H
#define SIYU_COMMON_FAILURE_H

#include <stddef.h>

struct failure {
	char source[64];
	char object[512];
	char reason[2048];
};

/* Forget any failure (source kept). */
void failure_clear(struct failure *f);

/* 1 when a reason is set. */
int failure_is_set(const struct failure *f);

/*
 * Set the reason (printf) and, when object is not NULL, the object. Returns
 * -1, so that "return failure_set(...)" fails and says why.
 */
int failure_set(struct failure *f, const char *object, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set the object when none is set yet: the unit being loaded, as a default. */
void failure_default_object(struct failure *f, const char *object);

/* "object: reason" (or the reason alone) into out (size n); returns out. */
const char *failure_text(const struct failure *f, char *out, size_t n);

/* Log it at error level: msg, source, object and reason as logfmt values. */
void failure_log(const struct failure *f, const char *msg);

#endif /* SIYU_COMMON_FAILURE_H */
