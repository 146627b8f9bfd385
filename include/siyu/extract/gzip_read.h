/*
 * gzip_read.h — how a zlib gzread stream (plain or gzip input) ended.
 *
 * gzread reports a gzip stream cut short as a clean end of file (0) and
 * leaves the truth in gzerror (Z_BUF_ERROR, "unexpected end of file"): every
 * reader that must not take a truncated file for a whole one asks here.
 */
#ifndef SIYU_EXTRACT_GZIP_READ_H
#define SIYU_EXTRACT_GZIP_READ_H

#include <stddef.h>
#include <zlib.h>

/*
 * After gzread(gz, ...) returned n <= 0: 0 at a clean end of the input, else
 * -1 with why saying what went wrong and where ("the gzip stream is cut
 * short after N bytes of input (M compressed): the file is truncated", a
 * corrupt stream, a read error).
 */
int gzip_read_end(gzFile gz, int n, char *why, size_t whylen);

#endif /* SIYU_EXTRACT_GZIP_READ_H */
