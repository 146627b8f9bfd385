/*
 * sql_tree.c — read the migrations and repeatable scripts, put them in apply order
 * (see sql_tree.h).
 */
#include "siyu/load/sql_tree.h"

#include "siyu/common/buf.h"
#include "siyu/common/log.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILES 1000
#define REQUIRES_TAG "requires:"

const char *const sql_script_dirs[] = { "functions", "views", "kpi", NULL };

static int is_migration_name(const char *name)
{
	size_t n = strlen(name);

	if (n < 10 || strcmp(name + n - 4, ".sql") != 0)
		return 0;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)name[i]))
			return 0;
	return name[4] == '_';
}

static int is_script_name(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && name[0] != '.' && strcmp(name + n - 4, ".sql") == 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names in dir that pass keep, sorted, into *names (caller frees each and the
 * array). A missing dir is empty when missing_ok.
 */
static int list_dir(const char *dir, int (*keep)(const char *), int missing_ok,
		    char ***names, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v;
	size_t n = 0;

	*names = NULL;
	*count = 0;
	if (!d) {
		if (missing_ok && errno == ENOENT)
			return 0;
		return error("msg=\"cannot open SQL directory\" dir=%s error=\"%s\"", dir,
			     strerror(errno));
	}
	v = calloc(MAX_FILES, sizeof(*v));
	if (!v) {
		closedir(d);
		return error("msg=\"out of memory\"");
	}
	*names = v;
	while ((e = readdir(d)) != NULL) {
		if (!keep(e->d_name))
			continue;
		if (n == MAX_FILES || !(v[n] = strdup(e->d_name))) {
			closedir(d);
			*count = n;
			return error("msg=\"too many SQL files or out of memory\" dir=%s", dir);
		}
		n++;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), compare_names);
	*count = n;
	return 0;
}

static int read_whole(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	int rc = 0;

	if (!f)
		return error("msg=\"cannot read SQL file\" file=%s error=\"%s\"", path, strerror(errno));
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(out, chunk, n) < 0)
			rc = error("msg=\"SQL file too large\" file=%s", path);
	if (rc == 0 && ferror(f))
		rc = error("msg=\"cannot read SQL file\" file=%s error=\"%s\"", path, strerror(errno));
	fclose(f);
	return rc;
}

static void sha256_hex(const char *data, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
}

/* Read dir/name into f; name is what the file is known by (kept). */
static int read_sql_file(struct sql_file *f, const char *path, char *name)
{
	struct buf text = BUF_INIT;

	memset(f, 0, sizeof(*f));
	f->name = name;
	if (read_whole(path, &text) < 0) {
		buf_release(&text);
		return -1;
	}
	f->text = buf_detach(&text, &f->len);
	sha256_hex(f->text, f->len, f->sum);
	return 0;
}

/*
 * Append the files of dir/sub that pass keep to *files, named "sub/file" when
 * name_with_dir, else "file".
 */
static int add_files(const char *dir, const char *sub, int (*keep)(const char *), int name_with_dir,
		     struct sql_file **files, size_t *count)
{
	struct buf path = BUF_INIT, name = BUF_INIT;
	char **names = NULL;
	size_t n = 0, i;
	struct sql_file *grown;
	int rc = -1;

	if (buf_addf(&path, "%s/%s", dir, sub) < 0 ||
	    list_dir(buf_str(&path), keep, name_with_dir, &names, &n) < 0)
		goto out;
	grown = realloc(*files, (*count + n + 1) * sizeof(**files));
	if (!grown) {
		error("msg=\"out of memory\"");
		goto out;
	}
	*files = grown;
	for (i = 0; i < n; i++) {
		buf_reset(&path);
		buf_reset(&name);
		if (buf_addf(&path, "%s/%s/%s", dir, sub, names[i]) < 0 ||
		    (name_with_dir ? buf_addf(&name, "%s/%s", sub, names[i]) : buf_adds(&name, names[i])) < 0)
			goto out;
		if (read_sql_file(&grown[*count], buf_str(&path), buf_detach(&name, NULL)) < 0) {
			free(grown[*count].name);
			goto out;
		}
		(*count)++;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_release(&path);
	buf_release(&name);
	return rc;
}

static size_t find_script(const struct sql_tree *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->nscripts; i++)
		if (strlen(t->scripts[i].name) == len && memcmp(t->scripts[i].name, name, len) == 0)
			return i;
	return (size_t)-1;
}

