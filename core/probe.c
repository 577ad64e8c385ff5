#include "probe.h"

#include <curl/curl.h>

int
probe_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
probe_global_cleanup(void)
{
	curl_global_cleanup();
}
