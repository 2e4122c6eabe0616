// SPDX-License-Identifier: GPL-2.0
/*
 * Random socket-option and ioctl calls (issue 7): setsockopt/getsockopt at
 * SOL_TLS with our option numbers and the stock ones, random lengths and
 * values, bad user pointers (NULL, kernel addresses, a guard page, a
 * read-only page, buffers that end at the guard page), on the wrong
 * sockets (attached, shared-hook, unattached kTLS, plain TCP, UDP, unix,
 * listening, not sockets); and random ioctls on /dev/ktls_lua (both
 * commands with random structs, random command numbers), from a
 * privileged process and from one that dropped to nobody.  Every call
 * must return (bounded in time), fail with a clean errno or succeed; the
 * hooked sockets must still carry data afterwards; no fd, hook or
 * attached socket may be left behind; kernel memory back to baseline.
 */
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/tls.h>

#include "common/tls_pair.h"
#include "common/hook_util.h"
#include "adv.h"

#define REGION	(1u << 20)	/* a valid buffer, followed by a guard page */
#define STORM_MS 12000		/* per role */

static char *region, *guard, *ro;
static size_t pg;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned int rn(unsigned int n)
{
	return n ? (unsigned int)(rnd() % n) : 0;
}

/* A user pointer good for len bytes, or a bad one. */
static void *ptr(size_t len)
{
	switch (rn(12)) {
	case 0: return NULL;
	case 1: return (void *)1;
	case 2: return (void *)0xffffffff81000000ULL;	/* kernel text */
	case 3: return guard;
	case 4: return guard - (len ? (rn((unsigned int)len) + 1) : 1);	/* runs into the guard */
	case 5: return ro;
	case 6: return (void *)(uintptr_t)rnd();
	default:
		if (len > REGION)
			return region;
		return region + rn((unsigned int)(REGION - len) + 1);
	}
}

static unsigned int rlen(void)
{
	static const unsigned int l[] = { 0, 1, 2, 3, 4, 5, 7, 8, 63, 64, 65,
					  255, 256, 1023, 1024, 1025, 4096,
					  65536, 1u << 20, (1u << 20) + 1,
					  0x7fffffff, 0x80000000u, 0xffffffffu };

	if (rn(3) == 0)
		return rn(2048);
	return l[rn(sizeof(l) / sizeof(l[0]))];
}

static const char *const snippets[] = {
	"function recv(d, c) return 200, '/x' end",
	"function recv(d, c) while true do end end",
	"while true do end",
	"local t = {} for i = 1, 1000000000 do t[i] = i end",
	"function recv(d, c) return string.rep('x', 1 << 40) end",
	"recv = nil",
	"error('boom')",
	"return",
	"\x1bLua",
	"x = setmetatable({}, {__gc = function() while true do end end})",
};

/* Fill the valid region with something for a chunk or a name. */
static void fill_region(void)
{
	size_t off = rn(REGION - 256);

	switch (rn(4)) {
	case 0: {
		const char *s = snippets[rn(sizeof(snippets) / sizeof(snippets[0]))];

		memcpy(region + off, s, strlen(s) + 1);
		break;
	}
	case 1:
		memcpy(region + off, "recv\0", 5);
		break;
	default:
		for (int i = 0; i < 256; i++)
			region[off + (size_t)i] = (char)rnd();
	}
}

static const int ok_errnos[] = {
	EINVAL, E2BIG, EFAULT, ENOPROTOOPT, ERANGE, EBUSY, EALREADY, EBADF,
	ENOTSOCK, EOPNOTSUPP, EPERM, EACCES, ENOMEM, EEXIST, ENOENT, ENOTTY,
	EPROTONOSUPPORT, ENOTCONN, ENOSPC, EMSGSIZE, ENODEV, ENOBUFS,
};

struct tally {
	unsigned long calls, ok, bad;
	int bad_errno[8];
	const char *bad_what[8];
	unsigned long per_errno[140];
};

