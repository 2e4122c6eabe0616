// SPDX-License-Identifier: GPL-2.0
/*
 * worker.c: one ktls-httpd worker: an epoll loop over its own SO_REUSEPORT
 * listener and its connections.
 *
 * A request costs, in kernel-TLS mode: one recvmsg (the plaintext, and the
 * kernel Lua verdict as a control message), one send of the head with
 * MSG_MORE and one sendfile of the body (the same TLS record for small
 * files), plus a share of an epoll_wait.  Open files, their stat, ETag and
 * Last-Modified strings, and the Date string are cached; connections come
 * from a free list, so the steady state allocates nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <linux/tls.h>

#include <linux/ktls_lua.h>
#include "ktls_lua_gnutls.h"
#include "mime.h"
#include "server.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define HDR_CAP		(3072 + TLS_LUA_FILE_MAX)
#define PATH_CAP	1024
#define FC_SLOTS	1024
#define FC_TTL_MS	1000
#define VQ_LEN		TLS_LUA_VERDICTS_MAX
#define VARENA		2048
#define TLS_CHUNK	16384

enum conn_state { ST_HANDSHAKE, ST_READ, ST_WRITE, ST_LINGER };
enum timer_class { T_HANDSHAKE, T_IDLE, T_HEADER, T_WRITE, T_LINGER, T_NCLASS };

struct fentry {
	int fd;
	int refs;		/* the cache's own reference counts as one */
	off_t size;
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	uint64_t checked;	/* ms, monotonic */
	const char *ctype;
	char etag[HTTP_ETAG_MAX];
	char lastmod[HTTP_DATE_LEN + 1];
	size_t plen;
	char path[];
};

struct verdict {
	uint64_t lo, hi;	/* stream bytes of the read it came with */
	int code;		/* -1: its file did not fit, ask again */
	unsigned short off, len;	/* its file in the conn's arena */
};

struct conn {
	int fd;
	enum conn_state state;
	unsigned int ev;		/* epoll interest */
	gnutls_session_t tls;		/* NULL once in kTLS */
	int ktls, khooked, lref;
	unsigned int requests;
	/* timers */
	enum timer_class tclass;
	uint64_t deadline;
	struct conn *tprev, *tnext;
	int header_timer;		/* a request head is arriving */
	/* input */
	uint64_t consumed;		/* stream bytes before rbuf[0] */
	size_t rlen;
	int nverdicts;
	size_t vused;
	struct verdict vq[VQ_LEN];
	char varena[VARENA];
	/* output */
	char hdr[HDR_CAP];
	size_t hlen, hoff;
	struct fentry *file;
	off_t boff, bend;
	size_t tls_pend_h, tls_pend_b;	/* a GnuTLS send to finish */
	int close_after, linger_after, http10;
	char peer[48];
	struct conn *next_free;
	char rbuf[];
};

struct tlist {
	struct conn *head, *tail;
};

struct worker {
	const struct config *cf;
	struct tls_ctx *tls;
	int id, ep, lfd, sfd, docfd;
	int accepting, stopping;
	unsigned int nconns, nhandshakes;
	size_t rcap;
	struct conn *free_conns;
	struct tlist tl[T_NCLASS];
	int tdur[T_NCLASS];
	uint64_t now_ms, grace_deadline;
	time_t date_sec;
	char date[HTTP_DATE_LEN + 1];
	char logtime[32];
	struct mime_table *mime;
	struct fentry *fc[FC_SLOTS];
	struct ulua *ulua;
	int kdev, hookfd;
	int warned_ktls, warned_hook;
	time_t script_err_logged;
	int logfd;
	char *logbuf;
	size_t loglen;
	char cbuf[TLS_LUA_VERDICTS_MAX *
		  CMSG_SPACE(sizeof(struct tls_lua_verdict) + TLS_LUA_FILE_MAX) +
		  CMSG_SPACE(sizeof(int)) + 64];
	char scratch[TLS_CHUNK];
	char pathbuf[PATH_CAP + 16];
};

#define LOGBUF_CAP (64 * 1024)

/* ---------------------------------------------------------------- time */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void tick(struct worker *w)
{
	struct timespec ts;

	w->now_ms = mono_ms();
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	if (ts.tv_sec != w->date_sec) {
		struct tm tm;

		w->date_sec = ts.tv_sec;
		http_date_format(ts.tv_sec, w->date);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(w->logtime, sizeof(w->logtime), "%d/%b/%Y:%H:%M:%S +0000", &tm);
	}
}

static void timer_unlink(struct worker *w, struct conn *c)
{
	struct tlist *l = &w->tl[c->tclass];

	if (c->tprev)
		c->tprev->tnext = c->tnext;
	else if (l->head == c)
		l->head = c->tnext;
	if (c->tnext)
		c->tnext->tprev = c->tprev;
	else if (l->tail == c)
		l->tail = c->tprev;
	c->tprev = c->tnext = NULL;
}

/* Timers of one class all last as long, so each list stays sorted. */
static void timer_set(struct worker *w, struct conn *c, enum timer_class t)
{
	struct tlist *l;

	timer_unlink(w, c);
	c->tclass = t;
	c->deadline = w->now_ms + (uint64_t)w->tdur[t];
	l = &w->tl[t];
	c->tprev = l->tail;
	if (l->tail)
		l->tail->tnext = c;
	else
		l->head = c;
	l->tail = c;
}

/* ---------------------------------------------------------------- log */

