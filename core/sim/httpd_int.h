/*
 * httpd_int: what httpd.c (the loop, listeners, accepting) and
 * httpconn.c (one connection's life) share. Not for use outside those
 * two files; everything here belongs to the server thread (see the
 * DESIGN in httpd.h) except the fields marked immutable.
 */
#ifndef DRTOP_SIM_HTTPD_INT_H
#define DRTOP_SIM_HTTPD_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/httpconn.h"
#include "sim/httpd.h"
#include "sim/timeheap.h"

/* What an epoll event's data.ptr points at: each starts with its kind. */
enum { HTTPD_ITEM_WAKE, HTTPD_ITEM_LISTEN, HTTPD_ITEM_CONN };

struct HttpdListener {
	int kind; /* HTTPD_ITEM_LISTEN; must be first */
	int fd; /* -1 while closed */
	int port; /* asked for; the bound port after the first open */
	char addr[64]; /* numeric address to bind; "" = the server's */
	char name[64];
	char *headers; /* "" for none */
	HttpdHandler fn;
	void *ctx;
};

struct Httpd {
	/* Immutable after httpd_new. */
	int family;
	char bind[64];
	char host[70]; /* bind as it appears in a URL */
	char server[64];
	void (*on_wake)(void *ctx);
	void *ctx;
	int ep, wake;
	int wake_kind; /* HTTPD_ITEM_WAKE; epoll data for the eventfd */

	_Atomic bool stop;

	/* The owner thread until httpd_run, then the server thread. */
	HttpdListener **lsts;
	int nlsts;
	HttpConn *conns;
	int nconns;
	TimeHeap timers; /* of HttpConn.timer */
	int reserve_fd;
	bool wake_pending; /* httpd_wake() on the server thread */
	long long now; /* ms on the monotonic clock, read once a batch */
};

typedef enum {
	CONN_READ,
	CONN_HOLD,
	CONN_WRITE,
	CONN_IGNORE,
	CONN_ENDLESS,
	CONN_DRAIN,
} HttpConnState;

struct HttpConn {
	int kind; /* HTTPD_ITEM_CONN; must be first */
	int fd;
	Httpd *h;
	HttpdListener *lst;
	HttpConnState st;
	uint32_t events; /* current epoll interest */
	char *in;
	size_t in_len, in_cap;
	size_t req_len; /* bytes of the request being answered */
	char *out; /* out_small or a heap buffer */
	size_t out_len, out_off;
	char out_small[512];
	bool keep_alive;
	HttpConnThen then; /* after the answer is sent */
	const char *chunk; /* HTTPCONN_THEN_ENDLESS: what repeats */
	size_t chunk_len;
	TimeHeapNode timer; /* in h->timers while it has a deadline */
	HttpConn *prev, *next; /* h->conns */
};

/* Add fd, accepted on l, as a connection waiting for a request, to the
 * epoll set and h->conns. Returns NULL (fd closed) when epoll refuses. */
HttpConn *httpconn_open(Httpd *h, HttpdListener *l, int fd);

/* Free c and close its socket; rst sends an RST instead of a FIN. */
void httpconn_close(HttpConn *c, bool rst);

/* Act on epoll events ev for c; may free c. */
void httpconn_event(HttpConn *c, uint32_t ev);

/* c's deadline has passed (h->now); may free c. */
void httpconn_timeout(HttpConn *c);

/* True while c waits for a request (kept alive or new). */
bool httpconn_idle(const HttpConn *c);

#endif