static void count(struct tally *t, int rc, int e, const char *what)
{
	size_t i;

	t->calls++;
	if (rc >= 0) {
		t->ok++;
		return;
	}
	if (e >= 0 && e < 140)
		t->per_errno[e]++;
	for (i = 0; i < sizeof(ok_errnos) / sizeof(ok_errnos[0]); i++)
		if (e == ok_errnos[i])
			return;
	if (t->bad < 8) {
		t->bad_errno[t->bad] = e;
		t->bad_what[t->bad] = what;
	}
	t->bad++;
}

struct fds {
	int s[16];
	int n;
	int dev, hook;
	int attached, shared;	/* the two hooked sockets */
	int attached_peer, shared_peer;
	struct tls_pair p[3];
};

static int pick_fd(const struct fds *f)
{
	switch (rn(8)) {
	case 0: return -1;
	case 1: return 1000 + (int)rn(1000);	/* not open */
	case 2: return f->dev;
	case 3: return f->hook;
	default: return f->s[rn((unsigned int)f->n)];
	}
}

static int pick_opt(void)
{
	switch (rn(10)) {
	case 0: return 1 + (int)rn(4);			/* TLS_TX .. TLS_RX_EXPECT_NO_PAD */
	case 1: return (int)rnd();
	case 2: return 0x4c00 + (int)rn(256);
	default: return 0x4c00 + (int)rn(0x12);
	}
}

static void storm(struct fds *f, struct tally *t, int priv)
{
	long long end = adv_ms() + STORM_MS;
	int newfds[64], nnew = 0;

	while (adv_ms() < end && t->calls < 40000) {
		int fd = pick_fd(f), rc, e, opt = pick_opt();
		int level = rn(10) ? SOL_TLS : 9999;
		unsigned int len = rlen();

		fill_region();
		switch (rn(4)) {
		case 0:
		case 1:
			if (opt == TLS_TX || opt == TLS_RX)
				level = SOL_TLS;	/* random keys: refused (EBUSY/EEXIST/EINVAL) */
			rc = setsockopt(fd, level, opt, ptr(len), len);
			e = errno;
			count(t, rc, e, "setsockopt");
			break;
		case 2: {
			socklen_t *lp;
			socklen_t l = rn(2) ? len : (socklen_t)(int)(rn(8) - 4);

			if (rn(6) == 0) {
				lp = ptr(sizeof(*lp));
			} else {
				lp = (socklen_t *)(void *)(region + (rn(1000) & ~3u));
				*lp = l;
			}
			rc = getsockopt(fd, level, opt, ptr(l), lp);
			e = errno;
			count(t, rc, e, "getsockopt");
			break;
		}
		default: {
			unsigned long cmd;
			void *arg;

			switch (rn(4)) {
			case 0: cmd = KTLS_LUA_IOC_ATTACH; break;
			case 1: cmd = KTLS_LUA_IOC_HOOK_LOAD; break;
			case 2: cmd = _IOC(rn(4), KTLS_LUA_IOC_MAGIC, rn(8), rn(256)); break;
			default: cmd = (unsigned long)rnd() & 0xffffffff; break;
			}
			if (rn(4)) {
				/* a plausible struct at a valid address */
				if (rn(2)) {
					struct ktls_lua_attach *a = (void *)(region + 4096);

					memset(a, 0, sizeof(*a));
					a->sockfd = pick_fd(f);
					a->hookfd = rn(2) ? -1 : pick_fd(f);
					if (rn(8) == 0)
						a->flags = (uint32_t)rnd();
					arg = a;
				} else {
					struct ktls_lua_hook_load *h = (void *)(region + 8192);
					unsigned int sl = rlen();
					const char *s = snippets[rn(sizeof(snippets) / sizeof(snippets[0]))];

					memset(h, 0, sizeof(*h));
					if (rn(2)) {
						memcpy(region + 65536, s, strlen(s) + 1);
						h->script = (uintptr_t)(region + 65536);
						sl = rn(3) ? (unsigned int)strlen(s) : sl;
					} else {
						h->script = (uintptr_t)ptr(sl);
					}
					h->script_len = sl;
					/* bounded: a root hook may legitimately pin this much */
					h->mem_limit = (uint64_t[]){ 0, 1, 4096, 1 << 20, 8 << 20 }[rn(5)];
					h->instr_limit = (uint64_t[]){ 0, 1, 1000, 100000, 1000000 }[rn(5)];
					h->errbuf_len = rlen();
					h->errbuf = (uintptr_t)(rn(3) ? ptr(h->errbuf_len) : ro);
					if (rn(8) == 0)
						h->flags = (uint32_t)rnd();
					if (rn(2))
						strcpy(h->entry, "recv");
					else
						for (size_t i = 0; i < sizeof(h->entry); i++)
							h->entry[i] = (char)rnd();
					if (rn(4) == 0)
						for (size_t i = 0; i < sizeof(h->name); i++)
							h->name[i] = (char)rnd();
					arg = h;
				}
			} else {
				arg = ptr(128);
			}
			/* random commands only on our device: on a socket one
			 * could reconfigure the network (root) */
			rc = ioctl((cmd == KTLS_LUA_IOC_ATTACH || cmd == KTLS_LUA_IOC_HOOK_LOAD) &&
				   !rn(8) ? pick_fd(f) : f->dev, cmd, arg);
			e = errno;
			count(t, rc, e, "ioctl");
			if (rc > 2 && nnew < 64 && cmd == KTLS_LUA_IOC_HOOK_LOAD)
				newfds[nnew++] = rc;	/* a hook fd */
			if (nnew == 64) {
				for (int i = 0; i < nnew; i++)
					close(newfds[i]);
				nnew = 0;
			}
		}
		}
	}
	for (int i = 0; i < nnew; i++)
		close(newfds[i]);
	(void)priv;
}

