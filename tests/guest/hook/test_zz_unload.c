// SPDX-License-Identifier: GPL-2.0
/*
 * rmmod ktls_lua is refused while a socket is attached and works once it
 * is closed; the module is loaded again afterwards for the tests that
 * follow.  (Named to run after the other hook tests.)
 */
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "common/tls_pair.h"
#include "common/hook_util.h"

#define KO "kernel/ktls_lua/ktls_lua.ko"

/* The ktls_lua.ko vm/run loaded (its run directory is on the kernel
 * command line as ktlslua.run=DIR, the module list in DIR/modules). */
static const char *module_path(void)
{
	static char path[4096];
	char cmd[4096], list[4200], *p;
	FILE *f = fopen("/proc/cmdline", "re");
	int found = 0;

	if (f) {
		if (fgets(cmd, sizeof(cmd), f) && (p = strstr(cmd, "ktlslua.run="))) {
			p += strlen("ktlslua.run=");
			p[strcspn(p, " \n")] = 0;
			snprintf(list, sizeof(list), "%s/modules", p);
			found = 1;
		}
		fclose(f);
	}
	if (found && (f = fopen(list, "re"))) {
		while (fgets(path, sizeof(path), f)) {
			path[strcspn(path, "\n")] = 0;
			if (strstr(path, "/ktls_lua.ko")) {
				fclose(f);
				return path;
			}
		}
		fclose(f);
	}
	return KO;
}

static int rmmod_retry(void)
{
	for (int i = 0; i < 50; i++) {
		if (system("rmmod ktls_lua 2>/dev/null") == 0)
			return 0;
		usleep(100000);
	}
	return -1;
}

TEST(unload_refused_while_attached_then_works)
{
	const char *ko = module_path();
	char cmd[4200];
	struct tls_pair p;
	int h;

	TH_LOG("module: %s", ko);
	if (access(ko, R_OK))
		SKIP("no %s (run from the top of the tree)", ko);
	ASSERT_EQ(0, tls_pair_open(&p, NULL));
	ASSERT_EQ(0, hook_attach_script(p.srv, "function f(d) return 1 end", "f"));
	ASSERT_NE(0, system("rmmod ktls_lua 2>/dev/null"));
	ASSERT_EQ(0, send_all(p.cli, "x", 1));
	{
		struct ktls_lua_verdict v;
		char b[8];

		ASSERT_EQ(1, ktls_lua_recv(p.srv, b, sizeof(b), 0, &v, NULL));
		ASSERT_EQ(1, v.code);
	}
	/* a hook fd alone also holds the module */
	h = hook_load("function f(d) end", "f");
	ASSERT_GE(h, 0);
	tls_pair_close(&p);
	ASSERT_NE(0, system("rmmod ktls_lua 2>/dev/null"));
	close(h);
	ASSERT_EQ(0, rmmod_retry());
	ASSERT_NE(0, access(KTLS_LUA_DEVICE, F_OK));
	snprintf(cmd, sizeof(cmd), "insmod %s", ko);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, access(KTLS_LUA_DEVICE, F_OK));
}

/* Sockets that were attached keep working as plain kTLS after close of
 * their peers and an unload/reload cycle of the module. */
TEST(reload_then_attach_again)
{
	struct tls_pair p;
	struct ktls_lua_verdict v;
	char b[8];

	ASSERT_EQ(0, tls_pair_open(&p, NULL));
	ASSERT_EQ(0, hook_attach_script(p.srv, "function f(d) return 7 end", "f"));
	ASSERT_EQ(0, send_all(p.cli, "x", 1));
	ASSERT_EQ(1, ktls_lua_recv(p.srv, b, sizeof(b), 0, &v, NULL));
	ASSERT_EQ(7, v.code);
	tls_pair_close(&p);
}

TEST_MAIN()
