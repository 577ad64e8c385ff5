/*
 * sigpipe: signals turned into events. Handlers only set a
 * volatile sig_atomic_t and write one byte to a non-blocking self-pipe;
 * the main loop polls sigpipe_fd() next to its other descriptors and
 * reads the flags. SIGINT, SIGTERM and SIGHUP request a stop, SIGWINCH a
 * resize; SIGPIPE is ignored so a closed stdout is an EPIPE write error.
 *
 * Main thread only; call sigpipe_install() before starting any thread
 * (threads are started with these signals blocked).
 */
#ifndef DRTOP_SIGPIPE_H
#define DRTOP_SIGPIPE_H

#include <stdbool.h>

/* Returns 0, or -1 with errno set. Safe to call more than once. */
int sigpipe_install(void);
/* The read end to poll for POLLIN. */
int sigpipe_fd(void);
/* Empty the pipe (after poll said it is readable). */
void sigpipe_consume(void);
/* The signal that asked to stop (SIGINT, SIGTERM, SIGHUP), or 0. */
int sigpipe_stop_requested(void);
/* True once per SIGWINCH received since the last call. */
bool sigpipe_take_resize(void);

#endif
