/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the adversarial guest tests (issue 7): TAP lines for tests
 * whose cases are data (one line per case, numbered as they come), kernel
 * memory and fd counts for "back to baseline" checks, bounded waits.
 */
#ifndef TESTS_ADV_H
#define TESTS_ADV_H

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int adv_n, adv_failed;

static inline void adv_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void adv_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* ok/not ok with a formatted name; returns cond. */
static inline int adv_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int adv_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++adv_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	if (!cond)
		adv_failed++;
	return cond;
}

static inline int adv_done(void)
{
	printf("1..%d\n", adv_n);
	return adv_failed ? 1 : 0;
}

static inline long long adv_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Active objects of the slab caches whose name starts with prefix (all
 * when prefix is ""), in bytes, from /proc/slabinfo; -1 if unreadable. */
static inline long long adv_slab_bytes(const char *prefix)
{
	FILE *f = fopen("/proc/slabinfo", "re");
	char line[512], name[128];
	unsigned long act, num, size;
	long long total = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %lu %lu %lu", name, &act, &num, &size) != 4)
			continue;
		if (!strncmp(name, prefix, strlen(prefix)))
			total += (long long)act * (long long)size;
	}
	fclose(f);
	return total;
}

/* Open fds of a process (pid 0: this one), or -1. */
static inline int adv_nfds(int pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/fd");
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - (pid ? 0 : 1);	/* opendir's own fd */
}

/* Let RCU callbacks and deferred frees run before a memory count. */
static inline void adv_settle(void)
{
	FILE *f;

	for (int i = 0; i < 3; i++) {
		usleep(200 * 1000);
		f = fopen("/proc/sys/vm/drop_caches", "we");
		if (f) {
			fputs("2\n", f);
			fclose(f);
		}
	}
}

#endif
