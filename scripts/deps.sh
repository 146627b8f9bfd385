#!/usr/bin/env bash
# deps.sh — install the Debian 12 packages siyu needs to build, test and run its demo.
# As root it installs what is missing (apt-get update, then apt-get install -y);
# as another user it prints the exact command to run.
set -euo pipefail

packages=(
	gcc make pkg-config
	libpq-dev libcurl4-openssl-dev zlib1g-dev libjson-c-dev libssl-dev libcsv-dev
	libmicrohttpd-dev libexpat1-dev libcmocka-dev libzip-dev libxlsxwriter-dev jq clang-14 libclang-rt-14-dev
	chromium chromium-driver fonts-noto-cjk
	postgresql-15 postgresql-contrib postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
	ca-certificates
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "siyu: missing Debian packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "siyu: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
