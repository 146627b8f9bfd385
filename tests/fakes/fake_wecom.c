/*
 * fake_wecom.c — a fake WeCom (企业微信) server for tests and the demo (libmicrohttpd).
 *
 *   fake_wecom [--port N] [--port-file FILE] [--seed N] [--staff N] [--customers N]
 *              [--groups N] [--history-days N] [--corpid ID] [--secret S]
 *              [--token-ttl SECS] [--token-real-ttl SECS] [--untrusted-ip]
 *              [--fault SPEC]... [--shared-contacts FILE] [--end DATE] [--verbose]
 *   fake_wecom --port N --admin PATH     (a client for the admin endpoints below)
 *
 * Serves a corp generated from the seed (deterministic) with WeCom's real shapes on
 * 127.0.0.1: gettoken (corpid/secret checks, token expiry), access_token on every
 * call (41001 / 40014 / 42001; --token-real-ttl ends tokens before their announced
 * expires_in, as WeCom may), get_follow_user_list, list (84061 for a member
 * without customers), batch/get_by_user (≤100 userids, cursor, limit clamped to 100),
 * get_corp_tag_list, groupchat/list (owner_filter ≤100, 81017 without it over 1000
 * staff, limit 1..1000, cursor), groupchat/get, get_user_behavior_data (one series per
 * call, several userids summed, 600018 for milliseconds / over 30 days / before 180
 * days) and groupchat/statistic_group_by_day (600018 for today or later); and from the
 * address book user/get (60111 for an unknown userid) and department/list. What
 * siyu push writes back: add_corp_tag (into group_id, else the group named group_name,
 * created when missing; 40071 for a name already in the group, 40068 for an unknown
 * group_id), mark_tag (41017 with neither add_tag nor remove_tag, 60111 unknown userid,
 * 40096 unknown external_userid, 84061 no active relationship, 40068 unknown tag; a tag
 * already on the relationship is kept once) and add_msg_template (chat_type single:
 * receivers who are not the sender's customers in fail_list, 41048 when none is left).
 *
 * --shared-contacts FILE adds, after the generated corp (which stays the same), one
 * external contact per line of FILE that shares an identifier with customers known
 * elsewhere (the demo: the sample's buyers), so that identity resolution links them:
 *
 *   MOBILE,UNIONID,ANCHOR     e.g. 13800000012,,2025-03-04 10:11:12
 *
 * MOBILE goes into remark_mobiles, UNIONID into unionid (either may be empty, not both);
 * ANCHOR ("YYYY-MM-DD HH:MM:SS" China time, may be empty) is the person's first order.
 * Each gets one relationship with a seller whose createtime depends on the line's number
 * k (0-based): k % 10 in 0..3 a few hours to 25 days before ANCHOR (converts within 30
 * days), 4..5 40 to 150 days before it (converts later), 6..9 1 to 150 days after it
 * (already a buyer); kept between the first day of the earliest ANCHOR's month and the
 * latest ANCHOR (and before yesterday); no ANCHOR: anywhere in that span. Drawn from a
 * stream of its own (seeded by --seed). /__admin/expect then also reports
 * shared_contacts, shared_mobiles, shared_unionids, shared_before_anchor and
 * shared_within_30d (added at most 30 China days before ANCHOR, not after it).
 * '#' lines and empty lines are skipped.
 *
 * --end DATE (YYYY-MM-DD, China time; default yesterday): the generated history's last
 * day, so that the corp is the same whatever day it is served (the pinned demo,
 * DEMO_END). Only what a request itself dates still follows the wall clock: the
 * statistics APIs' range rules (today and 180 days back, as WeCom's), the daily
 * statistics (a hash of seed, member and day, served for any day asked), token expiry
 * and what /__admin/mutate changes (stamped now).
 *
 * Port 0 (the default) picks a free port; it is printed on stdout and written to
 * --port-file. SIGTERM / SIGINT stop the server.
 *
 * Admin endpoints (no token):
 *   POST /__admin/fault?SPEC      add a fault rule (tests/fakes/lib/fake_server.h: http,
 *        slow_ms, truncate, invalid_json, token_invalid — every token invalidated, the
 *        call then gets 40014 —, at, count, path — default every business call, gettoken
 *        only when P names it —, clear), and WeCom's own:
 *        errcode=C            answer errcode C (45009, -1, 40014, ...) instead
 *        string_numbers=1     every number as a string ("gender":"1") from now on
 *        null_fields=1        absent and empty optional fields as null from now on
 *        bad_records=1        the first relationship page carries three bad records
 *        (clear=1 also ends these modes)
 *   POST /__admin/mutate?readd=USERID/EXTID   that relationship is added again (new createtime)
 *   POST /__admin/mutate?step=N   change the corp (deterministic per seed and step):
 *        step 1: adds, staff-side deletions, remark and tag changes, group joins,
 *                quits, a dismissal and a new group; step 2: re-adds of deleted
 *                relationships, more joins; step 3: a staff member (one without
 *                groups) leaves the follow list. Answers what it did.
 *   GET  /__admin/expect[?from=UNIX&to=UNIX]  the truth the warehouse must match
 *   GET  /__admin/stats           calls per endpoint, tokens issued, faults fired, and
 *                                 tags, tag groups and group-message tasks added by calls
 *   GET  /__admin/tagged?name=N   live tags named N and the active relationships with one
 */
#include "lib/fake_server.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY FAKE_DAY
#define CN_OFFSET FAKE_CN_OFFSET
#define MAX_TAGS_PER_REL 4   /* generated; mark_tag may add more, up to REL_TAG_CAP */
#define REL_TAG_CAP 32

/* ---- the corp ------------------------------------------------------------------------- */

struct staff {
	char userid[32];
	int follow;       /* in the follow-user list */
	int no_customers; /* generated without relationships */
};

struct customer {
	char ext[40];
	char name[48];
	int type, gender;
	char unionid[40];
	char corp_name[48];
	char phone[16];
	int ever_seen; /* visible in some snapshot so far */
};

struct rel {
	int staff, cust;
	int64_t createtime;
	int add_way;
	char state[24];
	char remark[96];
	int tags[REL_TAG_CAP];
	int ntags;
	int phone_remark;
	int active;
};

struct tag_group {
	char id[32];
	char name[96];
	int64_t create_time;
	int order;
};

struct tag {
	char id[32];
	char name[112];
	int group;
	int64_t create_time;
	int order;
	int deleted;
};

struct member {
	int type; /* 1 staff, 2 external */
	int who;  /* staff or customer index */
	int64_t join_time;
	int join_scene;
	int invitor; /* staff index or -1 */
	int active;
};

struct group {
	char chat_id[40];
	char name[48];
	int owner;
	int64_t create_time;
	struct member *m;
	int nm, cap;
	int dismissed;
	int version;
};

#define ARRAY(T) struct { T *v; int n, cap; }

/* Call a void handler and return (ISO C has no "return void_expr;"). */
#define RETURN_CALL(call) do { call; return; } while (0)

static struct {
	uint64_t seed;
	int64_t base;     /* generated history starts here: China midnight, history_days ago */
	int64_t end;      /* and ends here: the midnight after its last day (--end) */
	int history_days;
	ARRAY(struct staff) staff;
	ARRAY(struct customer) cust;
	ARRAY(struct rel) rel;
	ARRAY(struct tag_group) tgroup;
	ARRAY(struct tag) tag;
	ARRAY(struct group) group;
	/* cumulative truth */
	long add_events, remove_events, join_spans, quits, dismissed, groups_ever, steps_done;
	/* what siyu push did: tags and groups added, group-message tasks and their receivers */
	long tags_added, groups_added, msg_tasks, msg_receivers;
	int64_t started; /* ids of added tags carry it: unique across restarts, as WeCom's are */
} corp;

#define PUSH(arr) (((arr).n == (arr).cap ? grow((void **)&(arr).v, &(arr).cap, sizeof(*(arr).v)) : 0), \
		   memset(&(arr).v[(arr).n], 0, sizeof(*(arr).v)), &(arr).v[(arr).n++])

static int grow(void **v, int *cap, size_t size)
{
	int ncap = *cap ? *cap * 2 : 64;
	void *p = realloc(*v, (size_t)ncap * size);

	if (!p) {
		fprintf(stderr, "fake_wecom: out of memory\n");
		exit(1);
	}
	*v = p;
	*cap = ncap;
	return 0;
}

/* ---- deterministic randomness --------------------------------------------------------- */

static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state += 0x9e3779b97f4a7c15ULL;
	return mix(rng_state);
}

static int rndn(int n)
{
	return n > 0 ? (int)(rnd() % (uint64_t)n) : 0;
}

static void rnd_id(char *out, size_t n, const char *prefix, int len)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	size_t p = (size_t)snprintf(out, n, "%s", prefix);

	for (int i = 0; i < len && p + 1 < n; i++)
		out[p++] = chars[rnd() % (sizeof(chars) - 1)];
	out[p] = '\0';
}

/* ---- generation ------------------------------------------------------------------------- */

static const char *const given[] = { "周小满", "王芳", "李娜", "张伟", "刘洋", "陈静", "杨敏",
				     "赵磊", "黄丽", "吴强", "Tom Wu", "Lily" };
static const int add_ways[] = { 1, 2, 3, 4, 5, 6, 7, 9, 10, 16, 201, 202 };

static int new_customer(int with_phone)
{
	struct customer *c = PUSH(corp.cust);
	int i = corp.cust.n - 1;

	rnd_id(c->ext, sizeof(c->ext), "wm", 30);
	snprintf(c->name, sizeof(c->name), "%s%d", given[rndn((int)(sizeof(given) / sizeof(given[0])))], i);
	c->type = rndn(100) < 85 ? 1 : 2;
	c->gender = rndn(3);
	if (c->type == 1 && rndn(100) < 60)
		rnd_id(c->unionid, sizeof(c->unionid), "oU", 26);
	if (c->type == 2)
		snprintf(c->corp_name, sizeof(c->corp_name), "星河贸易%d", i);
	if (with_phone)
		snprintf(c->phone, sizeof(c->phone), "139%08d", i);
	return i;
}

static void rel_tags(struct rel *r)
{
	int want = rndn(4);

	r->ntags = 0;
	for (int k = 0; k < want && corp.tag.n; k++) {
		int t = rndn(corp.tag.n), dup = 0;

		if (corp.tag.v[t].deleted)
			continue;
		for (int j = 0; j < r->ntags; j++)
			dup |= r->tags[j] == t;
		if (!dup)
			r->tags[r->ntags++] = t;
	}
}

