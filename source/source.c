/*
 * source.c — the driver table and the one transaction protocol of a source
 * (see include/siyu/source/source.h).
 */
#include "siyu/source/source.h"

#include "siyu/common/buf.h"
#include "siyu/common/debug.h"
#include "siyu/common/log.h"
#include "siyu/extract/http.h"
#include "siyu/load/db.h"
#include "siyu/source/csv_source.h"
#include "siyu/source/shop.h"
#include "siyu/source/wecom.h"
#include "siyu/source/youzan.h"
#include "siyu/transform/order_profile.h"
#include "siyu/transform/pii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct source_driver *const drivers[] = {
	&csv_driver,
	&youzan_driver,
	&wecom_driver,
	&taobao_driver,
	&jd_driver,
	&pdd_driver,
	&douyin_driver,
	&channels_driver,
};

const struct source_driver *source_driver_find(const char *type)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(drivers[i]->type, type) == 0)
			return drivers[i];
	return NULL;
}

int source_plan_add(struct source_plan *p, const struct source_unit *u)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct source_unit *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n] = *u;
	if (u->path && !(p->v[p->n].path = strdup(u->path)))
		return -1;
	p->n++;
	return 0;
}

void source_plan_release(struct source_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].path);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

struct http_client *source_http_client(const struct source_ctx *ctx, struct failure *f)
{
	struct http_opts o = {
		.label = ctx->src->name,
		.connect_timeout_s = ctx->src->connect_timeout,
		.timeout_s = ctx->src->timeout,
		.retries = ctx->src->retries,
		.rps = ctx->src->rps,
		.max_body = 64u << 20,
	};
	char err[512];
	struct http_client *http = http_client_new(&o, err, sizeof(err));

	if (!http)
		failure_set(f, NULL, "%s", err);
	return http;
}

/*
 * The share of rejected records is judged over the source's run so far (the
 * units before this one and this one) and over at least this many records:
 * an API source reads in many small windows (Pinduoduo's are 30 minutes), and
 * one bad order in a window of two must not fail the night, while a mapping
 * that rejects everything still fails at once (max_reject_ratio = 0 allows none).
 */
#define REJECT_RATIO_MIN_BASE 100

/* Too many records rejected: nothing of the unit loads. */
static int check_reject_ratio(const struct source_tx *tx, const struct load_counts *before)
{
	long long read = before->read + tx->c.read, rejected = before->rejected + tx->c.rejected;
	long long base = read > REJECT_RATIO_MIN_BASE ? read : REJECT_RATIO_MIN_BASE;
	double ratio = (double)rejected / (double)base;

	if (rejected == 0 || ratio <= tx->ctx->max_reject_ratio)
		return 0;
	return failure_set(tx->fail, tx->unit->label,
			   "%lld of %lld records rejected (%lld of %lld in this unit), more than "
			   "max_reject_ratio %.2f%% (of at least %d records); nothing of this unit "
			   "loaded, see etl.reject",
			   rejected, read, tx->c.rejected, tx->c.read,
			   100.0 * tx->ctx->max_reject_ratio, REJECT_RATIO_MIN_BASE);
}

/*
 * The source's etl.run_source row: the counts c so far (with those of the
 * earlier loads sharing the row), 'running' until done, then succeeded; or
 * failed with error (this load's failure, else a sharing load's).
 */
static int record_source(const struct source_ctx *ctx, const struct load_counts *c, int done,
			 const char *error)
{
	const struct source_share *sh = ctx->share;
	struct load_counts sum = *c;
	const char *status = "running";

	if (sh) {
		load_counts_add(&sum, &sh->c);
		if (!error && sh->failure[0])
			error = sh->failure;
		done = done && sh->done + 1 >= sh->loads;
	}
	if (error)
		status = "failed";
	else if (done)
		status = "succeeded";
	return runlog_source_finish(ctx->conn, ctx->run_id, ctx->src->name, status, &sum, error);
}

/*
 * The end of a unit that merged: its watermark, the source's run_source row
 * with the counts so far (the last unit's says succeeded), its rejects (they
 * commit with its data, never one without the other), COMMIT.
 */