static int add_require(struct sql_file *f, size_t script)
{
	size_t *grown;

	for (size_t k = 0; k < f->nrequires; k++)
		if (f->requires[k] == script)
			return 0;
	grown = realloc(f->requires, (f->nrequires + 1) * sizeof(*grown));
	if (!grown)
		return error("msg=\"out of memory\"");
	f->requires = grown;
	f->requires[f->nrequires++] = script;
	return 0;
}

/* The names after "-- requires:" on one line [p, end). */
static int parse_requires_line(const struct sql_tree *t, struct sql_file *f, const char *p,
			       const char *end)
{
	while (p < end) {
		const char *word;
		size_t script;

		while (p < end && (isspace((unsigned char)*p) || *p == ','))
			p++;
		word = p;
		while (p < end && !isspace((unsigned char)*p) && *p != ',')
			p++;
		if (p == word)
			break;
		script = find_script(t, word, (size_t)(p - word));
		if (script == (size_t)-1)
			return error("msg=\"requires a script that does not exist\" file=%s script=%.*s",
				     f->name, (int)(p - word), word);
		if (f >= t->scripts && f < t->scripts + t->nscripts &&
		    script == (size_t)(f - t->scripts))
			return error("msg=\"a script requires itself\" file=%s", f->name);
		if (add_require(f, script) < 0)
			return -1;
	}
	return 0;
}

static int parse_requires(const struct sql_tree *t, struct sql_file *f)
{
	const char *line = f->text, *end = f->text + f->len;

	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *p = line;

		if (!eol)
			eol = end;
		if (eol - p >= 2 && p[0] == '-' && p[1] == '-') {
			p += 2;
			while (p < eol && *p == ' ')
				p++;
			if ((size_t)(eol - p) >= strlen(REQUIRES_TAG) &&
			    memcmp(p, REQUIRES_TAG, strlen(REQUIRES_TAG)) == 0 &&
			    parse_requires_line(t, f, p + strlen(REQUIRES_TAG), eol) < 0)
				return -1;
		}
		line = eol + 1;
	}
	return 0;
}

/*
 * order[k] = the script applied k-th: repeatedly the first script, in the given order,
 * whose required scripts are all placed. Fails on a cycle.
 */
static int topological_order(const struct sql_tree *t, size_t *order)
{
	unsigned char *placed = calloc(t->nscripts + 1, 1);
	size_t n = 0;

	if (!placed)
		return error("msg=\"out of memory\"");
	while (n < t->nscripts) {
		size_t i;

		for (i = 0; i < t->nscripts; i++) {
			const struct sql_file *s = &t->scripts[i];
			size_t k = 0;

			if (placed[i])
				continue;
			while (k < s->nrequires && placed[s->requires[k]])
				k++;
			if (k == s->nrequires)
				break;
		}
		if (i == t->nscripts) {
			for (i = 0; placed[i]; i++)
				;
			free(placed);
			return error("msg=\"scripts require each other in a cycle\" file=%s",
				     t->scripts[i].name);
		}
		placed[i] = 1;
		order[n++] = i;
	}
	free(placed);
	return 0;
}

/* Put t->scripts in the given order and renumber every requires index to match. */
static int apply_order(struct sql_tree *t, const size_t *order)
{
	struct sql_file *sorted = malloc((t->nscripts + 1) * sizeof(*sorted));
	size_t *new_index = malloc((t->nscripts + 1) * sizeof(*new_index));

	if (!sorted || !new_index) {
		free(sorted);
		free(new_index);
		return error("msg=\"out of memory\"");
	}
	for (size_t k = 0; k < t->nscripts; k++) {
		sorted[k] = t->scripts[order[k]];
		new_index[order[k]] = k;
	}
	memcpy(t->scripts, sorted, t->nscripts * sizeof(*sorted));
	for (size_t i = 0; i < t->nscripts + t->nmigrations; i++) {
		struct sql_file *f = i < t->nscripts ? &t->scripts[i] : &t->migrations[i - t->nscripts];

		for (size_t k = 0; k < f->nrequires; k++)
			f->requires[k] = new_index[f->requires[k]];
	}
	free(sorted);
	free(new_index);
	return 0;
}

int sql_tree_resolve(struct sql_tree *t)
{
	size_t *order;
	int rc;

	for (size_t i = 0; i < t->nscripts; i++)
		if (parse_requires(t, &t->scripts[i]) < 0)
			return -1;
	for (size_t i = 0; i < t->nmigrations; i++)
		if (parse_requires(t, &t->migrations[i]) < 0)
			return -1;
	order = malloc((t->nscripts + 1) * sizeof(*order));
	if (!order)
		return error("msg=\"out of memory\"");
	rc = topological_order(t, order);
	if (rc == 0)
		rc = apply_order(t, order);
	free(order);
	return rc;
}

