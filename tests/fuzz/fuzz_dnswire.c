/*
 * libFuzzer harness for the DNS response parser (core/dnswire): parse,
 * check against a fixed question, follow the CNAME chain. Any crash,
 * overread (ASan) or undefined behaviour (UBSan) is a bug.
 *
 * Build and run (see tests/fuzz/Makefile):
 *   make -C tests/fuzz fuzz_dnswire && \
 *       mkdir -p /tmp/dnscorpus && tests/fuzz/fuzz_dnswire -max_total_time=60 \
 *       /tmp/dnscorpus tests/fuzz/corpus_dnswire   (new inputs go to the first dir)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dnswire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static DnsMessage m;
	static DnsChain c;
	char err[160];
	uint8_t *copy =
	    malloc(size ? size : 1); /* exact size: ASan sees overreads */

	memcpy(copy, data, size);
	if (dnswire_parse(copy, size, &m, err, sizeof(err)) == 0) {
		(void)dnswire_check_reply(&m, m.id, "demo.sim.drtop.test",
		    DNSWIRE_T_A, err, sizeof(err));
		dnswire_follow(&m, m.qname[0] ? m.qname : ".", &c);
		/* Every name kept must be a NUL-terminated printable string. */
		for (int i = 0; i < m.nanswers; i++)
			if (strlen(m.answers[i].name) >= EV_HOST_MAX)
				abort();
	}
	free(copy);
	return 0;
}
