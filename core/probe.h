/*
 * probe: the threaded probe core (libcurl multi). See probe.c's DESIGN.
 */
#ifndef DRTOP_PROBE_H
#define DRTOP_PROBE_H

/* Initialise libcurl once, in main, before any thread starts.
 * Returns 0, or -1 when libcurl cannot initialise. */
int probe_global_init(void);
void probe_global_cleanup(void);

#endif