static void log_flush(struct worker *w)
{
	size_t off = 0;

	while (off < w->loglen) {
		ssize_t n = write(w->logfd, w->logbuf + off, w->loglen - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	w->loglen = 0;
}

static void log_quoted(struct worker *w, const char *s, size_t n)
{
	for (size_t i = 0; i < n && w->loglen + 8 < LOGBUF_CAP; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f)
			w->loglen += (size_t)snprintf(w->logbuf + w->loglen, 8,
						      "\\x%02x", c);
		else
			w->logbuf[w->loglen++] = (char)c;
	}
}

static void access_log(struct worker *w, struct conn *c, const struct http_req *q,
		       int status, long long bytes)
{
	if (w->logfd < 0)
		return;
	/* room for the largest entry: every byte of line, referer and
	 * user agent may be escaped as \xNN (4 bytes): over 8 KiB */
	if (w->loglen > LOGBUF_CAP - 16384)
		log_flush(w);
	w->loglen += (size_t)snprintf(w->logbuf + w->loglen, 128, "%s - - [%s] \"",
				      c->peer, w->logtime);
	if (q && q->line.n)
		log_quoted(w, q->line.p, q->line.n > 1024 ? 1024 : q->line.n);
	else
		log_quoted(w, "-", 1);
	w->loglen += (size_t)snprintf(w->logbuf + w->loglen, 64, "\" %d %lld \"",
				      status, bytes);
	if (q && q->referer.n)
		log_quoted(w, q->referer.p, q->referer.n > 512 ? 512 : q->referer.n);
	else
		log_quoted(w, "-", 1);
	w->logbuf[w->loglen++] = '"';
	w->logbuf[w->loglen++] = ' ';
	w->logbuf[w->loglen++] = '"';
	if (q && q->ua.n)
		log_quoted(w, q->ua.p, q->ua.n > 512 ? 512 : q->ua.n);
	else
		log_quoted(w, "-", 1);
	w->logbuf[w->loglen++] = '"';
	w->logbuf[w->loglen++] = '\n';
}

static void warn(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(struct worker *w, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ktls-httpd[%d]: %s\n", w->id, msg);
}

/* ---------------------------------------------------------------- files */

static uint32_t path_hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

static void fentry_put(struct fentry *e)
{
	if (e && --e->refs == 0) {
		close(e->fd);
		free(e);
	}
}

static int errno_status(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return 404;
	case EACCES:
	case EPERM:
	case EXDEV:	/* RESOLVE_BENEATH: the path leads out */
	case ELOOP:
		return 403;
	case ENAMETOOLONG:
		return 414;
	default:
		return 500;
	}
}

/*
 * Open path (relative to the docroot, "" = the docroot) beneath the
 * docroot.  Returns a referenced entry, or NULL with *status (404, 403,
 * 500) or *is_dir set.
 */
static struct fentry *file_get(struct worker *w, const char *path, size_t plen,
			       int *status, int *is_dir)
{
	uint32_t slot = path_hash(path, plen) & (FC_SLOTS - 1);
	struct fentry *e = w->fc[slot], *ne;
	struct open_how how;
	struct stat st;
	int fd;

	*is_dir = 0;
	if (e && e->plen == plen && !memcmp(e->path, path, plen) &&
	    w->now_ms - e->checked < FC_TTL_MS) {
		e->refs++;
		return e;
	}
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, w->docfd, plen ? path : ".", &how, sizeof(how));
	if (fd < 0) {
		*status = errno_status(errno);
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		*status = 500;
		close(fd);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		*is_dir = 1;
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		*status = 403;
		close(fd);
		return NULL;
	}
	if (e && e->plen == plen && !memcmp(e->path, path, plen) &&
	    e->ino == st.st_ino && e->dev == st.st_dev && e->size == st.st_size &&
	    e->mtime.tv_sec == st.st_mtim.tv_sec &&
	    e->mtime.tv_nsec == st.st_mtim.tv_nsec) {
		close(fd);
		e->checked = w->now_ms;
		e->refs++;
		return e;
	}
	ne = malloc(sizeof(*ne) + plen + 1);
	if (!ne) {
		close(fd);
		*status = 500;
		return NULL;
	}
	ne->fd = fd;
	ne->refs = 1;
	ne->size = st.st_size;
	ne->dev = st.st_dev;
	ne->ino = st.st_ino;
	ne->mtime = st.st_mtim;
	ne->checked = w->now_ms;
	ne->ctype = mime_lookup(w->mime, path, plen);
	http_etag_format((unsigned long long)st.st_size, st.st_mtim.tv_sec,
			 st.st_mtim.tv_nsec, st.st_ino, ne->etag);
	http_date_format(st.st_mtim.tv_sec, ne->lastmod);
	ne->plen = plen;
	memcpy(ne->path, path, plen);
	ne->path[plen] = '\0';
	fentry_put(e);		/* the cache's reference to the old one */
	w->fc[slot] = ne;
	ne->refs++;
	return ne;
}

/* ---------------------------------------------------------------- conns */

static void do_handshake(struct worker *w, struct conn *c);

static void set_interest(struct worker *w, struct conn *c, unsigned int ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = c };

	if (c->ev == ev)
		return;
	if (epoll_ctl(w->ep, c->ev ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &e) == 0)
		c->ev = ev;
}

static void listener_ctl(struct worker *w, int on)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = NULL };

	if (w->lfd < 0 || w->accepting == on)
		return;
	epoll_ctl(w->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, w->lfd, &e);
	w->accepting = on;
}

