// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-httpd: an HTTPS static file server on kernel TLS, with request
 * routing by a Lua script that runs in the kernel (ktls_lua.ko), in user
 * space (liblua5.4), or not at all.
 *
 * main.c: options, start-up checks (each failure says what is wrong and
 * what to do), the listeners, and the workers' supervisor.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ktls_lua_gnutls.h"
#include "server.h"

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

#define DEFAULT_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:" \
	"-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305"

static const char usage_text[] =
"usage: ktls-httpd [OPTIONS]\n"
"Serve a directory over HTTPS (HTTP/1.1, GET and HEAD), with TLS in the\n"
"kernel (kTLS) or in user space, and requests routed by a Lua script that\n"
"runs in the kernel hook (ktls_lua.ko), in user space, or not at all.\n"
"\n"
"  -r, --docroot DIR         directory to serve (default: www)\n"
"  -p, --port N              TCP port (default: 8443)\n"
"  -l, --listen ADDR         address to listen on (default: all, IPv6 + IPv4)\n"
"  -c, --cert FILE           PEM certificate (chain); repeat for ECDSA + RSA\n"
"  -k, --key FILE            PEM private key of the --cert at the same place\n"
"      --tls=kernel|user     TLS records in the kernel after a GnuTLS handshake,\n"
"                            or GnuTLS all the way (default: kernel)\n"
"      --lua=kernel|user|off the routing script in the kernel hook (needs\n"
"                            --tls=kernel), in user space, or a C router\n"
"                            (default: kernel)\n"
"  -s, --script FILE         routing script (default: scripts/http.lua)\n"
"      --entry NAME          its entry function, called as NAME(data, conn)\n"
"                            and returning code, file (default: recv)\n"
"  -w, --workers N           worker processes, SO_REUSEPORT (default: CPUs)\n"
"      --max-conns N         connections per worker (default: 4096)\n"
"      --max-handshakes N    TLS handshakes in progress per worker; more new\n"
"                            connections wait in the backlog (default: 64)\n"
"      --handshake-timeout S TLS handshake time limit (default: 10)\n"
"      --idle-timeout S      keep-alive and send time limit (default: 30)\n"
"      --header-timeout S    time limit for a request head (default: 10)\n"
"      --grace S             on SIGTERM, time for in-flight responses (30)\n"
"      --max-head BYTES      request line + headers (default: 8192)\n"
"      --max-uri BYTES       request target (default: 4096)\n"
"      --max-headers N       header lines (default: 64)\n"
"      --access-log FILE     combined log format; '-' stdout, 'off' (default: -)\n"
"      --mime-types FILE     content types (default: /etc/mime.types)\n"
"      --priority STRING     GnuTLS priority string (default: TLS 1.3 and 1.2\n"
"                            with the AEAD suites the kernel can take)\n"
"      --lua-mem BYTES       memory cap of a Lua state (default: 32 MiB)\n"
"      --lua-instr N         instruction budget per call (default: 1000000)\n"
"      --backlog N           listen backlog (default: 4096)\n"
"  -q, --quiet               no start-up line\n"
"  -h, --help                this text\n"
"\n"
"Script verdicts: 200 serves `file` (a URL path under the docroot, the\n"
"request's own path when empty); 3xx redirects to `file`; 4xx/5xx sends\n"
"that error.  Signals: SIGTERM/SIGINT stop accepting, finish in-flight\n"
"responses, then exit.\n";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#include <stdarg.h>
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ktls-httpd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static long num_arg(const char *opt, const char *v, long min, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max)
		die("%s takes a whole number from %ld to %ld, not '%s'", opt, min, max, v);
	return n;
}

enum {
	O_TLS = 256, O_LUA, O_ENTRY, O_MAXCONNS, O_HS, O_IDLE, O_HDR, O_GRACE,
	O_MAXHEAD, O_MAXURI, O_MAXHDRS, O_LOG, O_MIME, O_PRIO, O_LMEM, O_LINSTR,
	O_BACKLOG, O_MAXHS,
};

