/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktls-ceiling: the least an HTTPS server over kernel TLS can do per request,
 * as a ceiling for the benchmark.  Not a server anyone should deploy.
 *
 *   ktls-ceiling --mode sendfile|fixed --port P --cert C --key K --docroot D
 *
 * Every regular file directly in the docroot is opened (and, in fixed mode,
 * read into memory) at start.  One thread per connection: a blocking GnuTLS
 * handshake, the keys moved into kTLS (TX and RX) with libktlslua, then a
 * loop: recv() the request, and answer
 *   sendfile: the header with send(MSG_MORE), the body with sendfile();
 *   fixed:    header and body, prebuilt in memory, with one send().
 * GET only, no parsing beyond the path and the keep-alive rule; an unknown
 * path gets a 404.  HTTP/1.0 closes unless "Connection: keep-alive";
 * HTTP/1.1 keeps alive unless "Connection: close".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/time.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include <linux/tls.h>
#include <gnutls/gnutls.h>
#include "ktls_lua_gnutls.h"

#define MAX_FILES 64
#define REQ_MAX 8192

struct file {
	char path[256];		/* "/name" */
	int fd;
	off_t size;
	char hdr_ka[160], hdr_close[192];	/* keep-alive / close headers */
	size_t hdr_ka_len, hdr_close_len;
	char *fixed_ka, *fixed_close;	/* fixed mode: header + body */
	size_t fixed_ka_len, fixed_close_len;
};

static struct file files[MAX_FILES];
static int nfiles;
static int fixed_mode;
static int nomore;	/* CEILING_NOMORE=1: the header in a record of its own */
static gnutls_certificate_credentials_t cred;
static gnutls_priority_t prio;

static const char resp404[] =
	"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

static void die(const char *what, const char *why)
{
	fprintf(stderr, "ktls-ceiling: %s: %s\n", what, why);
	exit(1);
}

