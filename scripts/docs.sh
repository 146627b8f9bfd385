#!/usr/bin/env bash
# docs.sh — `make docs`: regenerate docs/warehouse.md from the database's own COMMENT ON
# text. Migrates a scratch database (siyu_docs) on the private test cluster under
# var/test-pg with the siyu binary given, then runs scripts/warehouse-doc.sql. The cluster
# is stopped again if this script started it. t0930-docs.sh checks the result in make check.
#
#   scripts/docs.sh SIYU_BINARY
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
siyu=${1:?usage: docs.sh SIYU_BINARY}
pgdir=${SIYU_TEST_PG:-$top/var/test-pg}

started=0
if [[ "$("$top/scripts/pg.sh" status "$pgdir" 2>/dev/null)" != running ]]; then
	"$top/scripts/pg.sh" start "$pgdir" >/dev/null
	started=1
fi
stop() { [[ $started == 0 ]] || "$top/scripts/pg.sh" stop "$pgdir" >/dev/null 2>&1 || true; }
trap stop EXIT
eval "$("$top/scripts/pg.sh" env "$pgdir")"
export PGDATABASE=siyu_docs
PGDATABASE=postgres PGOPTIONS='-c client_min_messages=warning' psql -Xq -v ON_ERROR_STOP=1 \
	-c "DROP DATABASE IF EXISTS siyu_docs WITH (FORCE)" -c "CREATE DATABASE siyu_docs"
SIYU_SQL="$top/sql" "$siyu" migrate >/dev/null 2>"$top/var/docs-migrate.log" ||
	{ cat "$top/var/docs-migrate.log"; exit 1; }
psql -X -A -t -q -f "$top/scripts/warehouse-doc.sql" >"$top/docs/warehouse.md.tmp"
mv "$top/docs/warehouse.md.tmp" "$top/docs/warehouse.md"
echo "docs/warehouse.md: $(grep -c '^## `' "$top/docs/warehouse.md") tables and views"
