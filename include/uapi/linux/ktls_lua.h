/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ktls_lua: a Lua hook on the kernel's TLS receive path.
 *
 * The one contract between ktls_lua.ko and user space.  A socket that has
 * the "tls" ULP is attached through /dev/ktls_lua (KTLS_LUA_IOC_ATTACH);
 * after that the SOL_TLS options below work on it.  The stock 6.1 kernel
 * uses SOL_TLS option numbers 1-4 and later kernels grow upward from there,
 * so ours live in a range of their own.
 */
#ifndef _UAPI_LINUX_KTLS_LUA_H
#define _UAPI_LINUX_KTLS_LUA_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KTLS_LUA_DEVICE		"/dev/ktls_lua"

/* SOL_TLS socket options on an attached socket. */
#define TLS_LUA_LOADSCRIPT	0x4c01	/* set: Lua chunk, run in the socket's private state */
#define TLS_LUA_RECVENTRY	0x4c02	/* set: name of the global entry function */
#define TLS_LUA_CODE		0x4c03	/* get: int, code of the last verdict (0: none) */
#define TLS_LUA_FILE		0x4c04	/* get: NUL-terminated file of the last verdict */
#define TLS_LUA_ERRNO		0x4c05	/* get: int, errno of the last script failure */
#define TLS_LUA_ERRMSG		0x4c06	/* get: NUL-terminated message of that failure */
#define TLS_LUA_HOOK		0x4c07	/* set: int, fd of a shared hook (KTLS_LUA_IOC_HOOK_LOAD) */
#define TLS_LUA_ERROR_CODE	0x4c08	/* set/get: int, verdict code on script failure (500) */

/*
 * Control message (cmsg_level SOL_TLS) that recvmsg() adds when the entry
 * function returned a non-zero code for the bytes being returned.  The
 * entry may return several verdicts at once (code1, file1, code2, file2,
 * ..., at most TLS_LUA_VERDICTS_MAX; the list ends at the first code that
 * is 0 or nil), e.g. for pipelined requests read together: each is one
 * control message, in order.  TLS_LUA_CODE/TLS_LUA_FILE give the last.
 * A read that produced a verdict ends there (even with MSG_WAITALL).
 */
#define TLS_LUA_VERDICT		0x4c10
#define TLS_LUA_VERDICTS_MAX	8

#define TLS_LUA_FILE_MAX	1024	/* bytes of a verdict's file, with the NUL */
#define TLS_LUA_ENTRY_MAX	64	/* bytes of an entry name, with the NUL */
#define TLS_LUA_ERRMSG_MAX	256	/* bytes of an error message, with the NUL */

#define TLS_LUA_VERDICT_ERROR	0x1	/* the verdict comes from a failed script */

struct tls_lua_verdict {
	__s32 code;		/* HTTP-style status, never 0 in a cmsg */
	__u32 flags;		/* TLS_LUA_VERDICT_* */
	__u32 file_len;		/* bytes of file[] before its NUL */
	__u32 reserved;		/* zero */
	char file[];		/* NUL-terminated, at most TLS_LUA_FILE_MAX */
};

/* ioctls on /dev/ktls_lua */
#define KTLS_LUA_IOC_MAGIC	0xb7

struct ktls_lua_attach {
	__s32 sockfd;		/* TCP socket with the "tls" ULP */
	__s32 hookfd;		/* shared hook, or -1 for a private state */
	__u32 flags;		/* zero */
	__u32 reserved;		/* zero */
};

struct ktls_lua_hook_load {
	__u64 script;		/* user pointer to the chunk text */
	__u32 script_len;	/* bytes */
	__u32 flags;		/* zero */
	__u64 mem_limit;	/* bytes per Lua state, 0: module default */
	__u64 instr_limit;	/* instructions per call, 0: module default */
	__u64 errbuf;		/* user pointer: message of a load failure */
	__u32 errbuf_len;	/* bytes at errbuf */
	__u32 reserved;		/* zero */
	char entry[TLS_LUA_ENTRY_MAX];	/* entry function name */
	char name[32];		/* chunk name shown in messages */
};

/* Attach a socket; returns 0. */
#define KTLS_LUA_IOC_ATTACH	_IOW(KTLS_LUA_IOC_MAGIC, 1, struct ktls_lua_attach)
/* Compile a script once into a shared hook; returns a new hook fd. */
#define KTLS_LUA_IOC_HOOK_LOAD	_IOW(KTLS_LUA_IOC_MAGIC, 2, struct ktls_lua_hook_load)

#endif /* _UAPI_LINUX_KTLS_LUA_H */
