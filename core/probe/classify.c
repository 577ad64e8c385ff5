#include "probe/classify.h"

#include <curl/curl.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/util.h"

ProbeError
classify_curl(int curlcode, bool we_aborted)
{
	switch ((CURLcode)curlcode) {
	case CURLE_OK:
		return PERR_NONE;
	case CURLE_WRITE_ERROR:
		return we_aborted ? PERR_NONE : PERR_RESET;
	case CURLE_OPERATION_TIMEDOUT:
		return PERR_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
		return PERR_REFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return PERR_DNS;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_USE_SSL_FAILED:
		return PERR_TLS;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return PERR_STATUS;
	default:
		return PERR_RESET;
	}
}

/* OpenSSL's X509_V_ERR_* values (stable ABI numbers; core/ does not
 * include OpenSSL). */
enum {
	X509_OK = 0,
	X509_UNSPECIFIED = 1, /* libcurl's value before OpenSSL judged */
	X509_NOT_YET_VALID = 9,
	X509_EXPIRED = 10,
	X509_HOSTNAME_MISMATCH = 62,
	X509_IP_ADDRESS_MISMATCH = 64,
};

TlsReason
classify_tls(int curlcode, long verify_result)
{
	switch ((CURLcode)curlcode) {
	case CURLE_PEER_FAILED_VERIFICATION:
		switch (verify_result) {
		case X509_EXPIRED:
			return TLSR_EXPIRED;
		case X509_NOT_YET_VALID:
			return TLSR_NOT_YET_VALID;
		case X509_OK:
		case X509_UNSPECIFIED:
		case X509_HOSTNAME_MISMATCH:
		case X509_IP_ADDRESS_MISMATCH:
			return TLSR_HOSTNAME;
		default:
			return TLSR_UNTRUSTED;
		}
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return TLSR_UNTRUSTED;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		return TLSR_HANDSHAKE;
	default:
		return TLSR_NONE;
	}
}

ProbeError
classify_verdict(ProbeError transport, bool tcp, bool status_ok, bool body_ok)
{
	if (transport != PERR_NONE)
		return transport;
	if (tcp)
		return PERR_NONE;
	if (!status_ok)
		return PERR_STATUS;
	if (!body_ok)
		return PERR_BODY;
	return PERR_NONE;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\v';
}

bool
classify_name(const char *s, size_t len, char *out, size_t cap)
{
	size_t a = 0, b = len;

	out[0] = '\0';
	while (a < b && is_space(s[a]))
		a++;
	while (b > a && is_space(s[b - 1]))
		b--;
	if (b == a || b - a > EV_NAME_MAX - 1 || b - a >= cap)
		return false;
	for (size_t i = a; i < b; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	memcpy(out, s + a, b - a);
	out[b - a] = '\0';
	return true;
}

bool
classify_header(
    const char *line, size_t len, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);

	out[0] = '\0';
	if (n == 0 || len <= n || line[n] != ':' ||
	    strncasecmp(line, name, n) != 0)
		return false;
	return classify_name(line + n + 1, len - n - 1, out, cap);
}

bool
classify_first_line(const char *buf, size_t len, char *out, size_t cap)
{
	const char *nl = memchr(buf, '\n', len);

	return classify_name(buf, nl ? (size_t)(nl - buf) : len, out, cap);
}

static double
ms(long long us)
{
	return (double)us / 1000.0;
}

void
classify_times(const ClassifyTimes *in, bool tls, ProbeTimes *out)
{
	out->dns = -1;
	out->connect = -1;
	out->tls = -1;
	out->ttfb = -1;
	out->total = in->total > 0 ? ms(in->total) : 0;
	if (in->namelookup > 0 || in->connect > 0)
		out->dns = ms(in->namelookup);
	if (in->connect > 0)
		out->connect = ms(in->connect - in->namelookup);
	if (tls && in->appconnect > 0 && in->connect > 0)
		out->tls = ms(in->appconnect - in->connect);
	if (in->starttransfer > 0 && in->pretransfer > 0)
		out->ttfb = ms(in->starttransfer - in->pretransfer);
}

bool
classify_cert_days(const char *s, double now, int *days_left)
{
	struct tm tm;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%b %e %H:%M:%S %Y", &tm);
	if (end == NULL)
		return false;
	while (*end == ' ')
		end++;
	if (*end != '\0' && strcmp(end, "GMT") != 0)
		return false;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return false;
	*days_left = (int)floor(((double)t - now) / 86400.0);
	return true;
}

bool
classify_cert_warning(int days_left)
{
	return days_left < CLASSIFY_CERT_WARN_DAYS;
}

bool
classify_cert_due(double last, bool changed, double now)
{
	if (last < 0)
		return true;
	if (now - last >= CLASSIFY_CERT_REFRESH)
		return true;
	return changed && now - last >= CLASSIFY_CERT_MIN_GAP;
}
