/* SPDX-License-Identifier: GPL-2.0 */
/* ktls-httpd: configuration and the pieces main.c, worker.c and lua.c share. */
#ifndef KTLS_HTTPD_SERVER_H
#define KTLS_HTTPD_SERVER_H

#include <stddef.h>
#include <gnutls/gnutls.h>

#include "http.h"

enum lua_mode { LUA_OFF = 0, LUA_USER, LUA_KERNEL };

#define MAX_CERTS 4

struct config {
	const char *listen_addr;	/* NULL: any (IPv6 + IPv4) */
	int port;
	const char *docroot;
	const char *certs[MAX_CERTS], *keys[MAX_CERTS];
	int ncerts, nkeys;
	int tls_kernel;			/* --tls=kernel */
	enum lua_mode lua;
	const char *script;
	const char *entry;
	const char *priority;
	const char *access_log;		/* NULL: off, "-": stdout */
	const char *mime_types;
	int workers;
	int max_conns;			/* per worker */
	int max_handshakes;		/* in progress, per worker */
	int backlog;
	int t_handshake, t_idle, t_header, t_grace, t_linger;	/* ms */
	struct http_limits lim;
	unsigned long long lua_mem, lua_instr;
	int quiet;
};

struct tls_ctx {
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
};

/* worker.c */
int worker_run(const struct config *cf, struct tls_ctx *tls, int lfd,
	       int id);

/* lua.c: the routing script in user space (liblua5.4). */
struct ulua;
struct ulua *ulua_new(const char *path, const char *entry,
		      unsigned long long mem_limit, unsigned long long instr,
		      char *err, size_t errlen);
void ulua_free(struct ulua *u);
int ulua_conn_new(struct ulua *u);		/* a conn table; ref or -1 */
void ulua_conn_free(struct ulua *u, int ref);
/*
 * Call the entry with (data, conn); ref -1: a fresh conn table.  It returns
 * code1, file1, code2, file2, ... (one verdict per request head completed,
 * as in the kernel); emit gets each.  Returns how many (0: nothing yet), or
 * -1 on a script error with err set (verdicts emitted before stay).
 */
#define ULUA_VERDICTS_MAX 8
#define ULUA_FILE_MAX 1024
typedef void (*ulua_emit_fn)(void *ctx, int code, const char *file, size_t n);
int ulua_call(struct ulua *u, int ref, const char *data, size_t n,
	      ulua_emit_fn emit, void *ctx, char *err, size_t errlen);

/* khook.c: the kernel hook (ktls_lua.ko). */
int khook_open(char *err, size_t errlen);	/* /dev/ktls_lua fd */
int khook_load(int dev, const char *path, const char *entry,
	       unsigned long long mem, unsigned long long instr,
	       char *err, size_t errlen);		/* hook fd */
int khook_attach(int dev, int sockfd, int hookfd);	/* 0 or -errno */

#endif