static int staff_has_rel(int s, int c)
{
	for (int i = 0; i < corp.rel.n; i++)
		if (corp.rel.v[i].staff == s && corp.rel.v[i].cust == c && corp.rel.v[i].active)
			return 1;
	return 0;
}

static struct rel *new_rel(int s, int c, int64_t createtime)
{
	struct rel *r = PUSH(corp.rel);

	r->staff = s;
	r->cust = c;
	r->createtime = createtime;
	r->add_way = add_ways[rndn((int)(sizeof(add_ways) / sizeof(add_ways[0])))];
	if (rndn(100) < 30)
		snprintf(r->state, sizeof(r->state), "store_sh_%03d", rndn(20));
	if (rndn(100) < 40)
		snprintf(r->remark, sizeof(r->remark), "%s-%s", corp.cust.v[c].name,
			 rndn(2) ? "vip" : "618");
	r->phone_remark = corp.cust.v[c].phone[0] && rndn(100) < 70;
	rel_tags(r);
	r->active = 1;
	corp.add_events++;
	return r;
}

/* A staff member with customers, at random. */
static int pick_seller(void)
{
	for (int tries = 0; tries < 1000; tries++) {
		int s = rndn(corp.staff.n);

		if (!corp.staff.v[s].no_customers && corp.staff.v[s].follow)
			return s;
	}
	return 0;
}

static void bump(struct group *g)
{
	g->version++;
}

static void add_member(struct group *g, int type, int who, int64_t t, int scene, int invitor)
{
	struct member *m;

	if (g->nm == g->cap)
		grow((void **)&g->m, &g->cap, sizeof(*g->m));
	m = &g->m[g->nm++];
	m->type = type;
	m->who = who;
	m->join_time = t;
	m->join_scene = scene;
	m->invitor = invitor;
	m->active = 1;
	corp.join_spans++;
	bump(g);
}

static int in_group(const struct group *g, int type, int who)
{
	for (int i = 0; i < g->nm; i++)
		if (g->m[i].active && g->m[i].type == type && g->m[i].who == who)
			return 1;
	return 0;
}

/* Ever a member (a span, open or closed): joins pick newcomers only. */
static int ever_in_group(const struct group *g, int type, int who)
{
	for (int i = 0; i < g->nm; i++)
		if (g->m[i].type == type && g->m[i].who == who)
			return 1;
	return 0;
}

/* A group created at created, its members joined by now at the latest. */
static struct group *new_group(int owner, int64_t created, int64_t now, int customers)
{
	struct group *g = PUSH(corp.group);
	int i = corp.group.n - 1;
	int64_t span = now - created;

	if (span > 30 * DAY)
		span = 30 * DAY;

	rnd_id(g->chat_id, sizeof(g->chat_id), "wr", 22);
	snprintf(g->name, sizeof(g->name), "静安店VIP群%03d", i + 1);
	g->owner = owner;
	g->create_time = created;
	add_member(g, 1, owner, created, 1, -1);
	if (rndn(100) < 30) {
		int other = rndn(corp.staff.n);

		if (other != owner && corp.staff.v[other].follow)
			add_member(g, 1, other, created + 60, 1, owner);
	}
	for (int k = 0; k < customers && corp.cust.n; k++) {
		int c = rndn(corp.cust.n);

		if (in_group(g, 2, c))
			continue;
		add_member(g, 2, c, created + 60 + rndn((int)(span - 60)), 1 + rndn(3),
			   rndn(2) ? owner : -1);
	}
	corp.groups_ever++;
	return g;
}

static int64_t cn_day(int64_t t);

static void generate(int nstaff, int ncust, int ngroups)
{
	/* the same corp all day long: times count back from the end of its last day */
	corp.base = corp.end - (int64_t)corp.history_days * DAY;
	rng_state = mix(corp.seed);
	for (int i = 0; i < nstaff; i++) {
		struct staff *s = PUSH(corp.staff);

		snprintf(s->userid, sizeof(s->userid), "sales%03d", i + 1);
		s->follow = 1;
		s->no_customers = nstaff > 2 && i % 7 == 6;
	}
	for (int g = 0; g < 3; g++) {
		struct tag_group *tg = PUSH(corp.tgroup);

		rnd_id(tg->id, sizeof(tg->id), "etGRP", 10);
		snprintf(tg->name, sizeof(tg->name), "%s", g == 0 ? "客户等级" : g == 1 ? "来源" : "兴趣");
		tg->create_time = corp.base - 30 * DAY + g * 100;
		tg->order = 10 - g;
		for (int t = 0; t < 4; t++) {
			struct tag *tag = PUSH(corp.tag);

			rnd_id(tag->id, sizeof(tag->id), "etTAG", 12);
			snprintf(tag->name, sizeof(tag->name), "%s-%c", tg->name, 'A' + t);
			tag->group = g;
			tag->create_time = tg->create_time + t;
			tag->order = 4 - t;
		}
	}
	for (int i = 0; i < ncust; i++)
		new_customer(rndn(100) < 30);
	/* 90 % of the customers have 1-3 relationships; the others appear in groups only */
	for (int c = 0; c < ncust; c++) {
		int nrel = rndn(100) < 90 ? 1 + (rndn(10) < 2) + (rndn(20) == 0) : 0;
		int sellers[3], nsellers = 0;

		/* the customer's sellers so far, not staff_has_rel(): linear, not quadratic */
		for (int k = 0; k < nrel; k++) {
			int s = pick_seller(), dup = 0;

			for (int j = 0; j < nsellers; j++)
				dup |= sellers[j] == s;
			if (dup)
				continue;
			sellers[nsellers++] = s;
			new_rel(s, c, corp.base + rndn(corp.history_days - 1) * DAY + rndn((int)DAY));
		}
	}
	for (int i = 0; i < ngroups && nstaff; i++)
		new_group(pick_seller(), corp.base + rndn(corp.history_days * 4 / 5) * DAY + rndn((int)DAY),
			  corp.base + corp.history_days * DAY, 3 + rndn(10));
}

/* ---- shared contacts (--shared-contacts FILE) ---------------------------------------------- */

static struct {
	long contacts, mobiles, unionids, before_anchor, within_30d;
	int on;
} shared;

/* Midnight (China time) of the first day of t's month. */
static int64_t month_start_cn(int64_t t)
{
	int64_t z = (t + CN_OFFSET) / DAY + 719468; /* civil_from_days, day of month only */
	int64_t era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int64_t mday = doy - (153 * mp + 2) / 5 + 1;

	return cn_day(t) - (mday - 1) * DAY;
}

struct shared_line {
	char mobile[16], unionid[40];
	int64_t anchor; /* -1 none */
};

/* Copy field [p, end) into out (size n); -1 when it does not fit. */
static int copy_field(char *out, size_t n, const char *p, const char *end)
{
	size_t len = (size_t)(end - p);

	while (len && (p[len - 1] == ' ' || p[len - 1] == '\r'))
		len--;
	while (len && *p == ' ') {
		p++;
		len--;
	}
	if (len >= n)
		return -1;
	memcpy(out, p, len);
	out[len] = '\0';
	return 0;
}

