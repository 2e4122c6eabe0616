// SPDX-License-Identifier: GPL-2.0
/* Every read path through the hook, verdicts, and non-data records. */
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "common/tls_pair.h"
#include "common/hook_util.h"

static const char script[] =
	"function recv(data, conn)\n"
	"  conn.buf = (conn.buf or '') .. data\n"
	"  local out = {}\n"
	"  while true do\n"
	"    local s, e, path = conn.buf:find('^GET (%S+) HTTP/1%.1\\r\\n.-\\r\\n\\r\\n')\n"
	"    if not s then break end\n"
	"    out[#out + 1] = 200\n"
	"    out[#out + 1] = path\n"
	"    conn.buf = conn.buf:sub(e + 1)\n"
	"  end\n"
	"  return table.unpack(out)\n"
	"end\n"
	"function count(data, conn)\n"
	"  conn.n = (conn.n or 0) + #data\n"
	"  return conn.n\n"
	"end\n"
	"function sum(data, conn)\n"
	"  if data == '?' then return conn.n end\n"
	"  conn.n = (conn.n or 0) + #data\n"
	"end\n"
	"function echo(data, conn)\n"
	"  return 1, data\n"
	"end\n";

#define REQ(path) "GET " path " HTTP/1.1\r\nHost: x\r\n\r\n"

FIXTURE(hooked) {
	struct tls_pair p;
};

FIXTURE_SETUP(hooked)
{
	if (tls_pair_open(&self->p, NULL))
		TH_FAIL_AT(1, "tls_pair_open: %s", self->p.err);
	ASSERT_EQ(0, hook_attach_script(self->p.srv, script, "recv"));
}

FIXTURE_TEARDOWN(hooked)
{
	tls_pair_close(&self->p);
}

static int code_of(int fd)
{
	int code = -1;
	socklen_t len = sizeof(code);

	if (getsockopt(fd, SOL_TLS, TLS_LUA_CODE, &code, &len) < 0)
		return -1000 - errno;
	return code;
}

static const char *file_of(int fd)
{
	static char file[TLS_LUA_FILE_MAX];
	socklen_t len = sizeof(file);

	if (getsockopt(fd, SOL_TLS, TLS_LUA_FILE, file, &len) < 0)
		return "(getsockopt failed)";
	return file;
}

TEST_F(hooked, recv_sets_verdict_for_getsockopt)
{
	char buf[256];

	ASSERT_EQ(0, send_all(self->p.cli, REQ("/a.html"), strlen(REQ("/a.html"))));
	ASSERT_EQ((ssize_t)strlen(REQ("/a.html")), recv(self->p.srv, buf, sizeof(buf), 0));
	ASSERT_EQ(200, code_of(self->p.srv));
	ASSERT_STREQ("/a.html", file_of(self->p.srv));
}

TEST_F(hooked, recvmsg_carries_verdict_cmsg)
{
	struct ktls_lua_verdict v;
	unsigned char type = 0;
	char buf[256];
	ssize_t n;

	ASSERT_EQ(0, send_all(self->p.cli, REQ("/b"), strlen(REQ("/b"))));
	n = ktls_lua_recv(self->p.srv, buf, sizeof(buf), 0, &v, &type);
	ASSERT_EQ((ssize_t)strlen(REQ("/b")), n);
	ASSERT_EQ(0, memcmp(buf, REQ("/b"), n));
	ASSERT_EQ(23, type);
	ASSERT_EQ(200, v.code);
	ASSERT_EQ(0, v.flags);
	ASSERT_STREQ("/b", v.file);
}

TEST_F(hooked, partial_request_has_no_verdict)
{
	struct ktls_lua_verdict v;
	char buf[256];

	ASSERT_EQ(0, send_all(self->p.cli, "GET /c HTTP/1.1\r\n", 17));
	ASSERT_EQ(17, ktls_lua_recv(self->p.srv, buf, sizeof(buf), 0, &v, NULL));
	ASSERT_EQ(0, v.code);
	ASSERT_EQ(0, code_of(self->p.srv));
}

TEST_F(hooked, bytes_reach_user_unchanged)
{
	unsigned char out[4096], in[4096];
	size_t i;

	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "sum"));
	for (i = 0; i < sizeof(out); i++)
		out[i] = (unsigned char)(i * 7 + i / 256);
	ASSERT_EQ(0, send_all(self->p.cli, out, sizeof(out)));
	ASSERT_EQ((ssize_t)sizeof(in), recv_exact(self->p.srv, in, sizeof(in)));
	ASSERT_EQ(0, memcmp(in, out, sizeof(in)));
}