/*
 * Accept while below the connection limit and the handshake limit: a flood
 * of new connections then waits in the listen backlog, and the handshakes
 * already begun finish within their time limit instead of all starving.
 */
static void update_accepting(struct worker *w)
{
	listener_ctl(w, !w->stopping &&
		     w->nconns < (unsigned int)w->cf->max_conns &&
		     w->nhandshakes < (unsigned int)w->cf->max_handshakes);
}

static void send_close_notify(struct conn *c)
{
	if (c->ktls) {
		char alert[2] = { 1, 0 };	/* warning, close_notify */
		char cb[CMSG_SPACE(1)];
		struct iovec iov = { alert, 2 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cb, .msg_controllen = sizeof(cb) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

		cm->cmsg_level = SOL_TLS;
		cm->cmsg_type = TLS_SET_RECORD_TYPE;
		cm->cmsg_len = CMSG_LEN(1);
		*CMSG_DATA(cm) = 21;	/* alert */
		sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	} else if (c->tls && c->state != ST_HANDSHAKE) {
		gnutls_bye(c->tls, GNUTLS_SHUT_WR);
	}
}

static void conn_close(struct worker *w, struct conn *c, int notify)
{
	if (notify)
		send_close_notify(c);
	timer_unlink(w, c);
	close(c->fd);
	if (c->tls)
		gnutls_deinit(c->tls);
	fentry_put(c->file);
	if (w->ulua && c->lref >= 0)
		ulua_conn_free(w->ulua, c->lref);
	if (c->state == ST_HANDSHAKE)
		w->nhandshakes--;
	c->next_free = w->free_conns;
	w->free_conns = c;
	w->nconns--;
	update_accepting(w);
}

/* After an error or a last response with input left: half-close and read
 * until the peer closes, so the response is not destroyed by a reset. */
static void conn_linger(struct worker *w, struct conn *c)
{
	send_close_notify(c);
	shutdown(c->fd, SHUT_WR);
	c->state = ST_LINGER;
	c->rlen = 0;
	set_interest(w, c, EPOLLIN);
	timer_set(w, c, T_LINGER);
}

static void conn_new(struct worker *w, int fd, const struct sockaddr_storage *sa)
{
	struct conn *c = w->free_conns;
	int one = 1, rc;

	if (c) {
		w->free_conns = c->next_free;
	} else {
		c = malloc(sizeof(*c) + w->rcap);
		if (!c) {
			close(fd);
			return;
		}
	}
	memset(c, 0, offsetof(struct conn, hdr));
	c->fd = fd;
	c->lref = -1;
	c->file = NULL;
	c->hlen = c->hoff = 0;
	c->tls_pend_h = c->tls_pend_b = 0;
	c->close_after = c->linger_after = c->http10 = 0;
	c->tprev = c->tnext = NULL;
	c->tclass = T_HANDSHAKE;
	if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, c->peer, sizeof(c->peer));
		if (!strncmp(c->peer, "::ffff:", 7) && strchr(c->peer, '.'))
			memmove(c->peer, c->peer + 7, strlen(c->peer + 7) + 1);
	} else if (sa->ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			  c->peer, sizeof(c->peer));
	} else {
		strcpy(c->peer, "-");
	}
	c->state = ST_HANDSHAKE;	/* until on_established() */
	w->nconns++;
	w->nhandshakes++;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	rc = gnutls_init(&c->tls, GNUTLS_SERVER | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL |
			 GNUTLS_NO_TICKETS);
	if (rc < 0) {
		c->tls = NULL;
		conn_close(w, c, 0);
		return;
	}
	static const gnutls_datum_t alpn = { (unsigned char *)"http/1.1", 8 };
	if (gnutls_priority_set(c->tls, w->tls->prio) < 0 ||
	    gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, w->tls->cred) < 0) {
		conn_close(w, c, 0);
		return;
	}
	gnutls_alpn_set_protocols(c->tls, &alpn, 1, GNUTLS_ALPN_SERVER_PRECEDENCE);
	gnutls_transport_set_int(c->tls, fd);
	c->state = ST_HANDSHAKE;
	timer_set(w, c, T_HANDSHAKE);
	/* the ClientHello is usually there already (TCP_DEFER_ACCEPT) */
	do_handshake(w, c);
}

/* ---------------------------------------------------------------- verdicts */

static void verdict_pop(struct conn *c)
{
	memmove(&c->vq[0], &c->vq[1], sizeof(c->vq[0]) * (VQ_LEN - 1));
	if (--c->nverdicts == 0)
		c->vused = 0;
}

static void verdict_push(struct conn *c, uint64_t lo, uint64_t hi, int code,
			 const char *file, size_t flen)
{
	struct verdict *v;

	if (c->nverdicts == VQ_LEN)
		verdict_pop(c);
	v = &c->vq[c->nverdicts++];
	v->lo = lo;
	v->hi = hi;
	v->code = code;
	v->off = (unsigned short)c->vused;
	v->len = 0;
	if (flen >= TLS_LUA_FILE_MAX || c->vused + flen + 1 > VARENA) {
		v->code = -1;
		return;
	}
	memcpy(c->varena + c->vused, file, flen);
	c->varena[c->vused + flen] = '\0';
	v->len = (unsigned short)flen;
	c->vused += flen + 1;
}

struct emit_ctx {
	struct conn *c;
	uint64_t lo, hi;
	int code;		/* first verdict only (fallback calls) */
	char *file;
	size_t cap;
};