static int commit_unit(struct source_tx *tx, int last, const struct load_counts *before)
{
	const struct source_ctx *ctx = tx->ctx;
	const char *label = tx->unit->label;
	struct load_counts sum = *before;

	load_counts_add(&sum, &tx->c);
	if (tx->entity &&
	    runlog_advance_watermark(ctx->conn, ctx->src->name, tx->entity, tx->watermark,
				     tx->watermark_run ? tx->watermark_run : ctx->run_id) < 0)
		return db_fail(tx->fail, label, "cannot advance the watermark");
	/* a replay's counts are recorded once, by siyu replay, over all its runs */
	if (!ctx->replay && record_source(ctx, &sum, last, NULL) < 0)
		return db_fail(tx->fail, label, "cannot record the run");
	if (!ctx->dry_run && reject_log_copy(&tx->rejects, ctx->conn) < 0)
		return db_fail(tx->fail, label, "its rejects could not be stored");
	debug_point_at("commit", ctx->src->name);
	if (db_exec(ctx->conn, ctx->dry_run ? "ROLLBACK" : "COMMIT") < 0)
		return db_fail(tx->fail, label, "commit failed");
	if (!ctx->dry_run)
		reject_log_forget(&tx->rejects);
	log_info("msg=\"unit committed\" source=%s unit=%s read=%lld inserted=%lld updated=%lld "
		 "unchanged=%lld rejected=%lld watermark=%s", ctx->src->name, label, tx->c.read,
		 tx->c.inserted, tx->c.updated, tx->c.unchanged, tx->c.rejected,
		 tx->entity ? (tx->watermark ? tx->watermark : "now") : "-");
	return 0;
}

/*
 * What is still spooled of a unit's rejects (a failed or skipped unit's: a
 * committed unit's went in with it), in a transaction of their own; when
 * even that fails, the failure says so. Returns rc, or -1.
 */
static int store_rejects(const struct source_ctx *ctx, struct source_tx *tx, int rc)
{
	size_t n = strlen(tx->fail->reason);

	if (ctx->dry_run || reject_log_flush(&tx->rejects, ctx->conn) == 0)
		return rc;
	if (rc >= 0)
		return failure_set(tx->fail, tx->unit->label,
				   "its %lld rejected records could not be stored",
				   tx->rejects.count);
	snprintf(tx->fail->reason + n, sizeof(tx->fail->reason) - n,
		 "; its %lld rejected records could not be stored either: load it again to "
		 "see them", tx->rejects.count);
	return rc;
}

/*
 * Units done of the plan as the reporter's position: known over several
 * units, or when the driver knows how far into its one unit it is.
 */
void source_progress(struct source_tx *tx, long long pages, double done, double total)
{
	double at = (double)tx->unit_no, of = tx->units > 1 ? (double)tx->units : 0;

	if (total > 0) {
		at += done < total ? done / total : 1;
		of = (double)tx->units;
	}
	progress_update(tx->progress, tx->before->pages + pages, tx->before->read + tx->c.read, at,
			of);
}

/*
 * One unit in one transaction: BEGIN, stage, reject ratio, merge, its
 * rejects, commit; ROLLBACK on any error, its rejects then stored in their
 * own. Its counts add to total (a failed unit's merge counts do not:
 * nothing merged). Returns 0, SOURCE_UNIT_SKIP, or -1 with f filled.
 */
static int load_unit(const struct source_ctx *ctx, const struct source_driver *d, void *state,
		     const struct source_plan *plan, size_t i, struct progress *progress,
		     struct load_counts *total, struct failure *f)
{
	const struct source_unit *u = &plan->v[i];
	int last = i + 1 == plan->n;
	struct source_tx tx = { .ctx = ctx, .unit = u, .fail = f, .progress = progress,
				.before = total, .unit_no = i, .units = plan->n };
	int rc;

	if (reject_log_open(&tx.rejects, ctx->run_id, ctx->src->name) < 0)
		return failure_set(f, u->label, "cannot open the reject spool");
	rc = db_exec(ctx->conn, "BEGIN") < 0 ? db_fail(f, u->label, "cannot begin a transaction")
					     : d->stage(state, &tx);
	if (rc == 0)
		rc = check_reject_ratio(&tx, total);
	if (rc == 0) {
		debug_point_at("merge", ctx->src->name);
		rc = d->merge(state, &tx);
	}
	if (rc == 0)
		rc = commit_unit(&tx, last, total);
	if (rc != 0) {
		db_rollback(ctx->conn);
		tx.c.inserted = tx.c.updated = tx.c.unchanged = tx.c.merged_customers = 0;
	}
	if (rc == SOURCE_UNIT_SKIP) {
		/* the driver said why (a warning); nothing of the unit counts */
		memset(&tx.c, 0, sizeof(tx.c));
		failure_clear(f);
	}
	if (d->unit_done)
		d->unit_done(state);
	load_counts_add(total, &tx.c);
	progress_update(progress, total->pages, total->read, (double)(i + 1), (double)plan->n);
	rc = store_rejects(ctx, &tx, rc);
	reject_log_close(&tx.rejects);
	failure_default_object(f, rc < 0 ? u->label : NULL);
	return rc;
}