/* One record per byte on the wire, small reads: the verdict comes with the
 * read that returns the request's last byte, and not before. */
TEST_F(hooked, request_split_over_records_and_reads)
{
	const char *req = REQ("/split");
	size_t len = strlen(req), got = 0, i;
	struct ktls_lua_verdict v;
	char buf[8];

	for (i = 0; i < len; i++)
		ASSERT_EQ(0, send_all(self->p.cli, req + i, 1));
	while (got < len) {
		ssize_t n = ktls_lua_recv(self->p.srv, buf, 3, 0, &v, NULL);

		ASSERT_GT(n, 0);
		got += (size_t)n;
		if (got < len)
			ASSERT_EQ(0, v.code);
	}
	ASSERT_EQ(len, got);
	ASSERT_EQ(200, v.code);
	ASSERT_STREQ("/split", v.file);
}

TEST_F(hooked, pipelined_requests_give_verdicts_in_order)
{
	const char *reqs = REQ("/one") REQ("/two") REQ("/three");
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

	ASSERT_EQ(0, send_all(self->p.cli, reqs, strlen(reqs)));
	ASSERT_EQ((ssize_t)strlen(reqs), recvmsg(self->p.srv, &msg, 0));
	ASSERT_EQ(3, ktls_lua_parse_verdicts(&msg, v, 8));
	ASSERT_STREQ("/one", v[0].file);
	ASSERT_STREQ("/two", v[1].file);
	ASSERT_STREQ("/three", v[2].file);
	ASSERT_EQ(200, code_of(self->p.srv));
	ASSERT_STREQ("/three", file_of(self->p.srv));
}

TEST_F(hooked, peek_does_not_feed_hook)
{
	char buf[64];

	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "count"));
	ASSERT_EQ(0, send_all(self->p.cli, "hello", 5));
	ASSERT_EQ(5, recv(self->p.srv, buf, sizeof(buf), MSG_PEEK));
	ASSERT_EQ(0, code_of(self->p.srv));
	ASSERT_EQ(5, recv(self->p.srv, buf, sizeof(buf), MSG_PEEK));
	ASSERT_EQ(0, code_of(self->p.srv));
	ASSERT_EQ(5, recv(self->p.srv, buf, sizeof(buf), 0));
	ASSERT_EQ(5, code_of(self->p.srv));
	ASSERT_EQ(0, memcmp(buf, "hello", 5));
}

TEST_F(hooked, read_syscall_feeds_hook)
{
	char buf[64];

	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "count"));
	ASSERT_EQ(0, send_all(self->p.cli, "abcdef", 6));
	ASSERT_EQ(6, read(self->p.srv, buf, sizeof(buf)));
	ASSERT_EQ(6, code_of(self->p.srv));
}

TEST_F(hooked, waitall_reads_everything_across_records)
{
	static char out[200000], in[200000];
	char q[4];
	size_t i;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (char)i;
	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "sum"));
	if (fork() == 0) {
		send_all(self->p.cli, out, sizeof(out));
		_exit(0);
	}
	ASSERT_EQ((ssize_t)sizeof(in),
		  recv(self->p.srv, in, sizeof(in), MSG_WAITALL));
	ASSERT_EQ(0, memcmp(in, out, sizeof(in)));
	wait(NULL);
	ASSERT_EQ(0, send_all(self->p.cli, "?", 1));
	ASSERT_EQ(1, recv(self->p.srv, q, sizeof(q), 0));
	ASSERT_EQ((int)sizeof(out), code_of(self->p.srv));
}

TEST_F(hooked, nonblocking_eagain_then_data)
{
	char buf[64];

	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "count"));
	errno = 0;
	ASSERT_EQ(-1, recv(self->p.srv, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(self->p.srv, F_SETFL, O_NONBLOCK));
	errno = 0;
	ASSERT_EQ(-1, read(self->p.srv, buf, sizeof(buf)));
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, code_of(self->p.srv));
	ASSERT_EQ(0, send_all(self->p.cli, "xyz", 3));
	for (int i = 0; i < 200; i++) {
		ssize_t n = read(self->p.srv, buf, sizeof(buf));

		if (n == 3)
			break;
		ASSERT_EQ(-1, n);
		usleep(10000);
	}
	ASSERT_EQ(3, code_of(self->p.srv));
}