static void emit_push(void *p, int code, const char *file, size_t n)
{
	struct emit_ctx *e = p;

	verdict_push(e->c, e->lo, e->hi, code, file, n);
}

static void emit_first(void *p, int code, const char *file, size_t n)
{
	struct emit_ctx *e = p;

	if (e->code)
		return;
	e->code = code;
	if (n >= e->cap)
		n = e->cap - 1;
	memcpy(e->file, file, n);
	e->file[n] = '\0';
}

/* The script in user space on bytes of one read. */
static void user_lua_read(struct worker *w, struct conn *c, const char *data,
			  size_t n, uint64_t lo, uint64_t hi)
{
	struct emit_ctx e = { .c = c, .lo = lo, .hi = hi };
	char err[256];

	if (ulua_call(w->ulua, c->lref, data, n, emit_push, &e, err, sizeof(err)) < 0) {
		warn(w, "%s: script error: %s", c->peer, err);
		verdict_push(c, lo, hi, 500, "", 0);
	}
}

/*
 * The verdict for the request whose head ends at stream byte end: the
 * verdicts of a read go, in order, to the requests that read completed.
 * A request left without one (more heads than verdicts, bytes no hook saw,
 * a file too long to keep) has the script run again in user space on its
 * head alone, with a fresh conn table.
 */
static int verdict_for(struct worker *w, struct conn *c, const char *head,
		       size_t hlen, uint64_t end, char *file, size_t cap)
{
	struct emit_ctx e = { .c = c, .file = file, .cap = cap };
	char err[256];
	int n;

	while (c->nverdicts && c->vq[0].hi < end)
		verdict_pop(c);
	if (c->nverdicts && c->vq[0].lo < end && end <= c->vq[0].hi &&
	    c->vq[0].code > 0) {
		int code = c->vq[0].code;

		snprintf(file, cap, "%s", c->varena + c->vq[0].off);
		verdict_pop(c);
		return code;
	}
	if (c->nverdicts && c->vq[0].lo < end && end <= c->vq[0].hi)
		verdict_pop(c);
	file[0] = '\0';
	if (!w->ulua)
		return 500;
	n = ulua_call(w->ulua, -1, head, hlen, emit_first, &e, err, sizeof(err));
	if (n < 0) {
		warn(w, "%s: script error: %s", c->peer, err);
		return 500;
	}
	if (n == 0) {
		warn(w, "%s: the script gave no verdict for a complete request", c->peer);
		return 500;
	}
	return e.code;
}

/* ---------------------------------------------------------------- responses */

static int is_closing_status(int st)
{
	return st == 400 || st == 408 || st == 413 || st == 414 || st == 431 ||
	       st == 505;
}

static void respond_error(struct worker *w, struct conn *c, const struct http_req *q,
			  int status, int head_only)
{
	struct http_resp r;
	char body[512];
	size_t blen = http_error_body(body, sizeof(body), status), n;

	memset(&r, 0, sizeof(r));
	r.status = status;
	r.date = w->date;
	r.content_type = "text/html";
	r.content_length = (long long)blen;
	r.keep_alive = !c->close_after;
	r.http10 = c->http10;
	n = http_resp_head(c->hdr, sizeof(c->hdr) - sizeof(body), &r);
	if (!n) {
		r.location = NULL;
		n = http_resp_head(c->hdr, sizeof(c->hdr) - sizeof(body), &r);
	}
	if (!head_only) {
		memcpy(c->hdr + n, body, blen);
		n += blen;
	}
	c->hlen = n;
	c->hoff = 0;
	access_log(w, c, q, status, head_only ? 0 : (long long)blen);
}

static void respond_redirect(struct worker *w, struct conn *c, const struct http_req *q,
			     int status, const char *loc, size_t loclen)
{
	struct http_resp r;

	memset(&r, 0, sizeof(r));
	r.status = status;
	r.date = w->date;
	r.content_length = 0;
	r.keep_alive = !c->close_after;
	r.http10 = c->http10;
	r.location = loc;
	r.location_len = loclen;
	c->hlen = http_resp_head(c->hdr, sizeof(c->hdr), &r);
	c->hoff = 0;
	if (!c->hlen) {
		respond_error(w, c, q, 500, q->method == HTTP_M_HEAD);
		return;
	}
	access_log(w, c, q, status, 0);
}