static void report_tally(const char *who, const struct tally *t)
{
	char line[512] = "";
	size_t o = 0;

	for (int e = 0; e < 140 && o < sizeof(line) - 32; e++)
		if (t->per_errno[e])
			o += (size_t)snprintf(line + o, sizeof(line) - o, " %s:%lu",
					      strerrorname_np(e) ? strerrorname_np(e) : "?",
					      t->per_errno[e]);
	adv_diag("%s: %lu calls, %lu succeeded; errnos:%s", who, t->calls, t->ok, line);
	for (unsigned long i = 0; i < t->bad && i < 8; i++)
		adv_diag("%s: unexpected errno %d (%s) from %s", who, t->bad_errno[i],
			 strerror(t->bad_errno[i]), t->bad_what[i]);
}

static int still_reads(int cli, int srv)
{
	char buf[16];
	struct ktls_lua_verdict v;
	unsigned char rt;

	if (send_all(cli, "alive", 5))
		return 0;
	return ktls_lua_recv(srv, buf, sizeof(buf), 0, &v, &rt) == 5 &&
	       !memcmp(buf, "alive", 5);
}

static int open_fds(struct fds *f)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int l;

	memset(f, 0, sizeof(*f));
	for (int i = 0; i < 3; i++)
		if (tls_pair_open(&f->p[i], NULL)) {
			adv_diag("tls_pair_open: %s", f->p[i].err);
			return -1;
		}
	f->dev = open(KTLS_LUA_DEVICE, O_RDWR | O_CLOEXEC);
	f->hook = hook_load("function recv(d, c) return 0 end", "recv");
	if (f->dev < 0 || f->hook < 0)
		return -1;
	if (hook_attach_script(f->p[0].srv, "function recv(d, c) return 200, '/x' end",
			       "recv") || ktls_lua_attach_hook(f->p[1].srv, f->hook))
		return -1;
	f->attached = f->p[0].srv;
	f->attached_peer = f->p[0].cli;
	f->shared = f->p[1].srv;
	f->shared_peer = f->p[1].cli;
	f->s[f->n++] = f->p[0].srv;
	f->s[f->n++] = f->p[1].srv;
	f->s[f->n++] = f->p[2].srv;	/* kTLS, not attached */
	f->s[f->n++] = f->p[2].cli;
	f->s[f->n++] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	f->s[f->n++] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(l, (void *)&a, sizeof(a));
	listen(l, 4);
	f->s[f->n++] = l;
	f->s[f->n++] = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	f->s[f->n++] = open("/dev/null", O_RDWR | O_CLOEXEC);
	{
		int c, s;

		if (!tcp_pair_open(AF_INET, &c, &s)) {
			f->s[f->n++] = c;
			f->s[f->n++] = s;
		}
	}
	return 0;
}

