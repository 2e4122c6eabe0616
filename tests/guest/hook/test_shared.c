// SPDX-License-Identifier: GPL-2.0
/* Shared hooks: compile once, attach many; per-connection conn tables. */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "common/tls_pair.h"
#include "common/hook_util.h"

static const char script[] =
	"loads = (loads or 0) + 1\n"
	"function recv(data, conn)\n"
	"  conn.buf = (conn.buf or '') .. data\n"
	"  if data == 'gc!' then collectgarbage() collectgarbage() return 1 end\n"
	"  if data:sub(-1) == '!' then return #conn.buf, conn.buf end\n"
	"end\n"
	"function loaded(data) return loads end\n";

static int read_verdict(int fd, struct ktls_lua_verdict *v)
{
	char buf[256];

	return (int)ktls_lua_recv(fd, buf, sizeof(buf), 0, v, NULL);
}

TEST(load_returns_a_hook_fd)
{
	int h = hook_load(script, "recv");

	ASSERT_GE(h, 0);
	ASSERT_EQ(0, close(h));
}

TEST(load_syntax_error_is_einval_with_message)
{
	char err[256] = "";
	struct ktls_lua_hook_opts o = { .entry = "recv", .name = "bad.lua",
					.errbuf = err, .errbuf_len = sizeof(err) };
	const char *s = "function recv(\n";

	errno = 0;
	ASSERT_EQ(-1, ktls_lua_hook_load(s, strlen(s), &o));
	ASSERT_EQ(EINVAL, errno);
	TH_LOG("%s", err);
	ASSERT_TRUE(strstr(err, "bad.lua:") != NULL);
}

TEST(load_bad_entry_name_is_einval)
{
	struct ktls_lua_hook_opts o = { .entry = "no such" };

	errno = 0;
	ASSERT_EQ(-1, ktls_lua_hook_load(script, strlen(script), &o));
	ASSERT_EQ(EINVAL, errno);
}

TEST(load_too_big_is_e2big)
{
	size_t n = (1 << 20) + 1;
	char *big = malloc(n);

	ASSERT_TRUE(big != NULL);
	memset(big, ' ', n);
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_hook_load(big, n, NULL));
	ASSERT_EQ(E2BIG, errno);
	free(big);
}

TEST(load_bad_pointer_is_efault)
{
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_hook_load((const char *)8, 100, NULL));
	ASSERT_EQ(EFAULT, errno);
}

TEST(load_nonzero_reserved_is_einval)
{
	struct ktls_lua_hook_load a = { 0 };
	int dev = open(KTLS_LUA_DEVICE, O_RDWR);

	ASSERT_GE(dev, 0);
	a.script = (uintptr_t)script;
	a.script_len = strlen(script);
	strcpy(a.entry, "recv");
	a.reserved = 1;
	errno = 0;
	ASSERT_EQ(-1, ioctl(dev, KTLS_LUA_IOC_HOOK_LOAD, &a));
	ASSERT_EQ(EINVAL, errno);
	close(dev);
}

TEST(two_sockets_have_their_own_conn)
{
	struct tls_pair a, b;
	struct ktls_lua_verdict v;
	int h = hook_load(script, "recv");

	ASSERT_GE(h, 0);
	ASSERT_EQ(0, tls_pair_open(&a, NULL));
	ASSERT_EQ(0, tls_pair_open(&b, NULL));
	ASSERT_EQ(0, ktls_lua_attach_hook(a.srv, h));
	ASSERT_EQ(0, ktls_lua_attach_hook(b.srv, h));
	ASSERT_EQ(0, send_all(a.cli, "aaa", 3));
	ASSERT_EQ(3, read_verdict(a.srv, &v));
	ASSERT_EQ(0, send_all(b.cli, "bb", 2));
	ASSERT_EQ(2, read_verdict(b.srv, &v));
	ASSERT_EQ(0, send_all(a.cli, "A!", 2));
	ASSERT_EQ(2, read_verdict(a.srv, &v));
	ASSERT_EQ(5, v.code);
	ASSERT_STREQ("aaaA!", v.file);
	ASSERT_EQ(0, send_all(b.cli, "B!", 2));
	ASSERT_EQ(2, read_verdict(b.srv, &v));
	ASSERT_EQ(4, v.code);
	ASSERT_STREQ("bbB!", v.file);
	tls_pair_close(&a);
	tls_pair_close(&b);
	close(h);
}

