/*
 * dns: the observer against a real dnsmasq on loopback: a hosts file
 * flipped with SIGHUP, a CNAME chain, and forwarding and caching from
 * simdns with a TTL that counts down.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "dns/dns.h"
#include "dns/dnswire.h"
#include "dns_fx.h"
#include "sim/simdns.h"

/* --- dnsmasq --- */

/* The dnsmasq running now, killed by the teardown if a test fails. */
static pid_t running_dnsmasq = -1;

typedef struct {
	char dir[64];
	char hosts[96];
	char log[96];
	pid_t pid;
	int port;
} Dnsmasq;

static int
free_udp_port(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t sl = sizeof(a);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &sl);
	close(fd);
	return ntohs(a.sin_port);
}

static void
write_file(const char *path, const char *text)
{
	char tmp[128];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
}

/* True once the server at port answers a query for name. */
static bool
answers(int port, const char *name)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	uint8_t q[512], r[1024];
	size_t qlen = dnswire_build_query(7, name, DNSWIRE_T_A, true, q, 512);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	bool ok = false;

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    send(fd, q, qlen, 0) == (ssize_t)qlen && poll(&pf, 1, 200) == 1 &&
	    recv(fd, r, sizeof(r), 0) > 12)
		ok = true;
	close(fd);
	return ok;
}

/* Start dnsmasq with extra (NULL-terminated) options; waits until it
 * answers name. Retries with another port when the port was taken. */
static void
dnsmasq_start(Dnsmasq *d, const char *name, const char *const *extra)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		char port[32], logopt[128];
		const char *argv[32];
		int n = 0, status;
		double end;

		d->port = free_udp_port();
		snprintf(port, sizeof(port), "--port=%d", d->port);
		snprintf(logopt, sizeof(logopt), "--log-facility=%s", d->log);
		argv[n++] = "dnsmasq";
		argv[n++] = "--keep-in-foreground";
		argv[n++] = "--conf-file=/dev/null";
		argv[n++] = "--pid-file=";
		argv[n++] = "--no-resolv";
		argv[n++] = "--no-hosts";
		argv[n++] = "--user=root";
		argv[n++] = "--bind-interfaces";
		argv[n++] = "--listen-address=127.0.0.1";
		argv[n++] = port;
		argv[n++] = logopt;
		for (int i = 0; extra[i] && n < 30; i++)
			argv[n++] = extra[i];
		argv[n] = NULL;
		d->pid = fork();
		assert_true(d->pid >= 0);
		if (d->pid == 0) {
			int nul = open("/dev/null", O_RDWR);

			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
			setpgid(0, 0);
			execvp("dnsmasq", (char *const *)argv);
			_exit(127);
		}
		end = mono_now() + 10;
		while (mono_now() < end) {
			if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
				d->pid = -1;
				break; /* exited: port taken? try again */
			}
			if (answers(d->port, name)) {
				running_dnsmasq = d->pid;
				return;
			}
			usleep(50 * 1000);
		}
		if (d->pid > 0) {
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &status, 0);
		}
	}
	fail_msg("dnsmasq did not start (log: %s)", d->log);
}

static void
dnsmasq_stop(Dnsmasq *d)
{
	int status;

	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, &status, 0);
		d->pid = -1;
		running_dnsmasq = -1;
	}
}

static int
kill_leftovers(void **state)
{
	int status;

	(void)state;
	if (running_dnsmasq > 0) {
		kill(running_dnsmasq, SIGKILL);
		waitpid(running_dnsmasq, &status, 0);
		running_dnsmasq = -1;
	}
	return 0;
}

static void
dnsmasq_dir(Dnsmasq *d)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/drtop-dns-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->hosts, sizeof(d->hosts), "%s/hosts", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/dnsmasq.log", d->dir);
}

static void
dnsmasq_rmdir(Dnsmasq *d)
{
	char p[128];

	unlink(d->hosts);
	snprintf(p, sizeof(p), "%s.tmp", d->hosts);
	unlink(p);
	unlink(d->log);
	rmdir(d->dir);
}

/* pred: the last dns event answered with address arg */
static bool
last_answer_is(const Log *lg, const void *arg)
{
	const DnsEvent *d = df_last_dns(lg);

	return d && d->nanswers > 0 &&
	    strcmp(d->answers[d->nanswers - 1], arg) == 0;
}

