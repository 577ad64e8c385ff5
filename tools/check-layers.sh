#!/bin/sh
# make check-layers: the include rules that keep drtop's parts apart.
#   - core/ never includes curses; tui/ never includes curl.
#   - core/engine/ is pure: it includes only the vocabulary (core/model/),
#     core/base/util.h and its own headers; no header of the probe, dns,
#     actions, journal, sim or live parts, and no clock, socket, file,
#     thread or process API.
#   - core/base/ includes only core/base/; core/model/ only core/model/
#     and core/base/ (the bottom layers know nothing above them).
# Prints every offending line; exits 1 when there is one.
set -u
cd "$(dirname "$0")/.." || exit 2
bad=$(
	grep -nE '#include *[<"](n?curses|ncursesw/)' core/*/*.[ch]
	grep -nE '#include *<curl/' tui/*.[ch]
	grep -nE '#include *"(probe|dns|actions|journal|sim|live|agent)/' \
		core/engine/*.[ch]
	grep -nE '#include *"base/(clock|thread|dlog)\.h"' core/engine/*.[ch]
	grep -nE '#include *<(time|unistd|fcntl|poll|pthread|signal|spawn|netdb)\.h>' \
		core/engine/*.[ch]
	grep -nE '#include *<(sys|netinet|arpa|curl)/' core/engine/*.[ch]
	grep -nE '\b(clock_gettime|gettimeofday|mono_now|real_now|fopen|socket)\(' \
		core/engine/*.[ch]
	grep -nE '#include *"[a-z]+/' core/base/*.[ch] | grep -v '"base/'
	grep -nE '#include *"[a-z]+/' core/model/*.[ch] |
		grep -vE '"(model|base)/'
)
if [ -n "$bad" ]; then
	echo "check-layers: these includes cross a layer:"
	echo "$bad"
	exit 1
fi
echo "check-layers: core/ has no curses, tui/ no curl, core/engine/ is pure," \
	"core/base/ and core/model/ stand alone"