/* The script runs once per state, not once per socket. */
TEST(script_compiled_once_for_many_sockets)
{
	struct tls_pair p[6];
	struct ktls_lua_hook_opts o = { .entry = "loaded" };
	struct ktls_lua_verdict v;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int h = ktls_lua_hook_load(script, strlen(script), &o), i;

	ASSERT_GE(h, 0);
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, tls_pair_open(&p[i], NULL));
		ASSERT_EQ(0, ktls_lua_attach_hook(p[i].srv, h));
	}
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, send_all(p[i].cli, "x", 1));
		ASSERT_EQ(1, read_verdict(p[i].srv, &v));
		ASSERT_EQ(1, v.code);	/* loads == 1 in every state */
	}
	{
		struct hook_counters c;

		ASSERT_EQ(0, hook_counters(hook_last_id(), &c));
		TH_LOG("states %llu for 6 sockets, %ld cpus", c.states, ncpu);
		ASSERT_LE(c.states, (unsigned long long)ncpu);
		ASSERT_EQ(6, c.sockets);
		ASSERT_EQ(6, c.calls);
	}
	for (i = 0; i < 6; i++)
		tls_pair_close(&p[i]);
	close(h);
}

TEST(hook_fd_closed_while_attached_keeps_working)
{
	struct tls_pair p;
	struct ktls_lua_verdict v;
	int h = hook_load(script, "recv");

	ASSERT_GE(h, 0);
	ASSERT_EQ(0, tls_pair_open(&p, NULL));
	ASSERT_EQ(0, ktls_lua_attach_hook(p.srv, h));
	ASSERT_EQ(0, close(h));
	ASSERT_EQ(0, send_all(p.cli, "z!", 2));
	ASSERT_EQ(2, read_verdict(p.srv, &v));
	ASSERT_EQ(2, v.code);
	tls_pair_close(&p);
}

TEST(private_options_refused_on_shared_socket)
{
	struct tls_pair p;
	int h = hook_load(script, "recv");

	ASSERT_GE(h, 0);
	ASSERT_EQ(0, tls_pair_open(&p, NULL));
	ASSERT_EQ(0, ktls_lua_attach_hook(p.srv, h));
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_set_entry(p.srv, "other"));
	ASSERT_EQ(EBUSY, errno);
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_load_script(p.srv, "x = 1", 5));
	ASSERT_EQ(EBUSY, errno);
	tls_pair_close(&p);
	close(h);
}

/* TLS_LUA_HOOK: a socket attached privately switches to a shared hook. */
TEST(hook_option_switches_private_socket)
{
	struct tls_pair p;
	struct ktls_lua_verdict v;
	int h = hook_load(script, "recv");

	ASSERT_GE(h, 0);
	ASSERT_EQ(0, tls_pair_open(&p, NULL));
	ASSERT_EQ(0, ktls_lua_attach(p.srv));
	ASSERT_EQ(0, setsockopt(p.srv, SOL_TLS, TLS_LUA_HOOK, &h, sizeof(h)));
	errno = 0;
	ASSERT_EQ(-1, setsockopt(p.srv, SOL_TLS, TLS_LUA_HOOK, &h, sizeof(h)));
	ASSERT_EQ(EALREADY, errno);
	ASSERT_EQ(0, send_all(p.cli, "q!", 2));
	ASSERT_EQ(2, read_verdict(p.srv, &v));
	ASSERT_EQ(2, v.code);
	tls_pair_close(&p);
	close(h);
}

static int cli_k[1000], srv_k[1000];

/* Open n kTLS pairs on hook h, one request each; then close them all and
 * collect garbage in every state.  0 or -1. */