static void
test_dnsmasq_hosts_flip(void **state)
{
	Dnsmasq d;
	char hostsopt[128], res[64];
	const char *extra[5];
	Obs ob;
	const DnsEvent *ev;
	int before;

	(void)state;
	dnsmasq_dir(&d);
	write_file(d.hosts, "127.0.0.21 cpi.dr.test\n");
	snprintf(hostsopt, sizeof(hostsopt), "--addn-hosts=%s", d.hosts);
	extra[0] = hostsopt;
	extra[1] = "--local-ttl=2";
	extra[2] = "--local=/dr.test/"; /* answer NXDOMAIN for the rest */
	extra[3] = NULL;
	dnsmasq_start(&d, "cpi.dr.test", extra);
	snprintf(res, sizeof(res), "127.0.0.1:%d", d.port);
	df_obs_start(&ob, df_mkprof("cpi.dr.test", 0.3, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 10, df_last_endpoint_is, "eu20"));
	ev = df_last_dns(ob.lg);
	assert_string_equal(ev->rcode, "NOERROR");
	assert_int_equal(ev->nanswers, 1);
	assert_string_equal(ev->answers[0], "127.0.0.21");
	assert_int_equal(ev->ttl, 2);

	/* Flip the record: rewrite the hosts file and SIGHUP. */
	write_file(d.hosts, "127.0.0.22 cpi.dr.test\n");
	assert_int_equal(kill(d.pid, SIGHUP), 0);
	before = ob.lg->n;
	assert_true(df_collect(ob.q, ob.lg, 10, last_answer_is, "127.0.0.22"));
	ev = df_last_dns(ob.lg);
	assert_string_equal(ev->endpoint, "ap10");
	assert_int_equal(ev->ttl, 2);
	assert_true(ob.lg->n > before);
	/* Gone from the hosts file: NXDOMAIN from dnsmasq. */
	write_file(d.hosts, "127.0.0.23 other.dr.test\n");
	assert_int_equal(kill(d.pid, SIGHUP), 0);
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "NXDOMAIN"));
	df_obs_stop(&ob);
	dnsmasq_stop(&d);
	dnsmasq_rmdir(&d);
}

static void
test_dnsmasq_cname_chain(void **state)
{
	Dnsmasq d;
	char hostsopt[128], res[64];
	const char *extra[5];
	Obs ob;
	const DnsEvent *ev;

	(void)state;
	dnsmasq_dir(&d);
	write_file(d.hosts,
	    "127.0.0.21 eu20.sim.drtop.test\n"
	    "127.0.0.22 ap10.sim.drtop.test\n");
	snprintf(hostsopt, sizeof(hostsopt), "--addn-hosts=%s", d.hosts);
	extra[0] = hostsopt;
	extra[1] = "--local-ttl=2";
	extra[2] = "--cname=cpi.dr.test,eu20.sim.drtop.test";
	extra[3] = NULL;
	dnsmasq_start(&d, "cpi.dr.test", extra);
	snprintf(res, sizeof(res), "127.0.0.1:%d", d.port);
	df_obs_start(&ob, df_mkprof("cpi.dr.test", 0.3, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 10, df_has_rcode, "NOERROR"));
	ev = df_last_dns(ob.lg);
	assert_int_equal(ev->nanswers, 2);
	assert_string_equal(ev->answers[0], "eu20.sim.drtop.test");
	assert_string_equal(ev->answers[1], "127.0.0.21");
	assert_string_equal(ev->endpoint, "eu20");
	assert_int_equal(ev->ttl, 2);
	df_obs_stop(&ob);
	/* --cname is not re-read on SIGHUP: restart with the other one. */
	dnsmasq_stop(&d);
	extra[2] = "--cname=cpi.dr.test,ap10.sim.drtop.test";
	dnsmasq_start(&d, "cpi.dr.test", extra);
	snprintf(res, sizeof(res), "127.0.0.1:%d", d.port);
	df_obs_start(&ob, df_mkprof("cpi.dr.test", 0.3, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 10, df_last_endpoint_is, "ap10"));
	ev = df_last_dns(ob.lg);
	assert_string_equal(ev->answers[0], "ap10.sim.drtop.test");
	df_obs_stop(&ob);
	dnsmasq_stop(&d);
	dnsmasq_rmdir(&d);
}

/* pred: two dns events in a row with a TTL that went down */
static bool
ttl_went_down(const Log *lg, const void *arg)
{
	int prev = -1;

	(void)arg;
	for (int i = 0; i < lg->n; i++) {
		const DnsEvent *d = &lg->ev[i].u.dns;

		if (lg->ev[i].type != EV_DNS || d->ttl < 0)
			continue;
		if (prev >= 0 && d->ttl < prev)
			return true;
		prev = d->ttl;
	}
	return false;
}

static void
test_dnsmasq_cache_counts_down(void **state)
{
	SimDns *s = df_sim(6);
	Dnsmasq d;
	char server[64], res[64];
	const char *extra[3];
	Obs ob;

	(void)state;
	df_set_region(&df_choice, "eu20");
	dnsmasq_dir(&d);
	snprintf(
	    server, sizeof(server), "--server=127.0.0.1#%d", simdns_port(s));
	extra[0] = server;
	extra[1] = NULL;
	dnsmasq_start(&d, NAME, extra);
	snprintf(res, sizeof(res), "127.0.0.1:%d", d.port);
	df_obs_start(&ob, df_mkprof(NAME, 1.0, 1, res));
	assert_true(df_collect(ob.q, ob.lg, 15, ttl_went_down, NULL));
	for (int i = 0; i < ob.lg->n; i++) {
		const DnsEvent *ev = &ob.lg->ev[i].u.dns;

		if (ob.lg->ev[i].type != EV_DNS)
			continue;
		assert_string_equal(ev->rcode, "NOERROR");
		assert_string_equal(ev->endpoint, "eu20");
		assert_true(ev->ttl >= 0 && ev->ttl <= 6);
		assert_string_equal(ev->answers[0], "eu20.sim.drtop.test");
	}
	df_obs_stop(&ob);
	dnsmasq_stop(&d);
	dnsmasq_rmdir(&d);
	simdns_stop(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_dnsmasq_hosts_flip, kill_leftovers),
	    cmocka_unit_test_teardown(test_dnsmasq_cname_chain, kill_leftovers),
	    cmocka_unit_test_teardown(
	        test_dnsmasq_cache_counts_down, kill_leftovers),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