/* migrations/legacy.sha256: "<sha256 at 467215e> <sha256 rewritten>  <name>" lines. */
static int load_legacy(struct sql_tree *t, const char *dir)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	char *line, *save = NULL;
	int rc = -1;

	if (buf_addf(&path, "%s/migrations/legacy.sha256", dir) < 0)
		goto out;
	if (access(buf_str(&path), F_OK) != 0 && errno == ENOENT) {
		rc = 0; /* a tree without a past */
		goto out;
	}
	if (read_whole(buf_str(&path), &text) < 0)
		goto out;
	if (!text.data) { /* empty */
		rc = 0;
		goto out;
	}
	for (line = strtok_r(text.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct sql_legacy *grown;
		char *name = line + 129;

		if (strlen(line) < 132 || line[64] != ' ' || name[0] != ' ' || name[1] != ' ') {
			error("msg=\"bad line in legacy checksums\" file=%s", buf_str(&path));
			goto out;
		}
		grown = realloc(t->legacy, (t->nlegacy + 1) * sizeof(*grown));
		if (grown)
			t->legacy = grown;
		if (!grown || !(name = strdup(name + 2))) {
			error("msg=\"out of memory\"");
			goto out;
		}
		t->legacy[t->nlegacy].name = name;
		memcpy(t->legacy[t->nlegacy].sum, line, 64);
		t->legacy[t->nlegacy].sum[64] = '\0';
		memcpy(t->legacy[t->nlegacy].now, line + 65, 64);
		t->legacy[t->nlegacy].now[64] = '\0';
		t->nlegacy++;
	}
	rc = 0;
out:
	buf_release(&path);
	buf_release(&text);
	return rc;
}

int sql_tree_load(struct sql_tree *t, const char *dir)
{
	if (add_files(dir, "migrations", is_migration_name, 0, &t->migrations, &t->nmigrations) < 0)
		return -1;
	for (size_t d = 0; sql_script_dirs[d]; d++)
		if (add_files(dir, sql_script_dirs[d], is_script_name, 1, &t->scripts, &t->nscripts) < 0)
			return -1;
	if (load_legacy(t, dir) < 0)
		return -1;
	return sql_tree_resolve(t);
}

static void release_files(struct sql_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].text);
		free(files[i].requires);
	}
	free(files);
}

void sql_tree_release(struct sql_tree *t)
{
	release_files(t->migrations, t->nmigrations);
	release_files(t->scripts, t->nscripts);
	for (size_t i = 0; i < t->nlegacy; i++)
		free(t->legacy[i].name);
	free(t->legacy);
	memset(t, 0, sizeof(*t));
}

void sql_tree_mark_required(const struct sql_tree *t, const struct sql_file *f,
			    unsigned char *mark)
{
	for (size_t k = 0; k < f->nrequires; k++) {
		size_t i = f->requires[k];

		if (!mark[i]) {
			mark[i] = 1;
			sql_tree_mark_required(t, &t->scripts[i], mark);
		}
	}
}

void sql_tree_mark_dependents(const struct sql_tree *t, size_t i, unsigned char *mark)
{
	/* Scripts are in apply order: whoever requires a marked script comes after it. */
	unsigned char *seen = calloc(t->nscripts + 1, 1);

	if (!seen) { /* fall back to marking everything after i: re-applying more is safe */
		for (size_t j = i + 1; j < t->nscripts; j++)
			mark[j] = 1;
		return;
	}
	seen[i] = 1;
	for (size_t j = i + 1; j < t->nscripts; j++)
		for (size_t k = 0; k < t->scripts[j].nrequires; k++)
			if (seen[t->scripts[j].requires[k]]) {
				seen[j] = mark[j] = 1;
				break;
			}
	free(seen);
}

int sql_tree_legacy_applied(const struct sql_tree *t, const struct sql_file *f,
			    const char *recorded)
{
	for (size_t i = 0; i < t->nlegacy; i++)
		if (strcmp(t->legacy[i].name, f->name) == 0)
			return strcmp(t->legacy[i].sum, recorded) == 0 &&
			       strcmp(t->legacy[i].now, f->sum) == 0;
	return 0;
}