/* Serve the file named by a URL path (the request's, or a verdict's). */
static void respond_file(struct worker *w, struct conn *c, const struct http_req *q,
			 const char *target, size_t tlen)
{
	char *path = w->pathbuf;
	size_t plen;
	int dir, st, is_dir;
	struct fentry *e;
	struct http_resp r;
	long long start = 0, len;
	int head_only = q->method == HTTP_M_HEAD;

	st = http_path_decode(target, tlen, path, PATH_CAP - 12, &plen, &dir);
	if (st) {
		respond_error(w, c, q, st, head_only);
		return;
	}
	if (dir) {
		memcpy(path + plen, plen ? "/index.html" : "index.html",
		       plen ? 12 : 11);
		plen += plen ? 11 : 10;
	}
	e = file_get(w, path, plen, &st, &is_dir);
	if (!e && is_dir && !dir) {
		/*
		 * A directory named without its '/'.  The request's own URL
		 * decides (a verdict's file may be an internal path): if it
		 * ends with '/', serve the index; if not, send the client to
		 * the URL with the '/'.
		 */
		const char *t = q->target.p;
		size_t tl = q->target.n, n = 0;

		while (n < tl && t[n] != '?' && t[n] != '#')
			n++;
		if (n && t[n - 1] == '/' && plen + 12 < PATH_CAP) {
			memcpy(path + plen, "/index.html", 12);
			plen += 11;
			e = file_get(w, path, plen, &st, &is_dir);
			if (!e && is_dir)
				st = 403;
		} else if (tl + 2 < TLS_CHUNK / 2) {
			char *loc = w->scratch;

			memcpy(loc, t, n);
			loc[n] = '/';
			memcpy(loc + n + 1, t + n, tl - n);
			respond_redirect(w, c, q, 301, loc, tl + 1);
			return;
		} else {
			st = 414;
		}
	} else if (!e && is_dir) {
		st = 403;
	}
	if (!e) {
		respond_error(w, c, q, st, head_only);
		return;
	}

	memset(&r, 0, sizeof(r));
	r.date = w->date;
	r.keep_alive = !c->close_after;
	r.http10 = c->http10;
	r.content_type = e->ctype;
	r.last_modified = e->lastmod;
	r.etag = e->etag;
	r.total = e->size;
	len = e->size;
	r.status = 200;
	if (q->inm.n) {
		if (http_etag_match(q->inm.p, q->inm.n, e->etag))
			r.status = 304;
	} else if (q->ims.n) {
		time_t ims;

		if (!http_date_parse(q->ims.p, q->ims.n, &ims) &&
		    e->mtime.tv_sec <= ims)
			r.status = 304;
	}
	if (r.status == 200 && q->range.n &&
	    (!q->if_range.n ||
	     (q->if_range.n == strlen(e->etag) && !memcmp(q->if_range.p, e->etag, q->if_range.n)))) {
		int rr = http_parse_range(q->range.p, q->range.n, e->size, &start, &len);

		if (rr > 0) {
			r.status = 206;
			r.range_start = start;
			r.range_len = len;
		} else if (rr < 0) {
			memset(&r, 0, sizeof(r));
			r.status = 416;
			r.date = w->date;
			r.keep_alive = !c->close_after;
	r.http10 = c->http10;
			r.content_length = 0;
			r.total = e->size;
			fentry_put(e);
			c->hlen = http_resp_head(c->hdr, sizeof(c->hdr), &r);
			c->hoff = 0;
			access_log(w, c, q, 416, 0);
			return;
		}
	}
	r.content_length = r.status == 304 ? -1 : len;
	c->hlen = http_resp_head(c->hdr, sizeof(c->hdr), &r);
	c->hoff = 0;
	if (!c->hlen) {
		fentry_put(e);
		respond_error(w, c, q, 500, head_only);
		return;
	}
	access_log(w, c, q, r.status, r.status == 304 || head_only ? 0 : len);
	if (r.status == 304 || head_only || len == 0) {
		fentry_put(e);
		return;
	}
	c->file = e;
	c->boff = start;
	c->bend = start + len;
}

static void respond(struct worker *w, struct conn *c, const struct http_req *q)
{
	const struct config *cf = w->cf;
	int head_only = q->method == HTTP_M_HEAD;

	c->requests++;
	c->http10 = q->minor == 0;
	if (!q->keep_alive || w->stopping)
		c->close_after = 1;
	if (q->method == HTTP_M_OTHER) {
		if (q->has_body)
			c->close_after = c->linger_after = 1;
		respond_error(w, c, q, 405, 0);
		return;
	}
	if (q->has_body) {
		c->close_after = c->linger_after = 1;
		respond_error(w, c, q, 413, head_only);
		return;
	}
	if (cf->lua == LUA_OFF) {
		respond_file(w, c, q, q->target.p, q->target.n);
		return;
	}

	char *file = w->scratch + TLS_CHUNK / 2;
	int code = verdict_for(w, c, q->line.p, q->head_len,
			       c->consumed + q->head_len, file, TLS_LUA_FILE_MAX);
	size_t flen = strlen(file);

	if (code == 200 || code == 206) {
		if (flen)
			respond_file(w, c, q, file, flen);
		else
			respond_file(w, c, q, q->target.p, q->target.n);
	} else if (code >= 300 && code < 400 && code != 304 && flen) {
		respond_redirect(w, c, q, code, file, flen);
	} else if (code >= 400 && code <= 599) {
		if (is_closing_status(code))
			c->close_after = c->linger_after = 1;
		respond_error(w, c, q, code, head_only);
	} else {
		respond_error(w, c, q, 500, head_only);
	}
}

/* ---------------------------------------------------------------- I/O */

