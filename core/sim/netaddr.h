/*
 * netaddr: numeric socket addresses for the simulator's servers (the
 * HTTP regions and the DNS server), which bind to loopback only. Pure
 * apart from netaddr_bound_port(), which asks the kernel about one
 * socket; any thread.
 */
#ifndef DRTOP_SIM_NETADDR_H
#define DRTOP_SIM_NETADDR_H

#include <stdbool.h>
#include <sys/socket.h>

/*
 * Fill *ss and *len with the numeric address addr ("127.0.0.1", "::1";
 * no brackets, no names) and port. Returns 0, or -1 when addr is not a
 * numeric IPv4 or IPv6 address (*ss is zeroed then).
 */
int netaddr_make(
    const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len);

/* True when ss holds 127.0.0.0/8 or ::1. */
bool netaddr_is_loopback(const struct sockaddr_storage *ss);

/* The port socket fd is bound to, or -1 with errno set. */
int netaddr_bound_port(int fd);

#endif
