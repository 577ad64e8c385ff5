/*
 * probe: TLS against `openssl s_server` with a certificate made here:
 * verification, insecure, the certificate's days left fetched once per
 * endpoint, and a server that does not speak TLS at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "probe/probe.h"
#include "probe_fx.h"

extern char **environ;

static int
run_cmd(const char *const argv[])
{
	pid_t pid;
	int st;

	if (posix_spawnp(
	        &pid, argv[0], NULL, NULL, (char *const *)argv, environ) != 0)
		return -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool
port_open(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* What test_tls leaves behind: its directory, the certificate and key,
 * the s_server. */
typedef struct {
	char dir[32]; /* "" until made */
	char *crt, *key;
	pid_t server; /* 0 until started */
} TlsFx;

static int
tls_setup(void **state)
{
	*state = xcalloc(1, sizeof(TlsFx));
	return 0;
}

/* Also when an assertion failed: no s_server is left running. */
static int
tls_teardown(void **state)
{
	TlsFx *t = *state;

	if (t->server > 0) {
		kill(t->server, SIGTERM);
		waitpid(t->server, NULL, 0);
	}
	if (t->crt != NULL)
		unlink(t->crt);
	if (t->key != NULL)
		unlink(t->key);
	if (t->dir[0] != '\0')
		rmdir(t->dir);
	free(t->crt);
	free(t->key);
	free(t);
	return 0;
}

static void
test_tls(void **state)
{
	TlsFx *t = *state;
	char dir[] = "/tmp/drtop-probe-tls-XXXXXX";
	Run r;
	Event ev;
	pid_t pid;
	int port, spawned;

	assert_non_null(mkdtemp(dir));
	str_copy(t->dir, sizeof(t->dir), dir);
	const char *crt = t->crt = xasprintf("%s/c.pem", dir),
	           *key = t->key = xasprintf("%s/k.pem", dir);
	const char *const req[] = {"openssl", "req", "-x509", "-newkey", "ec",
	    "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "5",
	    "-subj", "/CN=localhost", "-addext",
	    "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out",
	    crt, NULL};
	/* stderr of openssl req is noise: send it to the log anyway. */
	assert_int_equal(run_cmd(req), 0);
	close(pb_listen_loopback(&port)); /* a free port, most likely */
	char *acc = xasprintf("127.0.0.1:%d", port);
	const char *const srv[] = {"openssl", "s_server", "-quiet", "-www",
	    "-accept", acc, "-cert", crt, "-key", key, NULL};
	spawned = posix_spawnp(
	    &pid, "openssl", NULL, NULL, (char *const *)srv, environ);
	if (spawned == 0)
		t->server = pid;
	assert_int_equal(spawned, 0);
	for (int i = 0; i < 200 && !port_open(port); i++)
		usleep(25000);
	assert_true(port_open(port));

	char *url = xasprintf("https://localhost:%d/", port);
	EpSpec e[] = {
	    /* s_server answers one connection at a time, and a handshake
	     * under ThreadSanitizer on a loaded machine takes long: a
	     * generous timeout, so that only TLS can fail these */
	    {.name = "strict",
	        .url = url,
	        .proto = PROTO_HTTPS,
	        .interval = 0.25,
	        .timeout = 15},
	    {.name = "lax",
	        .url = url,
	        .proto = PROTO_HTTPS,
	        .interval = 0.25,
	        .timeout = 15,
	        .insecure = true},
	};
	ProberStats st;
	int nstrict = 0, nlax = 0;

	pb_run_start(&r, e, 2);
	/* Self-signed and verified: tls, untrusted. */
	assert_true(pb_next_event(r.q, EV_PROBE, "strict", 60, &ev));
	assert_false(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.error, PERR_TLS);
	assert_int_equal(ev.u.probe.tls, TLSR_UNTRUSTED);
	pb_run_stop(&r);
	pb_run_start(&r, e + 1, 1);
	assert_true(pb_next_event(r.q, EV_PROBE, "lax", 60, &ev));
	assert_true(ev.u.probe.ok);
	assert_int_equal(ev.u.probe.status, 200);
	assert_int_equal(ev.u.probe.tls, TLSR_NONE);
	assert_true(ev.u.probe.ms.tls > 0);
	pb_run_stop(&r);
	/* Both get the certificate's days, verified or not: right after
	 * the first probe, from one fetch each, however many probes. */
	for (int k = 0; k < 2; k++) {
		pb_run_start(&r, e + k, 1);
		assert_true(pb_next_event(r.q, EV_CERT, e[k].name, 60, &ev));
		assert_in_range(ev.u.cert.days_left, 4, 5);
		assert_true(ev.u.cert.warning);
		assert_non_null(strstr(ev.u.cert.subject, "localhost"));
		pb_run_stop(&r);
	}
	pb_run_start(&r, e, 2);
	while (nstrict < 8 || nlax < 8) {
		if (!pb_next_event(r.q, EV_PROBE, NULL, 60, &ev))
			fail_msg("probes stopped (%d strict, %d lax)", nstrict,
			    nlax);
		if (strcmp(ev.u.probe.endpoint, "strict") == 0) {
			assert_int_equal(ev.u.probe.tls, TLSR_UNTRUSTED);
			nstrict++;
		} else {
			if (!ev.u.probe.ok)
				fail_msg("lax probe failed: error %d, tls %d, "
				         "status %d",
				    (int)ev.u.probe.error, (int)ev.u.probe.tls,
				    ev.u.probe.status);
			nlax++;
		}
	}
	prober_stats(r.pr, &st);
	assert_true(st.done >= 16);
	assert_int_equal(st.cert_fetches, 2);
	pb_run_stop(&r);

	/* Not TLS at all (an HTTP server on an https URL): the handshake
	 * fails; the certificate fetch fails too and pushes nothing; a
	 * fetch in flight at prober_free is abandoned. */
	RecServer rs;
	pb_rec_start(&rs, pb_resp_ok);
	char *plain = xasprintf("https://127.0.0.1:%d/", rs.port);
	EpSpec h = {.name = "plain",
	    .url = plain,
	    .proto = PROTO_HTTPS,
	    .interval = 30,
	    .timeout = 5};
	pb_run_start(&r, &h, 1);
	assert_true(pb_next_event(r.q, EV_PROBE, "plain", 60, &ev));
	assert_int_equal(ev.u.probe.error, PERR_TLS);
	assert_int_equal(ev.u.probe.tls, TLSR_HANDSHAKE);
	prober_stats(r.pr, &st);
	assert_int_equal(st.cert_fetches, 1);
	assert_false(pb_next_event(r.q, EV_CERT, NULL, 0.2, &ev));
	pb_run_stop(&r);
	pb_rec_stop(&rs);
	free(plain);

	/* tls_teardown stops the server and removes the files. */
	free(acc);
	free(url);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_tls, tls_setup, tls_teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	if (probe_global_init() != 0)
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	probe_global_cleanup();
	return rc;
}
