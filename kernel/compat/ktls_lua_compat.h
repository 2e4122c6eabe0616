/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel version differences for the ktls-lua modules (6.1 and 6.12).
 * Keep every #if on LINUX_VERSION_CODE here.
 */
#ifndef _KTLS_LUA_COMPAT_H
#define _KTLS_LUA_COMPAT_H

#include <linux/version.h>
#include <linux/uio.h>

/* iov_iter direction: 6.1 stable has ITER_DEST, older trees only READ. */
#ifndef ITER_DEST
#define ITER_DEST READ
#endif

/*
 * struct proto::recvmsg lost its "noblock" argument in 5.19 and both 6.1
 * and 6.12 use (sk, msg, len, flags, addr_len).
 */
#define KL_PROTO_RECVMSG_ARGS \
	struct sock *sk, struct msghdr *msg, size_t len, int flags, int *addr_len

/*
 * struct fd: 6.12 hides the file behind fd_file(); 6.1 has f.file.
 * fdget()/fdput() themselves exist in both.
 */
#include <linux/file.h>
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif

/* The record type of application data: net/tls.h in 6.1, tls_prot.h later. */
#ifndef TLS_RECORD_TYPE_DATA
#define TLS_RECORD_TYPE_DATA 0x17
#endif

/* 6.5+ removed sendpage; nothing here overrides send paths. */

#endif /* _KTLS_LUA_COMPAT_H */