/* Returns 1: done, 0: waiting for EPOLLOUT, -1: closed. */
static int do_write(struct worker *w, struct conn *c)
{
	if (c->ktls || !c->tls) {
		while (c->hoff < c->hlen) {
			int more = c->file && c->boff < c->bend ? MSG_MORE : 0;
			ssize_t n = send(c->fd, c->hdr + c->hoff, c->hlen - c->hoff,
					 MSG_NOSIGNAL | MSG_DONTWAIT | more);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN)
					goto wait;
				conn_close(w, c, 0);
				return -1;
			}
			c->hoff += (size_t)n;
		}
		while (c->file && c->boff < c->bend) {
			off_t left = c->bend - c->boff;
			ssize_t n = sendfile(c->fd, c->file->fd, &c->boff,
					     left > 0x7ffff000 ? 0x7ffff000 : (size_t)left);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN)
					goto wait;
				conn_close(w, c, 0);
				return -1;
			}
			if (n == 0) {	/* the file shrank */
				conn_close(w, c, 0);
				return -1;
			}
		}
	} else {
		for (;;) {
			size_t h, b = 0;
			ssize_t n;

			if (c->tls_pend_h || c->tls_pend_b) {
				n = gnutls_record_send(c->tls, NULL, 0);
				h = c->tls_pend_h;
				b = c->tls_pend_b;
			} else {
				h = c->hlen - c->hoff;
				if (h > TLS_CHUNK)
					h = TLS_CHUNK;
				if (c->file && c->boff < c->bend && h < TLS_CHUNK) {
					off_t left = c->bend - c->boff;
					size_t want = TLS_CHUNK - h;
					ssize_t r;

					if ((off_t)want > left)
						want = (size_t)left;
					r = pread(c->file->fd, w->scratch + h, want, c->boff);
					if (r <= 0) {
						conn_close(w, c, 0);
						return -1;
					}
					b = (size_t)r;
				}
				if (h + b == 0)
					break;
				memcpy(w->scratch, c->hdr + c->hoff, h);
				n = gnutls_record_send(c->tls, w->scratch, h + b);
			}
			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
				c->tls_pend_h = h;
				c->tls_pend_b = b;
				goto wait;
			}
			if (n < 0) {
				conn_close(w, c, 0);
				return -1;
			}
			c->tls_pend_h = c->tls_pend_b = 0;
			/* n bytes went out: the head first, then the body */
			if ((size_t)n <= h) {
				c->hoff += (size_t)n;
			} else {
				c->hoff += h;
				c->boff += (off_t)((size_t)n - h);
			}
		}
	}
	/* the response is out */
	fentry_put(c->file);
	c->file = NULL;
	c->hlen = c->hoff = 0;
	if (c->close_after) {
		if (c->linger_after || c->rlen)
			conn_linger(w, c);
		else
			conn_close(w, c, 1);
		return -1;
	}
	c->state = ST_READ;
	set_interest(w, c, EPOLLIN);
	timer_set(w, c, T_IDLE);
	c->header_timer = 0;
	return 1;
wait:
	c->state = ST_WRITE;
	set_interest(w, c, EPOLLOUT);
	timer_set(w, c, T_WRITE);
	return 0;
}

/* Answer every complete request in rbuf, in order.  -1: closed. */
static int process(struct worker *w, struct conn *c)
{
	struct http_req q;

	while (c->state == ST_READ && c->rlen > 0) {
		int rc = http_parse_request(c->rbuf, c->rlen, &w->cf->lim, &q);

		if (rc == HTTP_PARSE_AGAIN) {
			if (!c->header_timer) {
				c->header_timer = 1;
				timer_set(w, c, T_HEADER);
			}
			return 0;
		}
		if (rc != HTTP_PARSE_OK) {
			c->close_after = c->linger_after = 1;
			c->requests++;
			respond_error(w, c, q.line.n ? &q : NULL, rc, 0);
			c->rlen = 0;
		} else {
			respond(w, c, &q);
			/* consume the head: nothing below uses q any more */
			c->consumed += q.head_len;
			c->rlen -= q.head_len;
			if (c->rlen)
				memmove(c->rbuf, c->rbuf + q.head_len, c->rlen);
		}
		c->header_timer = 0;
		if (do_write(w, c) < 0)
			return -1;
	}
	if (c->state == ST_READ && c->rlen == 0 && c->tclass != T_IDLE)
		timer_set(w, c, T_IDLE);
	return 0;
}

/* One read; the plaintext and, in kernel-Lua mode, the verdict.
 * 1: read and answered, 0: nothing to read, -1: closed. */
