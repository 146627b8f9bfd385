/*
 * include/siyu/source/push.h — siyu push: audiences written back to WeCom as customer
 * tags (docs/actions.md "siyu push").
 *
 * For each audience with a push_tag: find the tag in the group [actions]
 * push_tag_group (get_corp_tag_list), add it when missing (add_corp_tag), tag the
 * owner relationship of every reachable member not tagged yet and untag those who
 * left (mark_tag), and with a message, create one group-message task per staff
 * member for the members not yet in one (add_msg_template). etl.push_member is the
 * memory of what was tagged, so a second push changes nothing and an interrupted
 * push continues where it stopped (a tag is a set in WeCom: tagging twice adds
 * nothing). Every call is logged in etl.push_log (load/push_store.c).
 */
#ifndef SIYU_SOURCE_PUSH_H
#define SIYU_SOURCE_PUSH_H

#include "siyu/common/config.h"
#include "siyu/load/push_store.h"

#include <libpq-fe.h>
#include <stdio.h>

struct push_opts {
	const char *audience; /* only this one; NULL: every audience with a push_tag */
	int dry_run;          /* read the tag list, call nothing that changes WeCom */
	FILE *report;         /* one line per audience, then the summary */
};

/*
 * Push with the wecom source src ([actions] push_source). Returns 0 when every
 * audience was pushed, -1 with err otherwise (what succeeded stays recorded).
 * *push_id is set as soon as the push is recorded (0 before), c adds up the
 * audiences.
 */
int push_run(PGconn *conn, const struct config *cfg, const struct config_source *src,
	     const struct push_opts *o, long long *push_id, struct push_counts *c, char *err,
	     size_t errlen);

#endif /* SIYU_SOURCE_PUSH_H */
