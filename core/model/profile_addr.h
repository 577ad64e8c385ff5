/*
 * profile_addr: the address syntax of a profile. Host names, ports,
 * "host:port" and "[v6]:port" for connect_to, DNS names, and resolver
 * specs ("system", "ADDR", "ADDR:PORT", "[V6]:PORT"; the parser itself,
 * profile_resolver_addr(), is public in profile.h because the DNS
 * observer uses it).
 *
 * Internal to the profile module. Pure functions; any thread.
 */
#ifndef DRTOP_PROFILE_ADDR_H
#define DRTOP_PROFILE_ADDR_H

#include <stdbool.h>

/* A decimal port from 1 to 65535 (at most 5 digits, nothing else) into
 * *port; false leaves *port untouched. */
bool profile_addr_port(const char *s, int *port);

/* A host name or address: 1 to 253 letters, digits, '.', '-', '_' (and
 * ':' for IPv6 when allow_colon). */
bool profile_addr_hostish(const char *s, bool allow_colon);

/* A DNS name: hostish, no empty label, labels of at most 63 bytes. */
bool profile_addr_dns_name(const char *s);

/* "host:port" or "[ipv6]:port" (port 1-65535), as in connect_to. */
bool profile_addr_host_port(const char *s);

/* "system" or an address profile_resolver_addr() takes. */
bool profile_addr_resolver(const char *s);

#endif
