/*
 * rawzone.c — gzip JSON-lines pages in <raw_dir>/<source>/<run_id>
 * (see include/siyu/extract/rawzone.h).
 */
#include "siyu/extract/rawzone.h"

#include "siyu/common/buf.h"
#include "siyu/extract/gzip_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* mkdir one directory, 0700 whatever the umask when it is new; EEXIST is fine. */
static int make_dir(const char *path)
{
	if (mkdir(path, RAWZONE_DIR_MODE) == 0)
		return chmod(path, RAWZONE_DIR_MODE);
	return errno == EEXIST ? 0 : -1;
}

int rawzone_make_dirs(const char *path)
{
	char tmp[RAWZONE_PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp) || !*tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (make_dir(tmp) < 0)
			return -1;
		*p = '/';
	}
	return make_dir(tmp);
}

int rawzone_create(const char *path, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | flags, RAWZONE_FILE_MODE);

	/* the umask may only take bits away; a permissive umask must not add any */
	if (fd >= 0 && fchmod(fd, RAWZONE_FILE_MODE) < 0) {
		int e = errno;

		close(fd);
		unlink(path);
		errno = e;
		return -1;
	}
	return fd;
}

static int plain_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

int rawzone_open(struct rawzone *rz, const char *raw_dir, const char *source, long long run_id,
		 char *err, size_t errlen)
{
	int n;

	memset(rz, 0, sizeof(*rz));
	rz->manifest_fd = -1;
	if (!plain_name(source)) {
		snprintf(err, errlen, "raw zone: bad source name '%s'", source);
		return -1;
	}
	n = snprintf(rz->dir, sizeof(rz->dir), "%s/%s/%lld", raw_dir, source, run_id);
	if (n < 0 || (size_t)n >= sizeof(rz->dir)) {
		snprintf(err, errlen, "raw zone: path too long under '%.200s'", raw_dir);
		return -1;
	}
	if (rawzone_make_dirs(rz->dir) < 0) {
		snprintf(err, errlen, "cannot create raw zone directory '%s': %s", rz->dir,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int next_number(struct rawzone *rz, const char *entity)
{
	for (int i = 0; i < rz->nentities; i++)
		if (strcmp(rz->entity[i].name, entity) == 0)
			return ++rz->entity[i].next;
	if (rz->nentities == RAWZONE_MAX_ENTITIES || strlen(entity) >= sizeof(rz->entity[0].name))
		return -1;
	snprintf(rz->entity[rz->nentities].name, sizeof(rz->entity[0].name), "%s", entity);
	rz->entity[rz->nentities].next = 1;
	return rz->entity[rz->nentities++].next;
}

/*
 * A gzip stream writing to fd (on a dup of it: closing the stream leaves fd open), or NULL.
 * Level 1: the copy of an import is written before its first line loads, so its
 * compression is on the load's critical path; level 6 took 2.4x the CPU (0.84 s against
 * 0.35 s for 41 MB of the bench's CSV) for a copy 30 % smaller (5.2 MB against 7.3 MB).
 */
static gzFile gz_writer(int fd)
{
	int dupfd = dup(fd);
	gzFile gz = dupfd < 0 ? NULL : gzdopen(dupfd, "wb1");

	if (!gz && dupfd >= 0)
		close(dupfd);
	return gz;
}

/* gzip body as one line into the new file fd; 0 / -1. */
static int write_gz(int fd, const char *body, size_t len)
{
	char chunk[16384];
	gzFile gz;
	size_t off = 0;
	int rc = 0;

	if (!(gz = gz_writer(fd)))
		return -1;
	while (off < len && rc == 0) {
		size_t n = len - off > sizeof(chunk) ? sizeof(chunk) : len - off;

		for (size_t i = 0; i < n; i++) {
			char ch = body[off + i];

			chunk[i] = ch == '\n' || ch == '\r' ? ' ' : ch;
		}
		if (gzwrite(gz, chunk, (unsigned)n) != (int)n)
			rc = -1;
		off += n;
	}
	if (rc == 0 && gzwrite(gz, "\n", 1) != 1)
		rc = -1;
	if (gzclose(gz) != Z_OK)
		rc = -1;
	return rc;
}

static int append_manifest(struct rawzone *rz, const char *file, const char *entity,
			   const char *endpoint, const char *request_json, size_t len)
{
	struct buf line = BUF_INIT;
	char stamp[32];
	struct timespec now;
	struct tm tm;
	int rc = 0;

	if (rz->manifest_fd < 0) {
		char path[RAWZONE_PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/manifest.jsonl", rz->dir);
		rz->manifest_fd = rawzone_create(path, O_APPEND);
		if (rz->manifest_fd < 0 && errno == EEXIST)
			rz->manifest_fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (rz->manifest_fd < 0)
			return -1;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* names are plain identifiers; request_json is the caller's JSON object */
	if (buf_addf(&line, "{\"file\":\"%s\",\"entity\":\"%s\",\"endpoint\":\"%s\",\"bytes\":%zu,"
			    "\"received_at\":\"%s\",\"request\":%s}\n",
		     file, entity, endpoint ? endpoint : "", len, stamp,
		     request_json && *request_json ? request_json : "null") < 0)
		rc = -1;
	else if (write(rz->manifest_fd, line.data, line.len) != (ssize_t)line.len)
		rc = -1;
	buf_release(&line);
	return rc;
}

/* A file written and synced: list it in the manifest, count it, say where it is. 0 / -1. */
static int record_file(struct rawzone *rz, const char *file, const char *entity,
		       const char *endpoint, const char *request_json, size_t bytes, const char *path,
		       char *path_out, size_t path_len, char *err, size_t errlen)
{
	if (append_manifest(rz, file, entity, endpoint, request_json, bytes) < 0) {
		snprintf(err, errlen, "cannot write the raw zone manifest in '%s': %s", rz->dir,
			 strerror(errno));
		return -1;
	}
	rz->pages++;
	rz->bytes += (long long)bytes;
	if (path_out)
		snprintf(path_out, path_len, "%s", path);
	return 0;
}

int rawzone_write_page(struct rawzone *rz, const char *entity, const char *endpoint,
		       const char *request_json, const char *body, size_t len, char *path_out,
		       size_t path_len, char *err, size_t errlen)
{
	char path[RAWZONE_PATH_MAX + 128], file[96];
	int num, fd, rc;

	if (!plain_name(entity) || (num = next_number(rz, entity)) < 0) {
		snprintf(err, errlen, "raw zone: bad or too many entity names ('%s')", entity);
		return -1;
	}
	snprintf(file, sizeof(file), "%s-%05d.jsonl.gz", entity, num);
	snprintf(path, sizeof(path), "%s/%s", rz->dir, file);
	if (path_out && path_len)
		path_out[0] = '\0';
	fd = rawzone_create(path, 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create raw zone file '%s': %s", path, strerror(errno));
		return -1;
	}
	rc = write_gz(fd, body, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -1;
	if (rc < 0)
		snprintf(err, errlen, "cannot write raw zone file '%s': %s", path,
			 errno ? strerror(errno) : "gzip error");
	close(fd);
	if (rc == 0)
		rc = record_file(rz, file, entity, endpoint, request_json, len, path, path_out,
				 path_len, err, errlen);
	return rc;
}

/*
 * Copy the bytes of in (gunzipped when gzip) into the new gzip file fd: 0;
 * -2 when the input is cut short or corrupt (its copy would be a whole gzip
 * stream, the damage lost); -1 when the copy cannot be written. why says why.
 */
static int copy_gz(gzFile in, int fd, size_t *bytes, char *why, size_t whylen)
{
	char chunk[65536];
	int len = 0, rc = 0;
	gzFile gz = gz_writer(fd);

	if (!gz) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	while (rc == 0 && (len = gzread(in, chunk, sizeof(chunk))) > 0) {
		if (gzwrite(gz, chunk, (unsigned)len) != len)
			rc = -1;
		*bytes += (size_t)len;
	}
	if (rc == 0 && gzip_read_end(in, len, why, whylen) < 0)
		rc = -2;
	if (gzclose(gz) != Z_OK && rc == 0)
		rc = -1;
	if (rc == -1)
		snprintf(why, whylen, "%s", errno ? strerror(errno) : "gzip error");
	return rc;
}

/*
 * Create the copy of base in rz's directory: <base>.gz, or <n>-<base>.gz
 * (n = 2, 3, ...) when that name is taken (two inputs of one name in a run):
 * never an existing file. Its name goes to file, its path to path. The
 * descriptor, or -1 with errno.
 */
static int create_copy(const struct rawzone *rz, const char *base, char *file, size_t filelen,
		       char *path, size_t pathlen)
{
	size_t blen = strlen(base);
	const char *gz = blen > 3 && strcmp(base + blen - 3, ".gz") == 0 ? "" : ".gz";
	int fd = -1;

	errno = EEXIST;
	for (int n = 1; fd < 0 && errno == EEXIST && n < 1000; n++) {
		int len = n == 1 ? snprintf(file, filelen, "%s%s", base, gz)
				 : snprintf(file, filelen, "%d-%s%s", n, base, gz);

		if (len < 0 || (size_t)len >= filelen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		snprintf(path, pathlen, "%s/%s", rz->dir, file);
		fd = rawzone_create(path, 0);
	}
	return fd;
}

int rawzone_copy_file(struct rawzone *rz, const char *input, const char *request_json,
		      char *path_out, size_t path_len, char *err, size_t errlen)
{
	const char *base = strrchr(input, '/');
	size_t bytes = 0;
	char path[RAWZONE_PATH_MAX + 300], file[256], why[512];
	gzFile in;
	int fd, rc;

	base = base ? base + 1 : input;
	path_out[0] = '\0';
	if (!plain_name(base)) {
		snprintf(err, errlen, "raw zone: cannot name a copy of '%s'", input);
		return -1;
	}
	in = gzopen(input, "rb");
	if (!in) {
		snprintf(err, errlen, "cannot read '%s': %s", input, strerror(errno));
		return -1;
	}
	fd = create_copy(rz, base, file, sizeof(file), path, sizeof(path));
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a raw zone copy of '%s' in '%s': %s", input,
			 rz->dir, strerror(errno));
		gzclose(in);
		return -1;
	}
	rc = copy_gz(in, fd, &bytes, why, sizeof(why));
	if (rc == 0 && fsync(fd) < 0) {
		snprintf(why, sizeof(why), "%s", strerror(errno));
		rc = -1;
	}
	if (rc == -2)
		snprintf(err, errlen, "%s: %s", input, why);
	else if (rc < 0)
		snprintf(err, errlen, "cannot copy '%s' to the raw zone '%s': %s", input, path, why);
	close(fd);
	gzclose(in);
	/* a copy that is not whole is no copy: a replay must not take it for the file */
	if (rc < 0) {
		unlink(path);
		return -1;
	}
	return record_file(rz, file, "file", "", request_json, bytes, path, path_out, path_len,
			   err, errlen);
}

int rawzone_close(struct rawzone *rz)
{
	int rc = 0, dfd;

	if (!rz->dir[0])
		return 0; /* never opened */
	if (rz->manifest_fd >= 0) {
		if (fsync(rz->manifest_fd) < 0)
			rc = -1;
		close(rz->manifest_fd);
		rz->manifest_fd = -1;
	}
	dfd = open(rz->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd) < 0)
			rc = -1;
		close(dfd);
	}
	return rc;
}

int rawzone_read_page(const char *path, struct buf *b)
{
	gzFile gz = gzopen(path, "rb");
	char chunk[65536];
	int len;

	buf_reset(b);
	if (!gz)
		return -1;
	while ((len = gzread(gz, chunk, sizeof(chunk))) > 0)
		if (buf_add(b, chunk, (size_t)len) < 0)
			break;
	gzclose(gz);
	return len == 0 ? 0 : -1;
}
