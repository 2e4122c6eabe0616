// SPDX-License-Identifier: GPL-2.0
/*
 * khook.c: the kernel hook of ktls_lua.ko through its uapi: compile the
 * script once into a shared hook fd, attach every connection to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/ktls_lua.h>

#include "server.h"

int khook_open(char *err, size_t errlen)
{
	int fd = open(KTLS_LUA_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		snprintf(err, errlen,
			 "%s: %s: the ktls_lua module is not loaded (load it: "
			 "insmod kernel/klua/klua.ko && insmod kernel/ktls_lua/ktls_lua.ko, "
			 "or use --lua=user)", KTLS_LUA_DEVICE, strerror(errno));
	return fd;
}

int khook_load(int dev, const char *path, const char *entry,
	       unsigned long long mem, unsigned long long instr,
	       char *err, size_t errlen)
{
	struct ktls_lua_hook_load hl;
	char msg[TLS_LUA_ERRMSG_MAX];
	const char *base;
	struct stat st;
	char *src;
	int fd, hook;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot open the script %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_size > (16 << 20)) {
		snprintf(err, errlen, "the script %s is too large", path);
		close(fd);
		return -1;
	}
	src = malloc((size_t)st.st_size + 1);
	if (!src) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = read(fd, src, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		snprintf(err, errlen, "cannot read the script %s", path);
		free(src);
		return -1;
	}
	memset(&hl, 0, sizeof(hl));
	memset(msg, 0, sizeof(msg));
	hl.script = (uintptr_t)src;
	hl.script_len = (uint32_t)n;
	hl.mem_limit = mem;
	hl.instr_limit = instr;
	hl.errbuf = (uintptr_t)msg;
	hl.errbuf_len = sizeof(msg);
	snprintf(hl.entry, sizeof(hl.entry), "%s", entry);
	base = strrchr(path, '/');
	snprintf(hl.name, sizeof(hl.name), "%s", base ? base + 1 : path);
	hook = ioctl(dev, KTLS_LUA_IOC_HOOK_LOAD, &hl);
	free(src);
	if (hook < 0) {
		msg[sizeof(msg) - 1] = '\0';
		snprintf(err, errlen, "the kernel refused the script %s: %s%s%s",
			 path, strerror(errno), msg[0] ? ": " : "", msg);
		return -1;
	}
	fcntl(hook, F_SETFD, FD_CLOEXEC);
	return hook;
}

int khook_attach(int dev, int sockfd, int hookfd)
{
	struct ktls_lua_attach a;

	memset(&a, 0, sizeof(a));
	a.sockfd = sockfd;
	a.hookfd = hookfd;
	if (ioctl(dev, KTLS_LUA_IOC_ATTACH, &a) < 0)
		return -errno;
	return 0;
}