/* A second reader waits no longer than SO_RCVTIMEO, as on plain kTLS. */
TEST_F(hooked, second_reader_honours_rcvtimeo)
{
	struct timeval tv = { .tv_usec = 300000 }, t0, t1;
	char buf[64];
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)	/* the first reader: blocks until data comes */
		_exit(recv(self->p.srv, buf, sizeof(buf), 0) == 2 ? 0 : 1);
	usleep(500000);
	ASSERT_EQ(0, setsockopt(self->p.srv, SOL_SOCKET, SO_RCVTIMEO,
				&tv, sizeof(tv)));
	gettimeofday(&t0, NULL);
	errno = 0;
	ASSERT_EQ(-1, recv(self->p.srv, buf, sizeof(buf), 0));
	ASSERT_EQ(EAGAIN, errno);
	gettimeofday(&t1, NULL);
	/* not forever: well within 10 s even in a slow guest */
	EXPECT_GT(10, t1.tv_sec - t0.tv_sec);
	ASSERT_EQ(0, send_all(self->p.cli, "ok", 2));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

TEST_F(hooked, poll_readiness)
{
	struct pollfd pfd = { .fd = self->p.srv, .events = POLLIN };
	char buf[64];

	ASSERT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, send_all(self->p.cli, REQ("/p"), strlen(REQ("/p"))));
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	ASSERT_TRUE(pfd.revents & POLLIN);
	ASSERT_GT(recv(self->p.srv, buf, sizeof(buf), 0), 0);
	ASSERT_EQ(200, code_of(self->p.srv));
	pfd.revents = 0;
	ASSERT_EQ(0, poll(&pfd, 1, 0));
}

TEST_F(hooked, epoll_readiness)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int ep = epoll_create1(0);
	char buf[64];

	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->p.srv, &ev));
	ASSERT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, send_all(self->p.cli, REQ("/e"), strlen(REQ("/e"))));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 5000));
	ASSERT_GT(recv(self->p.srv, buf, sizeof(buf), 0), 0);
	ASSERT_EQ(200, code_of(self->p.srv));
	close(ep);
}

TEST_F(hooked, splice_feeds_hook)
{
	const char *req = REQ("/spliced");
	size_t len = strlen(req);
	char buf[256];
	int pp[2];

	ASSERT_EQ(0, pipe(pp));
	ASSERT_EQ(0, send_all(self->p.cli, req, len));
	ASSERT_EQ((ssize_t)len, splice(self->p.srv, NULL, pp[1], NULL, 4096, 0));
	ASSERT_EQ((ssize_t)len, read(pp[0], buf, sizeof(buf)));
	ASSERT_EQ(0, memcmp(buf, req, len));
	ASSERT_EQ(200, code_of(self->p.srv));
	ASSERT_STREQ("/spliced", file_of(self->p.srv));
	close(pp[0]);
	close(pp[1]);
}

/* An alert record: plain recv fails with EIO as without the hook, recvmsg
 * with a control buffer returns it with its type; Lua never sees it. */
TEST_F(hooked, alert_record_is_not_given_to_lua)
{
	unsigned char alert[2] = { 1, 0 };	/* warning, close_notify */
	struct ktls_lua_verdict v;
	unsigned char type = 0;
	char buf[64];

	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "count"));
	ASSERT_EQ(2, send_record_type(self->p.cli, 21, alert, 2));
	errno = 0;
	ASSERT_EQ(-1, recv(self->p.srv, buf, sizeof(buf), 0));
	ASSERT_EQ(EIO, errno);
	ASSERT_EQ(2, ktls_lua_recv(self->p.srv, buf, sizeof(buf), 0, &v, &type));
	ASSERT_EQ(21, type);
	ASSERT_EQ(0, v.code);
	ASSERT_EQ(0, memcmp(buf, alert, 2));
	ASSERT_EQ(0, send_all(self->p.cli, "abc", 3));
	ASSERT_EQ(3, ktls_lua_recv(self->p.srv, buf, sizeof(buf), 0, &v, &type));
	ASSERT_EQ(23, type);
	ASSERT_EQ(3, v.code);	/* the alert's 2 bytes were not counted */
}

