/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktls_lua: internal interfaces.
 *
 * Objects:
 *  - struct kl_vm: one Lua state (klua) and the mutex that serializes it.
 *  - struct kl_hook: a script, its entry name and limits, and a pool of
 *    kl_vm.  A shared hook (hook fd) has one pool slot per CPU, filled on
 *    first use; a private hook (seed model) belongs to one socket and has
 *    one slot.
 *  - struct kl_sock: per attached socket: the proto it wraps, the hook and
 *    the pool slot it is bound to, its conn table (a registry ref in that
 *    slot's state) and its last verdict and error.
 *
 * Locks, outer to inner: kl_sock.olock (our socket options; st->hook is
 * replaced only under olock and the reader bit), the KL_READER bit of
 * kl_sock.rflags (one reader at a time, held across the wrapped recvmsg so
 * the hook sees bytes in stream order), kl_hook.pool_lock, then
 * kl_vm.lock (one Lua call at a time per state), then kl_sock.vlock
 * (spinlock over the verdict/error fields, read by getsockopt).
 */
#ifndef _KL_H
#define _KL_H

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/ktls_lua.h>

struct sock;
struct proto;
struct kl_vm;

struct kl_stats {
	u64 calls;
	u64 verdicts;
	u64 errors;
	u64 bytes;
	u64 lua_ns;
};

struct kl_hook {
	struct kref ref;
	struct list_head node;		/* kl_hooks, for /proc */
	u32 id;				/* 0 for private hooks */
	bool shared;
	char entry[TLS_LUA_ENTRY_MAX];	/* "" : no hook call */
	char name[32];
	u64 mem_limit;
	u64 instr_limit;
	char *script;			/* shared: kept to fill new pool slots */
	size_t script_len;
	atomic_t nsocks;
	struct kl_stats __percpu *stats;
	struct mutex pool_lock;		/* creating pool slots */
	unsigned int npool;
	struct kl_vm *pool[];
};

struct kl_verdict {
	s32 code;
	u32 flags;
	u32 file_len;
	char *file;			/* kmalloc'd, NUL-terminated, or NULL */
};

#define KL_READER	0		/* bit of kl_sock.rflags */

struct kl_sock {
	struct rhash_head hnode;
	struct sock *sk;		/* key */
	struct rcu_head rcu;
	struct proto *orig_prot;	/* what sk_prot was before our wrapper */
	const struct proto_ops *orig_ops;
	struct kl_hook *hook;
	struct kl_vm *vm;		/* pool slot this socket is bound to */
	int conn_ref;			/* conn table in vm's registry, or -1 */
	s32 error_code;			/* verdict code for a failed script */
	unsigned long rflags;		/* KL_READER: a reader is in (rwait) */
	wait_queue_head_t rwait;
	struct mutex olock;		/* our setsockopts; st->hook changes */
	spinlock_t vlock;
	struct kl_verdict last;		/* TLS_LUA_CODE / TLS_LUA_FILE */
	int err;			/* TLS_LUA_ERRNO */
	char *errmsg;			/* TLS_LUA_ERRMSG, kmalloc'd or NULL */
};

/* Result of one call of the entry function: up to 8 verdicts. */
struct kl_result {
	unsigned int n;
	struct {
		s32 code;
		u32 file_len;
		char *file;	/* kmalloc'd or NULL */
	} v[TLS_LUA_VERDICTS_MAX];
	int err;		/* 0 or errno of the failure */
	char *msg;		/* kmalloc'd message of the failure, or NULL */
};

void kl_result_free(struct kl_result *res);

/* Lua glue (kl_lua.c): the only file that talks to klua. */
struct kl_vm *kl_vm_create(u64 mem_limit, u64 instr_limit);
void kl_vm_destroy(struct kl_vm *vm);
int kl_vm_run_chunk(struct kl_vm *vm, const char *buf, size_t len,
		    const char *name, char **msg);
int kl_vm_call(struct kl_vm *vm, const char *entry, int *conn_ref,
	       const void *data, size_t len, struct kl_result *res);
void kl_vm_conn_free(struct kl_vm *vm, int conn_ref);
size_t kl_vm_mem(struct kl_vm *vm);

/* Hooks (kl_hook.c). */
extern struct kl_stats __percpu *kl_private_stats;
struct kl_hook *kl_hook_new(bool shared, unsigned int npool);
void kl_hook_put(struct kl_hook *hook);
struct kl_hook *kl_hook_from_fd(int fd);
long kl_ioc_hook_load(void __user *arg);
struct kl_vm *kl_hook_bind(struct kl_hook *hook, char **msg);
int kl_hook_private_load(struct kl_hook *hook, const char *buf, size_t len,
			 char **msg);
void kl_hooks_show(struct seq_file *m);
int kl_hook_init(void);
void kl_hook_exit(void);

/* Sockets (kl_sock.c). */
long kl_ioc_attach(void __user *arg);
int kl_sock_init(void);
void kl_sock_exit(void);
extern atomic_t kl_nsocks;

/* Limits (module parameters, kl_main.c). */
extern unsigned int kl_max_script;
extern bool kl_unprivileged;
extern unsigned int kl_read_max;

#endif /* _KL_H */
