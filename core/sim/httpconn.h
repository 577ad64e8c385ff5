/*
 * httpconn: one connection of core/sim/httpd, and the ways a request
 * handler can answer on it. A handler is given the connection with a
 * complete request (see HttpdHandler in httpd.h) and calls exactly one
 * of the functions below before it returns; each replaces whatever was
 * queued on the connection before. All of them run on the server thread
 * only, never block, and never free the connection: sending, holding,
 * closing and freeing happen in the server's loop after the handler.
 *
 * A connection's life (server thread only):
 *   READ      reading a request; deadline = idle timeout (60 s)
 *   HOLD      answered, the answer held until the deadline
 *   WRITE     sending an answer; deadline = stall timeout (60 s)
 *   IGNORE    reading and discarding until the client leaves
 *   ENDLESS   streaming an endless body while the client reads
 *   DRAIN     answered and shut down for writing; reading and
 *             discarding until the client closes (at most 2 s), so
 *             unread input never turns the close into an RST that
 *             destroys the answer
 * After a complete answer a keep-alive connection goes back to READ
 * (pipelined bytes already read are kept), else it drains and closes.
 */
#ifndef DRTOP_SIM_HTTPCONN_H
#define DRTOP_SIM_HTTPCONN_H

#include <stdbool.h>
#include <stddef.h>

typedef struct HttpConn HttpConn;

/*
 * A complete answer: status line, Server, the listener's headers, then
 * extra (header lines ending in CRLF, or NULL), Content-Type and
 * Content-Length unless status is 204 or 304, and Connection (keep-alive
 * as the request asked). The body is copied; head leaves it out (for an
 * answer to HEAD).
 */
void httpconn_respond(HttpConn *c, int status, const char *extra,
    const char *ctype, const char *body, size_t len, bool head);

/* A text/plain answer: msg and a newline. The connection closes after
 * it. */
void httpconn_respond_error(HttpConn *c, int status, const char *msg);

/* Hold the answer just queued for ms milliseconds, reading nothing
 * meanwhile, then send it. */
void httpconn_hold(HttpConn *c, int ms);

/* Never answer: read and discard until the client leaves. */
void httpconn_ignore(HttpConn *c);

/* Close without an answer (shut down for writing, then drain). */
void httpconn_drop(HttpConn *c);

typedef enum {
	HTTPCONN_THEN_CLOSE, /* close, as after an answer */
	HTTPCONN_THEN_RESET, /* RST, also as soon as a send would block */
	HTTPCONN_THEN_ENDLESS, /* send the chunk again and again */
} HttpConnThen;

/*
 * Send n bytes as they are (HTTP or not), then do what then says; the
 * connection is not kept alive. For HTTPCONN_THEN_ENDLESS the chunk
 * (chunk_len bytes) is what repeats until the client goes; it must
 * outlive the connection (a static buffer). Otherwise pass NULL, 0.
 */
void httpconn_send_raw(HttpConn *c, const char *data, size_t n,
    HttpConnThen then, const char *chunk, size_t chunk_len);

#endif