static int parse_shared_line(char *line, struct shared_line *sl)
{
	char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL, *end;
	char anchor[32];

	if (!c2)
		return -1;
	end = c2 + 1 + strcspn(c2 + 1, "\r\n");
	if (copy_field(sl->mobile, sizeof(sl->mobile), line, c1) < 0 ||
	    copy_field(sl->unionid, sizeof(sl->unionid), c1 + 1, c2) < 0 ||
	    copy_field(anchor, sizeof(anchor), c2 + 1, end) < 0)
		return -1;
	if (!sl->mobile[0] && !sl->unionid[0])
		return -1;
	for (const char *p = sl->mobile; *p; p++)
		if ((*p < '0' || *p > '9') && *p != '+')
			return -1;
	sl->anchor = -1;
	if (anchor[0] && (sl->anchor = fake_parse_cn_time(anchor)) < 0)
		return -1;
	return 0;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* --shared-contacts FILE: see the comment at the top. 0, or -1 with a message. */
static int add_shared_contacts(const char *path)
{
	FILE *f = fopen(path, "r");
	struct shared_line *lines = NULL;
	int n = 0, cap = 0, lineno = 0;
	char buf[512];
	int64_t lo = INT64_MAX, hi = INT64_MIN, latest = corp.end - DAY;
	uint64_t saved = rng_state;

	if (!f) {
		fprintf(stderr, "fake_wecom: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		struct shared_line sl;
		const char *p = buf + strspn(buf, " \t");

		lineno++;
		if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
			continue;
		if (parse_shared_line(buf, &sl) < 0) {
			fprintf(stderr, "fake_wecom: %s:%d: expected MOBILE,UNIONID,ANCHOR\n", path, lineno);
			fclose(f);
			free(lines);
			return -1;
		}
		if (n == cap)
			grow((void **)&lines, &cap, sizeof(*lines));
		lines[n++] = sl;
		if (sl.anchor >= 0) {
			lo = sl.anchor < lo ? sl.anchor : lo;
			hi = sl.anchor > hi ? sl.anchor : hi;
		}
	}
	fclose(f);
	if (lo == INT64_MAX) { /* no anchors: the generated history */
		lo = corp.base;
		hi = corp.base + (int64_t)corp.history_days * DAY;
	} else {
		lo = month_start_cn(lo); /* from the first day of the earliest anchor's month */
	}
	hi = hi < latest ? hi : latest;
	if (lo > hi)
		lo = hi - 30 * DAY;

	rng_state = mix(corp.seed ^ 0x5348415245444b59ULL); /* a stream of its own */
	for (int k = 0; k < n; k++) {
		const struct shared_line *sl = &lines[k];
		struct customer *c = PUSH(corp.cust);
		int ci = corp.cust.n - 1, cls = k % 10, s;
		int64_t a = sl->anchor, t;
		struct rel *r;

		rnd_id(c->ext, sizeof(c->ext), "wm", 30);
		snprintf(c->name, sizeof(c->name), "%s%d", given[rndn((int)(sizeof(given) / sizeof(given[0])))], ci);
		c->type = 1;
		c->gender = rndn(3);
		snprintf(c->unionid, sizeof(c->unionid), "%s", sl->unionid);
		snprintf(c->phone, sizeof(c->phone), "%s", sl->mobile);
		if (a < 0)
			t = lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
		else if (cls < 4)
			t = a - 3600 - (int64_t)(rnd() % (uint64_t)(25 * DAY - 3600));
		else if (cls < 6)
			t = a - 40 * DAY - (int64_t)(rnd() % (uint64_t)(110 * DAY));
		else
			t = a + DAY + (int64_t)(rnd() % (uint64_t)(149 * DAY));
		t = clamp64(t, lo, hi);
		s = pick_seller();
		r = new_rel(s, ci, t);
		r->phone_remark = c->phone[0] != '\0';
		shared.contacts++;
		shared.mobiles += c->phone[0] != '\0';
		shared.unionids += c->unionid[0] != '\0';
		if (a >= 0 && t <= a) {
			shared.before_anchor++;
			shared.within_30d += cn_day(a) - cn_day(t) <= 30 * DAY;
		}
	}
	rng_state = saved;
	shared.on = 1;
	free(lines);
	return 0;
}

/* Mark every customer visible now as seen (the warehouse keeps customers forever). */
static void mark_seen(void)
{
	for (int i = 0; i < corp.rel.n; i++)
		if (corp.rel.v[i].active && corp.staff.v[corp.rel.v[i].staff].follow)
			corp.cust.v[corp.rel.v[i].cust].ever_seen = 1;
	for (int g = 0; g < corp.group.n; g++) {
		struct group *gr = &corp.group.v[g];

		if (gr->dismissed || !corp.staff.v[gr->owner].follow)
			continue;
		for (int i = 0; i < gr->nm; i++)
			if (gr->m[i].active && gr->m[i].type == 2)
				corp.cust.v[gr->m[i].who].ever_seen = 1;
	}
}

/* ---- faults and modes ------------------------------------------------------------------- */

enum wecom_fault { F_ERRCODE };

/* Modes: how every answer is written from now on (clear=1 ends them). */
static struct {
	int string_numbers, null_fields, bad_records;
} faults;

static struct fake_server server;

static struct {
	char corpid[64], secret[128];
	long token_ttl;      /* expires_in announced */
	long token_real_ttl; /* how long a token really lives (WeCom may end it early); 0 = ttl */
	int untrusted_ip;
} opt = { "ww-test-corp", "test-secret", 7200, 0, 0 };

struct token {
	char value[80];
	time_t expires;
};

static struct {
	struct token *v;
	int n, cap;
	long issued;
	long calls;
	long by_endpoint[16];
} tokens;

/* ---- JSON helpers ---------------------------------------------------------------------- */

static struct json_object *jint(int64_t v)
{
	if (faults.string_numbers) {
		char s[32];

		snprintf(s, sizeof(s), "%" PRId64, v);
		return json_object_new_string(s);
	}
	return json_object_new_int64(v);
}

static struct json_object *jdec(double v)
{
	char s[32];

	snprintf(s, sizeof(s), "%.2f", v);
	/* trim like WeCom: 87.50 -> 87.5, 100.00 -> 100 */
	size_t n = strlen(s);
	while (n && s[n - 1] == '0')
		s[--n] = '\0';
	if (n && s[n - 1] == '.')
		s[--n] = '\0';
	if (faults.string_numbers)
		return json_object_new_string(s);
	return json_object_new_double_s(v, s);
}

static void add_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, jint(v));
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

/* An optional string: omitted when empty (or null in null_fields mode). */
static void add_opt(struct json_object *o, const char *k, const char *v)
{
	if (v && *v)
		add_str(o, k, v);
	else if (faults.null_fields)
		json_object_object_add(o, k, NULL);
}

/* A string that WeCom always sends, possibly "" (null in null_fields mode). */
static void add_always(struct json_object *o, const char *k, const char *v)
{
	if ((!v || !*v) && faults.null_fields)
		json_object_object_add(o, k, NULL);
	else
		add_str(o, k, v ? v : "");
}

static struct json_object *ok_obj(void)
{
	struct json_object *o = json_object_new_object();

	add_int(o, "errcode", 0);
	add_str(o, "errmsg", "ok");
	return o;
}

static struct json_object *err_obj(int code, const char *msg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "errcode", json_object_new_int(code));
	add_str(o, "errmsg", msg);
	return o;
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* Midnight (China time) of the day holding t. */
static int64_t cn_day(int64_t t)
{
	return (t + CN_OFFSET) / DAY * DAY - CN_OFFSET;
}

/* string array of a JSON object's key; NULL when missing or not an array */
static struct json_object *jarr(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

static int staff_index(const char *userid)
{
	for (int i = 0; i < corp.staff.n; i++)
		if (strcmp(corp.staff.v[i].userid, userid) == 0)
			return i;
	return -1;
}

/* ---- tokens ------------------------------------------------------------------------------ */

static void issue_token(char *out, size_t n)
{
	struct token *t;

	if (tokens.n == tokens.cap)
		grow((void **)&tokens.v, &tokens.cap, sizeof(*tokens.v));
	t = &tokens.v[tokens.n++];
	tokens.issued++;
	snprintf(t->value, sizeof(t->value), "tok%ld-", tokens.issued);
	rnd_id(t->value + strlen(t->value), sizeof(t->value) - strlen(t->value), "", 48);
	t->expires = time(NULL) + (opt.token_real_ttl ? opt.token_real_ttl : opt.token_ttl);
	snprintf(out, n, "%s", t->value);
}

/* 0 valid, else the errcode */
static int check_token(const char *tok)
{
	if (!tok || !*tok)
		return 41001;
	for (int i = 0; i < tokens.n; i++) {
		if (strcmp(tokens.v[i].value, tok) == 0)
			return time(NULL) < tokens.v[i].expires ? 0 : 42001;
	}
	return 40014;
}

static void handle_gettoken(struct fake_request *c, struct fake_reply *r)
{
	const char *id = fake_query(c, "corpid"), *sec = fake_query(c, "corpsecret");
	struct json_object *o;
	char tok[128];

	if (!id || !*id)
		RETURN_CALL(fake_reply_json(r, err_obj(41002, "corpid missing")));
	if (!sec || !*sec)
		RETURN_CALL(fake_reply_json(r, err_obj(41004, "corpsecret missing")));
	if (opt.untrusted_ip)
		RETURN_CALL(fake_reply_json(r, err_obj(60020, "not allow to access from your ip")));
	if (strcmp(id, opt.corpid) != 0)
		RETURN_CALL(fake_reply_json(r, err_obj(40013, "invalid corpid")));
	if (strcmp(sec, opt.secret) != 0)
		RETURN_CALL(fake_reply_json(r, err_obj(40001, "invalid credential")));
	issue_token(tok, sizeof(tok));
	o = ok_obj();
	add_str(o, "access_token", tok);
	add_int(o, "expires_in", opt.token_ttl);
	fake_reply_json(r, o);
}

/* ---- API handlers ------------------------------------------------------------------------ */

static void handle_follow_users(struct fake_reply *r)
{
	struct json_object *o = ok_obj(), *a = json_object_new_array();

	for (int i = 0; i < corp.staff.n; i++)
		if (corp.staff.v[i].follow)
			json_object_array_add(a, json_object_new_string(corp.staff.v[i].userid));
	json_object_object_add(o, "follow_user", a);
	fake_reply_json(r, o);
}

/*
 * The address book (通讯录): a self-built app reads a member's name and department ids
 * with user/get and the departments' names with department/list. Member i (0-based) is
 * 员工<i+1>; its departments: 2 华东大区 (even i) or 3 华南大区 (odd i), and also
 * 4 会员运营部 when i % 3 == 0. Department 1 is the corp's root.
 */
static const struct {
	int id, parent;
	const char *name;
} fake_departments[] = {
	{ 1, 0, "山野咖啡" }, { 2, 1, "华东大区" }, { 3, 1, "华南大区" }, { 4, 1, "会员运营部" },
};

static void handle_user_get(struct fake_request *c, struct fake_reply *r)
{
	const char *u = fake_query(c, "userid");
	int s = u ? staff_index(u) : -1;
	struct json_object *o, *dept;
	char name[32];

	if (!u || !*u)
		RETURN_CALL(fake_reply_json(r, err_obj(41009, "missing userid")));
	if (s < 0)
		RETURN_CALL(fake_reply_json(r, err_obj(60111, "userid not found")));
	o = ok_obj();
	dept = json_object_new_array();
	snprintf(name, sizeof(name), "员工%d", s + 1);
	add_str(o, "userid", corp.staff.v[s].userid);
	add_str(o, "name", name);
	json_object_array_add(dept, json_object_new_int(s % 2 == 0 ? 2 : 3));
	if (s % 3 == 0)
		json_object_array_add(dept, json_object_new_int(4));
	json_object_object_add(o, "department", dept);
	add_int(o, "main_department", s % 2 == 0 ? 2 : 3);
	add_int(o, "status", 1);
	fake_reply_json(r, o);
}

static void handle_department_list(struct fake_reply *r)
{
	struct json_object *o = ok_obj(), *a = json_object_new_array();

	for (size_t i = 0; i < sizeof(fake_departments) / sizeof(fake_departments[0]); i++) {
		struct json_object *d = json_object_new_object();

		add_int(d, "id", fake_departments[i].id);
		add_str(d, "name", fake_departments[i].name);
		add_int(d, "parentid", fake_departments[i].parent);
		add_int(d, "order", 100000000 - (int)i);
		json_object_array_add(a, d);
	}
	json_object_object_add(o, "department", a);
	fake_reply_json(r, o);
}

static void handle_list(struct fake_request *c, struct fake_reply *r)
{
	const char *u = fake_query(c, "userid");
	int s = u ? staff_index(u) : -1;
	struct json_object *o, *a;

	if (s < 0 || !corp.staff.v[s].follow)
		RETURN_CALL(fake_reply_json(r, err_obj(60111, "invalid userid")));
	a = json_object_new_array();
	for (int i = 0; i < corp.rel.n; i++)
		if (corp.rel.v[i].active && corp.rel.v[i].staff == s)
			json_object_array_add(a, json_object_new_string(corp.cust.v[corp.rel.v[i].cust].ext));
	if (json_object_array_length(a) == 0) {
		json_object_put(a);
		o = err_obj(84061, "not external contact");
		json_object_object_add(o, "external_userid", json_object_new_array());
		RETURN_CALL(fake_reply_json(r, o));
	}
	o = ok_obj();
	json_object_object_add(o, "external_userid", a);
	fake_reply_json(r, o);
}

static struct json_object *contact_item(const struct rel *rl)
{
	const struct customer *cu = &corp.cust.v[rl->cust];
	struct json_object *item = json_object_new_object(), *ec = json_object_new_object();
	struct json_object *fi = json_object_new_object(), *tags = json_object_new_array();
	struct json_object *phones = json_object_new_array();

	add_str(ec, "external_userid", cu->ext);
	add_str(ec, "name", cu->name);
	add_str(ec, "avatar", "https://wx.qlogo.cn/mmhead/fake/0");
	add_int(ec, "type", cu->type);
	add_int(ec, "gender", cu->gender);
	add_opt(ec, "unionid", cu->unionid);
	if (cu->type == 2) {
		add_str(ec, "position", "采购经理");
		add_str(ec, "corp_name", cu->corp_name);
		add_str(ec, "corp_full_name", cu->corp_name);
	} else if (faults.null_fields) {
		json_object_object_add(ec, "position", NULL);
		json_object_object_add(ec, "corp_name", NULL);
		json_object_object_add(ec, "corp_full_name", NULL);
	}
	add_str(fi, "userid", corp.staff.v[rl->staff].userid);
	add_always(fi, "remark", rl->remark);
	add_always(fi, "description", "");
	add_int(fi, "createtime", rl->createtime);
	for (int i = 0; i < rl->ntags; i++)
		json_object_array_add(tags, json_object_new_string(corp.tag.v[rl->tags[i]].id));
	if (rl->ntags == 0 && faults.null_fields) {
		json_object_put(tags);
		json_object_object_add(fi, "tag_id", NULL);
	} else {
		json_object_object_add(fi, "tag_id", tags);
	}
	add_always(fi, "remark_corp_name", "");
	if (rl->phone_remark)
		json_object_array_add(phones, json_object_new_string(cu->phone));
	if (!rl->phone_remark && faults.null_fields) {
		json_object_put(phones);
		json_object_object_add(fi, "remark_mobiles", NULL);
	} else {
		json_object_object_add(fi, "remark_mobiles", phones);
	}
	add_str(fi, "oper_userid", rl->add_way == 1 ? cu->ext : corp.staff.v[rl->staff].userid);
	add_int(fi, "add_way", rl->add_way);
	add_opt(fi, "state", rl->state);
	json_object_object_add(item, "external_contact", ec);
	json_object_object_add(item, "follow_info", fi);
	return item;
}

/* Cursor: "c" <offset> "." <hash of the list>, so a changed list is noticed. */
static uint64_t list_hash(struct json_object *list)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(list, i));

		for (; s && *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return h;
}

static int parse_cursor(const char *cur, uint64_t hash, long *offset)
{
	unsigned long long h;
	long off;

	*offset = 0;
	if (!cur || !*cur)
		return 0;
	if (sscanf(cur, "c%ld.%llx", &off, &h) != 2 || off < 0 || h != hash)
		return -1;
	*offset = off;
	return 0;
}

static void set_cursor(struct json_object *o, long next, long total, uint64_t hash)
{
	char s[64];

	if (next >= total) {
		if (faults.null_fields)
			json_object_object_add(o, "next_cursor", NULL);
		else
			add_str(o, "next_cursor", "");
		return;
	}
	snprintf(s, sizeof(s), "c%ld.%llx", next, (unsigned long long)hash);
	add_str(o, "next_cursor", s);
}

static void add_bad_records(struct json_object *list, const char *userid)
{
	struct json_object *a = json_object_new_object(), *ec = json_object_new_object(),
			   *fi = json_object_new_object();

	/* no external_userid */
	add_str(ec, "name", "没有ID");
	add_int(ec, "type", 1);
	add_str(fi, "userid", userid);
	add_int(fi, "createtime", corp.base);
	json_object_object_add(a, "external_contact", ec);
	json_object_object_add(a, "follow_info", fi);
	json_object_array_add(list, a);
	/* createtime 0 */
	a = json_object_new_object(), ec = json_object_new_object(), fi = json_object_new_object();
	add_str(ec, "external_userid", "wmBADzeroCreatetime000000000000");
	add_str(ec, "name", "零时");
	add_str(fi, "userid", userid);
	add_int(fi, "createtime", 0);
	json_object_object_add(a, "external_contact", ec);
	json_object_object_add(a, "follow_info", fi);
	json_object_array_add(list, a);
	/* createtime in the future */
	a = json_object_new_object(), ec = json_object_new_object(), fi = json_object_new_object();
	add_str(ec, "external_userid", "wmBADfutureCreatetime0000000000");
	add_str(ec, "name", "未来");
	add_str(fi, "userid", userid);
	add_int(fi, "createtime", now_s() + 30 * DAY);
	json_object_object_add(a, "external_contact", ec);
	json_object_object_add(a, "follow_info", fi);
	json_object_array_add(list, a);
}

static void handle_batch_get_by_user(struct json_object *req, struct fake_reply *r)
{
	struct json_object *list = jarr(req, "userid_list"), *o, *out;
	int64_t limit = fake_jint(req, "limit", 50);
	size_t n = list ? json_object_array_length(list) : 0;
	uint64_t hash = list_hash(list);
	long offset, total = 0, emitted = 0;
	int staff_of[100];

	if (n == 0)
		RETURN_CALL(fake_reply_json(r, err_obj(40058, "userid_list is empty")));
	if (n > 100)
		RETURN_CALL(fake_reply_json(r, err_obj(40058, "userid_list exceeds 100")));
	if (limit < 1)
		RETURN_CALL(fake_reply_json(r, err_obj(40058, "invalid limit")));
	if (limit > 100)
		limit = 100; /* WeCom clamps */
	if (parse_cursor(fake_jstr(req, "cursor"), hash, &offset) < 0)
		RETURN_CALL(fake_reply_json(r, err_obj(40058, "invalid cursor")));
	for (size_t i = 0; i < n; i++) {
		const char *u = json_object_get_string(json_object_array_get_idx(list, i));
		int s = u ? staff_index(u) : -1;

		staff_of[i] = s >= 0 && corp.staff.v[s].follow ? s : -1;
	}
	o = ok_obj();
	out = json_object_new_array();
	if (offset == 0 && faults.bad_records) {
		faults.bad_records = 0;
		add_bad_records(out, corp.staff.v[staff_of[0] >= 0 ? staff_of[0] : 0].userid);
	}
	/*
	 * The answer lists the staff's relationships in userid_list order, each staff
	 * member's in creation order; this page is items [offset, offset + limit) of
	 * that list. Two passes over the relationships (counts, then placement), so a
	 * page costs O(relationships), not O(staff x relationships).
	 */
	{
		long count[100] = { 0 }, start[100], seen[100] = { 0 };
		int page[100], *pos = calloc((size_t)corp.staff.n + 1, sizeof(int));

		for (size_t i = n; i-- > 0;)
			if (staff_of[i] >= 0)
				pos[staff_of[i]] = (int)i + 1; /* the first mention counts */
		for (int k = 0; k < corp.rel.n; k++)
			if (corp.rel.v[k].active && pos[corp.rel.v[k].staff])
				count[pos[corp.rel.v[k].staff] - 1]++;
		for (size_t i = 0; i < n; i++) {
			int first = staff_of[i] >= 0 && pos[staff_of[i]] == (int)i + 1;

			start[i] = total;
			total += first ? count[i] : 0;
		}
		for (int k = 0; k < corp.rel.n; k++) {
			const struct rel *rl = &corp.rel.v[k];
			long at;

			if (!rl->active || !pos[rl->staff])
				continue;
			at = start[pos[rl->staff] - 1] + seen[pos[rl->staff] - 1]++;
			if (at >= offset && at < offset + limit)
				page[at - offset] = k;
		}
		for (long at = offset; at < total && at < offset + limit; at++, emitted++)
			json_object_array_add(out, contact_item(&corp.rel.v[page[at - offset]]));
		free(pos);
	}
	json_object_object_add(o, "external_contact_list", out);
	set_cursor(o, offset + emitted, total, hash);
	fake_reply_json(r, o);
}

static void handle_tag_list(struct json_object *req, struct fake_reply *r)
{
	struct json_object *o = ok_obj(), *groups = json_object_new_array();
	struct json_object *want_tags = jarr(req, "tag_id"), *want_groups = jarr(req, "group_id");
	int filtered = (want_tags && json_object_array_length(want_tags)) ||
		       (want_groups && json_object_array_length(want_groups));

	for (int g = 0; g < corp.tgroup.n; g++) {
		struct json_object *grp = json_object_new_object(), *tags = json_object_new_array();
		int any = 0;

		for (int t = 0; t < corp.tag.n; t++) {
			const struct tag *tg = &corp.tag.v[t];
			struct json_object *tj;
			int match = !filtered;

			if (tg->group != g)
				continue;
			for (size_t i = 0; want_tags && i < json_object_array_length(want_tags); i++)
				match |= strcmp(json_object_get_string(json_object_array_get_idx(want_tags, i)),
						tg->id) == 0;
			for (size_t i = 0; want_groups && i < json_object_array_length(want_groups); i++)
				match |= strcmp(json_object_get_string(json_object_array_get_idx(want_groups, i)),
						corp.tgroup.v[g].id) == 0;
			if (!match || (!filtered && tg->deleted))
				continue;
			tj = json_object_new_object();
			add_str(tj, "id", tg->id);
			add_str(tj, "name", tg->name);
			add_int(tj, "create_time", tg->create_time);
			add_int(tj, "order", tg->order);
			if (filtered)
				json_object_object_add(tj, "deleted", json_object_new_boolean(tg->deleted));
			json_object_array_add(tags, tj);
			any = 1;
		}
		if (!any) {
			json_object_put(grp);
			json_object_put(tags);
			continue;
		}
		add_str(grp, "group_id", corp.tgroup.v[g].id);
		add_str(grp, "group_name", corp.tgroup.v[g].name);
		add_int(grp, "create_time", corp.tgroup.v[g].create_time);
		add_int(grp, "order", corp.tgroup.v[g].order);
		json_object_object_add(grp, "tag", tags);
		json_object_array_add(groups, grp);
	}
	json_object_object_add(o, "tag_group", groups);
	fake_reply_json(r, o);
}

static int follow_count(void)
{
	int n = 0;

	for (int i = 0; i < corp.staff.n; i++)
		n += corp.staff.v[i].follow;
	return n;
}

/* Owner filter: 1 when owner s is asked for. */
static int owner_wanted(struct json_object *list, int s)
{
	if (!list)
		return corp.staff.v[s].follow;
	for (size_t i = 0; i < json_object_array_length(list); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(list, i)),
			   corp.staff.v[s].userid) == 0)
			return 1;
	return 0;
}

