#!/usr/bin/env bash
# scripts/pg.sh — a throwaway private PostgreSQL 15 cluster for the demo and the tests.
#
#   scripts/pg.sh start   DIR   create the cluster under DIR if absent, start it, wait until ready
#   scripts/pg.sh stop    DIR   fast shutdown (no-op when not running)
#   scripts/pg.sh status  DIR   print "running" (exit 0) or "stopped" (exit 3)
#   scripts/pg.sh env     DIR   print: export PGHOST=<socket dir> PGPORT=<port> PGUSER=postgres
#   scripts/pg.sh psql    DIR [psql args...]   run psql against the cluster
#   scripts/pg.sh destroy DIR   stop, then remove the cluster and DIR
#
# The server listens on a unix socket only (listen_addresses = ''), trusts every local
# client (-A trust) and has superuser "postgres". It is tuned for tests, not for data
# you want to keep: fsync, synchronous_commit and full_page_writes are off. The session
# time zone defaults to UTC and server messages are in English (lc_messages = C), so that
# test output does not depend on the machine.
#
# Layout (DIR is owned by whoever runs this script):
#   DIR/port         the port number, chosen at creation (names the socket file)
#   DIR/cluster/     the cluster, owned by the server user: data/, sock/, log
#                    — or a symlink to /tmp/siyu-pg.<hash> (see below)
#   DIR/log          symlink to cluster/log (the server log)
#   DIR/initdb.log   initdb's output
#   DIR/.lock        serialises concurrent start/stop/destroy on the same DIR (flock)
#
# Server user: initdb and postgres refuse to run as root. Run as a normal user, the
# cluster runs as that user. Run as root, it runs as the system user "postgres" (created
# by the postgresql packages) or, when that does not exist, as a system user "siyu-pg"
# that this script creates ($SIYU_PG_SERVER_USER names another). A cluster always runs
# as the owner of its data directory.
#
# Relocation: when the server user cannot reach DIR (root running from a repository under
# /root, mode 700), or when DIR is so deep that the socket path would exceed the 107-byte
# limit of unix sockets, the cluster is created in /tmp/siyu-pg.<hash of uid and DIR>
# and DIR/cluster is a symlink to it. "destroy" removes both.
#
# Environment: SIYU_PG_BINDIR overrides the PostgreSQL bin directory (default: the one
# of the existing cluster's major version, else /usr/lib/postgresql/15/bin, else
# `pg_config --bindir`); SIYU_PG_TIMEOUT (seconds, default 30) bounds the wait for start.
set -euo pipefail

readonly PROG=pg.sh
readonly SUPERUSER=postgres
readonly PORT_BASE=54320
readonly SOCK_MAX=107   # sizeof(sun_path) - 1 on Linux

die() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

say() {
	printf '%s: %s\n' "$PROG" "$*" >&2
}

usage() {
	cat >&2 <<'EOF'
usage: scripts/pg.sh start|stop|status|env|destroy DIR
       scripts/pg.sh psql DIR [psql arguments...]
EOF
	exit 2
}

is_root() {
	[ "$(id -u)" -eq 0 ]
}

# hash_of STRING — a short stable hash (hex) of STRING.
hash_of() {
	printf '%s' "$1" | sha256sum | cut -c1-12
}

# abs_path PATH — PATH made absolute (it need not exist); symlinks in it are kept.
abs_path() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd -P)" "$1" ;;
	esac | sed -e 's://*:/:g' -e 's:/\./:/:g' -e 's:/\.$::' -e 's:\(.\)/$:\1:'
}

# The PostgreSQL bin directory: the major version of an existing cluster wins.
find_bindir() {
	local ver=${1:-} d
	if [ -n "${SIYU_PG_BINDIR:-}" ]; then
		printf '%s\n' "$SIYU_PG_BINDIR"
		return
	fi
	if [ -n "$ver" ] && [ -x "/usr/lib/postgresql/$ver/bin/postgres" ]; then
		printf '%s\n' "/usr/lib/postgresql/$ver/bin"
		return
	fi
	if [ -x /usr/lib/postgresql/15/bin/postgres ]; then
		printf '%s\n' /usr/lib/postgresql/15/bin
		return
	fi
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null || true)
		if [ -n "$d" ] && [ -x "$d/postgres" ]; then
			printf '%s\n' "$d"
			return
		fi
	fi
	die "no PostgreSQL server found (install postgresql-15, or set SIYU_PG_BINDIR)"
}

