#!/bin/sh
# make deps: check what drtop needs to build and test, and install what is
# missing from Debian's packages (apt-get, through sudo when not root).
set -u
missing=""
need_pc() { pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }

command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
need_pc ncursesw libncurses-dev
need_pc libcurl libcurl4-openssl-dev
need_pc libcjson libcjson-dev
need_pc cmocka libcmocka-dev
need_cmd cc gcc
need_cmd make make
need_cmd tmux tmux
need_cmd dnsmasq dnsmasq-base
need_cmd openssl openssl
need_cmd pgrep procps
need_cmd clang-format clang-format # make fmt-check (CI)
# make fuzz-check (CI): clang with libFuzzer's runtime
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)
{ (void)d; (void)n; return 0; }' >/tmp/drtop-deps-fuzz.$$.c
command -v clang >/dev/null 2>&1 && clang -fsanitize=fuzzer \
	-o /tmp/drtop-deps-fuzz.$$ /tmp/drtop-deps-fuzz.$$.c >/dev/null 2>&1 ||
	missing="$missing clang libclang-rt-dev"
rm -f /tmp/drtop-deps-fuzz.$$ /tmp/drtop-deps-fuzz.$$.c
need_cmd curl curl # the demo's failover action (core/sim/demo.c)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import pyte' 2>/dev/null ||
	missing="$missing python3-pyte"

if [ -z "$missing" ]; then
	echo "deps: everything is installed"
	exit 0
fi
echo "deps: installing from Debian's packages:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || { echo "deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing ||
	{ echo "deps: apt-get install failed:$missing" >&2; exit 1; }
echo "deps: done"
