/*
 * keysman: the console's keys as a man page section, written from the
 * key tables (keys_table) so the manual cannot drift from them. `drtop
 * --keys-man` prints it; `make man-keys` puts it into man/drtop.1 and a
 * test compares the two.
 */
#ifndef DRTOP_KEYSMAN_H
#define DRTOP_KEYSMAN_H

#include <stdio.h>

/* The roff lines of every key context, in KeyContext order: ".SS TITLE"
 * then one ".TP" per action with help text, its keys in bold. Returns
 * 0, or -1 when writing to f failed. */
int keys_man(FILE *f);

#endif
