/*
 * gzip_read.c — how a gzread stream ended (see include/siyu/extract/gzip_read.h).
 */
#include "siyu/extract/gzip_read.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int gzip_read_end(gzFile gz, int n, char *why, size_t whylen)
{
	int zerr;
	const char *msg = gzerror(gz, &zerr);

	if (zerr == Z_OK && n == 0)
		return 0;
	if (zerr == Z_BUF_ERROR)
		snprintf(why, whylen, "the gzip stream is cut short after %lld bytes of input "
			 "(%lld compressed): the file is truncated", (long long)gztell(gz),
			 (long long)gzoffset(gz));
	else
		snprintf(why, whylen, "read error after %lld bytes (%lld compressed): %s",
			 (long long)gztell(gz), (long long)gzoffset(gz),
			 zerr == Z_ERRNO ? strerror(errno) : msg);
	return -1;
}
