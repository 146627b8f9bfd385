/*
 * header_map.h — find a file's columns by header NAME, with aliases.
 *
 * Merchant exports change their column sets and order between versions, and
 * spreadsheets re-saved by hand change the spelling of a name (full-width
 * parentheses, a trailing space, a BOM before the first name, 帐 for 账). A
 * profile lists, for each field it reads, every name the field has been seen
 * under; header_map_build finds them in a header record, whatever the order
 * (names compare after text_fold), and says precisely what is missing.
 *
 * Pure: no I/O, no allocation; every string is borrowed.
 */
#ifndef SIYU_TRANSFORM_HEADER_MAP_H
#define SIYU_TRANSFORM_HEADER_MAP_H

#include <stddef.h>

struct csv_record;

/* One field a profile reads: its number and every header name it goes by. */
struct header_col {
	int field;          /* the caller's field number, 0 <= field < nfields */
	const char *names;  /* '|'-separated names; the first is the documented one */
	int required;       /* 1: a header without any of the names is an error */
};

/*
 * Map the columns of hdr to fields: col[f] = the index of the column field f
 * reads, or -1 (also for fields no entry of cols names); col has nfields
 * entries. For each field the first of its names found in the header wins, so
 * a file holding two of them (订单编号 and 主订单编号) uses the earlier one.
 *
 * Only the first 512 columns of a header are looked at.
 *
 * Returns 0, or -1 with err filled when a required field has none of its
 * names in the header (err lists EVERY missing field, with its other names,
 * and then the names the header has) or when the chosen name appears twice.
 * ignored, when not NULL, receives the names of the columns no field reads,
 * comma-separated ("" when none), for the caller to report once.
 */
int header_map_build(const struct header_col *cols, size_t ncols, const struct csv_record *hdr,
		     int *col, int nfields, char *err, size_t errlen, char *ignored,
		     size_t ignoredlen);

/*
 * How well hdr fits cols, for choosing a profile from a header: the number of
 * entries of cols with one of their names in hdr, or -1 when a required one
 * is missing.
 */
int header_map_score(const struct header_col *cols, size_t ncols, const struct csv_record *hdr);

#endif /* SIYU_TRANSFORM_HEADER_MAP_H */
