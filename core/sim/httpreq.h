/*
 * httpreq: the request side of HTTP/1.1 as text, pure. Parses the head
 * of a request from the bytes a server has read so far, with the limits
 * core/sim/httpd answers 4xx for, and decodes a value from a query
 * string. No sockets, no threads, no state: any thread may call these.
 *
 * What the parser accepts: a request line "METHOD TARGET HTTP/1.x"
 * (METHOD of A-Z, 1-15 bytes; TARGET without spaces, under 2048 bytes),
 * header lines ended by CRLF or LF, then an empty line; a body only as
 * Content-Length bytes (chunked bodies are refused with 411).
 */
#ifndef DRTOP_SIM_HTTPREQ_H
#define DRTOP_SIM_HTTPREQ_H

#include <stdbool.h>
#include <stddef.h>

/* The request line and headers, with the empty line that ends them. */
#define HTTPREQ_HEAD_MAX (16 * 1024)
/* A request body (Content-Length). */
#define HTTPREQ_BODY_MAX (16 * 1024)

typedef struct {
	char method[16]; /* "GET" */
	char target[2048]; /* as sent: path, then '?' and the query */
	bool http11; /* HTTP/1.1; else HTTP/1.0 */
	/* HTTP/1.1 without "Connection: close", or HTTP/1.0 with
	 * "Connection: keep-alive". */
	bool keep_alive;
	size_t head_len; /* request line and headers with the empty line */
	const char *body; /* into the buffer parsed; not NUL-terminated */
	size_t body_len;
	size_t len; /* head_len + body_len: the bytes of this request */
	/* HTTPREQ_BAD only: the answer to give (400, 411, 413, 431) and a
	 * static text that says why. */
	int status;
	const char *error;
} HttpReq;

typedef enum {
	HTTPREQ_DONE, /* a whole request (head and body) is in the buffer */
	HTTPREQ_MORE, /* not yet: read more bytes and parse again */
	HTTPREQ_BAD, /* not a request this parser takes: see status */
} HttpReqParse;

/*
 * Parse the request at the start of buf (len bytes; leading empty lines
 * removed first, see httpreq_blank_prefix). DONE: *r is filled and
 * r->body points into buf. MORE: the head or the body is not complete;
 * a head that has not ended within HTTPREQ_HEAD_MAX bytes is BAD (431)
 * instead. BAD: r->status and r->error are set (400 for a request line
 * or Content-Length that is not HTTP/1.x, 411 for a chunked body, 413
 * for a body over HTTPREQ_BODY_MAX), the other fields are unspecified.
 */
HttpReqParse httpreq_parse(const char *buf, size_t len, HttpReq *r);

/* How many CR and LF bytes buf starts with: the empty lines a server
 * skips before a request (RFC 9112 section 2.2). */
size_t httpreq_blank_prefix(const char *buf, size_t len);

/*
 * The value of key in a query string ("set=slow%20800&x=1"), with '+'
 * and %XX decoded; NULL when key is not there. The caller frees it.
 */
char *httpreq_query_get(const char *query, const char *key);

#endif