static void handle_group_list(struct json_object *req, struct fake_reply *r)
{
	struct json_object *filter = NULL, *owners = NULL, *o, *out;
	int64_t limit = fake_jint(req, "limit", 0), status = fake_jint(req, "status_filter", 0);
	uint64_t hash;
	long offset, total = 0, emitted = 0;

	if (req && json_object_object_get_ex(req, "owner_filter", &filter))
		owners = jarr(filter, "userid_list");
	if (!owners && follow_count() > 1000)
		RETURN_CALL(fake_reply_json(r, err_obj(81017, "the number of owners exceeds the limit")));
	if (owners && json_object_array_length(owners) > 100)
		RETURN_CALL(fake_reply_json(r, err_obj(40058, "owner_filter.userid_list exceeds 100")));
	if (limit < 1 || limit > 1000)
		RETURN_CALL(fake_reply_json(r, err_obj(40058, "invalid limit, 1~1000")));
	hash = list_hash(owners);
	if (parse_cursor(fake_jstr(req, "cursor"), hash, &offset) < 0)
		RETURN_CALL(fake_reply_json(r, err_obj(40058, "invalid cursor")));
	o = ok_obj();
	out = json_object_new_array();
	for (int g = 0; g < corp.group.n; g++) {
		const struct group *gr = &corp.group.v[g];
		struct json_object *item;

		if (gr->dismissed || !owner_wanted(owners, gr->owner) || status != 0)
			continue;
		if (total >= offset && emitted < limit) {
			item = json_object_new_object();
			add_str(item, "chat_id", gr->chat_id);
			add_int(item, "status", 0);
			json_object_array_add(out, item);
			emitted++;
		}
		total++;
	}
	json_object_object_add(o, "group_chat_list", out);
	set_cursor(o, offset + emitted, total, hash);
	fake_reply_json(r, o);
}