static int thousand_round(int h, int n, struct hook_counters *open_c)
{
	struct linger lg = { 1, 0 };
	struct ktls_lua_verdict v;
	char buf[64];
	cpu_set_t one;
	int i, c, s;

	/* all on one state, so both rounds are laid out alike */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return -1;
	for (i = 0; i < n; i++) {
		int len = snprintf(buf, sizeof(buf), "request %d!", i);

		if (ktls_pair_fixed_keys(i % 2 ? AF_INET6 : AF_INET,
					 &cli_k[i], &srv_k[i]) ||
		    ktls_lua_attach_hook(srv_k[i], h) ||
		    send_all(cli_k[i], buf, len) ||
		    read_verdict(srv_k[i], &v) != len || v.code != len ||
		    strcmp(v.file, buf)) {
			TH_LOG("connection %d: %s", i, strerror(errno));
			return -1;
		}
	}
	if (hook_counters(hook_last_id(), open_c))
		return -1;
	for (i = 0; i < n; i++) {
		setsockopt(cli_k[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		setsockopt(srv_k[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(cli_k[i]);
		close(srv_k[i]);
	}
	/* The conn tables are garbage now: collect in every state (a socket
	 * attached on CPU k is bound to state k). */
	for (i = 0; i < CPU_SETSIZE && i < sysconf(_SC_NPROCESSORS_CONF); i++) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(i, &set);
		if (sched_setaffinity(0, sizeof(set), &set) ||
		    ktls_pair_fixed_keys(AF_INET, &c, &s) ||
		    ktls_lua_attach_hook(s, h) || send_all(c, "gc!", 3) ||
		    read_verdict(s, &v) != 3)
			return -1;
		close(c);
		close(s);
	}
	return 0;
}

/* 1,000 kTLS sockets on one shared hook, each with a request read and its
 * conn table made, twice; after they close nothing is left: no socket
 * counted, Lua memory no higher after the second round than after the
 * first, slab back near its baseline. */
TEST(thousand_sockets_then_baseline)
{
	enum { N = 1000 };
	struct rlimit rl = { 4096, 4096 };
	struct hook_counters c, c1, c2;
	long slab0, slab1, socks0;
	int h;

	TEST_SET_TIMEOUT(900);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	h = hook_load(script, "recv");
	ASSERT_GE(h, 0);
	system("sync; echo 3 > /proc/sys/vm/drop_caches");
	usleep(300000);
	socks0 = hook_nsocks();
	slab0 = meminfo_kb("Slab");

	ASSERT_EQ(0, thousand_round(h, N, &c));
	ASSERT_EQ(N, c.sockets);
	ASSERT_EQ(0, hook_counters(hook_last_id(), &c1));
	ASSERT_EQ(0, c1.sockets);
	TH_LOG("round 1: Lua %llu B with %d connections open, %llu B after",
	       c.mem, N, c1.mem);
	ASSERT_EQ(0, thousand_round(h, N, &c));
	ASSERT_EQ(0, hook_counters(hook_last_id(), &c2));
	ASSERT_EQ(0, c2.sockets);
	TH_LOG("round 2: Lua %llu B with %d connections open, %llu B after",
	       c.mem, N, c2.mem);
	ASSERT_LE(c2.mem, c1.mem + 4096);
	close(h);
	ASSERT_EQ(socks0, hook_nsocks());
	usleep(500000);
	system("sync; echo 3 > /proc/sys/vm/drop_caches");
	usleep(500000);
	slab1 = meminfo_kb("Slab");
	TH_LOG("slab after close: %ld KiB (baseline %ld KiB)", slab1, slab0);
	/* KASAN's quarantine holds freed objects: kmemleak judges leaks there */
	if (access("/sys/kernel/debug/kmemleak", F_OK) == 0)
		return;
	ASSERT_LT(slab1 - slab0, 1024);
}

/* A full-TLS variant: 100 real kTLS pairs with a read each. */
TEST(hundred_tls_sockets_read_through_one_hook)
{
	enum { N = 100 };
	static struct tls_pair p[N];
	struct ktls_lua_verdict v;
	int h = hook_load(script, "recv"), i;

	TEST_SET_TIMEOUT(600);
	ASSERT_GE(h, 0);
	for (i = 0; i < N; i++) {
		if (tls_pair_open(&p[i], NULL))
			TH_FAIL_AT(1, "pair %d: %s", i, p[i].err);
		ASSERT_EQ(0, ktls_lua_attach_hook(p[i].srv, h));
	}
	for (i = 0; i < N; i++) {
		char msg[32];
		int n = snprintf(msg, sizeof(msg), "conn %d!", i);

		ASSERT_EQ(0, send_all(p[i].cli, msg, n));
		ASSERT_EQ(n, read_verdict(p[i].srv, &v));
		ASSERT_EQ(n, v.code);
		ASSERT_STREQ(msg, v.file);
	}
	for (i = 0; i < N; i++)
		tls_pair_close(&p[i]);
	close(h);
}

static const char counter[] =
	"function recv(d, c) c.n = (c.n or 0) + 1 return c.n, d end\n";

/* The server's routing script, loaded from its file. */
TEST(http_lua_from_file_routes_pipelined_requests)
{
	struct ktls_lua_hook_opts o = { .entry = "recv", .name = "http.lua" };
	const char *reqs = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
			   "HEAD /b?q=1 HTTP/1.1\r\nHost: h\r\n\r\n"
			   "POST /c HTTP/1.1\r\nHost: h\r\n\r\n";
	struct ktls_lua_verdict v[8];
	union {
		char b[KTLS_LUA_CMSG_SPACE_N(3)];
		struct cmsghdr align;
	} ctl;
	char buf[512];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.b,
			      .msg_controllen = sizeof(ctl.b) };
	int c, s, h;

	if (access("scripts/http.lua", R_OK))
		SKIP("no scripts/http.lua (run from the top of the tree)");
	h = ktls_lua_hook_load_file("scripts/http.lua", &o);
	ASSERT_GE(h, 0);
	ASSERT_EQ(0, ktls_pair_fixed_keys(AF_INET, &c, &s));
	ASSERT_EQ(0, ktls_lua_attach_hook(s, h));
	ASSERT_EQ(0, send_all(c, reqs, strlen(reqs)));
	ASSERT_EQ((ssize_t)strlen(reqs), recvmsg(s, &msg, 0));
	ASSERT_EQ(3, ktls_lua_parse_verdicts(&msg, v, 8));
	ASSERT_EQ(200, v[0].code);
	ASSERT_STREQ("/a", v[0].file);
	ASSERT_EQ(200, v[1].code);
	ASSERT_STREQ("/b", v[1].file);
	ASSERT_EQ(405, v[2].code);
	close(c);
	close(s);
	close(h);
}

TEST(hook_load_file_missing_is_enoent)
{
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_hook_load_file("/nonexistent.lua", NULL));
	ASSERT_EQ(ENOENT, errno);
}

struct worker {
	int h, fails;
	pthread_t th;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct ktls_lua_verdict v;
	char msg[32];
	int c, s;

	if (ktls_pair_fixed_keys(AF_INET, &c, &s) ||
	    ktls_lua_attach_hook(s, w->h)) {
		w->fails = -1;
		return NULL;
	}
	for (int i = 0; i < 300; i++) {
		int n = snprintf(msg, sizeof(msg), "%p %d!", (void *)w, i);

		if (send_all(c, msg, n) || read_verdict(s, &v) != n ||
		    v.code != i + 1 || strcmp(v.file, msg))
			w->fails++;
	}
	close(c);
	close(s);
	return NULL;
}

/* Threads on many sockets of one hook at once: every verdict right. */
TEST(parallel_readers_on_one_hook)
{
	enum { T = 6 };
	struct worker w[T];
	int h = hook_load(counter, "recv");

	ASSERT_GE(h, 0);
	for (int i = 0; i < T; i++) {
		w[i].h = h;
		w[i].fails = 0;
		ASSERT_EQ(0, pthread_create(&w[i].th, NULL, worker_run, &w[i]));
	}
	for (int i = 0; i < T; i++) {
		pthread_join(w[i].th, NULL);
		EXPECT_EQ(0, w[i].fails);
	}
	close(h);
}

/* Two threads reading one socket: bytes and verdicts stay in stream order. */
TEST(two_readers_one_socket)
{
	struct ktls_lua_verdict v;
	int c, s, h = hook_load(script, "recv");
	pid_t pid;

	ASSERT_GE(h, 0);
	ASSERT_EQ(0, ktls_pair_fixed_keys(AF_INET, &c, &s));
	ASSERT_EQ(0, ktls_lua_attach_hook(s, h));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		for (int i = 0; i < 200; i++)
			if (read_verdict(s, &v) <= 0)
				_exit(1);
		_exit(0);
	}
	for (int i = 0; i < 400; i++)
		ASSERT_EQ(0, send_all(c, "ab", 2));
	shutdown(c, SHUT_WR);
	for (int i = 0; i < 200; i++)
		if (read_verdict(s, &v) <= 0)
			break;
	close(c);
	waitpid(pid, NULL, 0);
	close(s);
	close(h);
}