# The system user a root-started cluster runs as: $SIYU_PG_SERVER_USER, else postgres,
# else siyu-pg; created as a system user when missing (start only).
root_server_user() {
	local create=${1:-0} u=${SIYU_PG_SERVER_USER:-}
	if [ -z "$u" ]; then
		if id -u postgres >/dev/null 2>&1; then
			echo postgres
			return
		fi
		u=siyu-pg
	fi
	if id -u "$u" >/dev/null 2>&1; then
		echo "$u"
	elif [ "$create" = 1 ]; then
		useradd --system --user-group --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$u" >&2 || die "cannot create system user $u"
		echo "$u"
	else
		die "no server user: $u does not exist"
	fi
}

# as_server CMD... — run CMD as the server user ($SUSER), from /, so that an
# unreadable current directory does not bother it.
as_server() {
	if is_root; then
		(cd / && runuser -u "$SUSER" -- "$@")
	elif [ "$(id -un)" = "$SUSER" ]; then
		(cd / && "$@")
	else
		die "the cluster in $DIR belongs to $SUSER; run this as $SUSER or root"
	fi
}

# close_fds — close every descriptor above 2 in the current (sub)shell, so that the
# server does not inherit our lock or a caller's pipe (which would never see EOF).
close_fds() {
	local f n
	[ -d "/proc/$BASHPID/fd" ] || return 0
	for f in "/proc/$BASHPID/fd/"*; do
		n=${f##*/}
		case $n in
		'' | *[!0-9]* | 0 | 1 | 2) continue ;;
		esac
		eval "exec $n>&-" 2>/dev/null || true
	done
}

lock_dir() {
	exec 9>>"$DIR/.lock"
	flock -w 300 9 || die "timed out waiting for the lock on $DIR"
}

# load_state — set BASE, DATA, SOCK, LOGF, PORT, SUSER, BINDIR for an existing DIR.
# Returns 1 when DIR holds no cluster yet.
load_state() {
	[ -f "$DIR/port" ] && { [ -d "$DIR/cluster" ] || [ -L "$DIR/cluster" ]; } || return 1
	PORT=$(cat "$DIR/port")
	case $PORT in '' | *[!0-9]*) die "bad port file $DIR/port" ;; esac
	if [ -L "$DIR/cluster" ]; then
		BASE=$(readlink "$DIR/cluster")
	else
		BASE=$DIR/cluster
	fi
	DATA=$BASE/data
	SOCK=$BASE/sock
	LOGF=$BASE/log
	# the cluster runs as the owner of its files
	SUSER=$(stat -c %U "$DATA" 2>/dev/null || stat -c %U "$BASE" 2>/dev/null || true)
	if [ -z "$SUSER" ] || [ "$SUSER" = UNKNOWN ]; then
		if is_root; then SUSER=$(root_server_user 0); else SUSER=$(id -un); fi
	fi
	local ver=
	[ -r "$DATA/PG_VERSION" ] && ver=$(cat "$DATA/PG_VERSION")
	BINDIR=$(find_bindir "$ver")
	return 0
}

# can_reach DIR — whether the server user can traverse into DIR.
can_reach() {
	if is_root; then
		(cd / && runuser -u "$SUSER" -- test -x "$1") 2>/dev/null
	else
		test -x "$1"
	fi
}

# make_base PATH — create the relocated cluster base in /tmp, or check an existing one.
make_base() {
	local b=$1 owner
	if [ -e "$b" ] || [ -L "$b" ]; then
		if [ ! -d "$b" ] || [ -L "$b" ]; then die "refusing to use $b: not a directory"; fi
		owner=$(stat -c %U "$b")
		[ "$owner" = "$SUSER" ] || die "refusing to use $b: owned by $owner, not $SUSER"
		return 0
	fi
	mkdir -m 755 "$b" || die "cannot create $b"
	if is_root; then chown "$SUSER:" "$b"; fi
}