static void version_text(const struct group *g, char *out, size_t n)
{
	snprintf(out, n, "%016llx%016llx", (unsigned long long)mix(corp.seed ^ (uint64_t)g->version),
		 (unsigned long long)mix((uint64_t)(g - corp.group.v) * 7919u + (uint64_t)g->version));
}

static void handle_group_get(struct json_object *req, struct fake_reply *r)
{
	const char *id = fake_jstr(req, "chat_id");
	struct json_object *o, *gj, *members, *admins;
	char ver[40];

	for (int g = 0; id && g < corp.group.n; g++) {
		const struct group *gr = &corp.group.v[g];

		if (strcmp(gr->chat_id, id) != 0 || gr->dismissed)
			continue;
		o = ok_obj();
		gj = json_object_new_object();
		members = json_object_new_array();
		admins = json_object_new_array();
		add_str(gj, "chat_id", gr->chat_id);
		add_str(gj, "name", gr->name);
		add_str(gj, "owner", corp.staff.v[gr->owner].userid);
		add_int(gj, "create_time", gr->create_time);
		add_always(gj, "notice", "");
		for (int i = 0; i < gr->nm; i++) {
			const struct member *m = &gr->m[i];
			struct json_object *mj;

			if (!m->active)
				continue;
			mj = json_object_new_object();
			if (m->type == 1) {
				add_str(mj, "userid", corp.staff.v[m->who].userid);
			} else {
				add_str(mj, "userid", corp.cust.v[m->who].ext);
				add_opt(mj, "unionid", corp.cust.v[m->who].unionid);
			}
			add_int(mj, "type", m->type);
			add_int(mj, "join_time", m->join_time);
			add_int(mj, "join_scene", m->join_scene);
			if (m->invitor >= 0) {
				struct json_object *inv = json_object_new_object();

				add_str(inv, "userid", corp.staff.v[m->invitor].userid);
				json_object_object_add(mj, "invitor", inv);
			} else if (faults.null_fields) {
				json_object_object_add(mj, "invitor", NULL);
			}
			add_always(mj, "group_nickname", "");
			json_object_array_add(members, mj);
		}
		json_object_object_add(gj, "member_list", members);
		json_object_object_add(gj, "admin_list", admins);
		version_text(gr, ver, sizeof(ver));
		add_str(gj, "member_version", ver);
		json_object_object_add(o, "group_chat", gj);
		RETURN_CALL(fake_reply_json(r, o));
	}
	fake_reply_json(r, err_obj(40050, "chatid not exist"));
}

/* Deterministic daily numbers. */
static uint64_t day_hash(uint64_t who, int64_t day)
{
	return mix(corp.seed * 1000003u ^ who * 7919u ^ (uint64_t)(day / DAY));
}

struct behavior {
	int64_t chat, msg, neg, apply, contact;
	double reply_sum; /* reply_percentage weighted by chats */
	int64_t reply_time_sum;
};

static void behavior_of(int s, int64_t day, struct behavior *b)
{
	uint64_t h = day_hash((uint64_t)s + 1, day);
	int64_t chat = (int64_t)(h % 6);

	b->chat += chat;
	b->msg += chat * (1 + (int64_t)((h >> 8) % 7));
	b->neg += (int64_t)((h >> 16) % 2);
	b->apply += (int64_t)((h >> 20) % 4);
	b->contact += (int64_t)((h >> 24) % 5);
	if (chat) {
		b->reply_sum += (double)chat * (double)((h >> 32) % 10001) / 100.0;
		b->reply_time_sum += chat * (int64_t)(1 + (h >> 48) % 30);
	}
}

/* 0 ok, else 600018: the range rules of the statistics APIs. */
static int check_range(int64_t from, int64_t to, int allow_today)
{
	int64_t today = cn_day(now_s());

	if (from > 100000000000LL || to > 100000000000LL || from <= 0 || to < from)
		return 600018;
	from = cn_day(from);
	to = cn_day(to);
	if ((to - from) / DAY + 1 > 30)
		return 600018;
	if (from < today - 180 * DAY)
		return 600018;
	if (!allow_today && to >= today)
		return 600018;
	return 0;
}

static void handle_behavior(struct json_object *req, struct fake_reply *r)
{
	struct json_object *users = jarr(req, "userid"), *o, *out;
	int64_t from = fake_jint(req, "start_time", 0), to = fake_jint(req, "end_time", 0);
	int code;

	if (!users || json_object_array_length(users) == 0)
		RETURN_CALL(fake_reply_json(r, err_obj(40058, "userid and partyid are both empty")));
	if (json_object_array_length(users) > 100)
		RETURN_CALL(fake_reply_json(r, err_obj(40058, "userid exceeds 100")));
	if ((code = check_range(from, to, 1)) != 0)
		RETURN_CALL(fake_reply_json(r, err_obj(code, "invalid start endtime")));
	o = ok_obj();
	out = json_object_new_array();
	for (int64_t d = cn_day(from); d <= cn_day(to); d += DAY) {
		struct behavior b = { 0 };
		struct json_object *item = json_object_new_object();

		for (size_t i = 0; i < json_object_array_length(users); i++) {
			int s = staff_index(json_object_get_string(json_object_array_get_idx(users, i)));

			if (s >= 0)
				behavior_of(s, d, &b);
		}
		add_int(item, "stat_time", d);
		add_int(item, "chat_cnt", b.chat);
		add_int(item, "message_cnt", b.msg);
		if (b.chat) {
			json_object_object_add(item, "reply_percentage", jdec(b.reply_sum / (double)b.chat));
			add_int(item, "avg_reply_time", b.reply_time_sum / b.chat);
		} else if (faults.null_fields) {
			json_object_object_add(item, "reply_percentage", NULL);
			json_object_object_add(item, "avg_reply_time", NULL);
		}
		add_int(item, "negative_feedback_cnt", b.neg);
		add_int(item, "new_apply_cnt", b.apply);
		add_int(item, "new_contact_cnt", b.contact);
		json_object_array_add(out, item);
	}
	json_object_object_add(o, "behavior_data", out);
	fake_reply_json(r, o);
}

struct gstat {
	int64_t v[7];
};

static const char *const gstat_names[7] = { "new_chat_cnt", "chat_total", "chat_has_msg",
					    "new_member_cnt", "member_total", "member_has_msg",
					    "msg_total" };

static void gstat_of(int s, int64_t day, struct gstat *g)
{
	uint64_t h = day_hash((uint64_t)s + 100001, day);
	int64_t chats = 0, members = 0;

	for (int i = 0; i < corp.group.n; i++) {
		const struct group *gr = &corp.group.v[i];

		if (gr->dismissed || gr->owner != s)
			continue;
		chats++;
		for (int k = 0; k < gr->nm; k++)
			members += gr->m[k].active;
	}
	g->v[0] += (int64_t)(h % 2);
	g->v[1] += chats;
	g->v[2] += chats ? (int64_t)((h >> 8) % (uint64_t)(chats + 1)) : 0;
	g->v[3] += (int64_t)((h >> 16) % 5);
	g->v[4] += members;
	g->v[5] += members ? (int64_t)((h >> 24) % (uint64_t)(members + 1)) : 0;
	g->v[6] += (int64_t)((h >> 32) % 100);
}

static void handle_group_stats(struct json_object *req, struct fake_reply *r)
{
	struct json_object *filter = NULL, *owners = NULL, *o, *out;
	int64_t from = fake_jint(req, "day_begin_time", 0), to = fake_jint(req, "day_end_time", from);
	int code;

	if (req && json_object_object_get_ex(req, "owner_filter", &filter))
		owners = jarr(filter, "userid_list");
	if (!owners && follow_count() > 1000)
		RETURN_CALL(fake_reply_json(r, err_obj(81017, "the number of owners exceeds the limit")));
	if (owners && json_object_array_length(owners) > 100)
		RETURN_CALL(fake_reply_json(r, err_obj(40058, "owner_filter.userid_list exceeds 100")));
	if ((code = check_range(from, to, 0)) != 0)
		RETURN_CALL(fake_reply_json(r, err_obj(code, "invalid start endtime")));
	o = ok_obj();
	out = json_object_new_array();
	for (int64_t d = cn_day(from); d <= cn_day(to); d += DAY) {
		struct gstat g = { { 0 } };
		struct json_object *item = json_object_new_object(), *data = json_object_new_object();

		for (int s = 0; s < corp.staff.n; s++)
			if (owner_wanted(owners, s))
				gstat_of(s, d, &g);
		add_int(item, "stat_time", d);
		for (int i = 0; i < 7; i++)
			add_int(data, gstat_names[i], g.v[i]);
		json_object_object_add(item, "data", data);
		json_object_array_add(out, item);
	}
	json_object_object_add(o, "items", out);
	fake_reply_json(r, o);
}

/* ---- mutations --------------------------------------------------------------------------- */

static struct group *pick_group(void)
{
	for (int tries = 0; tries < 1000 && corp.group.n; tries++) {
		struct group *g = &corp.group.v[rndn(corp.group.n)];

		if (!g->dismissed && corp.staff.v[g->owner].follow)
			return g;
	}
	return NULL;
}

static int pick_active_rel(void)
{
	for (int tries = 0; tries < 10000 && corp.rel.n; tries++) {
		int k = rndn(corp.rel.n);

		if (corp.rel.v[k].active && corp.staff.v[corp.rel.v[k].staff].follow)
			return k;
	}
	return -1;
}