/* Open the driver, plan and load every unit in order; stop at the first that fails. */
static int load_units(const struct source_ctx *ctx, const struct source_driver *d,
		      struct load_counts *counts, struct failure *f)
{
	struct source_plan plan = { 0 };
	struct progress progress;
	void *state = NULL;
	int rc;

	progress_begin(&progress, stderr, ctx->src->name);

	rc = d->open(ctx, &state, f);
	if (rc == 0)
		rc = d->plan(state, &plan, f);
	if (rc == 0 && plan.n == 0 && ctx->replay)
		log_warn("msg=\"nothing to replay\" source=%s raw_run=%lld dir=%s", ctx->src->name,
			 ctx->raw_run_id, ctx->replay_dir);
	for (size_t i = 0; rc == 0 && i < plan.n; i++)
		if (load_unit(ctx, d, state, &plan, i, &progress, counts, f) < 0)
			rc = -1;
	progress_end(&progress);
	if (state)
		d->close(state, rc < 0);
	source_plan_release(&plan);
	return rc;
}

/* Why a source cannot load at all, or 0. */
static int unloadable(const struct source_ctx *ctx, const struct source_driver *d,
		      struct failure *f)
{
	const char *type = ctx->src->type;

	if (!d)
		return failure_set(f, NULL, "unknown source type '%s'", type);
	/* a replay calls no API: it needs no secret */
	if (ctx->src->unset_env && !ctx->replay)
		return failure_set(f, NULL, "%s", ctx->src->unset_env);
	return 0;
}

/*
 * A failure may quote a file's values (a header that is a data row, a
 * database error naming a value): mobile numbers in it are masked before it
 * reaches the log, the terminal or etl.run_source.error.
 */
static void mask_failure(struct failure *f)
{
	char *text[] = { f->object, f->reason };
	size_t size[] = { sizeof(f->object), sizeof(f->reason) };
	struct buf masked = BUF_INIT;

	for (int i = 0; i < 2; i++) {
		buf_reset(&masked);
		if (pii_mask_phones_in_text(&masked, text[i], strlen(text[i])) > 0)
			snprintf(text[i], size[i], "%s", buf_str(&masked));
	}
	buf_release(&masked);
}

/* What siyu import's loads that share a row need to know of this one. */
static void share_done(struct source_share *sh, const struct load_counts *c, const char *error)
{
	load_counts_add(&sh->c, c);
	if (error && !sh->failure[0])
		snprintf(sh->failure, sizeof(sh->failure), "%s", error);
	sh->done++;
}

int source_load(const struct source_ctx *ctx, struct load_counts *counts, struct failure *f)
{
	const struct source_driver *d = source_driver_find(ctx->src->type);
	enum log_level level = db_failure_level;
	char text[sizeof(f->object) + sizeof(f->reason) + 4] = "";
	int rc, lost = 0;

	memset(counts, 0, sizeof(*counts));
	snprintf(f->source, sizeof(f->source), "%s", ctx->src->name);
	failure_clear(f);
	/* every failure below is reported once, through f */
	db_failure_level = LOG_DEBUG;
	if (!ctx->replay && !(ctx->share && ctx->share->done) &&
	    runlog_source_begin(ctx->conn, ctx->run_id, ctx->src->name) < 0)
		rc = db_fail(f, NULL, "cannot record the run");
	else
		rc = unloadable(ctx, d, f) < 0 ? -1 : load_units(ctx, d, counts, f);
	db_failure_level = level;
	if (rc < 0) {
		mask_failure(f);
		failure_text(f, text, sizeof(text));
		if (ctx->replay)
			log_error("msg=\"source failed\" source=%s raw_run=%lld object=%s reason=%s",
				  f->source, ctx->raw_run_id, f->object[0] ? f->object : "-",
				  f->reason);
		else
			failure_log(f, "source failed");
		/* A server restart fails the source that was loading; reconnect so that
		 * its failure is recorded and the next sources run. */
		lost = ctx->reconnect && ctx->reconnect(ctx->conn, ctx->command) < 0;
	}
	if (!ctx->replay && !lost)
		record_source(ctx, counts, 1, rc == 0 ? NULL : text);
	if (ctx->share)
		share_done(ctx->share, counts, rc == 0 ? NULL : text);
	return rc == 0 ? 0 : lost ? -2 : -1;
}