/* Data then a handshake record: the read stops at the type change. */
TEST_F(hooked, read_stops_at_record_type_change)
{
	unsigned char hs[4] = { 24, 0, 0, 0 };	/* any handshake bytes */
	unsigned char type = 0;
	char buf[64];

	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "count"));
	ASSERT_EQ(0, send_all(self->p.cli, "data", 4));
	ASSERT_EQ(4, send_record_type(self->p.cli, 22, hs, 4));
	usleep(100000);
	ASSERT_EQ(4, ktls_lua_recv(self->p.srv, buf, sizeof(buf), 0, NULL, &type));
	ASSERT_EQ(23, type);
	ASSERT_EQ(4, ktls_lua_recv(self->p.srv, buf, sizeof(buf), 0, NULL, &type));
	ASSERT_EQ(22, type);
	ASSERT_EQ(4, code_of(self->p.srv));
}

TEST_F(hooked, small_control_buffer_truncates_but_getsockopt_has_verdict)
{
	union {
		char b[CMSG_SPACE(1)];
		struct cmsghdr align;
	} ctl;
	char buf[256];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.b,
			      .msg_controllen = sizeof(ctl.b) };

	ASSERT_EQ(0, send_all(self->p.cli, REQ("/t"), strlen(REQ("/t"))));
	ASSERT_EQ((ssize_t)strlen(REQ("/t")), recvmsg(self->p.srv, &msg, 0));
	ASSERT_TRUE(msg.msg_flags & MSG_CTRUNC);
	ASSERT_EQ(200, code_of(self->p.srv));
	ASSERT_STREQ("/t", file_of(self->p.srv));
}

TEST_F(hooked, eof_returns_zero)
{
	char buf[16];

	shutdown(self->p.cli, SHUT_WR);
	ASSERT_EQ(0, recv(self->p.srv, buf, sizeof(buf), 0));
	ASSERT_EQ(0, code_of(self->p.srv));
}

TEST_F(hooked, verdict_file_may_hold_any_bytes_but_nul)
{
	struct ktls_lua_verdict v;
	char buf[64];

	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "echo"));
	ASSERT_EQ(0, send_all(self->p.cli, "\xff\x01 z", 4));
	ASSERT_EQ(4, ktls_lua_recv(self->p.srv, buf, sizeof(buf), 0, &v, NULL));
	ASSERT_EQ(1, v.code);
	ASSERT_STREQ("\xff\x01 z", v.file);
}

TEST(ipv6_verdict)
{
	struct tls_pair_opts o = { .family = AF_INET6 };
	struct ktls_lua_verdict v;
	struct tls_pair p;
	char buf[256];

	if (tls_pair_open(&p, &o))
		TH_FAIL_AT(1, "tls_pair_open: %s", p.err);
	ASSERT_EQ(0, hook_attach_script(p.srv, script, "recv"));
	ASSERT_EQ(0, send_all(p.cli, REQ("/v6"), strlen(REQ("/v6"))));
	ASSERT_GT(ktls_lua_recv(p.srv, buf, sizeof(buf), 0, &v, NULL), 0);
	ASSERT_EQ(200, v.code);
	ASSERT_STREQ("/v6", v.file);
	tls_pair_close(&p);
}

/* TLS 1.3 session tickets reach the client as handshake records: with the
 * hook on the client they behave as without it. */
TEST(tls13_tickets_are_not_given_to_lua)
{
	struct tls_pair_opts o = { .version = 13, .tickets = 1 };
	struct ktls_lua_verdict v = { 0 };
	struct tls_pair p;
	unsigned char type = 0;
	char buf[4096];
	int i, tickets = 0;
	ssize_t n = 0;

	if (tls_pair_open(&p, &o))
		TH_FAIL_AT(1, "tls_pair_open: %s", p.err);
	ASSERT_EQ(0, hook_attach_script(p.cli, script, "count"));
	ASSERT_EQ(0, send_all(p.srv, "hi", 2));
	for (i = 0; i < 8; i++) {
		n = ktls_lua_recv(p.cli, buf, sizeof(buf), 0, &v, &type);
		ASSERT_GT(n, 0);
		if (type == 23)
			break;
		ASSERT_EQ(22, type);
		ASSERT_EQ(0, v.code);
		tickets++;
	}
	TH_LOG("%d ticket record(s)", tickets);
	ASSERT_GT(tickets, 0);
	ASSERT_EQ(2, n);
	ASSERT_EQ(2, v.code);
	tls_pair_close(&p);
}

TEST_MAIN()
