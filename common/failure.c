/*
 * failure.c — the one error value (see include/siyu/common/failure.h).
 */
#include "siyu/common/failure.h"

#include "siyu/common/log.h"

#include <stdarg.h>
#include <stdio.h>

void failure_clear(struct failure *f)
{
	f->object[0] = '\0';
	f->reason[0] = '\0';
}

int failure_is_set(const struct failure *f)
{
	return f->reason[0] != '\0';
}

int failure_set(struct failure *f, const char *object, const char *fmt, ...)
{
	char reason[sizeof(f->reason)];
	va_list ap;

	/* the arguments may point into f itself (a reason refined by its caller) */
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(f->reason, sizeof(f->reason), "%s", reason);
	if (object && object != f->object)
		snprintf(f->object, sizeof(f->object), "%s", object);
	return -1;
}

void failure_default_object(struct failure *f, const char *object)
{
	if (!f->object[0] && object)
		snprintf(f->object, sizeof(f->object), "%s", object);
}

const char *failure_text(const struct failure *f, char *out, size_t n)
{
	if (f->object[0])
		snprintf(out, n, "%s: %s", f->object, f->reason);
	else
		snprintf(out, n, "%s", f->reason);
	return out;
}

void failure_log(const struct failure *f, const char *msg)
{
	log_error("msg=%s source=%s object=%s reason=%s", msg, f->source[0] ? f->source : "-",
		  f->object[0] ? f->object : "-", f->reason);
}
