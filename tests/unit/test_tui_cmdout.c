/* cmdout: a command's output written whole, or the file left as it was,
 * and every failure with its errno: a full device, a file size limit
 * (a disk that fills up, as the process sees it), a missing directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdout.h"
#include "helpers.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	th_tmpdir_make(dir, sizeof(dir), "cmdout");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return th_tmpdir_remove(dir);
}

static char *
slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Entries of dir: the test's files, and nothing left behind. */
static int
entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_write_full_device(void **state)
{
	int fd = open("/dev/full", O_WRONLY);

	(void)state;
	if (fd < 0)
		skip();
	errno = 0;
	assert_int_equal(cmdout_write(fd, "summary\n", 8), -1);
	assert_int_equal(errno, ENOSPC);
	close(fd);
	assert_int_equal(cmdout_write(STDERR_FILENO, "", 0), 0);
}

static void
test_replace(void **state)
{
	char path[128], link[128], sub[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/report.md", dir);
	/* new, then replaced whole */
	assert_int_equal(cmdout_replace(path, "one\n", 4), 0);
	assert_string_equal(slurp(path), "one\n");
	assert_int_equal(cmdout_replace(path, "two\n", 4), 0);
	assert_string_equal(slurp(path), "two\n");
	assert_int_equal(entries(), 1);
	/* through a symbolic link: the target is replaced, the link kept */
	snprintf(link, sizeof(link), "%s/latest.md", dir);
	assert_int_equal(symlink("report.md", link), 0);
	assert_int_equal(cmdout_replace(link, "three\n", 6), 0);
	assert_string_equal(slurp(path), "three\n");
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(entries(), 2);
	/* a directory that is not there: its errno, nothing made */
	snprintf(sub, sizeof(sub), "%s/nope/report.md", dir);
	errno = 0;
	assert_int_equal(cmdout_replace(sub, "x", 1), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(entries(), 2);
	unlink(link);
	unlink(path);
}

/* A file size limit stands in for a disk that fills up: the write fails
 * part-way (EFBIG), the old file is kept and no new file is left. */
static void
test_replace_fails_part_way(void **state)
{
	char path[128], big[16384];
	struct rlimit old, lim;
	struct sigaction ign, prev;

	(void)state;
	snprintf(path, sizeof(path), "%s/report.html", dir);
	put(path, "the old report\n");
	memset(big, 'x', sizeof(big));
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	assert_int_equal(sigaction(SIGXFSZ, &ign, &prev), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 4096;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	errno = 0;
	int rc = cmdout_replace(path, big, sizeof(big));
	int e = errno;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(sigaction(SIGXFSZ, &prev, NULL), 0);
	assert_int_equal(rc, -1);
	assert_int_equal(e, EFBIG);
	assert_string_equal(slurp(path), "the old report\n");
	assert_int_equal(entries(), 1);
	unlink(path);
}

/* A device is written in place, never renamed over. */
static void
test_replace_device(void **state)
{
	struct stat st;

	(void)state;
	if (stat("/dev/full", &st) != 0)
		skip();
	errno = 0;
	assert_int_equal(cmdout_replace("/dev/full", "x\n", 2), -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(stat("/dev/full", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(cmdout_replace("/dev/null", "x\n", 2), 0);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_full_device),
	    cmocka_unit_test(test_replace),
	    cmocka_unit_test(test_replace_fails_part_way),
	    cmocka_unit_test(test_replace_device),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
