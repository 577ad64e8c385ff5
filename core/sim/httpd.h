/*
 * httpd: a small HTTP/1.1 server on one epoll loop, for the simulator's
 * regions and its control interface, and for anything else on loopback
 * that wants to answer HTTP from C. It knows listeners, connections,
 * requests (core/sim/httpreq) and ways to answer; what to answer is the
 * handler's business.
 *
 * DESIGN
 * - One thread, the one that calls httpd_run() (the server thread),
 *   owns the epoll set, every listener's socket, every connection, the
 *   deadline heap and the pending-wake flag. Nothing in an Httpd is
 *   locked: other threads may only call httpd_wake() and httpd_stop()
 *   (an eventfd and an atomic flag). Before httpd_run() starts and
 *   after it has returned, the thread that owns the Httpd (the one that
 *   made it and joins the server thread) may call anything.
 * - Sockets are non-blocking; there is no thread per connection. A
 *   min-heap of connection deadlines wakes the loop for held answers
 *   and for idle, stalled and draining connections, so a slow or
 *   hostile client never holds up another.
 * - Handlers run on the server thread inside an event batch with a
 *   connection they may answer (httpconn.h) but never free; closing
 *   and freeing happen in the loop after the handler returns. Whatever
 *   frees other clients' connections (httpd_listener_drop_idle) runs
 *   in on_wake, between batches.
 * - httpd_wake() from another thread writes the eventfd; from the
 *   server thread it only sets a flag. Either way on_wake runs on the
 *   server thread once the current batch is done.
 *
 * The code: httpd.c has the loop, the listeners and accepting;
 * httpconn.c one connection's life (core/sim/httpconn.h); httpd_int.h
 * what the two share.
 */
#ifndef DRTOP_SIM_HTTPD_H
#define DRTOP_SIM_HTTPD_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/httpconn.h"
#include "sim/httpreq.h"

typedef struct Httpd Httpd;
typedef struct HttpdListener HttpdListener;

/*
 * Called on the server thread with each complete request. r and its
 * body live until the handler returns. The handler answers c with one
 * of the httpconn_* functions (httpconn.h; a request left unanswered is
 * closed without an answer) and must not block.
 */
typedef void (*HttpdHandler)(void *ctx, HttpConn *c, const HttpReq *r);

typedef struct {
	const char *bind; /* numeric address, no brackets: "127.0.0.1" */
	const char *server; /* the Server header ("drtop-sim"); copied */
	/* Optional: runs on the server thread after a batch of events in
	 * which httpd_wake() was called (from any thread). */
	void (*on_wake)(void *ctx);
	void *ctx;
} HttpdConfig;

/*
 * Make a server with no listeners: the epoll set, the wake eventfd.
 * Returns NULL with err set when bind is not a numeric address or the
 * descriptors cannot be made. Owner thread.
 */
Httpd *httpd_new(const HttpdConfig *cfg, char *err, size_t cap);

/* Close every connection and listener and free. Owner thread, with no
 * httpd_run() running. httpd_free(NULL) is safe. */
void httpd_free(Httpd *h);

/* The bind address as it appears in a URL: "127.0.0.1", "[::1]".
 * Immutable; any thread. */
const char *httpd_host(const Httpd *h);

/*
 * Serve until httpd_stop(); the calling thread becomes the server
 * thread. Returns early only when epoll fails.
 */
void httpd_run(Httpd *h);

/* Make httpd_run() return soon. Any thread. */
void httpd_stop(Httpd *h);

/* Run on_wake on the server thread after the current batch. Any
 * thread; never blocks (a full eventfd counter still wakes). */
void httpd_wake(Httpd *h);

/* True on the thread running h's httpd_run(). Any thread. */
bool httpd_on_server_thread(const Httpd *h);

/*
 * A listener for port (0 = ephemeral), closed until
 * httpd_listener_open(). name appears in error messages; headers
 * ("X-Region: eu20\r\n", NULL for none) go into every answer given on
 * its connections. Both are copied. fn answers its requests. Owned by
 * h; owner thread, before httpd_run().
 */
HttpdListener *httpd_listener_new(Httpd *h, const char *name, int port,
    const char *headers, HttpdHandler fn, void *ctx);

/*
 * Listen on addr (numeric, no brackets: "127.0.0.118") instead of the
 * server's bind address; copied. Returns 0, or -1 when addr is not a
 * numeric address. Owner thread, before l is first opened.
 */
int httpd_listener_set_addr(HttpdListener *l, const char *addr);

/*
 * Bind and listen (nothing when l is open already). The first open
 * fixes the port (an ephemeral one is chosen then); later opens use the
 * same port. Returns 0, or -1 with err set ("127.0.0.1:18081 (eu20):
 * bind: Address already in use"). Owner thread before httpd_run(), then
 * the server thread only.
 */
int httpd_listener_open(Httpd *h, HttpdListener *l, char *err, size_t cap);

/* Close the listening socket (connects are refused); its connections
 * stay. Server thread (owner thread before httpd_run()). */
void httpd_listener_close(Httpd *h, HttpdListener *l);

/* Server thread (owner thread before httpd_run()). */
bool httpd_listener_is_open(const HttpdListener *l);

/* The bound port (before the first successful open, the port asked
 * for). Set by that open and never changed after, so any thread may read
 * it once the open has returned. */
int httpd_listener_port(const HttpdListener *l);

/*
 * Close l's connections that wait for a request (kept alive). Frees
 * connections: server thread, between batches only (on_wake), never
 * from a handler.
 */
void httpd_listener_drop_idle(Httpd *h, HttpdListener *l);

#endif