static void parse_args(int argc, char **argv, struct config *cf)
{
	static const struct option opts[] = {
		{ "docroot", 1, 0, 'r' }, { "port", 1, 0, 'p' }, { "listen", 1, 0, 'l' },
		{ "cert", 1, 0, 'c' }, { "key", 1, 0, 'k' }, { "tls", 1, 0, O_TLS },
		{ "lua", 1, 0, O_LUA }, { "script", 1, 0, 's' }, { "entry", 1, 0, O_ENTRY },
		{ "workers", 1, 0, 'w' }, { "max-conns", 1, 0, O_MAXCONNS },
		{ "max-handshakes", 1, 0, O_MAXHS },
		{ "handshake-timeout", 1, 0, O_HS }, { "idle-timeout", 1, 0, O_IDLE },
		{ "header-timeout", 1, 0, O_HDR }, { "grace", 1, 0, O_GRACE },
		{ "max-head", 1, 0, O_MAXHEAD }, { "max-uri", 1, 0, O_MAXURI },
		{ "max-headers", 1, 0, O_MAXHDRS }, { "access-log", 1, 0, O_LOG },
		{ "mime-types", 1, 0, O_MIME }, { "priority", 1, 0, O_PRIO },
		{ "lua-mem", 1, 0, O_LMEM }, { "lua-instr", 1, 0, O_LINSTR },
		{ "backlog", 1, 0, O_BACKLOG }, { "quiet", 0, 0, 'q' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	int o;

	while ((o = getopt_long(argc, argv, "r:p:l:c:k:s:w:qh", opts, NULL)) != -1) {
		switch (o) {
		case 'r': cf->docroot = optarg; break;
		case 'p': cf->port = (int)num_arg("--port", optarg, 1, 65535); break;
		case 'l': cf->listen_addr = optarg; break;
		case 'c':
			if (cf->ncerts == MAX_CERTS)
				die("at most %d certificates", MAX_CERTS);
			cf->certs[cf->ncerts++] = optarg;
			break;
		case 'k':
			if (cf->nkeys == MAX_CERTS)
				die("at most %d keys", MAX_CERTS);
			cf->keys[cf->nkeys++] = optarg;
			break;
		case O_TLS:
			if (!strcmp(optarg, "kernel"))
				cf->tls_kernel = 1;
			else if (!strcmp(optarg, "user"))
				cf->tls_kernel = 0;
			else
				die("--tls takes 'kernel' or 'user', not '%s'", optarg);
			break;
		case O_LUA:
			if (!strcmp(optarg, "kernel"))
				cf->lua = LUA_KERNEL;
			else if (!strcmp(optarg, "user"))
				cf->lua = LUA_USER;
			else if (!strcmp(optarg, "off"))
				cf->lua = LUA_OFF;
			else
				die("--lua takes 'kernel', 'user' or 'off', not '%s'", optarg);
			break;
		case 's': cf->script = optarg; break;
		case O_ENTRY:
			if (!*optarg || strlen(optarg) >= 64)
				die("--entry takes a function name of 1 to 63 bytes");
			cf->entry = optarg;
			break;
		case 'w': cf->workers = (int)num_arg("--workers", optarg, 1, 256); break;
		case O_MAXCONNS: cf->max_conns = (int)num_arg("--max-conns", optarg, 1, 1 << 20); break;
		case O_MAXHS: cf->max_handshakes = (int)num_arg("--max-handshakes", optarg, 1, 1 << 20); break;
		case O_HS: cf->t_handshake = 1000 * (int)num_arg("--handshake-timeout", optarg, 1, 3600); break;
		case O_IDLE: cf->t_idle = 1000 * (int)num_arg("--idle-timeout", optarg, 1, 86400); break;
		case O_HDR: cf->t_header = 1000 * (int)num_arg("--header-timeout", optarg, 1, 3600); break;
		case O_GRACE: cf->t_grace = 1000 * (int)num_arg("--grace", optarg, 0, 86400); break;
		case O_MAXHEAD: cf->lim.max_head = (size_t)num_arg("--max-head", optarg, 256, 1 << 20); break;
		case O_MAXURI: cf->lim.max_uri = (size_t)num_arg("--max-uri", optarg, 16, 4096); break;
		case O_MAXHDRS: cf->lim.max_headers = (unsigned int)num_arg("--max-headers", optarg, 1, 10000); break;
		case O_LOG: cf->access_log = strcmp(optarg, "off") ? optarg : NULL; break;
		case O_MIME: cf->mime_types = optarg; break;
		case O_PRIO: cf->priority = optarg; break;
		case O_LMEM: cf->lua_mem = (unsigned long long)num_arg("--lua-mem", optarg, 0, 1L << 40); break;
		case O_LINSTR: cf->lua_instr = (unsigned long long)num_arg("--lua-instr", optarg, 0, 1L << 40); break;
		case O_BACKLOG: cf->backlog = (int)num_arg("--backlog", optarg, 1, 1 << 20); break;
		case 'q': cf->quiet = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fputs("try 'ktls-httpd --help'\n", stderr);
			exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (try --help)", argv[optind]);
}

/* Does a loopback TCP socket take the tls ULP?  Loads tls.ko if it can. */
static int probe_ktls(char *err, size_t errlen)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int l = -1, c = -1, s = -1, rc = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || c < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (void *)&a, &al) || connect(c, (void *)&a, sizeof(a)) ||
	    (s = accept(l, NULL, NULL)) < 0) {
		snprintf(err, errlen, "cannot test kernel TLS on loopback: %s",
			 strerror(errno));
		goto out;
	}
	if (setsockopt(c, SOL_TCP, TCP_ULP, "tls", sizeof("tls")) < 0) {
		snprintf(err, errlen, "kernel TLS is not available (%s): load it with "
			 "'modprobe tls', or use --tls=user (and --lua=user or off)",
			 strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (s >= 0)
		close(s);
	if (c >= 0)
		close(c);
	if (l >= 0)
		close(l);
	return rc;
}

static int make_listener(const struct config *cf, int first)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1, zero = 0, fam;

	memset(&ss, 0, sizeof(ss));
	if (!cf->listen_addr || !strcmp(cf->listen_addr, "::") || !strcmp(cf->listen_addr, "*")) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)cf->port);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in6 *s6 = (void *)&ss;
		struct sockaddr_in *s4 = (void *)&ss;

		if (inet_pton(AF_INET, cf->listen_addr, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)cf->port);
			sl = sizeof(*s4);
		} else if (inet_pton(AF_INET6, cf->listen_addr, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)cf->port);
			sl = sizeof(*s6);
		} else {
			die("--listen takes an IPv4 or IPv6 address, not '%s'", cf->listen_addr);
		}
	}
	fam = ss.ss_family;
	fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && fam == AF_INET6 && !cf->listen_addr) {
		/* no IPv6 here: any IPv4 address */
		struct sockaddr_in *s4 = (void *)&ss;

		memset(&ss, 0, sizeof(ss));
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)cf->port);
		sl = sizeof(*s4);
		fam = AF_INET;
		fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fam == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	/*
	 * The first bind is without SO_REUSEPORT, so that a port another
	 * server (even another ktls-httpd) listens on is refused; the
	 * workers' sockets then join this one's group.
	 */
	if (!first) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	} else {
		int probe = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (probe >= 0) {
			setsockopt(probe, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (fam == AF_INET6)
				setsockopt(probe, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
			if (bind(probe, (struct sockaddr *)&ss, sl) < 0 && errno == EADDRINUSE)
				die("port %d is already in use: another server listens on it "
				    "(stop it, or choose another with --port)", cf->port);
			close(probe);
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		if (errno == EADDRINUSE)
			die("port %d is already in use: another server listens on it "
			    "(stop it, or choose another with --port)", cf->port);
		if (errno == EACCES)
			die("port %d needs privileges (run as root, or use a port above 1023)",
			    cf->port);
		if (errno == EADDRNOTAVAIL)
			die("address %s is not on this machine (--listen)", cf->listen_addr);
		die("bind to port %d: %s", cf->port, strerror(errno));
	}
	if (listen(fd, cf->backlog) < 0)
		die("listen on port %d: %s", cf->port, strerror(errno));
	{
		int defer = 5;	/* accept once the ClientHello is there */

		setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof(defer));
	}
	return fd;
}

static void load_tls(const struct config *cf, struct tls_ctx *t)
{
	const char *pos = NULL;
	int rc;

	if (cf->ncerts == 0)
		die("no certificate: give --cert FILE --key FILE (PEM); "
		    "make one with: openssl req -x509 -newkey ec -pkeyopt "
		    "ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost "
		    "-keyout key.pem -out cert.pem");
	if (cf->ncerts != cf->nkeys)
		die("%d certificate(s) but %d key(s): give one --key per --cert",
		    cf->ncerts, cf->nkeys);
	gnutls_certificate_allocate_credentials(&t->cred);
	for (int i = 0; i < cf->ncerts; i++) {
		if (access(cf->certs[i], R_OK))
			die("certificate %s: %s", cf->certs[i], strerror(errno));
		if (access(cf->keys[i], R_OK))
			die("key %s: %s", cf->keys[i], strerror(errno));
		rc = gnutls_certificate_set_x509_key_file2(t->cred, cf->certs[i], cf->keys[i],
							   GNUTLS_X509_FMT_PEM, NULL, 0);
		if (rc < 0)
			die("certificate %s with key %s: %s (both must be PEM, the key "
			    "unencrypted and matching the certificate)",
			    cf->certs[i], cf->keys[i], gnutls_strerror(rc));
	}
	rc = gnutls_priority_init2(&t->prio, cf->priority, &pos, 0);
	if (rc < 0)
		die("--priority '%s': %s at '%s'", cf->priority, gnutls_strerror(rc),
		    pos ? pos : "");
}

static volatile sig_atomic_t got_term;

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static const char *lua_name(enum lua_mode m)
{
	return m == LUA_KERNEL ? "kernel" : m == LUA_USER ? "user" : "off";
}

int main(int argc, char **argv)
{
	struct config cf = {
		.port = 8443, .docroot = "www", .tls_kernel = 1, .lua = LUA_KERNEL,
		.script = "scripts/http.lua", .entry = "recv",
		.priority = DEFAULT_PRIORITY, .access_log = "-",
		.mime_types = "/etc/mime.types", .max_conns = 4096, .backlog = 4096,
		.max_handshakes = 64,
		.t_handshake = 10000, .t_idle = 30000, .t_header = 10000,
		.t_grace = 30000, .t_linger = 2000,
		.lim = { .max_head = 8192, .max_uri = 4096, .max_headers = 64 },
		.lua_mem = 32 << 20, .lua_instr = 1000000,
	};
	struct tls_ctx tls;
	struct stat st;
	struct rlimit rl;
	char err[512];
	int *lfds;
	pid_t *pids;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	cf.workers = ncpu > 0 ? (int)ncpu : 1;
	parse_args(argc, argv, &cf);
	if (cf.lim.max_uri + 32 > cf.lim.max_head)
		cf.lim.max_uri = cf.lim.max_head - 32;

	if (cf.lua == LUA_KERNEL && !cf.tls_kernel)
		die("--lua=kernel needs --tls=kernel: the kernel hook runs on the "
		    "plaintext kernel TLS decrypts (use --lua=user with --tls=user)");
	if (stat(cf.docroot, &st) < 0)
		die("docroot %s: %s", cf.docroot, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die("docroot %s is not a directory", cf.docroot);
	if (access(cf.docroot, R_OK | X_OK))
		die("docroot %s: %s", cf.docroot, strerror(errno));
	load_tls(&cf, &tls);
	if (cf.lua != LUA_OFF) {
		struct ulua *u = ulua_new(cf.script, cf.entry, cf.lua_mem, cf.lua_instr,
					  err, sizeof(err));

		if (!u)
			die("%s", err);
		ulua_free(u);
	}
	if (cf.tls_kernel && probe_ktls(err, sizeof(err)))
		die("%s", err);
	if (cf.lua == LUA_KERNEL) {
		int dev = khook_open(err, sizeof(err)), hook;

		if (dev < 0)
			die("%s", err);
		hook = khook_load(dev, cf.script, cf.entry, cf.lua_mem, cf.lua_instr,
				  err, sizeof(err));
		if (hook < 0)
			die("%s", err);
		close(hook);
		close(dev);
	}

	/* every connection is an fd: take all the kernel allows */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);

	lfds = calloc((size_t)cf.workers, sizeof(*lfds));
	pids = calloc((size_t)cf.workers, sizeof(*pids));
	if (!lfds || !pids)
		die("out of memory");
	for (int i = 0; i < cf.workers; i++)
		lfds[i] = make_listener(&cf, i == 0);
	if (!cf.quiet) {
		fprintf(stderr, "ktls-httpd: serving %s on https://%s:%d/ (tls=%s, lua=%s%s%s, "
			"%d worker%s)\n", cf.docroot,
			cf.listen_addr ? cf.listen_addr : "localhost", cf.port,
			cf.tls_kernel ? "kernel" : "user", lua_name(cf.lua),
			cf.lua != LUA_OFF ? " " : "", cf.lua != LUA_OFF ? cf.script : "",
			cf.workers, cf.workers > 1 ? "s" : "");
		fflush(stderr);
	}
	if (cf.workers == 1)
		return worker_run(&cf, &tls, lfds[0], 0);

	/* the supervisor: start the workers, restart one that dies */
	{
		struct sigaction sa;
		sigset_t mask, old;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigemptyset(&mask);
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGINT);
		sigprocmask(SIG_BLOCK, &mask, &old);

		for (int i = 0; i < cf.workers; i++) {
			pids[i] = fork();
			if (pids[i] == 0) {
				for (int j = 0; j < cf.workers; j++)
					if (j != i)
						close(lfds[j]);
				signal(SIGTERM, SIG_DFL);
				signal(SIGINT, SIG_DFL);
				_exit(worker_run(&cf, &tls, lfds[i], i));
			}
			if (pids[i] < 0)
				die("fork: %s", strerror(errno));
		}
		sigprocmask(SIG_SETMASK, &old, NULL);

		int alive = cf.workers, status = 0;

		while (alive > 0) {
			int ws;
			pid_t p = waitpid(-1, &ws, 0);

			if (p < 0) {
				if (errno == EINTR) {
					if (got_term == 1) {
						got_term = 2;
						for (int i = 0; i < cf.workers; i++)
							if (pids[i] > 0)
								kill(pids[i], SIGTERM);
					}
					continue;
				}
				break;
			}
			for (int i = 0; i < cf.workers; i++) {
				if (pids[i] != p)
					continue;
				pids[i] = 0;
				if (!got_term && WIFEXITED(ws) && WEXITSTATUS(ws) == 1) {
					/* a start-up failure: no point in retrying */
					status = 1;
					got_term = 2;
					for (int j = 0; j < cf.workers; j++)
						if (pids[j] > 0)
							kill(pids[j], SIGTERM);
				}
				if (!got_term) {
					fprintf(stderr, "ktls-httpd: worker %d died (status %d); "
						"restarting it\n", i, ws);
					sleep(1);
					pids[i] = fork();
					if (pids[i] == 0) {
						for (int j = 0; j < cf.workers; j++)
							if (j != i)
								close(lfds[j]);
						signal(SIGTERM, SIG_DFL);
						signal(SIGINT, SIG_DFL);
						_exit(worker_run(&cf, &tls, lfds[i], i));
					}
					if (pids[i] > 0)
						alive++;
				}
				alive--;
			}
		}
		return status;
	}
}