static void close_fds(struct fds *f)
{
	for (int i = 0; i < f->n; i++)
		close(f->s[i]);
	/* s[] held every socket but the peers of the two hooked ones */
	close(f->p[0].cli);
	close(f->p[1].cli);
	close(f->dev);
	close(f->hook);
}

static void run_role(const char *who, int drop)
{
	int pfd[2], status = 0;
	pid_t pid;
	char line[256] = "";
	ssize_t n;

	if (pipe(pfd))
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct tally t;
		struct fds f;
		int fds0, alive, bad;

		close(pfd[0]);
		alarm(STORM_MS / 1000 + 60);
		memset(&t, 0, sizeof(t));
		/* GnuTLS opens what it keeps open once: count after that */
		if (!tls_pair_open(&f.p[0], NULL))
			tls_pair_close(&f.p[0]);
		fds0 = adv_nfds(0);
		if (open_fds(&f)) {
			dprintf(pfd[1], "0 setting up the sockets failed\n");
			_exit(1);
		}
		if (drop) {
			if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
				dprintf(pfd[1], "0 cannot become nobody: %s\n", strerror(errno));
				_exit(1);
			}
		}
		storm(&f, &t, !drop);
		report_tally(who, &t);
		alive = still_reads(f.attached_peer, f.attached) &&
			still_reads(f.shared_peer, f.shared);
		close_fds(&f);
		bad = (int)t.bad;
		dprintf(pfd[1], "%d %lu calls, %lu unexpected errnos; hooked sockets %s; fds %d -> %d\n",
			!bad && alive && adv_nfds(0) == fds0, t.calls, t.bad,
			alive ? "still read" : "DO NOT READ", fds0, adv_nfds(0));
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], line, sizeof(line) - 1);
	close(pfd[0]);
	waitpid(pid, &status, 0);
	line[n > 0 ? n : 0] = '\0';
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	if (WIFSIGNALED(status))
		snprintf(line, sizeof(line), "0 killed by signal %d%s", WTERMSIG(status),
			 WTERMSIG(status) == SIGALRM ? " (a call hung)" : "");
	adv_ok(line[0] == '1', "option/ioctl storm as %s: %s", who, line[0] ? line + 2 : "no report");
}

int main(void)
{
	long unrec0, unrec1, socks;
	unsigned int hooks0, hooks1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (access(KTLS_LUA_DEVICE, F_OK)) {
		adv_ok(0, "option storm: %s exists (ktls_lua.ko loaded)", KTLS_LUA_DEVICE);
		return adv_done();
	}
	pg = (size_t)sysconf(_SC_PAGESIZE);
	region = mmap(NULL, REGION + 2 * pg, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return 1;
	guard = region + REGION;
	ro = guard + pg;
	mprotect(guard, pg, PROT_NONE);
	mprotect(ro, pg, PROT_READ);
	adv_settle();
	unrec0 = meminfo_kb("SUnreclaim");
	hooks0 = hook_last_id();
	run_role("root", 0);
	rng = 0x243f6a8885a308d3ULL;
	run_role("nobody", 1);
	socks = hook_nsocks();
	adv_ok(socks == 0, "option storm: no socket left attached (%ld)", socks);
	adv_settle();
	unrec1 = meminfo_kb("SUnreclaim");
	hooks1 = hook_last_id();
	adv_diag("hook ids %u -> %u; SUnreclaim %ld -> %ld KiB", hooks0, hooks1, unrec0, unrec1);
	{
		FILE *p = fopen("/proc/ktls_lua", "re");
		int lines = 0;
		char l[512];

		while (p && fgets(l, sizeof(l), p))
			if (strtoul(l, NULL, 10) > 0)
				lines++;
		if (p)
			fclose(p);
		adv_ok(lines == 0, "option storm: every hook the storm loaded is gone (%d left)", lines);
	}
	adv_ok(unrec1 - unrec0 < 4096,
	       "option storm: unreclaimable slab back to baseline (+%ld KiB, < 4 MiB)",
	       unrec1 - unrec0);
	return adv_done();
}
