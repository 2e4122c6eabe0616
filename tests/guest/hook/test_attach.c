// SPDX-License-Identifier: GPL-2.0
/* Attaching: which sockets, which errors, options before/after TLS_RX. */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "common/tls_pair.h"
#include "common/hook_util.h"

FIXTURE(pair) {
	struct tls_pair p;
};

FIXTURE_SETUP(pair)
{
	if (tls_pair_open(&self->p, NULL))
		TH_FAIL_AT(1, "tls_pair_open: %s", self->p.err);
}

FIXTURE_TEARDOWN(pair)
{
	tls_pair_close(&self->p);
}

TEST_F(pair, attach_succeeds)
{
	ASSERT_EQ(0, ktls_lua_attach(self->p.srv));
}

TEST_F(pair, double_attach_is_ealready)
{
	ASSERT_EQ(0, ktls_lua_attach(self->p.srv));
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_attach(self->p.srv));
	ASSERT_EQ(EALREADY, errno);
}

TEST_F(pair, options_work_after_attach)
{
	int code = -1;
	socklen_t len = sizeof(code);

	ASSERT_EQ(0, ktls_lua_attach(self->p.srv));
	ASSERT_EQ(0, getsockopt(self->p.srv, SOL_TLS, TLS_LUA_CODE, &code, &len));
	ASSERT_EQ(0, code);
}

TEST_F(pair, options_absent_without_attach)
{
	int code = -1;
	socklen_t len = sizeof(code);

	errno = 0;
	ASSERT_EQ(-1, getsockopt(self->p.srv, SOL_TLS, TLS_LUA_CODE, &code, &len));
	ASSERT_EQ(ENOPROTOOPT, errno);
}

TEST_F(pair, data_flows_unchanged_after_attach)
{
	char buf[64] = "";

	ASSERT_EQ(0, ktls_lua_attach(self->p.srv));
	ASSERT_EQ(0, send_all(self->p.cli, "hello", 5));
	ASSERT_EQ(5, recv(self->p.srv, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "hello", 5));
	ASSERT_EQ(0, send_all(self->p.srv, "back", 4));
	ASSERT_EQ(4, recv(self->p.cli, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "back", 4));
}

TEST_F(pair, attach_counts_in_proc)
{
	long before = hook_nsocks();

	ASSERT_GE(before, 0);
	ASSERT_EQ(0, ktls_lua_attach(self->p.srv));
	ASSERT_EQ(before + 1, hook_nsocks());
}

TEST(close_detaches)
{
	struct tls_pair p;
	long before = hook_nsocks();

	ASSERT_EQ(0, tls_pair_open(&p, NULL));
	ASSERT_EQ(0, ktls_lua_attach(p.srv));
	ASSERT_EQ(before + 1, hook_nsocks());
	tls_pair_close(&p);
	ASSERT_EQ(before, hook_nsocks());
}

static int attach_early(int fd, void *arg)
{
	(void)arg;
	return ktls_lua_attach(fd);
}

TEST(attach_before_keys_survives_tls_rx)
{
	struct tls_pair_opts o = { .before_keys = attach_early };
	struct tls_pair p;
	char buf[16];
	int code = -1;
	socklen_t len = sizeof(code);
	long before = hook_nsocks();

	if (tls_pair_open(&p, &o))
		TH_FAIL_AT(1, "tls_pair_open: %s", p.err);
	ASSERT_EQ(0, getsockopt(p.srv, SOL_TLS, TLS_LUA_CODE, &code, &len));
	ASSERT_EQ(0, send_all(p.cli, "abc", 3));
	ASSERT_EQ(3, recv(p.srv, buf, sizeof(buf), 0));
	ASSERT_EQ(before + 1, hook_nsocks());
	tls_pair_close(&p);
	ASSERT_EQ(before, hook_nsocks());
}

static int attach_and_script_early(int fd, void *arg)
{
	(void)arg;
	return hook_attach_script(fd, "function f(d) return #d end", "f");
}

/* A script set before TLS_RX: only decrypted reads reach it. */
TEST(script_set_before_keys_sees_plaintext)
{
	struct tls_pair_opts o = { .before_keys = attach_and_script_early };
	struct ktls_lua_verdict v;
	struct tls_pair p;
	char buf[16];

	if (tls_pair_open(&p, &o))
		TH_FAIL_AT(1, "tls_pair_open: %s", p.err);
	ASSERT_EQ(0, send_all(p.cli, "12345", 5));
	ASSERT_EQ(5, ktls_lua_recv(p.srv, buf, sizeof(buf), 0, &v, NULL));
	ASSERT_EQ(5, v.code);
	ASSERT_EQ(0, memcmp(buf, "12345", 5));
	tls_pair_close(&p);
}

TEST(plain_tcp_is_eopnotsupp)
{
	int c, s;

	ASSERT_EQ(0, tcp_pair_open(AF_INET, &c, &s));
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_attach(s));
	ASSERT_EQ(EOPNOTSUPP, errno);
	close(c);
	close(s);
}

TEST(udp_is_eprotonosupport)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ASSERT_GE(fd, 0);
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_attach(fd));
	ASSERT_EQ(EPROTONOSUPPORT, errno);
	close(fd);
}