static void mutate_step1(struct json_object *done)
{
	int64_t now = now_s();
	long adds = 0, removes = 0, joins = 0, quits = 0, remarks = 0, tag_changes = 0;
	struct group *g;

	/* adds: three new customers and two existing ones with another staff member */
	for (int i = 0; i < 5; i++) {
		int s = pick_seller(), c = i < 3 ? new_customer(i == 0) : rndn(corp.cust.n);

		if (staff_has_rel(s, c))
			continue;
		new_rel(s, c, now - 600 - i * 60);
		adds++;
	}
	/* staff-side deletions */
	for (int i = 0; i < 4; i++) {
		int k = pick_active_rel();

		if (k >= 0) {
			corp.rel.v[k].active = 0;
			corp.remove_events++;
			removes++;
		}
	}
	/* remarks and tags change: attributes, no events */
	for (int i = 0; i < 2; i++) {
		int k = pick_active_rel();

		if (k >= 0) {
			snprintf(corp.rel.v[k].remark, sizeof(corp.rel.v[k].remark), "改备注%d", i);
			remarks++;
		}
	}
	for (int i = 0; i < 3; i++) {
		int k = pick_active_rel();

		if (k >= 0) {
			rel_tags(&corp.rel.v[k]);
			tag_changes++;
		}
	}
	/* a corporate tag is deleted: it disappears from the list and from relationships */
	for (int t = 0; t < corp.tag.n; t++) {
		if (corp.tag.v[t].deleted)
			continue;
		corp.tag.v[t].deleted = 1;
		for (int k = 0; k < corp.rel.n; k++) {
			struct rel *rl = &corp.rel.v[k];

			for (int j = 0; j < rl->ntags; j++)
				if (rl->tags[j] == t)
					rl->tags[j--] = rl->tags[--rl->ntags];
		}
		break;
	}
	/* a dismissal (first, so that no join or quit below happens in that group) */
	if ((g = pick_group())) {
		g->dismissed = 1;
		corp.dismissed++;
	}
	/* joins (one of them a customer nobody has added) and quits */
	for (int i = 0; i < 6 && (g = pick_group()); i++) {
		int c = i == 0 ? new_customer(0) : rndn(corp.cust.n);

		if (ever_in_group(g, 2, c))
			continue;
		add_member(g, 2, c, now - 300 - i, 2 + (i % 2), i % 2 ? g->owner : -1);
		joins++;
	}
	for (int i = 0; i < 3 && (g = pick_group()); i++) {
		for (int k = 0; k < g->nm; k++) {
			if (g->m[k].active && g->m[k].type == 2) {
				g->m[k].active = 0;
				bump(g);
				corp.quits++;
				quits++;
				break;
			}
		}
	}
	/* a new group */
	g = new_group(pick_seller(), now - 3600, now, 3);
	json_object_object_add(done, "adds", json_object_new_int64(adds));
	json_object_object_add(done, "removes", json_object_new_int64(removes));
	json_object_object_add(done, "remark_changes", json_object_new_int64(remarks));
	json_object_object_add(done, "tag_changes", json_object_new_int64(tag_changes));
	json_object_object_add(done, "joins", json_object_new_int64(joins));
	json_object_object_add(done, "quits", json_object_new_int64(quits));
	json_object_object_add(done, "dismissed", json_object_new_int64(1));
	json_object_object_add(done, "new_groups", json_object_new_int64(1));
	json_object_object_add(done, "new_group_members", json_object_new_int64(g->nm));
}

static void mutate_step2(struct json_object *done)
{
	int64_t now = now_s();
	long readds = 0, joins = 0;
	struct group *g;

	/*
	 * Re-adds of relationships the staff deleted: a new createtime, later than the
	 * run that saw them gone (one second ahead, so that it cannot share its second).
	 */
	for (int k = 0; k < corp.rel.n && readds < 2; k++) {
		struct rel *rl = &corp.rel.v[k];

		if (rl->active || staff_has_rel(rl->staff, rl->cust) || !corp.staff.v[rl->staff].follow)
			continue;
		rl->active = 1;
		rl->createtime = now + 1;
		corp.add_events++;
		readds++;
	}
	for (int i = 0; i < 2 && (g = pick_group()); i++) {
		int c = rndn(corp.cust.n);

		if (ever_in_group(g, 2, c))
			continue;
		add_member(g, 2, c, now - 120 - i, 3, -1);
		joins++;
	}
	json_object_object_add(done, "readds", json_object_new_int64(readds));
	json_object_object_add(done, "joins", json_object_new_int64(joins));
}

static void mutate_step3(struct json_object *done)
{
	long removes = 0;

	/*
	 * The last staff member with customers and without groups leaves the follow list
	 * (the groups of an owner who left are no longer listed: the warehouse keeps them
	 * as last seen, which no truth here could count).
	 */
	for (int s = corp.staff.n - 1; s >= 0; s--) {
		int owns = 0;

		for (int g = 0; g < corp.group.n; g++)
			owns |= !corp.group.v[g].dismissed && corp.group.v[g].owner == s;
		if (!corp.staff.v[s].follow || corp.staff.v[s].no_customers || owns)
			continue;
		corp.staff.v[s].follow = 0;
		for (int k = 0; k < corp.rel.n; k++)
			if (corp.rel.v[k].active && corp.rel.v[k].staff == s)
				removes++;
		json_object_object_add(done, "staff_left", json_object_new_string(corp.staff.v[s].userid));
		break;
	}
	corp.remove_events += removes;
	json_object_object_add(done, "unknown_removes", json_object_new_int64(removes));
}

/*
 * readd=USERID/EXTERNAL_USERID: the relationship is added again (the customer deleted
 * the staff member and added them back, or the staff member re-added the customer):
 * a new createtime, one second ahead.
 */
static void mutate_readd(const char *spec, struct fake_reply *r)
{
	char userid[64] = "", *slash;
	const char *ext;

	snprintf(userid, sizeof(userid), "%s", spec);
	slash = strchr(userid, '/');
	ext = slash ? slash + 1 : "";
	if (slash)
		*slash = '\0';
	for (int k = 0; k < corp.rel.n; k++) {
		struct rel *rl = &corp.rel.v[k];

		if (strcmp(corp.staff.v[rl->staff].userid, userid) != 0 ||
		    strcmp(corp.cust.v[rl->cust].ext, ext) != 0)
			continue;
		rl->createtime = now_s() + 1;
		rl->active = 1;
		corp.add_events++;
		fake_reply_text(r, 200, "{\"readds\":1}");
		return;
	}
	fake_reply_text(r, 404, "{\"error\":\"no such relationship\"}");
}

static void handle_mutate(struct fake_request *c, struct fake_reply *r)
{
	const char *step = fake_query(c, "step"), *readd = fake_query(c, "readd");
	struct json_object *done = json_object_new_object();
	long n = step ? strtol(step, NULL, 10) : 0;

	mark_seen();
	if (readd) {
		json_object_put(done);
		RETURN_CALL(mutate_readd(readd, r));
	}
	rng_state = mix(corp.seed ^ (uint64_t)(n * 1000003));
	switch (n) {
	case 1: mutate_step1(done); break;
	case 2: mutate_step2(done); break;
	case 3: mutate_step3(done); break;
	default:
		json_object_put(done);
		fake_reply_text(r, 400, "{\"error\":\"step must be 1, 2 or 3\"}");
		return;
	}
	corp.steps_done++;
	mark_seen();
	json_object_object_add(done, "step", json_object_new_int64(n));
	fake_reply_json(r, done);
}

static void handle_expect(struct fake_request *c, struct fake_reply *r)
{
	struct json_object *o = json_object_new_object();
	long rel_active = 0, tag_links = 0, groups_active = 0, members = 0, cmembers = 0,
	     smembers = 0, tags_active = 0, owners = 0, follow = 0, ever = 0;
	const char *from_s = fake_query(c, "from"), *to_s = fake_query(c, "to");

	mark_seen();
	for (int i = 0; i < corp.staff.n; i++) {
		int owns = 0;

		follow += corp.staff.v[i].follow;
		for (int g = 0; g < corp.group.n; g++)
			owns |= !corp.group.v[g].dismissed && corp.group.v[g].owner == i;
		owners += owns && corp.staff.v[i].follow;
	}
	for (int i = 0; i < corp.cust.n; i++)
		ever += corp.cust.v[i].ever_seen;
	for (int k = 0; k < corp.rel.n; k++) {
		if (corp.rel.v[k].active && corp.staff.v[corp.rel.v[k].staff].follow) {
			rel_active++;
			tag_links += corp.rel.v[k].ntags;
		}
	}
	for (int t = 0; t < corp.tag.n; t++)
		tags_active += !corp.tag.v[t].deleted;
	for (int g = 0; g < corp.group.n; g++) {
		const struct group *gr = &corp.group.v[g];

		if (gr->dismissed)
			continue;
		groups_active++;
		for (int k = 0; k < gr->nm; k++) {
			members += gr->m[k].active;
			cmembers += gr->m[k].active && gr->m[k].type == 2;
			smembers += gr->m[k].active && gr->m[k].type == 1;
		}
	}
	add_int(o, "staff", corp.staff.n);
	add_int(o, "follow_users", follow);
	add_int(o, "customers_ever", ever);
	add_int(o, "relationships_active", rel_active);
	add_int(o, "add_events", corp.add_events);
	add_int(o, "remove_events", corp.remove_events);
	add_int(o, "tags", corp.tag.n);
	add_int(o, "tags_active", tags_active);
	add_int(o, "tag_links_active", tag_links);
	add_int(o, "groups_ever", corp.groups_ever);
	add_int(o, "groups_active", groups_active);
	add_int(o, "groups_dismissed", corp.dismissed);
	add_int(o, "members_active", members);
	add_int(o, "customer_members_active", cmembers);
	add_int(o, "staff_members_active", smembers);
	add_int(o, "member_spans", corp.join_spans);
	add_int(o, "quits", corp.quits);
	add_int(o, "owners", owners);
	if (shared.on) {
		add_int(o, "shared_contacts", shared.contacts);
		add_int(o, "shared_mobiles", shared.mobiles);
		add_int(o, "shared_unionids", shared.unionids);
		add_int(o, "shared_before_anchor", shared.before_anchor);
		add_int(o, "shared_within_30d", shared.within_30d);
	}
	if (from_s && to_s) {
		int64_t from = cn_day(strtoll(from_s, NULL, 10)), to = cn_day(strtoll(to_s, NULL, 10));
		int64_t days = (to - from) / DAY + 1, msg = 0, gmsg = 0;

		for (int64_t d = from; d <= to; d += DAY) {
			for (int s = 0; s < corp.staff.n; s++) {
				struct behavior b = { 0 };
				struct gstat g = { { 0 } };
				int owns = 0;

				if (!corp.staff.v[s].follow)
					continue;
				behavior_of(s, d, &b);
				msg += b.msg;
				for (int k = 0; k < corp.group.n; k++)
					owns |= !corp.group.v[k].dismissed && corp.group.v[k].owner == s;
				if (owns) {
					gstat_of(s, d, &g);
					gmsg += g.v[6];
				}
			}
		}
		add_int(o, "stats_days", days);
		add_int(o, "staff_daily_rows", days * follow);
		add_int(o, "message_cnt", msg);
		add_int(o, "group_daily_rows", days * owners);
		add_int(o, "msg_total", gmsg);
	}
	fake_reply_admin(c, r, o);
}