static int read_once(struct worker *w, struct conn *c)
{
	const struct config *cf = w->cf;
	size_t room = w->rcap - c->rlen;
	char *dst = c->rbuf + c->rlen;
	int vcode[TLS_LUA_VERDICTS_MAX], rectype = -1, nv = 0;
	const char *vfile[TLS_LUA_VERDICTS_MAX];
	size_t vflen[TLS_LUA_VERDICTS_MAX];
	ssize_t n;

	if (c->state == ST_LINGER) {
		dst = w->scratch;
		room = sizeof(w->scratch);
	}
	if (room == 0) {	/* cannot happen: process() answers 431 first */
		conn_close(w, c, 0);
		return -1;
	}
	if (c->ktls) {
		struct iovec iov = { dst, room };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = w->cbuf,
				     .msg_controllen = sizeof(w->cbuf) };
		struct cmsghdr *cm;

		n = recvmsg(c->fd, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			conn_close(w, c, 0);	/* EBADMSG, ECONNRESET, ... */
			return -1;
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_TLS)
				continue;
			if (cm->cmsg_type == TLS_GET_RECORD_TYPE &&
			    cm->cmsg_len >= CMSG_LEN(1)) {
				rectype = *(unsigned char *)CMSG_DATA(cm);
			} else if (cm->cmsg_type == TLS_LUA_VERDICT &&
				   cm->cmsg_len >= CMSG_LEN(sizeof(struct tls_lua_verdict)) &&
				   nv < TLS_LUA_VERDICTS_MAX) {
				struct tls_lua_verdict v;
				size_t max = cm->cmsg_len - CMSG_LEN(sizeof(v)), fl;
				const char *f = (const char *)CMSG_DATA(cm) + sizeof(v);

				memcpy(&v, CMSG_DATA(cm), sizeof(v));
				fl = v.file_len < max ? v.file_len : max;
				if (memchr(f, '\0', fl))
					fl = strlen(f);
				if ((v.flags & TLS_LUA_VERDICT_ERROR) &&
				    w->script_err_logged != w->date_sec) {
					/* at most one message a second */
					char msg[TLS_LUA_ERRMSG_MAX] = "";
					socklen_t ml = sizeof(msg) - 1;

					w->script_err_logged = w->date_sec;
					getsockopt(c->fd, SOL_TLS, TLS_LUA_ERRMSG, msg, &ml);
					msg[sizeof(msg) - 1] = '\0';
					warn(w, "%s: kernel script error: %s", c->peer,
					     msg[0] ? msg : "(no message)");
				}
				vcode[nv] = v.code;
				vfile[nv] = f;
				vflen[nv] = fl;
				nv++;
			}
		}
		if (rectype >= 0 && rectype != 23) {
			/* close_notify, another alert, or a post-handshake
			 * message (KeyUpdate) kTLS cannot follow: done. */
			conn_close(w, c, 0);
			return -1;
		}
		if (n == 0) {
			conn_close(w, c, 0);
			return -1;
		}
	} else {
		n = gnutls_record_recv(c->tls, dst, room);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			return 0;
		if (n <= 0) {
			conn_close(w, c, 0);
			return -1;
		}
	}
	if (c->state == ST_LINGER)
		return 1;
	c->rlen += (size_t)n;

	if (cf->lua != LUA_OFF) {
		uint64_t lo = c->consumed + c->rlen - (size_t)n;
		uint64_t hi = c->consumed + c->rlen;

		if (c->khooked) {
			for (int i = 0; i < nv; i++)
				if (vcode[i] > 0)
					verdict_push(c, lo, hi, vcode[i], vfile[i], vflen[i]);
		} else if (w->ulua) {
			user_lua_read(w, c, dst, (size_t)n, lo, hi);
		}
	}
	return process(w, c) < 0 ? -1 : 1;
}

static void do_read(struct worker *w, struct conn *c)
{
	/* GnuTLS may hold decrypted bytes the socket no longer shows */
	for (int i = 0; i < 16; i++) {
		if (read_once(w, c) <= 0)
			return;
		if (c->state != ST_READ || c->ktls || !c->tls ||
		    !gnutls_record_check_pending(c->tls))
			return;
	}
}

static void on_established(struct worker *w, struct conn *c)
{
	const struct config *cf = w->cf;
	size_t drained = 0;

	c->state = ST_READ;
	w->nhandshakes--;
	update_accepting(w);

	if (cf->tls_kernel) {
		char err[KTLS_GNUTLS_ERRLEN];
		int rc = ktls_gnutls_enable(c->tls, c->fd, KTLS_GNUTLS_BOTH, c->rbuf,
					    w->rcap, &drained, err, sizeof(err));

		if (rc == 0) {
			c->ktls = 1;
			gnutls_deinit(c->tls);
			c->tls = NULL;
		} else if (rc == -EIO) {
			warn(w, "%s: kTLS failed half-way: %s", c->peer, err);
			conn_close(w, c, 0);
			return;
		} else if (!w->warned_ktls++) {
			warn(w, "kernel TLS not possible for a connection (%s): "
			     "serving it with user-space TLS (said once)", err);
		}
	}
	c->rlen = drained;
	if (cf->lua == LUA_KERNEL && c->ktls && w->hookfd >= 0 && drained == 0) {
		int rc = khook_attach(w->kdev, c->fd, w->hookfd);

		if (rc == 0)
			c->khooked = 1;
		else if (!w->warned_hook++)
			warn(w, "cannot attach the kernel hook (%s): running the "
			     "script in user space for such connections (said once)",
			     strerror(-rc));
	}
	if (cf->lua != LUA_OFF && !c->khooked && w->ulua) {
		c->lref = ulua_conn_new(w->ulua);
		if (drained)
			user_lua_read(w, c, c->rbuf, drained, 0, drained);
	}
	c->state = ST_READ;
	set_interest(w, c, EPOLLIN);
	timer_set(w, c, T_IDLE);
	if (c->rlen)
		process(w, c);
	else if (c->tls && gnutls_record_check_pending(c->tls))
		do_read(w, c);
}

static void do_handshake(struct worker *w, struct conn *c)
{
	for (int i = 0; i < 4; i++) {
		int rc = gnutls_handshake(c->tls);

		if (rc == 0) {
			on_established(w, c);
			return;
		}
		if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) {
			set_interest(w, c, gnutls_record_get_direction(c->tls) ?
				     EPOLLOUT : EPOLLIN);
			return;
		}
		if (gnutls_error_is_fatal(rc)) {
			conn_close(w, c, 0);
			return;
		}
	}
	conn_close(w, c, 0);
}

static void on_conn_event(struct worker *w, struct conn *c, unsigned int ev)
{
	switch (c->state) {
	case ST_HANDSHAKE:
		do_handshake(w, c);
		break;
	case ST_READ:
	case ST_LINGER:
		if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
			do_read(w, c);
		else if (ev & EPOLLOUT)
			set_interest(w, c, EPOLLIN);
		/* GnuTLS may hold decrypted bytes the socket no longer shows */
		break;
	case ST_WRITE:
		if (ev & (EPOLLERR | EPOLLHUP)) {
			conn_close(w, c, 0);
			return;
		}
		if (do_write(w, c) > 0 && process(w, c) == 0 && c->state == ST_READ &&
		    c->tls && !c->ktls && gnutls_record_check_pending(c->tls))
			do_read(w, c);
		break;
	}
}

