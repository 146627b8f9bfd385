/*
 * debug.h — fault injection for the crash tests: die or pause at a named point.
 *
 * Two environment variables, read once per process, inert when unset (the
 * production case: one branch on a cached flag per call):
 *
 *   SIYU_DEBUG_ABORT_AT=POINT[:N]  the N-th time (default 1) this process
 *                                  reaches POINT, it prints one line to stderr
 *                                  and kills itself with SIGKILL, exactly as
 *                                  `kill -9` would: no cleanup, no rollback
 *                                  sent, no exit handler.
 *   SIYU_DEBUG_PAUSE_AT=POINT[:S]  every time the process reaches POINT it
 *                                  sleeps S seconds (default 1; decimals ok),
 *                                  to hold a transaction open while a test
 *                                  restarts the server or starts a second run;
 *                                  SIGUSR1 ends the pause early (a test gives a
 *                                  generous S, then signals when it is done).
 *
 * A point may also carry a name (debug_point_at): the API endpoint of a page,
 * the source of a merge or commit. POINT matches every arrival at the point,
 * POINT/NAME only the arrivals with that name, so N counts that endpoint's
 * pages or that source's windows. A test then says where it dies by what is
 * there ("extract/externalcontact/groupchat/get:3": the third groupchat/get
 * page; "merge/taobao_csv"), not by a call count that a new call would shift.
 *
 * The points (where debug_point() or debug_point_at() is called):
 *   extract   a raw-zone copy of an input file (csv) or a page (API
 *             sources) has been written, or read back by a replay; N
 *             counts files/pages; API pages are named by their endpoint
 *             (extract/user/get, extract/youzan.trades.sold.get/4.0.4, ...)
 *   copy      one record was handed to the COPY stream; N counts records
 *             over the whole process (the stream is sent in 1 MiB chunks;
 *             WeCom: one staged row, counted as its table's COPY opens)
 *   merge     the COPY into staging is complete, the merge is next;
 *             named by the source (merge/taobao_csv)
 *   commit    the merge and the watermark are done, COMMIT is next;
 *             named by the source (commit/wecom)
 *   script    siyu migrate committed a repeatable script; N counts scripts
 *   push      siyu push logged a WeCom call's answer in etl.push_log, its
 *             effect (etl.push_member, etl.push_tag) is not recorded yet;
 *             named by the endpoint (push/externalcontact/mark_tag)
 */
#ifndef SIYU_COMMON_DEBUG_H
#define SIYU_COMMON_DEBUG_H

/*
 * Count one arrival at point (a static string) and die or pause when the
 * environment asks for it; returns at once otherwise.
 */
void debug_point(const char *point);

/* The same for a named arrival at point: name is e.g. the endpoint of a page. */
void debug_point_at(const char *point, const char *name);

#endif /* SIYU_COMMON_DEBUG_H */
