#!/bin/sh
# Test helper: flood.sh BYTES LINELEN writes exactly BYTES bytes of
# output made of lines of LINELEN bytes ("xxx...x\n"); the last line is
# cut where the byte count ends.
line=$(printf "%$(($2 - 1))s" '' | tr ' ' x)
yes "$line" | head -c "$1"
