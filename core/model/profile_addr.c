/*
 * profile_addr: host, port, DNS name and resolver syntax. See
 * profile_addr.h; profile_resolver_addr() is declared in profile.h.
 */
#include "model/profile_addr.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "model/profile.h"

bool
profile_addr_hostish(const char *s, bool allow_colon)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		        (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
		        *s == '_' || (allow_colon && *s == ':')))
			return false;
	return true;
}

bool
profile_addr_dns_name(const char *s)
{
	size_t label = 0;

	if (!profile_addr_hostish(s, false) || s[0] == '.')
		return false;
	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (++label > 63) {
			return false;
		}
	}
	return true;
}

bool
profile_addr_port(const char *s, int *port)
{
	long v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	*port = (int)v;
	return true;
}

int
profile_resolver_addr(
    const char *spec, struct sockaddr_storage *ss, socklen_t *sl)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *port_s = NULL;
	int port = 53;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		hl = (size_t)(close - spec - 1);
		port_s = close + 2;
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, spec + 1, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return -1;
	} else if (inet_pton(AF_INET6, spec, &a6->sin6_addr) != 1) {
		colon = strchr(spec, ':');
		hl = colon ? (size_t)(colon - spec) : strlen(spec);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, spec, hl);
		host[hl] = '\0';
		if (colon != NULL)
			port_s = colon + 1;
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return -1;
		if (port_s != NULL && !profile_addr_port(port_s, &port))
			return -1;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*sl = sizeof(*a4);
		return 0;
	}
	if (port_s != NULL && !profile_addr_port(port_s, &port))
		return -1;
	a6->sin6_family = AF_INET6;
	a6->sin6_port = htons((uint16_t)port);
	*sl = sizeof(*a6);
	return 0;
}

bool
profile_addr_resolver(const char *s)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	return strcmp(s, "system") == 0 ||
	    profile_resolver_addr(s, &ss, &sl) == 0;
}

bool
profile_addr_host_port(const char *s)
{
	const char *colon = strrchr(s, ':');
	char host[256];
	size_t n;
	int port;

	if (colon == NULL || !profile_addr_port(colon + 1, &port))
		return false;
	n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, s, n);
	host[n] = '\0';
	if (host[0] == '[') {
		unsigned char addr[16];

		if (n < 3 || host[n - 1] != ']')
			return false;
		host[n - 1] = '\0';
		return inet_pton(AF_INET6, host + 1, addr) == 1;
	}
	return profile_addr_hostish(host, false);
}
