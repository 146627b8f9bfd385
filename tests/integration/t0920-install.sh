#!/usr/bin/env bash
test_description='make install: a staged tree (DESTDIR) whose siyu runs and migrates with the installed SQL; man pages describe every command and option; the systemd units verify'
. "$(dirname "$0")/../lib.sh"

setup_db
unset SIYU_MIGRATIONS
# Install the build under test: its directory (build/san, build/rel) is make's BUILD.
build=$(cd "$(dirname "$SIYU")/.." && pwd -P)
case $build in
"$TOP"/build/san) make_build=(SAN=1) ;;
"$TOP"/build/*) make_build=(BUILD="${build#"$TOP"/}") ;;
*) die "install test: $SIYU is not a build under $TOP/build" ;;
esac
# make_install ARGS... — the install target alone, from any make that runs this test.
make_install() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory -C "$TOP" "${make_build[@]}" install "$@"
}

test_expect_success 'make install DESTDIR=... PREFIX=/usr/local installs the tree' '
	make_install DESTDIR="$TRASH/x" PREFIX=/usr/local >install.out 2>&1 &&
	p=x/usr/local &&
	test -x $p/bin/siyu &&
	test "$(stat -c %a $p/bin/siyu)" = 755 &&
	(cd "$TOP" && find sql -name "*.sql" | sort) >expect &&
	(cd $p/share/siyu && find sql -name "*.sql" | sort) >actual &&
	test_cmp expect actual &&
	test -s $p/share/man/man1/siyu.1 && test -s $p/share/man/man5/pipeline.conf.5 &&
	test -s $p/share/doc/siyu/README.md && test -s $p/share/doc/siyu/pipeline.conf &&
	test -s $p/share/doc/siyu/docs/json.md && test -s $p/share/doc/siyu/siyu.crontab &&
	for u in siyu.service siyu.timer siyu-wecom-callback.service; do
		test "$(stat -c %a $p/lib/systemd/system/$u)" = 644 || exit 1
	done &&
	grep -q "^ExecStart=/usr/local/bin/siyu run$" $p/lib/systemd/system/siyu.service &&
	grep -q "^u siyu " $p/lib/sysusers.d/siyu.conf
'

test_expect_success 'the installed siyu runs: --help, and migrate with the installed SQL' '
	x/usr/local/bin/siyu --help >out &&
	grep -q "^usage: siyu " out &&
	# From /, SIYU_MIGRATIONS unset: the checkout (far above) is out of its reach, so
	# the SQL it applies is the installed copy.
	ls x/usr/local/share/siyu/sql/migrations/*.sql | wc -l >expect &&
	( cd / && "$TRASH/x/usr/local/bin/siyu" migrate --dry-run >"$TRASH/dry" 2>&1 ) &&
	grep -c "would apply migration" dry >actual &&
	test_cmp expect actual &&
	( cd / && "$TRASH/x/usr/local/bin/siyu" migrate >"$TRASH/mig" 2>&1 ) &&
	test_psql "select count(*) from etl.schema_migration" >actual &&
	test_cmp expect actual &&
	( cd / && "$TRASH/x/usr/local/bin/siyu" status --json ) >status.json &&
	jq -e ".runs == []" status.json
'

test_expect_success 'the man pages render without a warning' '
	for m in x/usr/local/share/man/man1/siyu.1 x/usr/local/share/man/man5/pipeline.conf.5; do
		groff -k -man -Tutf8 -ww -z "$m" 2>err && test_must_fail test -s err || { cat err; exit 1; }
	done
'

test_expect_success 'siyu(1) describes every command and each of its options' '
	man=x/usr/local/share/man/man1/siyu.1 &&
	"$SIYU" --help | sed -n "s/^  \([a-z][a-z-]*\)  .*/\1/p" >commands &&
	test "$(wc -l <commands)" -ge 7 &&
	while read -r c; do
		grep -q "^\.BR $(echo "$c" | sed "s/-/\\\\\\\\-/g") " $man || test_fail "no command $c in siyu.1"
		# test_fail, not exit: this loop runs in a pipeline (a subshell of its own)
		"$SIYU" "$c" --help | grep -o -- "--[a-z][a-z-]*" | sort -u | while read -r o; do
			grep -qF -- "$(echo "$o" | sed "s/-/\\\\-/g")" $man || test_fail "no $o of $c in siyu.1"
		done
	done <commands
'

test_expect_success 'pipeline.conf(5) names every [warehouse] and [run] key of pipeline.conf' '
	awk "/^\[(warehouse|run)\]/{on=1; next} /^\[/{on=0} on" "$TOP/pipeline.conf" |
		sed -n "s/^#\{0,1\} \{0,1\}\([a-z_]*\) = .*/\1/p" | sort -u >keys &&
	test "$(wc -l <keys)" -ge 7 &&
	while read -r k; do
		grep -q "^\.B $(echo "$k")$" x/usr/local/share/man/man5/pipeline.conf.5 || test_fail "no $k"
	done <keys
'

test_skip_ok_in_ci "systemd-analyze comes with systemd, which a CI container need not have"
if command -v systemd-analyze >/dev/null 2>&1; then
	test_expect_success 'the systemd units verify (systemd-analyze verify, no warning)' '
		make_install PREFIX="$TRASH/prefix" >install2.out 2>&1 &&
		cd prefix/lib/systemd/system &&
		systemd-analyze verify --man=no siyu.service siyu.timer siyu-wecom-callback.service >"$TRASH/verify" 2>&1 &&
		test_must_fail test -s "$TRASH/verify" || { cat "$TRASH/verify"; exit 1; }
	'
else
	test_skip 'the systemd units verify (systemd-analyze verify, no warning)' \
		"systemd-analyze is not installed (no systemd on this machine)"
fi

test_expect_success 'the units: nightly, persistent, randomized, a dedicated user, secrets 0600, hardened' '
	test -d prefix || make_install PREFIX="$TRASH/prefix" >install2.out 2>&1 &&
	u=prefix/lib/systemd/system &&
	grep -q "^OnCalendar=\*-\*-\* 03:30:00 Asia/Shanghai$" $u/siyu.timer &&
	grep -q "^Persistent=true$" $u/siyu.timer &&
	grep -q "^RandomizedDelaySec=" $u/siyu.timer &&
	for s in siyu.service siyu-wecom-callback.service; do
		grep -q "^User=siyu$" $u/$s && grep -q "^EnvironmentFile=/etc/siyu/secrets.env$" $u/$s &&
		grep -q "^ProtectSystem=strict$" $u/$s && grep -q "^NoNewPrivileges=yes$" $u/$s &&
		grep -q "^StateDirectory=siyu$" $u/$s || { echo "$s"; exit 1; }
	done &&
	grep -q "^ExecStart=$TRASH/prefix/bin/siyu run$" $u/siyu.service &&
	grep -q "^ExecStart=$TRASH/prefix/bin/siyu wecom-callback$" $u/siyu-wecom-callback.service
'

test_done