static void handle_stats(struct fake_reply *r)
{
	static const char *const names[] = { "gettoken", "get_follow_user_list", "list",
					     "batch/get_by_user", "get_corp_tag_list", "groupchat/list",
					     "groupchat/get", "get_user_behavior_data",
					     "statistic_group_by_day", "user/get", "department/list",
					     "add_corp_tag", "mark_tag", "add_msg_template", "other" };
	struct json_object *o = json_object_new_object(), *by = json_object_new_object();

	for (int i = 0; i < 15; i++)
		json_object_object_add(by, names[i], json_object_new_int64(tokens.by_endpoint[i]));
	json_object_object_add(o, "calls", by);
	json_object_object_add(o, "business_calls", json_object_new_int64(tokens.calls));
	json_object_object_add(o, "tokens_issued", json_object_new_int64(tokens.issued));
	json_object_object_add(o, "faults_fired", json_object_new_int64(server.faults_fired));
	json_object_object_add(o, "tags_added", json_object_new_int64(corp.tags_added));
	json_object_object_add(o, "tag_groups_added", json_object_new_int64(corp.groups_added));
	json_object_object_add(o, "msg_tasks", json_object_new_int64(corp.msg_tasks));
	json_object_object_add(o, "msg_receivers", json_object_new_int64(corp.msg_receivers));
	fake_reply_json(r, o);
}

/* ---- what siyu push writes: tags, tags on relationships, group-message tasks ----------- */

/* The string at key of o, or NULL (not a string, or empty). */
static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string) ||
	    !*json_object_get_string(v))
		return NULL;
	return json_object_get_string(v);
}

static int customer_index(const char *ext)
{
	for (int i = 0; i < corp.cust.n; i++)
		if (strcmp(corp.cust.v[i].ext, ext) == 0)
			return i;
	return -1;
}

/* The active relationship of staff s with customer c, or NULL. */
static struct rel *active_rel(int s, int c)
{
	for (int i = 0; i < corp.rel.n; i++)
		if (corp.rel.v[i].staff == s && corp.rel.v[i].cust == c && corp.rel.v[i].active)
			return &corp.rel.v[i];
	return NULL;
}

static int tag_index(const char *id)
{
	for (int i = 0; i < corp.tag.n; i++)
		if (strcmp(corp.tag.v[i].id, id) == 0 && !corp.tag.v[i].deleted)
			return i;
	return -1;
}

static int tag_group_index(const char *id, const char *name)
{
	for (int i = 0; i < corp.tgroup.n; i++)
		if (id ? strcmp(corp.tgroup.v[i].id, id) == 0 : strcmp(corp.tgroup.v[i].name, name) == 0)
			return i;
	return -1;
}

/*
 * add_corp_tag: tags into the group group_id, else into the group named group_name
 * (created when there is none: WeCom adds to an existing group of that name). A name
 * already in the group is 40071, as WeCom answers; tags above 30 characters 40072.
 */
static void handle_add_corp_tag(struct json_object *req, struct fake_reply *r)
{
	const char *gid = jstr(req, "group_id"), *gname = jstr(req, "group_name");
	struct json_object *want = jarr(req, "tag"), *o, *grp, *out;
	int g = gid || gname ? tag_group_index(gid, gname) : -1, first = corp.tag.n;
	size_t n = want ? json_object_array_length(want) : 0;

	if (!n || (!gid && !gname))
		RETURN_CALL(fake_reply_json(r, err_obj(40058, "invalid parameter: tag and group_id or group_name required")));
	if (gid && g < 0)
		RETURN_CALL(fake_reply_json(r, err_obj(40068, "invalid tagid")));
	for (size_t i = 0; i < n; i++) {
		const char *name = jstr(json_object_array_get_idx(want, i), "name");

		if (!name || strlen(name) >= sizeof(corp.tag.v[0].name))
			RETURN_CALL(fake_reply_json(r, err_obj(40072, "invalid tagname size")));
		for (int t = 0; g >= 0 && t < corp.tag.n; t++)
			if (corp.tag.v[t].group == g && !corp.tag.v[t].deleted && !strcmp(corp.tag.v[t].name, name))
				RETURN_CALL(fake_reply_json(r, err_obj(40071, "invalid tagname: tag name exists")));
	}
	if (g < 0) {
		struct tag_group *tg = PUSH(corp.tgroup);

		snprintf(tg->id, sizeof(tg->id), "etGRP%" PRIx64 "g%03ld", corp.started, ++corp.groups_added);
		snprintf(tg->name, sizeof(tg->name), "%s", gname);
		tg->create_time = now_s();
		g = corp.tgroup.n - 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct tag *t = PUSH(corp.tag);

		snprintf(t->id, sizeof(t->id), "etTAG%" PRIx64 "t%04ld", corp.started, ++corp.tags_added);
		snprintf(t->name, sizeof(t->name), "%s", jstr(json_object_array_get_idx(want, i), "name"));
		t->group = g;
		t->create_time = now_s();
	}
	o = ok_obj();
	grp = json_object_new_object();
	out = json_object_new_array();
	add_str(grp, "group_id", corp.tgroup.v[g].id);
	add_str(grp, "group_name", corp.tgroup.v[g].name);
	add_int(grp, "create_time", corp.tgroup.v[g].create_time);
	add_int(grp, "order", corp.tgroup.v[g].order);
	for (int t = first; t < corp.tag.n; t++) {
		struct json_object *tj = json_object_new_object();

		add_str(tj, "id", corp.tag.v[t].id);
		add_str(tj, "name", corp.tag.v[t].name);
		add_int(tj, "create_time", corp.tag.v[t].create_time);
		add_int(tj, "order", corp.tag.v[t].order);
		json_object_array_add(out, tj);
	}
	json_object_object_add(grp, "tag", out);
	json_object_object_add(o, "tag_group", grp);
	fake_reply_json(r, o);
}

/* Every id of the string array a is a live tag (0), else the errcode. */
static int check_tag_ids(struct json_object *a)
{
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		if (tag_index(json_object_get_string(json_object_array_get_idx(a, i))) < 0)
			return 40068;
	return 0;
}

/*
 * mark_tag: add_tag and remove_tag on the relationship userid–external_userid. A
 * tag the relationship already has is not added twice (WeCom keeps a set).
 */
static void handle_mark_tag(struct json_object *req, struct fake_reply *r)
{
	const char *userid = jstr(req, "userid"), *ext = jstr(req, "external_userid");
	struct json_object *add = jarr(req, "add_tag"), *rm = jarr(req, "remove_tag");
	int s = userid ? staff_index(userid) : -1, c = ext ? customer_index(ext) : -1, code;
	struct rel *rl;

	if (!userid)
		RETURN_CALL(fake_reply_json(r, err_obj(41009, "missing userid")));
	if (!ext)
		RETURN_CALL(fake_reply_json(r, err_obj(41035, "missing external userid")));
	if ((!add || !json_object_array_length(add)) && (!rm || !json_object_array_length(rm)))
		RETURN_CALL(fake_reply_json(r, err_obj(41017, "missing tagid")));
	if (s < 0)
		RETURN_CALL(fake_reply_json(r, err_obj(60111, "userid not found")));
	if (c < 0)
		RETURN_CALL(fake_reply_json(r, err_obj(40096, "invalid external userid")));
	if (!(rl = active_rel(s, c)))
		RETURN_CALL(fake_reply_json(r, err_obj(84061, "not external contact")));
	if ((code = check_tag_ids(add)) || (code = check_tag_ids(rm)))
		RETURN_CALL(fake_reply_json(r, err_obj(code, "invalid tagid")));
	for (size_t i = 0; add && i < json_object_array_length(add); i++) {
		int t = tag_index(json_object_get_string(json_object_array_get_idx(add, i))), dup = 0;

		for (int j = 0; j < rl->ntags; j++)
			dup |= rl->tags[j] == t;
		if (!dup && rl->ntags == REL_TAG_CAP)
			RETURN_CALL(fake_reply_json(r, err_obj(40058, "too many tags on the contact")));
		if (!dup)
			rl->tags[rl->ntags++] = t;
	}
	for (size_t i = 0; rm && i < json_object_array_length(rm); i++) {
		int t = tag_index(json_object_get_string(json_object_array_get_idx(rm, i)));

		for (int j = 0; j < rl->ntags; j++)
			if (rl->tags[j] == t)
				rl->tags[j--] = rl->tags[--rl->ntags];
	}
	fake_reply_json(r, ok_obj());
}

/*
 * add_msg_template (chat_type single): a task for sender to send text to the listed
 * customers; those who are not sender's customers come back in fail_list, and none
 * left is 41048.
 */
static void handle_add_msg_template(struct json_object *req, struct fake_reply *r)
{
	const char *sender = jstr(req, "sender"), *type = jstr(req, "chat_type");
	struct json_object *ext = jarr(req, "external_userid"), *text = NULL, *o, *fail;
	int s = sender ? staff_index(sender) : -1;
	long ok = 0;
	char msgid[48];

	json_object_object_get_ex(req, "text", &text);
	if (type && strcmp(type, "single") != 0)
		RETURN_CALL(fake_reply_json(r, err_obj(40058, "invalid chat_type: this fake knows single")));
	if (!jstr(text, "content"))
		RETURN_CALL(fake_reply_json(r, err_obj(40058, "invalid parameter: text.content required")));
	if (!sender || s < 0)
		RETURN_CALL(fake_reply_json(r, err_obj(60111, "userid not found")));
	fail = json_object_new_array();
	for (size_t i = 0; ext && i < json_object_array_length(ext); i++) {
		const char *e = json_object_get_string(json_object_array_get_idx(ext, i));
		int c = customer_index(e);

		if (c >= 0 && active_rel(s, c))
			ok++;
		else
			json_object_array_add(fail, json_object_new_string(e));
	}
	if (!ok) {
		json_object_put(fail);
		RETURN_CALL(fake_reply_json(r, err_obj(41048, "no customer to send")));
	}
	corp.msg_tasks++;
	corp.msg_receivers += ok;
	snprintf(msgid, sizeof(msgid), "msgPUSH%06ld", corp.msg_tasks);
	o = ok_obj();
	json_object_object_add(o, "fail_list", fail);
	add_str(o, "msgid", msgid);
	fake_reply_json(r, o);
}

