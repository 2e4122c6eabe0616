// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libktlslua: the attach half (talks to /dev/ktls_lua and to the SOL_TLS
 * options of an attached socket).  See lib/include/ktls_lua.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/tls.h>

#include "ktls_lua.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

static int dev_open(void)
{
	int fd = open(KTLS_LUA_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		errno = ENODEV;
	return fd;
}

static int dev_ioctl(unsigned long cmd, void *arg)
{
	int fd = dev_open(), rc, e;

	if (fd < 0)
		return -1;
	rc = ioctl(fd, cmd, arg);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

static int copy_name(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap) {
		errno = E2BIG;
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int ktls_lua_hook_load(const char *script, size_t len,
		       const struct ktls_lua_hook_opts *opts)
{
	struct ktls_lua_hook_load a;

	memset(&a, 0, sizeof(a));
	if (!script || !len || len > UINT32_MAX) {
		errno = !script || !len ? EINVAL : E2BIG;
		return -1;
	}
	a.script = (uintptr_t)script;
	a.script_len = (uint32_t)len;
	if (copy_name(a.entry, sizeof(a.entry),
		      opts && opts->entry ? opts->entry : "recv"))
		return -1;
	if (opts && opts->name && copy_name(a.name, sizeof(a.name), opts->name))
		return -1;
	if (opts) {
		a.mem_limit = opts->mem_limit;
		a.instr_limit = opts->instr_limit;
		if (opts->errbuf && opts->errbuf_len) {
			opts->errbuf[0] = 0;
			a.errbuf = (uintptr_t)opts->errbuf;
			a.errbuf_len = opts->errbuf_len > UINT32_MAX ?
				       UINT32_MAX : (uint32_t)opts->errbuf_len;
		}
	}
	return dev_ioctl(KTLS_LUA_IOC_HOOK_LOAD, &a);
}

int ktls_lua_hook_load_file(const char *path,
			    const struct ktls_lua_hook_opts *opts)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd, rc, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > (64 << 20)) {
		e = st.st_size > 0 ? E2BIG : EINVAL;
		close(fd);
		errno = e;
		return -1;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!got) {
		free(buf);
		errno = EIO;
		return -1;
	}
	rc = ktls_lua_hook_load(buf, got, opts);
	e = errno;
	free(buf);
	errno = e;
	return rc;
}

int ktls_lua_attach_hook(int sockfd, int hookfd)
{
	struct ktls_lua_attach a;

	memset(&a, 0, sizeof(a));
	a.sockfd = sockfd;
	a.hookfd = hookfd;
	return dev_ioctl(KTLS_LUA_IOC_ATTACH, &a);
}

int ktls_lua_attach(int sockfd)
{
	return ktls_lua_attach_hook(sockfd, -1);
}

int ktls_lua_load_script(int sockfd, const char *script, size_t len)
{
	if (len > UINT32_MAX) {
		errno = E2BIG;
		return -1;
	}
	return setsockopt(sockfd, SOL_TLS, TLS_LUA_LOADSCRIPT, script,
			  (socklen_t)len);
}

int ktls_lua_set_entry(int sockfd, const char *entry)
{
	size_t n = strlen(entry);

	if (n >= TLS_LUA_ENTRY_MAX) {
		errno = E2BIG;
		return -1;
	}
	return setsockopt(sockfd, SOL_TLS, TLS_LUA_RECVENTRY, entry,
			  (socklen_t)n + 1);
}

int ktls_lua_set_error_code(int sockfd, int code)
{
	return setsockopt(sockfd, SOL_TLS, TLS_LUA_ERROR_CODE, &code,
			  sizeof(code));
}

int ktls_lua_parse_verdicts(const struct msghdr *msg,
			    struct ktls_lua_verdict *v, int max)
{
	struct cmsghdr *c;
	int n = 0;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		struct tls_lua_verdict hdr;
		size_t dlen, flen;

		if (c->cmsg_level != SOL_TLS || c->cmsg_type != TLS_LUA_VERDICT)
			continue;
		dlen = c->cmsg_len - CMSG_LEN(0);
		if (dlen < sizeof(hdr))
			continue;
		memcpy(&hdr, CMSG_DATA(c), sizeof(hdr));
		flen = hdr.file_len;
		if (flen >= TLS_LUA_FILE_MAX || sizeof(hdr) + flen >= dlen)
			flen = 0;
		if (v && n < max) {
			v[n].code = hdr.code;
			v[n].flags = hdr.flags;
			memcpy(v[n].file, CMSG_DATA(c) + sizeof(hdr), flen);
			v[n].file[flen] = 0;
		}
		n++;
	}
	return n;
}

int ktls_lua_parse_verdict(const struct msghdr *msg,
			   struct ktls_lua_verdict *v)
{
	return ktls_lua_parse_verdicts(msg, v, 1) > 0;
}

ssize_t ktls_lua_recv(int sockfd, void *buf, size_t len, int flags,
		      struct ktls_lua_verdict *v, unsigned char *record_type)
{
	union {
		char buf[KTLS_LUA_CMSG_SPACE];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	if (v)
		v->code = 0, v->flags = 0, v->file[0] = 0;
	if (record_type)
		*record_type = 23;	/* application data */
	n = recvmsg(sockfd, &msg, flags);
	if (n < 0)
		return n;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (record_type && c->cmsg_level == SOL_TLS &&
		    c->cmsg_type == TLS_GET_RECORD_TYPE &&
		    c->cmsg_len >= CMSG_LEN(1))
			*record_type = *(unsigned char *)CMSG_DATA(c);
	if (v)
		ktls_lua_parse_verdict(&msg, v);
	return n;
}

int ktls_lua_get_verdict(int sockfd, struct ktls_lua_verdict *v)
{
	socklen_t len = sizeof(v->code);

	if (getsockopt(sockfd, SOL_TLS, TLS_LUA_CODE, &v->code, &len) < 0)
		return -1;
	v->flags = 0;
	len = sizeof(v->file);
	return getsockopt(sockfd, SOL_TLS, TLS_LUA_FILE, v->file, &len);
}

int ktls_lua_get_error(int sockfd, int *err, char *msg, size_t msg_len)
{
	socklen_t len = sizeof(*err);

	if (getsockopt(sockfd, SOL_TLS, TLS_LUA_ERRNO, err, &len) < 0)
		return -1;
	if (!msg || !msg_len)
		return 0;
	len = msg_len > TLS_LUA_ERRMSG_MAX ? TLS_LUA_ERRMSG_MAX :
					     (socklen_t)msg_len;
	return getsockopt(sockfd, SOL_TLS, TLS_LUA_ERRMSG, msg, &len);
}
