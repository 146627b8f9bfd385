/*
 * rawzone.h — the raw zone: every API page and input file as received, before
 * any transform.
 *
 * A page goes to <raw_dir>/<source>/<run_id>/<entity>-NNNNN.jsonl.gz (NNNNN
 * counts from 00001 per entity), gzip-compressed, one JSON object per line,
 * and is fsync'd before the caller parses it; so a page that fails to parse
 * is kept for inspection and a run can be replayed without calling the API.
 * Line breaks inside a body (only whitespace in valid JSON) become spaces so
 * that a page stays one line. Beside the pages, manifest.jsonl lists each
 * page with its endpoint and request parameters (never tokens or secrets).
 * An input file (a CSV export) is kept whole, as <its name>.gz.
 */
#ifndef SIYU_EXTRACT_RAWZONE_H
#define SIYU_EXTRACT_RAWZONE_H

#include <stddef.h>

#define RAWZONE_PATH_MAX 4096

/*
 * The raw zone holds personal data as received (phones in clear): only the
 * owner may read it, whatever the umask of the process that writes it.
 */
#define RAWZONE_DIR_MODE 0700
#define RAWZONE_FILE_MODE 0600
#define RAWZONE_MAX_ENTITIES 32

struct rawzone {
	char dir[RAWZONE_PATH_MAX]; /* <raw_dir>/<source>/<run_id> */
	int manifest_fd;            /* -1 until the first page */
	int nentities;
	struct {
		char name[48];
		int next;
	} entity[RAWZONE_MAX_ENTITIES];
	long long pages;            /* pages written */
	long long bytes;            /* uncompressed bytes written */
};

/*
 * Prepare the run's directory (created with its parents). Returns 0, or -1
 * with err. source and entity names must be plain names (no '/').
 */
int rawzone_open(struct rawzone *rz, const char *raw_dir, const char *source, long long run_id,
		 char *err, size_t errlen);

/*
 * Write one page: body[0..len) (borrowed) as one line, fsync'd. entity names
 * the file ("contacts", "groupchat_get", ...); endpoint and request_json (a
 * JSON object text without secrets, or NULL) go to the manifest. The file's
 * path is written to path_out (may be NULL; "" on failure). Returns 0, or -1 with err.
 */
int rawzone_write_page(struct rawzone *rz, const char *entity, const char *endpoint,
		       const char *request_json, const char *body, size_t len, char *path_out,
		       size_t path_len, char *err, size_t errlen);

/*
 * mkdir -p path: the directories it creates get RAWZONE_DIR_MODE exactly
 * (existing ones are left as they are). 0, or -1 with errno.
 */
int rawzone_make_dirs(const char *path);

/*
 * Create the new file path (O_EXCL: never an existing one) for writing, with
 * RAWZONE_FILE_MODE exactly; flags adds open(2) flags such as O_APPEND.
 * Returns the descriptor, or -1 with errno.
 */
int rawzone_create(const char *path, int flags);

/*
 * Keep a copy of the file input (plain or gzip) as <dir>/<its name>.gz,
 * fsync'd, listed in the manifest (entity "file") with request_json (a JSON
 * object text: what the file is and how it is read, or NULL). The copy's
 * path goes to path_out. When a file of that name is already there (two
 * inputs of one name in a run), the copy is <dir>/<n>-<its name>.gz
 * (n = 2, 3, ...): never overwritten. An input cut short or corrupt (gzip)
 * leaves no copy: err names it and says where it ends. 0, or -1 with err.
 */
int rawzone_copy_file(struct rawzone *rz, const char *input, const char *request_json,
		      char *path_out, size_t path_len, char *err, size_t errlen);

struct buf;

/*
 * Read one page back (a replay): the whole file at path, gunzipped, into b
 * (reset first; the trailing newline kept). 0 / -1 (errno may say why).
 */
int rawzone_read_page(const char *path, struct buf *b);

/* fsync the manifest and the directory and close; safe to call twice, and on a
 * zeroed struct. 0 / -1. */
int rawzone_close(struct rawzone *rz);

#endif /* SIYU_EXTRACT_RAWZONE_H */
