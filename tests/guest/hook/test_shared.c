// SPDX-License-Identifier: GPL-2.0
/* Shared hooks: compile once, attach many; per-connection conn tables. */
#include <fcntl.h>
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

/* 1,000 sockets on one shared hook; after they close, nothing is left:
 * no socket counted, hook states released, slab back near its baseline. */
TEST(thousand_sockets_then_baseline)
{
	enum { N = 1000 };
	static int cli[N], srv[N];
	struct rlimit rl = { 4096, 4096 };
	struct hook_counters c;
	struct linger lg = { 1, 0 };
	long slab0, slab1, slab2, socks0;
	int h, i;

	TEST_SET_TIMEOUT(900);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	/* one real pair first, so every cache is warm */
	{
		struct tls_pair p;

		ASSERT_EQ(0, tls_pair_open(&p, NULL));
		ASSERT_EQ(0, ktls_lua_attach(p.srv));
		tls_pair_close(&p);
	}
	system("sync; echo 3 > /proc/sys/vm/drop_caches");
	usleep(300000);
	socks0 = hook_nsocks();
	slab0 = meminfo_kb("Slab");
	h = hook_load(script, "recv");
	ASSERT_GE(h, 0);
	/* The tls ULP with no keys is enough to attach. */
	for (i = 0; i < N; i++) {
		ASSERT_EQ(0, tcp_pair_open(AF_INET, &cli[i], &srv[i]));
		ASSERT_EQ(0, setsockopt(srv[i], IPPROTO_TCP, 31 /* TCP_ULP */,
					"tls", 4));
		ASSERT_EQ(0, ktls_lua_attach_hook(srv[i], h));
	}
	slab1 = meminfo_kb("Slab");
	ASSERT_EQ(0, hook_counters(hook_last_id(), &c));
	ASSERT_EQ(N, c.sockets);
	TH_LOG("slab %ld KiB -> %ld KiB with %d attached TCP pairs (%llu states, %llu B Lua)",
	       slab0, slab1, N, c.states, c.mem);
	for (i = 0; i < N; i++) {
		setsockopt(cli[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		setsockopt(srv[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(cli[i]);
		close(srv[i]);
	}
	ASSERT_EQ(0, hook_counters(hook_last_id(), &c));
	ASSERT_EQ(0, c.sockets);
	close(h);
	ASSERT_EQ(socks0, hook_nsocks());
	usleep(500000);
	system("sync; echo 3 > /proc/sys/vm/drop_caches");
	usleep(500000);
	slab2 = meminfo_kb("Slab");
	TH_LOG("slab after close: %ld KiB (baseline %ld KiB)", slab2, slab0);
	ASSERT_LT(slab2 - slab0, 1024);
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

TEST_MAIN()
