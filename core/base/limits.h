/*
 * limits: this machine's own limits, which must never be mistaken for a
 * region's trouble. drtop holds one socket per probe in flight (and one
 * per DNS resolver), so the open-file limit bounds how many endpoints it
 * can probe at once.
 */
#ifndef DRTOP_LIMITS_H
#define DRTOP_LIMITS_H

/* Raise RLIMIT_NOFILE's soft limit to the hard limit. Returns the soft
 * limit in force afterwards (-1 when it cannot be read). Main thread,
 * before any other thread starts. */
long limits_raise_nofile(void);

/* File descriptors drtop keeps for itself besides its probes: the
 * terminal, logs, pipes, DNS sockets, libcurl's own. */
#define LIMITS_RESERVED_FDS 64

/* How many endpoints can be probed at once under the soft limit soft
 * (each probe holds one socket): soft - LIMITS_RESERVED_FDS, at least
 * 0. */
long limits_endpoints_for(long soft);

#endif
