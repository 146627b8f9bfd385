/*
 * order_profile.h — the kinds of order file siyu reads: the generic CSV
 * profile and the order exports of the platforms' seller back offices.
 *
 * A profile is a table, not code: which header names (with the aliases seen
 * across export versions) hold which canonical field, the platform, the
 * status table (transform/order_status.c, shared with the platform's API
 * driver), the back office's time zone and how the file gives amounts.
 * docs/import-<profile>.md describes each one and cites its sources.
 */
#ifndef SIYU_TRANSFORM_ORDER_PROFILE_H
#define SIYU_TRANSFORM_ORDER_PROFILE_H

#include "siyu/transform/header_map.h"
#include "siyu/common/ltime.h"

#include <stddef.h>

struct csv_record;

/* How a profile's rows give the money of a line. */
enum profile_amounts {
	AMOUNTS_LINE,  /* each row carries its line's paid amount */
	AMOUNTS_ORDER  /* rows carry the order's payment; each line gets a share */
};

/* One file of a profile: its columns and what the back office calls it. */
struct profile_file {
	const char *label;               /* "宝贝报表"; "" for a one-file profile */
	const struct header_col *cols;
	size_t ncols;
};

struct order_profile {
	const char *name;                /* --profile NAME, profile = NAME */
	const char *platform;            /* dw platform; NULL: the file's platform column */
	const char *statuses;            /* order_status table of its labels */
	const char *zone;                /* back office's time zone; NULL: the source's */
	enum profile_amounts amounts;
	int export;                      /* 1: a back-office export (shop and version from outside) */
	struct profile_file lines;       /* the file of order lines */
	struct profile_file orders;      /* the order file of a two-file export (Taobao
					  * 订单报表); cols NULL for one-file profiles */
};

/* The profile called name (ASCII case-insensitive), or NULL. "auto" is not a profile. */
const struct order_profile *order_profile_find(const char *name);

/* "generic, taobao, jd, pdd, douyin, channels, youzan": every name, for messages. */
const char *order_profile_names(void);

/* Which file of its profile a header belongs to. */
enum profile_part { PROFILE_LINES, PROFILE_ORDERS };

/*
 * --profile auto: the profile (and which of its files) whose columns hdr has:
 * every required column present, the most of its columns found. NULL with
 * err filled when no profile fits (err names the closest one's missing
 * columns) or two fit equally well (err names both).
 */
const struct order_profile *order_profile_detect(const struct csv_record *hdr,
						  enum profile_part *part, char *err,
						  size_t errlen);

/*
 * Which file of p hdr is (for a two-file profile, by its columns): 0 and
 * *part set, or -1 with err filled when it fits neither.
 */
int order_profile_part(const struct order_profile *p, const struct csv_record *hdr,
		       enum profile_part *part, char *err, size_t errlen);

/* The columns of one file of p (the lines file for PROFILE_LINES). */
const struct profile_file *order_profile_file(const struct order_profile *p,
					      enum profile_part part);

/*
 * The export's time as its file name tells it, for the version of its rows:
 * a leading 10-digit unix time before '_' (抖店: "1791430000_订单.csv"; UTC),
 * else the first run of exactly 14 or 12 digits that reads as
 * YYYYMMDDhhmm[ss] (千牛: "ExportOrderList202503011230.csv"; a local time of
 * the back office). name is a base name. 0 and *out, or -1 when it says none.
 */
int order_profile_time_from_name(const char *name, struct ltime *out);

#endif /* SIYU_TRANSFORM_ORDER_PROFILE_H */
