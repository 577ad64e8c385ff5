#!/bin/sh
# term_bytes.sh [SECONDS] [DRTOP]: bytes written to the terminal per second
# in steady state by `drtop --demo` and by htop, each alone in a private
# tmux server at 80x24 and at 200x60, plus CPU seconds per minute; prints
# the ratios (DESIGN.md's target: drtop at most half of htop's bytes/s).
# Bounded: 4 runs of (WARM s warm-up, default 5, + SECONDS, default 30).
# The first sweep of the timeline draws new cells; a WARM longer than one
# sweep (about 70 s at 80x24) measures the later, cheaper sweeps.
set -u
secs=${1:-30}
bin=${2:-./drtop}
warm=${WARM:-5}
sock=drtop-bench-$$
tmp=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

if ! command -v htop >/dev/null 2>&1; then
	echo "bench: installing htop to compare against" >&2
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO=sudo
	DEBIAN_FRONTEND=noninteractive timeout 180 $SUDO apt-get install -y \
	    -qq htop >/dev/null 2>&1 || echo "bench: htop unavailable" >&2
fi

clk=$(getconf CLK_TCK)

# cpu_ticks PID: utime + stime of PID
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# measure NAME X Y CMD: prints "bytes_per_s cpu_s_per_min"
measure() {
	name=$1 x=$2 y=$3
	shift 3
	out="$tmp/$name-$x"
	: >"$out"
	tmux -L "$sock" -f /dev/null new-session -d -x "$x" -y "$y" -s b \
	    "exec $*"
	pid=$(tmux -L "$sock" display-message -p -t b '#{pane_pid}')
	sleep "$warm"
	c0=$(cpu_ticks "$pid")
	tmux -L "$sock" pipe-pane -o -t b "cat >> '$out'"
	sleep "$secs"
	tmux -L "$sock" pipe-pane -t b
	c1=$(cpu_ticks "$pid")
	tmux -L "$sock" kill-server 2>/dev/null
	bytes=$(wc -c <"$out")
	awk -v b="$bytes" -v s="$secs" -v c=$((c1 - c0)) -v k="$clk" \
	    'BEGIN { printf "%.1f %.3f\n", b / s, c / k * 60 / s }'
}

echo "terminal output, ${secs}s steady state after ${warm}s warm-up"
printf '%-8s %-10s %12s %14s\n' size program "bytes/s" "cpu s/min"
for size in 80x24 200x60; do
	x=${size%x*}
	y=${size#*x}
	d=$(measure drtop "$x" "$y" "env LC_ALL=C.UTF-8 $bin --demo")
	printf '%-8s %-10s %12s %14s\n' "$size" drtop ${d}
	if command -v htop >/dev/null 2>&1; then
		h=$(measure htop "$x" "$y" htop)
		printf '%-8s %-10s %12s %14s\n' "$size" htop ${h}
		echo "$d $h" | awk -v s="$size" '{
		    r = ($3 > 0) ? $1 / $3 : 0
		    printf "%-8s drtop/htop bytes ratio %.2f (target <= 0.50)%s\n",
			s, r, (r <= 0.5 ? "" : "  ** over target **") }'
	fi
done