TEST(unix_is_eprotonosupport)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_attach(sv[0]));
	ASSERT_EQ(EPROTONOSUPPORT, errno);
	close(sv[0]);
	close(sv[1]);
}

TEST(listening_is_einval)
{
	int fd = tcp_listen_any(AF_INET);

	ASSERT_GE(fd, 0);
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_attach(fd));
	ASSERT_EQ(EINVAL, errno);
	close(fd);
}

TEST(not_a_socket_is_enotsock)
{
	int p[2];

	ASSERT_EQ(0, pipe(p));
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_attach(p[0]));
	ASSERT_EQ(ENOTSOCK, errno);
	close(p[0]);
	close(p[1]);
}

TEST(bad_fd_is_ebadf)
{
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_attach(12345));
	ASSERT_EQ(EBADF, errno);
}

TEST_F(pair, bad_hook_fd_is_einval)
{
	int p[2];

	ASSERT_EQ(0, pipe(p));
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_attach_hook(self->p.srv, p[0]));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(pair, nonzero_reserved_is_einval)
{
	struct ktls_lua_attach a = { .sockfd = self->p.srv, .hookfd = -1,
				     .flags = 1 };
	int dev = open(KTLS_LUA_DEVICE, O_RDWR);

	ASSERT_GE(dev, 0);
	errno = 0;
	ASSERT_EQ(-1, ioctl(dev, KTLS_LUA_IOC_ATTACH, &a));
	ASSERT_EQ(EINVAL, errno);
	close(dev);
}

/* hookfd below -1 is EBADF, but only once the socket fd passed its checks. */
TEST_F(pair, hookfd_below_minus_one_is_ebadf_after_the_socket)
{
	struct ktls_lua_attach a = { .sockfd = self->p.srv, .hookfd = -2 };
	int dev = open(KTLS_LUA_DEVICE, O_RDWR), p[2];

	ASSERT_GE(dev, 0);
	ASSERT_EQ(0, pipe(p));
	errno = 0;
	ASSERT_EQ(-1, ioctl(dev, KTLS_LUA_IOC_ATTACH, &a));
	ASSERT_EQ(EBADF, errno);
	a.sockfd = p[0];
	errno = 0;
	ASSERT_EQ(-1, ioctl(dev, KTLS_LUA_IOC_ATTACH, &a));
	ASSERT_EQ(ENOTSOCK, errno);
	/* the socket is still free to attach */
	ASSERT_EQ(0, ktls_lua_attach(self->p.srv));
	close(p[0]);
	close(p[1]);
	close(dev);
}

TEST_F(pair, unknown_ioctl_is_enotty)
{
	int dev = open(KTLS_LUA_DEVICE, O_RDWR);

	(void)self;
	ASSERT_GE(dev, 0);
	errno = 0;
	ASSERT_EQ(-1, ioctl(dev, _IO(KTLS_LUA_IOC_MAGIC, 99)));
	ASSERT_EQ(ENOTTY, errno);
	close(dev);
}

/* Without the "unprivileged" parameter, attaching needs CAP_NET_ADMIN. */
TEST_F(pair, unprivileged_caller_is_eperm)
{
	ASSERT_EQ(0, hook_param("unprivileged", "0"));
	ASSERT_EQ(0, setgid(65534));
	ASSERT_EQ(0, setuid(65534));
	errno = 0;
	ASSERT_EQ(-1, ktls_lua_attach(self->p.srv));
	ASSERT_EQ(EPERM, errno);
}

/* With it, a user attaches its own sockets but not another user's. */
TEST_F(pair, foreign_socket_is_eperm)
{
	struct tls_pair mine;
	int rc, err;

	ASSERT_EQ(0, hook_param("unprivileged", "1"));
	ASSERT_EQ(0, setgid(65534));
	ASSERT_EQ(0, setuid(65534));
	errno = 0;
	rc = ktls_lua_attach(self->p.srv);
	err = errno;
	if (tls_pair_open(&mine, NULL) == 0) {
		EXPECT_EQ(0, ktls_lua_attach(mine.srv));
		tls_pair_close(&mine);
	} else {
		TH_LOG("own pair: %s", mine.err);
	}
	hook_param("unprivileged", "0");	/* fails as nobody; see below */
	ASSERT_EQ(-1, rc);
	ASSERT_EQ(EPERM, err);
}

TEST(reset_unprivileged_parameter)
{
	ASSERT_EQ(0, hook_param("unprivileged", "0"));
}

TEST(ipv6_attach_and_read)
{
	struct tls_pair_opts o = { .family = AF_INET6 };
	struct tls_pair p;
	char buf[16];

	if (tls_pair_open(&p, &o))
		TH_FAIL_AT(1, "tls_pair_open: %s", p.err);
	ASSERT_EQ(0, ktls_lua_attach(p.srv));
	ASSERT_EQ(0, send_all(p.cli, "v6", 2));
	ASSERT_EQ(2, recv(p.srv, buf, sizeof(buf), 0));
	tls_pair_close(&p);
}

TEST_MAIN()