static void on_accept(struct worker *w)
{
	for (int i = 0; i < 64 && w->accepting; i++) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof(sa);
		int fd = accept4(w->lfd, (struct sockaddr *)&sa, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				if (!w->warned_ktls)
					warn(w, "accept: %s", strerror(errno));
				listener_ctl(w, 0);
			}
			return;
		}
		conn_new(w, fd, &sa);
		update_accepting(w);
	}
}

static void expire(struct worker *w)
{
	for (int t = 0; t < T_NCLASS; t++) {
		struct conn *c;

		while ((c = w->tl[t].head) && c->deadline <= w->now_ms) {
			if (t == T_HEADER && c->state == ST_READ) {
				/* slow headers: 408, then close */
				c->close_after = c->linger_after = 1;
				c->requests++;
				respond_error(w, c, NULL, 408, 0);
				c->rlen = 0;
				do_write(w, c);
			} else {
				conn_close(w, c, t == T_IDLE);
			}
		}
	}
}

static void begin_stop(struct worker *w)
{
	if (w->stopping)
		return;
	w->stopping = 1;
	w->grace_deadline = w->now_ms + (uint64_t)w->cf->t_grace;
	listener_ctl(w, 0);
	close(w->lfd);
	w->lfd = -1;
	/* idle and half-open connections go now; in-flight ones finish */
	for (int t = 0; t < T_NCLASS; t++) {
		struct conn *c = w->tl[t].head, *next;

		for (; c; c = next) {
			next = c->tnext;
			if (c->state == ST_HANDSHAKE ||
			    (c->state == ST_READ && c->rlen == 0))
				conn_close(w, c, c->state != ST_HANDSHAKE);
			else
				c->close_after = 1;
		}
	}
}

int worker_run(const struct config *cf, struct tls_ctx *tls, int lfd, int id)
{
	struct worker *w = calloc(1, sizeof(*w));
	struct epoll_event evs[256], e;
	sigset_t mask;
	char err[512];

	if (!w)
		return 1;
	w->cf = cf;
	w->tls = tls;
	w->id = id;
	w->lfd = lfd;
	w->kdev = w->hookfd = -1;
	w->rcap = cf->lim.max_head;
	w->tdur[T_HANDSHAKE] = cf->t_handshake;
	w->tdur[T_IDLE] = cf->t_idle;
	w->tdur[T_HEADER] = cf->t_header;
	w->tdur[T_WRITE] = cf->t_idle;
	w->tdur[T_LINGER] = cf->t_linger;
	tick(w);

	w->docfd = open(cf->docroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w->docfd < 0) {
		fprintf(stderr, "ktls-httpd: docroot %s: %s\n", cf->docroot, strerror(errno));
		return 1;
	}
	w->mime = mime_load(cf->mime_types);
	if (!w->mime)
		w->mime = mime_parse("", 0);
	w->logfd = -1;
	if (cf->access_log) {
		w->logfd = !strcmp(cf->access_log, "-") ? 1 :
			open(cf->access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (w->logfd < 0) {
			fprintf(stderr, "ktls-httpd: access log %s: %s\n", cf->access_log,
				strerror(errno));
			return 1;
		}
		w->logbuf = malloc(LOGBUF_CAP);
		if (!w->logbuf)
			return 1;
	}
	if (cf->lua != LUA_OFF) {
		w->ulua = ulua_new(cf->script, cf->entry, cf->lua_mem, cf->lua_instr,
				   err, sizeof(err));
		if (!w->ulua) {
			fprintf(stderr, "ktls-httpd: %s\n", err);
			return 1;
		}
	}
	if (cf->lua == LUA_KERNEL) {
		w->kdev = khook_open(err, sizeof(err));
		if (w->kdev >= 0)
			w->hookfd = khook_load(w->kdev, cf->script, cf->entry, cf->lua_mem,
					       cf->lua_instr, err, sizeof(err));
		if (w->hookfd < 0) {
			fprintf(stderr, "ktls-httpd: %s\n", err);
			return 1;
		}
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	w->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (w->ep < 0 || w->sfd < 0) {
		fprintf(stderr, "ktls-httpd: epoll/signalfd: %s\n", strerror(errno));
		return 1;
	}
	e.events = EPOLLIN;
	e.data.ptr = &w->sfd;
	epoll_ctl(w->ep, EPOLL_CTL_ADD, w->sfd, &e);
	update_accepting(w);

	for (;;) {
		int n, timeout = 1000;

		if (w->stopping && (w->nconns == 0 || w->now_ms >= w->grace_deadline))
			break;
		n = epoll_wait(w->ep, evs, 256, timeout);
		tick(w);
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == NULL) {
				on_accept(w);
			} else if (p == &w->sfd) {
				struct signalfd_siginfo si;

				while (read(w->sfd, &si, sizeof(si)) == sizeof(si))
					;
				begin_stop(w);
				break;	/* later events may name closed conns */
			} else {
				on_conn_event(w, p, evs[i].events);
			}
		}
		expire(w);
		if (w->loglen)
			log_flush(w);
	}
	if (w->loglen)
		log_flush(w);
	return 0;
}
