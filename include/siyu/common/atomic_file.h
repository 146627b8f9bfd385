/*
 * atomic_file.h — replace a file so that readers see the old or the new one, never half.
 */
#ifndef SIYU_COMMON_ATOMIC_FILE_H
#define SIYU_COMMON_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Write len bytes of data to path: into a temporary ".NAME.XXXXXX" in the
 * same directory (a name that globs such as *.prom do not match), flushed
 * to disk, given mode, then renamed over path. Returns 0, or -1 with err
 * filled naming path and the reason; path is then left as it was and the
 * temporary file is removed.
 */
int atomic_file_write(const char *path, const char *data, size_t len, mode_t mode, char *err,
		      size_t errlen);

#endif /* SIYU_COMMON_ATOMIC_FILE_H */
