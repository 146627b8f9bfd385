/*
 * wecom.h — the WeCom (企业微信) source: contacts, relationships, tags, customer
 * groups and the behaviour / group statistics of one corp, loaded by `siyu run`.
 *
 *   extract/wecom_api.c    token cache and one API call: HTTP (http.h), raw zone
 *                          page (rawzone.h), JSON, errcode policy
 *   source/wecom.c         the source: the call plan, paging, chunks, windows
 *   transform/wecom_json.c the API records -> COPY rows
 *   load/wecom_load.c      per-run temp staging tables, COPY, etl.wecom_merge
 *
 * The whole source is one transaction: staging, the callback spool (when the
 * receiver is built in), the snapshot diff and the statistics commit together
 * with the run's counts, or nothing does. See docs/schema.md "WeCom".
 */
#ifndef SIYU_SOURCE_WECOM_H
#define SIYU_SOURCE_WECOM_H

#include "siyu/source/source.h"

/*
 * The driver (include/siyu/source/source.h): one unit, the snapshot.
 *
 * Replay: the same call plan, each call answered by the run's next raw-zone
 * page instead of the API. Only the snapshot the warehouse holds, or a later
 * one, may be replayed (replay_floor: a WeCom run is a snapshot of the whole
 * corp, and an older one would reopen relationships and record removals
 * that never happened). A raw zone that ends early (the run failed) replays
 * nothing and is not an error; one that asks other calls than the plan is.
 * Callback events are not applied (the next run does).
 */
extern const struct source_driver wecom_driver;

#endif /* SIYU_SOURCE_WECOM_H */