/*
 * GET /__admin/tagged?name=N: the live tags named N ("tags": more than 1 is a
 * duplicate) and the active relationships carrying one ("relationships", "pairs").
 */
static void handle_tagged(struct fake_request *c, struct fake_reply *r)
{
	const char *name = fake_query(c, "name");
	struct json_object *o = json_object_new_object(), *pairs = json_object_new_array();
	long ntags = 0, nrel = 0;

	for (int t = 0; name && t < corp.tag.n; t++)
		ntags += !corp.tag.v[t].deleted && strcmp(corp.tag.v[t].name, name) == 0;
	for (int i = 0; name && i < corp.rel.n; i++) {
		const struct rel *rl = &corp.rel.v[i];
		int has = 0;
		char pair[96];

		for (int j = 0; j < rl->ntags; j++)
			has |= !strcmp(corp.tag.v[rl->tags[j]].name, name) && !corp.tag.v[rl->tags[j]].deleted;
		if (!rl->active || !has)
			continue;
		nrel++;
		snprintf(pair, sizeof(pair), "%s/%s", corp.staff.v[rl->staff].userid, corp.cust.v[rl->cust].ext);
		json_object_array_add(pairs, json_object_new_string(pair));
	}
	json_object_object_add(o, "tags", json_object_new_int64(ntags));
	json_object_object_add(o, "relationships", json_object_new_int64(nrel));
	json_object_object_add(o, "pairs", pairs);
	fake_reply_admin(c, r, o);
}

/* ---- faults: WeCom's errcode and modes ---------------------------------------------------- */

static int fault_key(struct fake_fault *f, const char *key, const char *value)
{
	if (!strcmp(key, "clear"))
		memset(&faults, 0, sizeof(faults));
	else if (!strcmp(key, "string_numbers"))
		faults.string_numbers = atoi(value);
	else if (!strcmp(key, "null_fields"))
		faults.null_fields = atoi(value);
	else if (!strcmp(key, "bad_records"))
		faults.bad_records = atoi(value);
	else if (!strcmp(key, "errcode"))
		f->kind = FAKE_FAULT_CUSTOM, f->custom = F_ERRCODE, f->value = atol(value);
	else
		return 0;
	return 1;
}

static int fault_fire(const struct fake_fault *f, const char *path, struct fake_reply *r)
{
	(void)path;
	if (f->kind == FAKE_FAULT_TOKEN) {
		for (int t = 0; t < tokens.n; t++)
			tokens.v[t].expires = 0, tokens.v[t].value[0] = '#';
		return 0;
	}
	fake_reply_json(r, err_obj((int)f->value, f->value == 45009 ? "api freq out of limit"
								     : "fault"));
	return 1;
}

/* ---- dispatch ----------------------------------------------------------------------------- */

static int endpoint_index(const char *p)
{
	static const char *const ends[] = { "gettoken", "externalcontact/get_follow_user_list",
					    "externalcontact/list", "externalcontact/batch/get_by_user",
					    "externalcontact/get_corp_tag_list",
					    "externalcontact/groupchat/list",
					    "externalcontact/groupchat/get",
					    "externalcontact/get_user_behavior_data",
					    "externalcontact/groupchat/statistic_group_by_day",
					    "user/get", "department/list",
					    "externalcontact/add_corp_tag", "externalcontact/mark_tag",
					    "externalcontact/add_msg_template" };

	for (int i = 0; i < 14; i++)
		if (strcmp(p, ends[i]) == 0)
			return i;
	return 14;
}

static void handle_admin(struct fake_request *c, const char *what, struct fake_reply *r)
{
	if (strcmp(what, "mutate") == 0)
		handle_mutate(c, r);
	else if (strcmp(what, "expect") == 0)
		handle_expect(c, r);
	else if (strcmp(what, "stats") == 0)
		handle_stats(r);
	else if (strcmp(what, "tagged") == 0)
		handle_tagged(c, r);
}

static void handle(struct fake_request *c, struct fake_reply *r)
{
	struct json_object *req = NULL;
	const char *p;
	int ep, code;

	if (strncmp(c->url, "/cgi-bin/", 9) != 0)
		RETURN_CALL(fake_reply_text(r, 404, "not found"));
	p = c->url + 9;
	ep = endpoint_index(p);
	tokens.by_endpoint[ep]++;
	if (ep != 0)
		tokens.calls++;
	if (fake_fault_apply(&server, p, ep == 0, r))
		return;
	if (ep == 0)
		RETURN_CALL(handle_gettoken(c, r));
	if ((code = check_token(fake_query(c, "access_token"))) != 0)
		RETURN_CALL(fake_reply_json(r, err_obj(code, code == 41001 ? "access_token missing"
					       : code == 42001 ? "access_token expired"
							       : "invalid access_token")));
	if (strcmp(c->method, "POST") == 0) {
		enum json_tokener_error jerr;

		req = json_tokener_parse_verbose(buf_str(&c->body), &jerr);
		if (!req || !json_object_is_type(req, json_type_object)) {
			json_object_put(req);
			RETURN_CALL(fake_reply_json(r, err_obj(47001, "data format error")));
		}
	}
	switch (ep) {
	case 1: handle_follow_users(r); break;
	case 2: handle_list(c, r); break;
	case 3: handle_batch_get_by_user(req, r); break;
	case 4: handle_tag_list(req, r); break;
	case 5: handle_group_list(req, r); break;
	case 6: handle_group_get(req, r); break;
	case 7: handle_behavior(req, r); break;
	case 8: handle_group_stats(req, r); break;
	case 9: handle_user_get(c, r); break;
	case 10: handle_department_list(r); break;
	case 11: handle_add_corp_tag(req, r); break;
	case 12: handle_mark_tag(req, r); break;
	case 13: handle_add_msg_template(req, r); break;
	default: fake_reply_json(r, err_obj(48001, "api unauthorized")); break;
	}
	json_object_put(req);
}

/* ---- main ---------------------------------------------------------------------------------- */

static struct fake_server server = {
	.name = "fake_wecom",
	.handle = handle,
	.admin_handle = handle_admin,
	.fault_key = fault_key,
	.fault_fire = fault_fire,
	.cut_json = "{\"errcode\":0,\"errmsg\":\"ok\",\"external_contact_list\":"
		    "[{\"external_contact\":{\"na",
};

static void usage(FILE *out)
{
	fprintf(out, "usage: fake_wecom [--port N] [--port-file FILE] [--seed N] [--staff N]\n"
		     "                  [--customers N] [--groups N] [--history-days N] [--corpid ID]\n"
		     "                  [--secret S] [--token-ttl SECS] [--token-real-ttl SECS]\n"
		     "                  [--untrusted-ip] [--fault SPEC]... [--shared-contacts FILE]\n"
		     "                  [--end YYYY-MM-DD] [--verbose]\n"
		     "       fake_wecom --port N --admin PATH   (call an admin endpoint of a running fake:\n"
		     "                  /__admin/fault and /__admin/mutate are POSTed; prints the answer)\n");
}

/* corp.end from --end DATE (its last day), else yesterday's: 0, or -1 with a message. */
static int set_end(const char *date)
{
	char at[32];
	int64_t t;

	if (!date) {
		corp.end = cn_day(now_s());
		return 0;
	}
	snprintf(at, sizeof(at), "%s 00:00:00", date);
	t = strlen(date) == 10 ? fake_parse_cn_time(at) : -1;
	if (t < 0) {
		fprintf(stderr, "fake_wecom: bad --end '%s' (YYYY-MM-DD)\n", date);
		return -1;
	}
	corp.end = t + DAY;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		FAKE_LONGOPTS,
		{ "seed", required_argument, NULL, 's' },
		{ "staff", required_argument, NULL, 'S' },
		{ "customers", required_argument, NULL, 'C' },
		{ "groups", required_argument, NULL, 'G' },
		{ "corpid", required_argument, NULL, 'i' },
		{ "secret", required_argument, NULL, 'k' },
		{ "token-ttl", required_argument, NULL, 't' },
		{ "untrusted-ip", no_argument, NULL, 'u' },
		{ "token-real-ttl", required_argument, NULL, 'T' },
		{ "history-days", required_argument, NULL, 'H' },
		{ "shared-contacts", required_argument, NULL, 'c' },
		{ "end", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long nstaff = 8, ncust = 120, ngroups = 10;
	const char *shared_file = NULL, *end_date = NULL;
	int o;

	corp.seed = 1;
	corp.history_days = 500;
	while ((o = fake_getopt(&server, argc, argv, longopts)) != -1) {
		switch (o) {
		case 's': corp.seed = strtoull(optarg, NULL, 10); break;
		case 'S': nstaff = strtol(optarg, NULL, 10); break;
		case 'C': ncust = strtol(optarg, NULL, 10); break;
		case 'G': ngroups = strtol(optarg, NULL, 10); break;
		case 'i': snprintf(opt.corpid, sizeof(opt.corpid), "%s", optarg); break;
		case 'k': snprintf(opt.secret, sizeof(opt.secret), "%s", optarg); break;
		case 't': opt.token_ttl = strtol(optarg, NULL, 10); break;
		case 'u': opt.untrusted_ip = 1; break;
		case 'T': opt.token_real_ttl = strtol(optarg, NULL, 10); break;
		case 'H': corp.history_days = (int)strtol(optarg, NULL, 10); break;
		case 'c': shared_file = optarg; break;
		case 'e': end_date = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (server.admin)
		return fake_admin(&server);
	if (nstaff < 1 || corp.history_days < 30 || corp.history_days > 3000 || nstaff > 5000 ||
	    ncust < 0 || ncust > 1000000 || ngroups < 0 || ngroups > 100000 || opt.token_ttl < 1) {
		usage(stderr);
		return 2;
	}
	if (set_end(end_date) < 0)
		return 2;
	corp.started = now_s();
	generate((int)nstaff, (int)ncust, (int)ngroups);
	if (shared_file && add_shared_contacts(shared_file) < 0)
		return 2;
	mark_seen();
	return fake_serve(&server);
}
