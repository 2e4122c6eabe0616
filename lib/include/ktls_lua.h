/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libktlslua: attach the kernel Lua hook (ktls_lua.ko) to kTLS sockets.
 *
 * A socket must already have the "tls" ULP (setsockopt TCP_ULP "tls"); it
 * may be attached before or after TLS_TX/TLS_RX are set.  After an attach,
 * every byte the application reads from the socket (recv, read, recvmsg,
 * splice) is first given to the hook's entry function
 *
 *     function entry(data, conn) ... return code, file end
 *
 * where `conn` is a table private to the connection.  A non-zero code is a
 * verdict: it comes back with the very read that returned the bytes, as a
 * control message (see ktls_lua_recv() / ktls_lua_parse_verdict()), and it
 * stays readable with getsockopt(TLS_LUA_CODE / TLS_LUA_FILE) until the next
 * verdict.  The bytes themselves reach the application unchanged.
 *
 * Bytes read with MSG_PEEK are not given to the hook; they are when they are
 * read for good.  Non-data TLS records (alerts, handshake messages) are never
 * given to the hook.
 *
 * All functions return -1 and set errno on failure, unless said otherwise.
 */
#ifndef KTLS_LUA_LIB_H
#define KTLS_LUA_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <linux/ktls_lua.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- shared hooks: compile once, attach many ---------------------------- */

struct ktls_lua_hook_opts {
	const char *entry;	/* entry function name; NULL: "recv" */
	const char *name;	/* chunk name in messages; NULL: "hook" */
	uint64_t mem_limit;	/* bytes per Lua state; 0: module default */
	uint64_t instr_limit;	/* instructions per call; 0: module default */
	char *errbuf;		/* filled with the load error message, if any */
	size_t errbuf_len;
};

/*
 * Compile a Lua chunk into a shared hook.  Returns a hook fd (close it when
 * done; attached sockets keep the hook alive).  opts may be NULL.  On a Lua
 * syntax or runtime error at load: -1, errno EINVAL, message in errbuf.
 */
int ktls_lua_hook_load(const char *script, size_t len,
		       const struct ktls_lua_hook_opts *opts);
/* The same, reading the chunk from a file. */
int ktls_lua_hook_load_file(const char *path,
			    const struct ktls_lua_hook_opts *opts);

/* ---- attaching ------------------------------------------------------------ */

/*
 * Attach with a private Lua state (the seed's model): then set the script
 * with ktls_lua_load_script() and the entry with ktls_lua_set_entry().
 * Errors: EALREADY (already attached), ENOTSOCK/EBADF, EPROTONOSUPPORT
 * (not TCP), EOPNOTSUPP (no "tls" ULP), EINVAL (listening), EPERM (socket
 * of another user, without CAP_NET_ADMIN), ENODEV (module not loaded).
 */
int ktls_lua_attach(int sockfd);
/* Attach to a shared hook (from ktls_lua_hook_load()). */
int ktls_lua_attach_hook(int sockfd, int hookfd);

/* Private state only: run a chunk (TLS_LUA_LOADSCRIPT). */
int ktls_lua_load_script(int sockfd, const char *script, size_t len);
/* Private state only: name the entry function (TLS_LUA_RECVENTRY). */
int ktls_lua_set_entry(int sockfd, const char *entry);
/* Verdict code given when the script fails (default 500). */
int ktls_lua_set_error_code(int sockfd, int code);

/* ---- verdicts --------------------------------------------------------------- */

struct ktls_lua_verdict {
	int code;		/* 0: no verdict */
	unsigned int flags;	/* TLS_LUA_VERDICT_ERROR: from a failed script */
	char file[TLS_LUA_FILE_MAX];
};

/* Control buffer size that holds a verdict and a record type. */
#define KTLS_LUA_CMSG_SPACE						\
	(CMSG_SPACE(sizeof(struct tls_lua_verdict) + TLS_LUA_FILE_MAX) + \
	 CMSG_SPACE(sizeof(unsigned char)))

/*
 * recvmsg() with a control buffer: returns what recvmsg returns.  On return
 * v->code is the verdict that came with these bytes (0: none) and, if
 * record_type is not NULL, *record_type is the TLS record type (23: data;
 * 21 alert, 22 handshake: the bytes are that record, not application data).
 * v or record_type may be NULL.
 */
ssize_t ktls_lua_recv(int sockfd, void *buf, size_t len, int flags,
		      struct ktls_lua_verdict *v, unsigned char *record_type);

/*
 * Find a verdict in a msghdr returned by recvmsg().  Returns 1 and fills v
 * if there is one, 0 if not.  With several, v gets the first.
 */
int ktls_lua_parse_verdict(const struct msghdr *msg,
			   struct ktls_lua_verdict *v);

/*
 * All verdicts of one read, in order (the entry may return several, e.g.
 * one per pipelined request: code1, file1, code2, file2...).  Fills up to
 * max entries of v and returns how many there were.
 */
int ktls_lua_parse_verdicts(const struct msghdr *msg,
			    struct ktls_lua_verdict *v, int max);

/* Control buffer size for n verdicts with full-length files. */
#define KTLS_LUA_CMSG_SPACE_N(n)					\
	((n) * CMSG_SPACE(sizeof(struct tls_lua_verdict) + TLS_LUA_FILE_MAX) + \
	 CMSG_SPACE(sizeof(unsigned char)))

/* getsockopt TLS_LUA_CODE/TLS_LUA_FILE: the last verdict (code 0: none). */
int ktls_lua_get_verdict(int sockfd, struct ktls_lua_verdict *v);

/*
 * getsockopt TLS_LUA_ERRNO/TLS_LUA_ERRMSG: the last script failure.  *err
 * is 0 if none; msg (may be NULL) gets the message, NUL-terminated.
 */
int ktls_lua_get_error(int sockfd, int *err, char *msg, size_t msg_len);

#ifdef __cplusplus
}
#endif

#endif /* KTLS_LUA_LIB_H */
