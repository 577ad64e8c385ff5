/*
 * thread: the one way drtop starts a thread (STYLE.md rule 15). SIGINT,
 * SIGTERM, SIGHUP, SIGWINCH and SIGPIPE are blocked around
 * pthread_create, so the new thread inherits them blocked and signals
 * reach only the main thread, whose handlers set flags. The caller's
 * signal mask is unchanged afterwards.
 */
#ifndef DRTOP_THREAD_H
#define DRTOP_THREAD_H

#include <pthread.h>

/* Returns 0, or the pthread_create error number. */
int thread_start(pthread_t *th, void *(*fn)(void *), void *arg);

#endif
