/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/klua: run a Lua chunk in a fresh kernel Lua state (klua.ko).
 * Root (CAP_SYS_ADMIN) only.  One ioctl, KLUA_IOC_RUN:
 *
 *  - the chunk (text only; binary chunks get ENOEXEC) is compiled with
 *    the name 'chunkname' ("@file.lua" gives messages "file.lua:3: ...");
 *  - it is called with 'nargs' string arguments ('args': NUL-terminated
 *    strings back to back, 'args_len' bytes), also stored in the global
 *    table 'arg' (arg[0] = 'argv0'), as lua(1) does;
 *  - what it prints goes to 'out'; with KLUA_RUN_RETURNS its return
 *    values follow, tab-separated, on one line;
 *  - 'status' is the Lua status (0 = LUA_OK); on an error 'err' holds the
 *    message (no traceback).
 *
 * The ioctl itself fails only for bad requests: EPERM (not admin), E2BIG
 * (script over the max_script module parameter), ENOEXEC (binary chunk;
 * the message is in 'err'), EFAULT, EINVAL, ENOMEM.
 */
#ifndef _UAPI_LINUX_KLUA_H
#define _UAPI_LINUX_KLUA_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KLUA_DEVICE "/dev/klua"

/* flags */
#define KLUA_RUN_RETURNS	(1U << 0)	/* print the return values */

/* result_flags */
#define KLUA_OUT_TRUNCATED	(1U << 0)	/* 'out' was too small */

/* Lua status values, as in lua.h */
#define KLUA_OK		0
#define KLUA_ERRRUN	2
#define KLUA_ERRSYNTAX	3
#define KLUA_ERRMEM	4
#define KLUA_ERRERR	5

#define KLUA_MAX_OUT	(64U << 20)	/* largest 'out' buffer used */
#define KLUA_MAX_STACK_PAD 8192

struct klua_run {
	__u64 script;		/* in: the chunk (user pointer) */
	__u64 script_len;	/* in */
	__u64 chunkname;	/* in: NUL-terminated, <= 255 bytes, or 0 */
	__u64 argv0;		/* in: arg[0], NUL-terminated, or 0 */
	__u64 args;		/* in: NUL-terminated strings, back to back */
	__u64 args_len;		/* in */
	__u32 nargs;		/* in */
	__u32 flags;		/* in: KLUA_RUN_* */
	__u64 mem_limit;	/* in: bytes; 0: module default */
	__u64 instructions;	/* in: budget; 0: module default */
	__u64 out;		/* in: output buffer (user pointer) */
	__u64 out_len;		/* in: its size; out: bytes written */
	__u64 err;		/* in: message buffer (user pointer) */
	__u64 err_len;		/* in: its size; out: message length */
	__s32 status;		/* out: Lua status */
	__u32 result_flags;	/* out: KLUA_OUT_* */
	__u64 mem_fresh;	/* out: bytes of the state before the chunk */
	__u64 mem_peak;		/* out: most bytes held during the run */
	__u64 mem_after;	/* out: bytes held after the run */
	__u64 instructions_used; /* out: approximate (1000s) */
	__u64 run_ns;		/* out: time in the chunk, nanoseconds */
	__u32 stack_pad;	/* in: tests: kernel stack to use up first */
	__u32 stack_min_left;	/* out: least kernel stack left during the run */
};

#define KLUA_IOC_MAGIC	0xB7
#define KLUA_IOC_RUN	_IOWR(KLUA_IOC_MAGIC, 1, struct klua_run)

#endif /* _UAPI_LINUX_KLUA_H */