struct racer {
	int fd, h, which;
	pthread_t th;
};

static void *racer_run(void *arg)
{
	struct racer *r = arg;
	const char *sc = "function recv(d) return 1 end";

	for (int i = 0; i < 200; i++) {
		switch (r->which) {
		case 0:
			ktls_lua_load_script(r->fd, sc, strlen(sc));
			break;
		case 1:
			setsockopt(r->fd, SOL_TLS, TLS_LUA_HOOK, &r->h, sizeof(r->h));
			break;
		case 2:
			ktls_lua_set_entry(r->fd, i % 2 ? "recv" : "other");
			break;
		default: {
			char name[TLS_LUA_ENTRY_MAX];
			socklen_t len = sizeof(name);

			getsockopt(r->fd, SOL_TLS, TLS_LUA_RECVENTRY, name, &len);
		}
		}
	}
	return NULL;
}

/* Option changes racing each other and reads: no crash, still usable. */
TEST(racing_option_changes)
{
	struct racer r[4];
	struct ktls_lua_verdict v;
	int c, s, h = hook_load(script, "recv");

	ASSERT_GE(h, 0);
	for (int round = 0; round < 10; round++) {
		ASSERT_EQ(0, ktls_pair_fixed_keys(AF_INET, &c, &s));
		ASSERT_EQ(0, ktls_lua_attach(s));
		for (int i = 0; i < 4; i++) {
			r[i] = (struct racer){ .fd = s, .h = h, .which = i };
			ASSERT_EQ(0, pthread_create(&r[i].th, NULL, racer_run, &r[i]));
		}
		for (int i = 0; i < 50; i++) {
			ASSERT_EQ(0, send_all(c, "x!", 2));
			ASSERT_EQ(2, read_verdict(s, &v));
		}
		for (int i = 0; i < 4; i++)
			pthread_join(r[i].th, NULL);
		close(c);
		close(s);
	}
	close(h);
}

/* /proc/ktls_lua keeps one hook per line whatever its name holds. */
TEST(odd_hook_name_stays_on_one_proc_line)
{
	struct ktls_lua_hook_opts o = { .entry = "recv",
					.name = "a b\n9 x 1 1" };
	char line[512], want[64];
	unsigned int id;
	int h, lines = 0, found = 0;
	FILE *f;

	h = ktls_lua_hook_load(script, strlen(script), &o);
	ASSERT_GE(h, 0);
	id = hook_last_id();
	ASSERT_NE(0, id);
	snprintf(want, sizeof(want), "%u a\\040b\\0129\\040x\\0401\\0401 ", id);
	f = fopen("/proc/ktls_lua", "re");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		lines += strncmp(line, "id ", 3) != 0;
		found += !strncmp(line, want, strlen(want));
	}
	fclose(f);
	close(h);
	EXPECT_EQ(1, found);
	/* line 0 (private states) plus the hooks still loaded: at least 2 */
	EXPECT_GE(lines, 2);
}

TEST_MAIN()