static int send_all(int fd, const char *p, size_t n, int flags)
{
	while (n) {
		ssize_t w = send(fd, p, n, flags | MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static char *concat(const char *h, size_t hl, const char *b, size_t bl,
		    size_t *len)
{
	char *p = malloc(hl + bl);

	if (!p)
		die("malloc", strerror(errno));
	memcpy(p, h, hl);
	if (bl)
		memcpy(p + hl, b, bl);
	*len = hl + bl;
	return p;
}

static void load_files(const char *docroot)
{
	DIR *d = opendir(docroot);
	struct dirent *e;

	if (!d)
		die(docroot, strerror(errno));
	while ((e = readdir(d)) && nfiles < MAX_FILES) {
		struct file *f = &files[nfiles];
		struct stat st;
		int fd;

		if (e->d_name[0] == '.' || strlen(e->d_name) > 200)
			continue;
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		snprintf(f->path, sizeof(f->path), "/%s", e->d_name);
		f->fd = fd;
		f->size = st.st_size;
		f->hdr_ka_len = (size_t)snprintf(f->hdr_ka, sizeof(f->hdr_ka),
			"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
			"Content-Length: %lld\r\n\r\n", (long long)st.st_size);
		f->hdr_close_len = (size_t)snprintf(f->hdr_close,
			sizeof(f->hdr_close),
			"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
			"Content-Length: %lld\r\nConnection: close\r\n\r\n",
			(long long)st.st_size);
		if (fixed_mode) {
			char *body = malloc((size_t)st.st_size + 1);
			size_t got = 0;

			if (!body)
				die("malloc", strerror(errno));
			while (got < (size_t)st.st_size) {
				ssize_t r = pread(fd, body + got,
						  (size_t)st.st_size - got,
						  (off_t)got);
				if (r <= 0)
					die(e->d_name, "short read");
				got += (size_t)r;
			}
			f->fixed_ka = concat(f->hdr_ka, f->hdr_ka_len, body,
					     got, &f->fixed_ka_len);
			f->fixed_close = concat(f->hdr_close, f->hdr_close_len,
						body, got, &f->fixed_close_len);
			free(body);
		}
		nfiles++;
	}
	closedir(d);
	if (!nfiles)
		die(docroot, "no regular files");
}

static const struct file *find(const char *path, size_t len)
{
	for (int i = 0; i < nfiles; i++)
		if (strlen(files[i].path) == len &&
		    !memcmp(files[i].path, path, len))
			return &files[i];
	return NULL;
}

/* Does the header block (NUL-terminated) say "Connection: <word>"? */
static int conn_header(const char *req, const char *word)
{
	const char *p = req;

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (!strncasecmp(p, "connection:", 11)) {
			const char *v = p + 11;

			while (*v == ' ' || *v == '\t')
				v++;
			return !strncasecmp(v, word, strlen(word));
		}
	}
	return 0;
}

/* Answer one request (req is NUL-terminated, ends with the blank line).
 * Returns 1 to keep the connection, 0 to close it, -1 on error. */
static int answer(int fd, const char *req)
{
	const char *sp1 = strchr(req, ' '), *sp2, *q;
	const struct file *f;
	int keep;

	if (!sp1 || strncmp(req, "GET ", 4))
		return -1;
	sp2 = strchr(sp1 + 1, ' ');
	if (!sp2)
		return -1;
	q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
	f = find(sp1 + 1, (size_t)((q ? q : sp2) - sp1 - 1));
	if (!strncmp(sp2 + 1, "HTTP/1.1", 8))
		keep = !conn_header(req, "close");
	else
		keep = conn_header(req, "keep-alive");
	if (!f)
		return send_all(fd, resp404, sizeof(resp404) - 1, 0) ? -1 : keep;
	if (fixed_mode) {
		if (keep)
			return send_all(fd, f->fixed_ka, f->fixed_ka_len, 0) ?
				-1 : 1;
		return send_all(fd, f->fixed_close, f->fixed_close_len, 0) ?
			-1 : 0;
	}
	if (send_all(fd, keep ? f->hdr_ka : f->hdr_close,
		     keep ? f->hdr_ka_len : f->hdr_close_len,
		     f->size && !nomore ? MSG_MORE : 0))
		return -1;
	off_t off = 0;

	while (off < f->size) {
		ssize_t w = sendfile(fd, f->fd, &off, (size_t)(f->size - off));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (getenv("CEILING_DEBUG"))
				fprintf(stderr, "sendfile at %lld/%lld: %zd %s\n",
					(long long)off, (long long)f->size, w,
					strerror(errno));
			return -1;
		}
	}
	return keep;
}

/* End a kTLS connection as TLS wants it: a close_notify alert, our FIN,
 * then what the client still sends is read and dropped (bounded: 2 s),
 * so that its unread bytes do not turn our close into a reset. */
static void ktls_close(int fd)
{
	char alert[2] = { 1, 0 };	/* warning, close_notify */
	char cbuf[CMSG_SPACE(sizeof(unsigned char))] = { 0 };
	struct iovec iov = { .iov_base = alert, .iov_len = sizeof(alert) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	struct timeval tv = { .tv_sec = 2 };
	char sink[4096];

	cm->cmsg_level = SOL_TLS;
	cm->cmsg_type = TLS_SET_RECORD_TYPE;
	cm->cmsg_len = CMSG_LEN(sizeof(unsigned char));
	*CMSG_DATA(cm) = 21;	/* alert */
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
		return;
	shutdown(fd, SHUT_WR);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < 64; i++) {
		ssize_t r = recv(fd, sink, sizeof(sink), 0);

		if (r <= 0 && !(r < 0 && errno == EINTR))
			break;
	}
}

static void serve(int fd)
{
	static int warned;
	gnutls_session_t s;
	char err[KTLS_GNUTLS_ERRLEN];
	char buf[REQ_MAX + 1];
	size_t have = 0;
	int rc;

	if (gnutls_init(&s, GNUTLS_SERVER) < 0)
		return;
	gnutls_priority_set(s, prio);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, 30000);
	do {
		rc = gnutls_handshake(s);
	} while (rc < 0 && !gnutls_error_is_fatal(rc));
	if (rc < 0)
		goto out;
	rc = ktls_gnutls_enable(s, fd, KTLS_GNUTLS_BOTH, buf, REQ_MAX, &have,
				err, sizeof(err));
	if (rc) {
		/* A ceiling that is not kTLS is no ceiling: refuse. */
		if (!__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
			fprintf(stderr, "ktls-ceiling: no kTLS: %s\n", err);
		goto out;
	}
	for (;;) {
		char *end;

		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (!end) {
			ssize_t r;

			if (have == REQ_MAX)
				break;
			r = recv(fd, buf + have, REQ_MAX - have, 0);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;	/* EOF, or EIO on a non-data record */
			have += (size_t)r;
			continue;
		}
		end += 4;
		char save = *end;

		*end = '\0';
		rc = answer(fd, buf);
		*end = save;
		if (rc == 0)
			ktls_close(fd);
		if (rc <= 0)
			break;
		have -= (size_t)(end - buf);
		memmove(buf, end, have);
	}
out:
	gnutls_deinit(s);
}

static void *conn_thread(void *arg)
{
	int fd = (int)(long)arg;

	serve(fd);
	close(fd);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ktls-ceiling --mode sendfile|fixed --port P --cert C --key K\n"
		"                    --docroot DIR [--priority STRING]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "port", required_argument, NULL, 'p' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "docroot", required_argument, NULL, 'd' },
		{ "priority", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *mode = NULL, *cert = NULL, *key = NULL, *docroot = NULL;
	const char *priority = "NORMAL";
	int port = 0, one = 1, c, lfd, rc;
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	pthread_attr_t attr;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': mode = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'd': docroot = optarg; break;
		case 'P': priority = optarg; break;
		default: usage();
		}
	}
	if (!mode || !cert || !key || !docroot || port <= 0 || port > 65535)
		usage();
	if (!strcmp(mode, "fixed"))
		fixed_mode = 1;
	else if (strcmp(mode, "sendfile"))
		usage();
	nomore = getenv("CEILING_NOMORE") != NULL;
	if (!ktls_gnutls_kernel_has_tls())
		die("kernel", "no \"tls\" ULP (modprobe tls)");
	load_files(docroot);

	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		die("gnutls", "credentials");
	rc = gnutls_certificate_set_x509_key_file(cred, cert, key,
						  GNUTLS_X509_FMT_PEM);
	if (rc < 0)
		die(cert, gnutls_strerror(rc));
	rc = gnutls_priority_init(&prio, priority, NULL);
	if (rc < 0)
		die(priority, gnutls_strerror(rc));

	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket", strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin6_port = htons((unsigned short)port);
	a.sin6_addr = in6addr_any;
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind", strerror(errno));
	if (listen(lfd, 1024) < 0)
		die("listen", strerror(errno));

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (;;) {
		pthread_t t;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EMFILE || errno == ENFILE)
				continue;
			die("accept", strerror(errno));
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (pthread_create(&t, &attr, conn_thread, (void *)(long)fd))
			close(fd);
	}
}
