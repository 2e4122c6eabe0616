// SPDX-License-Identifier: GPL-2.0
/*
 * bench_hook: the cost of a 1 KiB kTLS read with the Lua hook against the
 * same read without it, in one guest; and the kernel memory an attached
 * connection costs on a shared hook.  Not a test: prints numbers.
 * usage: bench_hook [READS] [CONNS]   (run from the top of the tree)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/tls_pair.h"
#include "common/hook_util.h"

static const char trivial[] = "function recv(data, conn) end\n";

enum { PLAIN, NOENTRY, TRIV_PRIV, TRIV_SHARED, HTTP_SHARED, NMODES };
static const char *names[NMODES] = {
	"plain kTLS (no hook)", "attached, no entry function",
	"trivial script, private state", "trivial script, shared hook",
	"scripts/http.lua, shared hook",
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static double ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per 1 KiB read (recvmsg with a control buffer, as a server does) */
static double time_reads(struct tls_pair *p, const char *req, int n,
			 int *verdicts)
{
	char buf[1024];
	struct ktls_lua_verdict v;
	double t = 0, t0;

	for (int i = 0; i < n; i++) {
		if (send_all(p->cli, req, 1024))
			return -1;
		t0 = ns_now();
		if (ktls_lua_recv(p->srv, buf, sizeof(buf), MSG_WAITALL, &v,
				  NULL) != 1024)
			return -1;
		t += ns_now() - t0;
		*verdicts += v.code != 0;
	}
	return t / n;
}

int main(int argc, char **argv)
{
	int reads = argc > 1 ? atoi(argv[1]) : 1000;
	int conns = argc > 2 ? atoi(argv[2]) : 200;
	int rounds = 10;
	char *http = slurp("scripts/http.lua");
	struct tls_pair p[NMODES];
	double best[NMODES];
	int verdicts[NMODES] = { 0 };
	char req[1025];
	int hshared, hhttp;

	struct rlimit rl = { 8192, 8192 };

	setrlimit(RLIMIT_NOFILE, &rl);
	if (!http) {
		fprintf(stderr, "bench_hook: no scripts/http.lua (run from the top)\n");
		return 1;
	}
	/* a 1 KiB request head */
	{
		static const char head[] =
			"GET /index.html HTTP/1.1\r\nHost: bench\r\nX-Pad: ";

		memset(req, 'p', 1024);
		memcpy(req, head, sizeof(head) - 1);
		memcpy(req + 1020, "\r\n\r\n", 4);
		req[1024] = 0;
	}
	if (strlen(req) != 1024) {
		fprintf(stderr, "bench_hook: request is %zu bytes\n", strlen(req));
		return 1;
	}
	hshared = hook_load(trivial, "recv");
	hhttp = hook_load(http, "recv");
	if (hshared < 0 || hhttp < 0)
		return 1;
	for (int m = 0; m < NMODES; m++) {
		if (tls_pair_open(&p[m], NULL)) {
			fprintf(stderr, "bench_hook: %s\n", p[m].err);
			return 1;
		}
		best[m] = 1e18;
	}
	if (ktls_lua_attach(p[NOENTRY].srv) ||
	    hook_attach_script(p[TRIV_PRIV].srv, trivial, "recv") ||
	    ktls_lua_attach_hook(p[TRIV_SHARED].srv, hshared) ||
	    ktls_lua_attach_hook(p[HTTP_SHARED].srv, hhttp)) {
		perror("bench_hook: attach");
		return 1;
	}
	/* warm up, then rounds interleaved across modes; best round counts */
	for (int m = 0; m < NMODES; m++)
		time_reads(&p[m], req, 200, &verdicts[m]);
	for (int r = 0; r < rounds; r++)
		for (int mi = 0; mi < NMODES; mi++) {
			/* every other round backwards: no mode always follows
			 * the same one */
			int m = r % 2 ? NMODES - 1 - mi : mi;
			double t = time_reads(&p[m], req, reads, &verdicts[m]);

			if (t < 0) {
				perror("bench_hook: read");
				return 1;
			}
			if (t < best[m])
				best[m] = t;
		}
	printf("# bench-hook: 1 KiB kTLS reads (recvmsg with a control buffer), "
	       "best of %d interleaved rounds of %d, TLS 1.3 AES-128-GCM\n",
	       rounds, reads);
	printf("%-34s %10s %8s\n", "mode", "ns/read", "ratio");
	for (int m = 0; m < NMODES; m++)
		printf("%-34s %10.0f %8.3f%s\n", names[m], best[m],
		       best[m] / best[PLAIN],
		       m == HTTP_SHARED ? "  (one verdict per read)" : "");
	if (verdicts[HTTP_SHARED] != rounds * reads + 200)
		printf("# warning: http.lua gave %d verdicts for %d reads\n",
		       verdicts[HTTP_SHARED], rounds * reads + 200);
	for (int m = 0; m < NMODES; m++)
		tls_pair_close(&p[m]);

	/* memory per attached connection on a shared hook */
	{
		struct tls_pair *cp = calloc(conns, sizeof(*cp));
		struct hook_counters c0, c1;
		long s0, s1;
		unsigned int id = hook_last_id();
		char buf[1024];

		for (int i = 0; i < conns; i++)
			if (tls_pair_open(&cp[i], NULL)) {
				fprintf(stderr, "bench_hook: %s\n", cp[i].err);
				return 1;
			}
		system("sync; echo 3 > /proc/sys/vm/drop_caches");
		usleep(300000);
		s0 = meminfo_kb("Slab");
		if (hook_counters(id, &c0) || s0 < 0)
			fprintf(stderr, "bench_hook: no counters for hook %u: %s\n",
				id, strerror(errno));
		for (int i = 0; i < conns; i++) {
			if (ktls_lua_attach_hook(cp[i].srv, hhttp) ||
			    send_all(cp[i].cli, req, 1024) ||
			    recv_exact(cp[i].srv, buf, 1024) != 1024) {
				perror("bench_hook: conn");
				return 1;
			}
		}
		usleep(300000);
		s1 = meminfo_kb("Slab");
		hook_counters(id, &c1);
		printf("# kernel memory per attached connection (shared http.lua "
		       "hook, after one request), %d connections:\n", conns);
		printf("slab %ld B + Lua %lld B = %ld B per connection "
		       "(target <= 2048)\n",
		       (s1 - s0) * 1024 / conns,
		       ((long long)c1.mem - (long long)c0.mem) / conns,
		       ((s1 - s0) * 1024 + ((long)c1.mem - (long)c0.mem)) / conns);
		for (int i = 0; i < conns; i++)
			tls_pair_close(&cp[i]);
		free(cp);
	}
	close(hshared);
	close(hhttp);
	free(http);
	return 0;
}