# create — make DIR's cluster: choose the port and the location, initdb, configure.
create() {
	local reloc=0 lc
	if [ -z "$SUSER" ]; then
		if is_root; then SUSER=$(root_server_user 1); else SUSER=$(id -un); fi
	fi
	BINDIR=$(find_bindir)

	if [ -f "$DIR/port" ]; then
		PORT=$(cat "$DIR/port")
	else
		PORT=$((PORT_BASE + 16#$(hash_of "$DIR" | cut -c1-4) % 1000))
	fi

	if [ -L "$DIR/cluster" ]; then
		BASE=$(readlink "$DIR/cluster")
		make_base "$BASE"          # /tmp was cleaned: make the target again
	else
		if [ -d "$DIR/cluster" ]; then
			: # made before: keep it where it is
		elif ! can_reach "$DIR"; then
			reloc=1
			say "$SUSER cannot reach $DIR: relocating the cluster to /tmp"
		elif [ $((${#DIR} + ${#PORT} + 23)) -gt "$SOCK_MAX" ]; then
			# 23 = length of "/cluster/sock/.s.PGSQL."
			reloc=1
			say "$DIR is too deep for a unix socket path: relocating the cluster to /tmp"
		fi
		if [ "$reloc" = 1 ]; then
			BASE=/tmp/siyu-pg.$(hash_of "$(id -u):$DIR")
			make_base "$BASE"
			ln -s "$BASE" "$DIR/cluster"
		else
			BASE=$DIR/cluster
			mkdir -p "$BASE"
			if is_root; then chown "$SUSER:" "$BASE"; fi
		fi
	fi
	DATA=$BASE/data
	SOCK=$BASE/sock
	LOGF=$BASE/log

	as_server mkdir -p "$SOCK"
	while [ -e "$SOCK/.s.PGSQL.$PORT" ] || [ -e "$SOCK/.s.PGSQL.$PORT.lock" ]; do
		PORT=$((PORT + 1))
	done
	printf '%s\n' "$PORT" >"$DIR/port"
	ln -sfn cluster/log "$DIR/log"

	if [ -f "$DATA/PG_VERSION" ]; then
		return 0
	fi
	lc=C
	if locale -a 2>/dev/null | grep -qix 'c\.utf-\{0,1\}8'; then lc=C.UTF-8; fi
	# Collation C: the same order as C.UTF-8 for UTF-8 text (code point order), but
	# PostgreSQL 15 compares under C with memcmp and abbreviated sort keys, and under any
	# other locale with strcoll: the 1M import 122 -> 110 s (docs/performance.md). Character
	# classes (upper, lower, regular expressions) still follow C.UTF-8.
	if ! as_server "$BINDIR/initdb" -D "$DATA" -A trust -U "$SUPERUSER" -E UTF8 \
		--locale="$lc" --lc-collate=C --no-sync --no-instructions >"$DIR/initdb.log" 2>&1; then
		cat "$DIR/initdb.log" >&2
		die "initdb failed in $DATA"
	fi
	# Settings for a throwaway test cluster; the socket path is quoted for the conf file.
	as_server tee -a "$DATA/postgresql.conf" >/dev/null <<EOF

# --- added by scripts/pg.sh: a throwaway test cluster, never for real data ---
port = $PORT
listen_addresses = ''
unix_socket_directories = '${SOCK//\'/\'\'}'
unix_socket_permissions = 0777
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
max_connections = 100
max_wal_size = 1GB
# posix shared memory lives in /dev/shm, which containers keep small (64 MB)
dynamic_shared_memory_type = mmap
# JIT spends seconds compiling plans over the monthly partitions for queries that run in ms
jit = off
timezone = 'UTC'
log_timezone = 'UTC'
lc_messages = 'C'
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
	say "created cluster in $BASE (server user $SUSER, port $PORT)"
}

is_running() {
	if is_root || [ "$(id -un)" = "$SUSER" ]; then
		as_server "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1
	else
		# not ours: ask the socket (0 = accepting, 1 = starting or stopping)
		local rc=0
		env -u PGHOSTADDR -u PGSERVICE "$BINDIR/pg_isready" -q -h "$SOCK" -p "$PORT" \
			-U "$SUPERUSER" -d postgres || rc=$?
		[ "$rc" -le 1 ]
	fi
}

log_tail() {
	if [ -r "$LOGF" ]; then
		printf '%s: last lines of %s:\n' "$PROG" "$LOGF" >&2
		tail -n 30 "$LOGF" >&2
	fi
}

cmd_start() {
	mkdir -p "$DIR"
	DIR=$(cd "$DIR" && pwd -P)
	lock_dir
	if load_state; then
		if ! is_root && [ "$SUSER" != "$(id -un)" ]; then
			die "the cluster in $DIR belongs to $SUSER; run this as $SUSER or root"
		fi
		if [ ! -f "$DATA/PG_VERSION" ] || [ ! -d "$SOCK" ]; then create; fi
	else
		create
	fi
	if is_running; then
		return 0
	fi
	local timeout=${SIYU_PG_TIMEOUT:-30} waited=0
	if ! (close_fds && as_server "$BINDIR/pg_ctl" -D "$DATA" -l "$LOGF" -W start) >/dev/null; then
		log_tail
		die "pg_ctl start failed in $DATA"
	fi
	# poll in tenths of a second; fail fast if the postmaster died
	until env -u PGHOSTADDR -u PGSERVICE "$BINDIR/pg_isready" -q -h "$SOCK" -p "$PORT" \
		-U "$SUPERUSER" -d postgres; do
		if [ "$waited" -ge $((timeout * 10)) ]; then
			log_tail
			die "server in $DATA not ready after ${timeout}s"
		fi
		if [ "$waited" -ge 10 ] && ! is_running; then
			log_tail
			die "server in $DATA failed to start"
		fi
		sleep 0.1
		waited=$((waited + 1))
	done
	say "started $DIR (socket $SOCK, port $PORT)"
}

cmd_stop() {
	[ -d "$DIR" ] || return 0
	DIR=$(cd "$DIR" && pwd -P)
	lock_dir
	load_state || return 0
	[ -f "$DATA/PG_VERSION" ] || return 0
	is_running || return 0
	if ! (close_fds && as_server "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 stop) >/dev/null; then
		log_tail
		die "pg_ctl stop failed in $DATA"
	fi
	say "stopped $DIR"
}

cmd_status() {
	if [ -d "$DIR" ] && DIR=$(cd "$DIR" && pwd -P) && load_state &&
		[ -f "$DATA/PG_VERSION" ] && is_running; then
		echo running
		return 0
	fi
	echo stopped
	return 3
}

cmd_env() {
	[ -d "$DIR" ] || die "no cluster in $DIR (run: scripts/pg.sh start $DIR)"
	DIR=$(cd "$DIR" && pwd -P)
	load_state || die "no cluster in $DIR (run: scripts/pg.sh start $DIR)"
	printf 'export PGHOST=%q PGPORT=%s PGUSER=%s\n' "$SOCK" "$PORT" "$SUPERUSER"
}

cmd_psql() {
	[ -d "$DIR" ] || die "no cluster in $DIR (run: scripts/pg.sh start $DIR)"
	DIR=$(cd "$DIR" && pwd -P)
	load_state || die "no cluster in $DIR (run: scripts/pg.sh start $DIR)"
	unset PGHOSTADDR PGSERVICE
	PGHOST=$SOCK PGPORT=$PORT PGUSER=$SUPERUSER exec "$BINDIR/psql" "$@"
}

cmd_destroy() {
	[ -d "$DIR" ] || return 0
	DIR=$(cd "$DIR" && pwd -P)
	if [ ! -f "$DIR/port" ] && [ ! -e "$DIR/cluster" ] && [ ! -L "$DIR/cluster" ]; then
		# refuse to rm -rf a directory this script did not make
		[ -z "$(ls -A "$DIR")" ] || die "$DIR does not look like a scripts/pg.sh cluster; not removing it"
	fi
	lock_dir
	if load_state && [ -f "$DATA/PG_VERSION" ] && is_running; then
		(close_fds && as_server "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 60 stop) >/dev/null ||
			die "pg_ctl stop failed in $DATA"
	fi
	if [ -L "$DIR/cluster" ]; then
		BASE=$(readlink "$DIR/cluster")
		case $BASE in
		/tmp/siyu-pg.*) rm -rf -- "$BASE" ;;
		*) say "not removing unexpected cluster target $BASE" ;;
		esac
	fi
	rm -rf -- "$DIR"
	say "destroyed $DIR"
}

main() {
	[ $# -ge 2 ] || usage
	local cmd=$1
	DIR=$(abs_path "$2")
	shift 2
	case $cmd in
	start | stop | status | env | destroy) [ $# -eq 0 ] || usage ;;
	psql) ;;
	*) usage ;;
	esac
	BASE='' DATA='' SOCK='' LOGF='' PORT='' SUSER='' BINDIR=''
	"cmd_$cmd" "$@"
}

main "$@"
