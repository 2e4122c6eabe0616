// SPDX-License-Identifier: GPL-2.0
/*
 * ktls_lua: attaching to kTLS sockets of the stock tls.ko.
 *
 * An attached socket's sk_prot points to a wrapper: a copy of the proto it
 * had (one of tls.ko's) with recvmsg, setsockopt, getsockopt and close
 * replaced; its sock->ops points to a copy without splice_read, so splice
 * goes through recvmsg too.  tls.ko rewrites both on every TLS_TX/TLS_RX
 * setsockopt, so we wrap again after delegating any SOL_TLS setsockopt.
 *
 * The wrapped recvmsg decrypts into a kernel buffer (a kvec iterator and a
 * kernel control buffer swapped into the caller's msghdr), copies the bytes
 * and the control messages back to the caller, and gives data records to
 * the hook.  Peeked bytes are not given to the hook: they are when they are
 * read for good.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/uaccess.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "ktls_lua_compat.h"
#include "kl.h"
#include "kl_decode.h"

#define KL_CTL_BUF	64	/* tls.ko puts one record-type cmsg (24 B) */

atomic_t kl_nsocks = ATOMIC_INIT(0);

struct kl_wrap {
	struct list_head node;
	const struct proto *orig;
	struct proto prot;
};

struct kl_ops_wrap {
	struct list_head node;
	const struct proto_ops *orig;
	const struct proto_ops *ops;	/* our copy, kmalloc'd */
};

static LIST_HEAD(kl_wraps);
static LIST_HEAD(kl_ops_wraps);
static DEFINE_MUTEX(kl_wrap_lock);

static struct rhashtable kl_socks;
static const struct rhashtable_params kl_ht_params = {
	.key_len = sizeof(struct sock *),
	.key_offset = offsetof(struct kl_sock, sk),
	.head_offset = offsetof(struct kl_sock, hnode),
	.automatic_shrinking = true,
};

static int kl_recvmsg(KL_PROTO_RECVMSG_ARGS);
static int kl_setsockopt(struct sock *sk, int level, int optname,
			 sockptr_t optval, unsigned int optlen);
static int kl_getsockopt(struct sock *sk, int level, int optname,
			 char __user *optval, int __user *optlen);
static void kl_close(struct sock *sk, long timeout);

static struct kl_sock *kl_find(struct sock *sk)
{
	struct kl_sock *st;

	rcu_read_lock();
	st = rhashtable_lookup(&kl_socks, &sk, kl_ht_params);
	rcu_read_unlock();
	return st;
}

static bool kl_is_wrapper(const struct proto *p)
{
	return p->recvmsg == kl_recvmsg;
}

/* The proto under our wrapper, for a socket whose state is gone. */
static struct proto *kl_orig_of(struct sock *sk)
{
	struct proto *p = READ_ONCE(sk->sk_prot);

	if (kl_is_wrapper(p))
		return (struct proto *)container_of(p, struct kl_wrap, prot)->orig;
	return p;
}

static struct proto *kl_wrap_get(const struct proto *orig)
{
	struct kl_wrap *w;

	mutex_lock(&kl_wrap_lock);
	list_for_each_entry(w, &kl_wraps, node) {
		if (w->orig == orig)
			goto out;
	}
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w) {
		mutex_unlock(&kl_wrap_lock);
		return NULL;
	}
	w->orig = orig;
	w->prot = *orig;
	w->prot.recvmsg = kl_recvmsg;
	w->prot.setsockopt = kl_setsockopt;
	w->prot.getsockopt = kl_getsockopt;
	w->prot.close = kl_close;
	list_add(&w->node, &kl_wraps);
out:
	mutex_unlock(&kl_wrap_lock);
	return &w->prot;
}

static const struct proto_ops *kl_ops_wrap_get(const struct proto_ops *orig)
{
	struct kl_ops_wrap *w;

	mutex_lock(&kl_wrap_lock);
	void *copy;

	list_for_each_entry(w, &kl_ops_wraps, node) {
		if (w->orig == orig || w->ops == orig)
			goto out;
	}
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	copy = kmemdup(orig, sizeof(*orig), GFP_KERNEL);
	if (!w || !copy) {
		kfree(w);
		kfree(copy);
		mutex_unlock(&kl_wrap_lock);
		return NULL;
	}
	/* No splice_read: splice then reads through recvmsg. */
	memset(copy + offsetof(typeof(*orig), splice_read), 0,
	       sizeof(orig->splice_read));
	w->orig = orig;
	w->ops = copy;
	list_add(&w->node, &kl_ops_wraps);
out:
	mutex_unlock(&kl_wrap_lock);
	return w->ops;
}

/* Put our wrappers back after tls.ko replaced them.  Socket locked. */
static void kl_rewrap(struct sock *sk, struct kl_sock *st)
{
	struct proto *cur = READ_ONCE(sk->sk_prot);
	struct socket *sock = sk->sk_socket;
	struct proto *w;
	const struct proto_ops *ow;

	if (!kl_is_wrapper(cur)) {
		w = kl_wrap_get(cur);
		if (w) {
			WRITE_ONCE(st->orig_prot, cur);
			WRITE_ONCE(sk->sk_prot, w);
		} else {
			pr_err_ratelimited("ktls_lua: out of memory re-wrapping a socket\n");
		}
	}
	if (sock && READ_ONCE(sock->ops)->splice_read) {
		ow = kl_ops_wrap_get(sock->ops);
		if (ow)
			WRITE_ONCE(sock->ops, ow);
	}
}

static bool kl_rx_ready(struct sock *sk)
{
	struct tls_context *ctx = tls_get_ctx(sk);

	return ctx && ctx->rx_conf != TLS_BASE;
}

/* ---- verdicts and errors ------------------------------------------------ */

static void kl_set_error(struct kl_sock *st, int err, char *msg)
{
	char *old;

	spin_lock_bh(&st->vlock);
	st->err = err;
	old = st->errmsg;
	st->errmsg = msg;
	spin_unlock_bh(&st->vlock);
	kfree(old);
}

static void kl_set_verdict(struct kl_sock *st, s32 code, u32 flags,
			   char *file, u32 file_len)
{
	char *old;

	spin_lock_bh(&st->vlock);
	st->last.code = code;
	st->last.flags = flags;
	old = st->last.file;
	st->last.file = file;
	st->last.file_len = file ? file_len : 0;
	spin_unlock_bh(&st->vlock);
	kfree(old);
}

static void kl_stats_add(struct kl_hook *hook, size_t bytes, u64 ns,
			 bool verdict, bool error)
{
	struct kl_stats __percpu *s = hook->shared ? hook->stats :
						     kl_private_stats;

	this_cpu_inc(s->calls);
	this_cpu_add(s->bytes, bytes);
	this_cpu_add(s->lua_ns, ns);
	if (verdict)
		this_cpu_inc(s->verdicts);
	if (error)
		this_cpu_inc(s->errors);
}

/*
 * Give bytes to the entry function.  Fills res with its verdicts (or the
 * error verdict) and returns how many there are.
 */
static unsigned int kl_run(struct kl_sock *st, const char *data, size_t len,
			   struct kl_result *res, u32 *flags)
{
	struct kl_hook *hook = st->hook;
	struct kl_vm *vm;
	u64 t0;

	*flags = 0;
	if (!hook->shared)
		mutex_lock(&hook->pool_lock);
	vm = READ_ONCE(st->vm);
	if (!vm || !hook->entry[0]) {
		if (!hook->shared)
			mutex_unlock(&hook->pool_lock);
		return 0;
	}
	t0 = ktime_get_ns();
	kl_vm_call(vm, hook->entry, &st->conn_ref, data, len, res);
	if (!hook->shared)
		mutex_unlock(&hook->pool_lock);

	if (res->err) {
		kl_set_error(st, res->err, res->msg);
		res->msg = NULL;
		kl_result_free(res);
		res->n = 1;
		res->v[0].code = READ_ONCE(st->error_code);
		*flags = TLS_LUA_VERDICT_ERROR;
	} else {
		kfree(res->msg);
		res->msg = NULL;
	}
	kl_stats_add(hook, len, ktime_get_ns() - t0, res->n != 0,
		     res->err != 0);
	return res->n;
}

/* Each verdict as a TLS_LUA_VERDICT control message, in order. */
static void kl_put_verdicts(struct msghdr *msg, struct kl_result *res,
			    u32 flags)
{
	struct tls_lua_verdict *v;
	unsigned int i;

	v = kmalloc(sizeof(*v) + TLS_LUA_FILE_MAX, GFP_KERNEL);
	if (!v) {
		msg->msg_flags |= MSG_CTRUNC;
		return;
	}
	for (i = 0; i < res->n; i++) {
		memset(v, 0, sizeof(*v));
		v->code = res->v[i].code;
		v->flags = flags;
		v->file_len = res->v[i].file ? res->v[i].file_len : 0;
		memcpy(v->file, res->v[i].file ?: "", v->file_len);
		v->file[v->file_len] = 0;
		put_cmsg(msg, SOL_TLS, TLS_LUA_VERDICT,
			 sizeof(*v) + v->file_len + 1, v);
	}
	kfree(v);
}

/* The last verdict becomes TLS_LUA_CODE/FILE; res is emptied. */
static void kl_keep_last(struct kl_sock *st, struct kl_result *res, u32 flags)
{
	unsigned int last = res->n - 1;
	char *file = res->v[last].file;

	res->v[last].file = NULL;
	kl_set_verdict(st, res->v[last].code, flags, file,
		       res->v[last].file_len);
	kl_result_free(res);
}

/* ---- the read path ---------------------------------------------------------- */

/*
 * One call of the original recvmsg with the caller's control buffer
 * swapped for a kernel one; the control messages are copied back and the
 * record type (23 when none was reported: then only data was returned) is
 * read from them.
 */
static int kl_recv_ctl(struct proto *orig, struct sock *sk, struct msghdr *msg,
		       size_t len, int flags, int *addr_len, u8 *rectype)
{
	u8 kctl[KL_CTL_BUF] __aligned(sizeof(long));
	void *uctl = msg->msg_control;
	size_t uctllen = msg->msg_controllen;
	bool is_user = msg->msg_control_is_user;
	const struct cmsghdr *c;
	size_t klen, used, off;
	int ret;

	*rectype = TLS_RECORD_TYPE_DATA;
	if (!uctl || !uctllen)
		return orig->recvmsg(sk, msg, len, flags, addr_len);

	klen = min(uctllen, sizeof(kctl));
	msg->msg_control = kctl;
	msg->msg_control_is_user = false;
	msg->msg_controllen = klen;
	ret = orig->recvmsg(sk, msg, len, flags, addr_len);
	used = klen - msg->msg_controllen;
	msg->msg_control = uctl;
	msg->msg_control_is_user = is_user;
	msg->msg_controllen = uctllen;

	off = 0;
	for (c = kl_cmsg_next(kctl, used, &off); c;
	     c = kl_cmsg_next(kctl, used, &off))
		put_cmsg(msg, c->cmsg_level, c->cmsg_type,
			 c->cmsg_len - sizeof(*c), CMSG_DATA(c));
	/* none reported: only data was returned, *rectype stays 23 */
	kl_cmsg_record_type(kctl, used, rectype);
	return ret;
}

static int kl_recv_hooked(struct kl_sock *st, struct proto *orig,
			  struct sock *sk, struct msghdr *msg, size_t len,
			  int flags, int *addr_len)
{
	size_t chunk = min_t(size_t, len, kl_read_max);
	struct iov_iter user_iter = msg->msg_iter;
	struct kl_result *res;
	size_t total = 0;
	bool first = true;
	u32 vflags;
	int ret = 0;
	char *buf;

	res = kzalloc(sizeof(*res), GFP_KERNEL);
	buf = kvmalloc(chunk, GFP_KERNEL);
	if (!buf || !res) {
		kfree(res);
		kvfree(buf);
		return -ENOMEM;
	}

	for (;;) {
		size_t want = min(chunk, len - total);
		struct kvec kv = { .iov_base = buf, .iov_len = want };
		u8 rectype = TLS_RECORD_TYPE_DATA;
		size_t n;

		iov_iter_kvec(&msg->msg_iter, ITER_DEST, &kv, 1, want);
		if (first) {
			ret = kl_recv_ctl(orig, sk, msg, want, flags, addr_len,
					  &rectype);
		} else {
			/*
			 * Later chunks of a MSG_WAITALL read: no control
			 * buffer (a type change ends the read with EIO,
			 * which ends ours), and the caller's flags kept.
			 */
			void *uctl = msg->msg_control;
			size_t uctllen = msg->msg_controllen;
			bool is_user = msg->msg_control_is_user;
			unsigned int mflags = msg->msg_flags;

			msg->msg_control = NULL;
			msg->msg_control_is_user = false;
			msg->msg_controllen = 0;
			ret = orig->recvmsg(sk, msg, want, flags, addr_len);
			msg->msg_control = uctl;
			msg->msg_control_is_user = is_user;
			msg->msg_controllen = uctllen;
			msg->msg_flags = mflags;
		}
		if (ret <= 0)
			break;
		n = copy_to_iter(buf, ret, &user_iter);
		total += n;
		if (n != ret) {
			ret = -EFAULT;
			break;
		}
		if (rectype == TLS_RECORD_TYPE_DATA &&
		    kl_run(st, buf, n, res, &vflags)) {
			kl_put_verdicts(msg, res, vflags);
			kl_keep_last(st, res, vflags);
			break;
		}
		if (!(flags & MSG_WAITALL) || total >= len ||
		    rectype != TLS_RECORD_TYPE_DATA || n < want)
			break;
		first = false;
	}
	msg->msg_iter = user_iter;
	kvfree(buf);
	kfree(res);
	if (total)
		return total;
	return ret;
}

/*
 * st->hook may be replaced (TLS_LUA_HOOK) only while st->vm is NULL, and
 * st->vm is published after st->hook: a reader that sees a vm sees its hook.
 */
static bool kl_hook_active(struct kl_sock *st)
{
	/* pairs with the release in kl_set_hook() */
	struct kl_vm *vm = smp_load_acquire(&st->vm);

	return vm && READ_ONCE(st->hook->entry[0]);
}

/*
 * One reader at a time on a hooked socket, held across the wrapped recvmsg
 * so the hook sees the bytes in stream order.  A bit and a wait queue, not
 * a mutex: a second reader waits no longer than its timeout (SO_RCVTIMEO,
 * 0 when non-blocking), then gets EAGAIN, as in tls.ko itself.
 */
static int kl_reader_lock(struct kl_sock *st, long timeo)
{
	long left;

	if (!test_and_set_bit_lock(KL_READER, &st->rflags))
		return 0;
	if (!timeo)
		return -EAGAIN;
	left = wait_event_interruptible_timeout(st->rwait,
			!test_and_set_bit_lock(KL_READER, &st->rflags), timeo);
	if (left > 0)
		return 0;
	return left ? sock_intr_errno(timeo) : -EAGAIN;
}

static void kl_reader_unlock(struct kl_sock *st)
{
	clear_bit_unlock(KL_READER, &st->rflags);
	/* the cleared bit before the waiters look at it */
	smp_mb__after_atomic();
	wake_up_interruptible(&st->rwait);
}

static int kl_recvmsg(KL_PROTO_RECVMSG_ARGS)
{
	struct kl_sock *st = kl_find(sk);
	struct proto *orig;
	int ret;

	if (unlikely(!st)) {
		orig = kl_orig_of(sk);
		return orig->recvmsg(sk, msg, len, flags, addr_len);
	}
	orig = READ_ONCE(st->orig_prot);
	if ((flags & (MSG_PEEK | MSG_ERRQUEUE | MSG_CMSG_COMPAT)) || !len ||
	    !kl_hook_active(st) || !kl_rx_ready(sk))
		return orig->recvmsg(sk, msg, len, flags, addr_len);

	len = min_t(size_t, len, INT_MAX);	/* the count is returned as int */
	ret = kl_reader_lock(st, sock_rcvtimeo(sk, flags & MSG_DONTWAIT));
	if (ret)
		return ret;
	ret = kl_recv_hooked(st, orig, sk, msg, len, flags, addr_len);
	kl_reader_unlock(st);
	return ret;
}

/* ---- socket options --------------------------------------------------------- */

static bool kl_our_opt(int level, int optname)
{
	return level == SOL_TLS && optname >= 0x4c00 && optname <= 0x4cff;
}

static int kl_set_script(struct kl_sock *st, sockptr_t optval,
			 unsigned int optlen)
{
	struct kl_hook *hook = st->hook;
	char *msg = NULL;
	char *buf;
	int err;

	if (hook->shared)
		return -EBUSY;
	err = kl_check_setopt_len(TLS_LUA_LOADSCRIPT, optlen, kl_max_script);
	if (err)
		return err;
	buf = kvmalloc(optlen, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (copy_from_sockptr(buf, optval, optlen)) {
		kvfree(buf);
		return -EFAULT;
	}
	err = kl_hook_private_load(hook, buf, kl_script_len(buf, optlen), &msg);
	kvfree(buf);
	if (err) {
		kl_set_error(st, -err, msg);
		return err;
	}
	kfree(msg);
	mutex_lock(&hook->pool_lock);
	WRITE_ONCE(st->vm, hook->pool[0]);
	mutex_unlock(&hook->pool_lock);
	return 0;
}

static int kl_set_entry(struct kl_sock *st, sockptr_t optval,
			unsigned int optlen)
{
	struct kl_hook *hook = st->hook;
	char name[TLS_LUA_ENTRY_MAX];
	int err;

	if (hook->shared)
		return -EBUSY;
	err = kl_check_setopt_len(TLS_LUA_RECVENTRY, optlen, kl_max_script);
	if (err)
		return err;
	memset(name, 0, sizeof(name));
	if (copy_from_sockptr(name, optval, optlen))
		return -EFAULT;
	err = kl_check_entry(name, optlen);
	if (err)
		return err;
	mutex_lock(&hook->pool_lock);
	strscpy(hook->entry, name, sizeof(hook->entry));
	mutex_unlock(&hook->pool_lock);
	return 0;
}

static int kl_set_hook(struct kl_sock *st, sockptr_t optval,
		       unsigned int optlen)
{
	struct kl_hook *hook, *old = st->hook;
	struct kl_vm *vm;
	char *msg = NULL;
	int fd, err;

	err = kl_check_setopt_len(TLS_LUA_HOOK, optlen, kl_max_script);
	if (err)
		return err;
	if (copy_from_sockptr(&fd, optval, sizeof(fd)))
		return -EFAULT;
	if (old->shared)
		return -EALREADY;
	hook = kl_hook_from_fd(fd);
	if (IS_ERR(hook))
		return PTR_ERR(hook);
	vm = kl_hook_bind(hook, &msg);
	if (IS_ERR(vm)) {
		kl_set_error(st, -PTR_ERR(vm), msg);
		kl_hook_put(hook);
		return PTR_ERR(vm);
	}
	err = kl_reader_lock(st, MAX_SCHEDULE_TIMEOUT);
	if (err) {
		kl_hook_put(hook);
		return err;
	}
	if (READ_ONCE(st->vm) || old->entry[0]) {
		kl_reader_unlock(st);
		kl_hook_put(hook);
		return -EBUSY;
	}
	atomic_inc(&hook->nsocks);
	st->hook = hook;
	/* the hook before the vm: pairs with kl_hook_active() */
	smp_store_release(&st->vm, vm);
	kl_reader_unlock(st);
	atomic_dec(&old->nsocks);
	kl_hook_put(old);
	return 0;
}

static int kl_set_opt_locked(struct kl_sock *st, int optname,
			     sockptr_t optval, unsigned int optlen)
{
	int val, err;

	switch (optname) {
	case TLS_LUA_LOADSCRIPT:
		return kl_set_script(st, optval, optlen);
	case TLS_LUA_RECVENTRY:
		return kl_set_entry(st, optval, optlen);
	case TLS_LUA_HOOK:
		return kl_set_hook(st, optval, optlen);
	case TLS_LUA_ERROR_CODE:
		err = kl_check_setopt_len(optname, optlen, kl_max_script);
		if (err)
			return err;
		if (copy_from_sockptr(&val, optval, sizeof(val)))
			return -EFAULT;
		if (!val)
			return -EINVAL;
		WRITE_ONCE(st->error_code, val);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int kl_set_opt(struct kl_sock *st, int optname, sockptr_t optval,
		      unsigned int optlen)
{
	int err;

	if (mutex_lock_interruptible(&st->olock))
		return -ERESTARTSYS;
	err = kl_set_opt_locked(st, optname, optval, optlen);
	mutex_unlock(&st->olock);
	return err;
}

static int kl_setsockopt(struct sock *sk, int level, int optname,
			 sockptr_t optval, unsigned int optlen)
{
	struct kl_sock *st = kl_find(sk);
	struct proto *orig;
	int err;

	if (unlikely(!st)) {
		orig = kl_orig_of(sk);
		return orig->setsockopt(sk, level, optname, optval, optlen);
	}
	if (kl_our_opt(level, optname))
		return kl_set_opt(st, optname, optval, optlen);
	orig = READ_ONCE(st->orig_prot);
	err = orig->setsockopt(sk, level, optname, optval, optlen);
	if (level == SOL_TLS) {
		lock_sock(sk);
		kl_rewrap(sk, st);
		release_sock(sk);
	}
	return err;
}

static int kl_get_int(int optname, int val, char __user *optval,
		      int __user *optlen)
{
	int len, err;

	if (get_user(len, optlen))
		return -EFAULT;
	err = kl_check_getopt_len(optname, len, 0);
	if (err)
		return err;
	len = sizeof(int);
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

/* A NUL-terminated string; ERANGE if it does not fit. */
static int kl_get_str(struct kl_sock *st, int optname, char __user *optval,
		      int __user *optlen)
{
	bool file = optname == TLS_LUA_FILE;
	size_t cap = file ? TLS_LUA_FILE_MAX : TLS_LUA_ERRMSG_MAX;
	const char *src;
	size_t n = 0;
	char *tmp;
	int len, err;

	if (get_user(len, optlen))
		return -EFAULT;
	/* the buffer's own rule now, before allocating; its size once n is known */
	err = kl_check_getopt_len(optname, len, 0);
	if (err)
		return err;
	tmp = kzalloc(cap, GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	spin_lock_bh(&st->vlock);
	src = file ? st->last.file : st->errmsg;
	if (src) {
		n = file ? st->last.file_len : strnlen(src, cap - 1);
		n = min(n, cap - 1);
		memcpy(tmp, src, n);
	}
	spin_unlock_bh(&st->vlock);
	err = kl_check_getopt_len(optname, len, n);
	if (err)
		goto out;
	len = n + 1;
	if (put_user(len, optlen) || copy_to_user(optval, tmp, len))
		err = -EFAULT;
out:
	kfree(tmp);
	return err;
}

static int kl_getsockopt(struct sock *sk, int level, int optname,
			 char __user *optval, int __user *optlen)
{
	struct kl_sock *st = kl_find(sk);
	struct proto *orig;
	char name[TLS_LUA_ENTRY_MAX];
	int len, err;

	if (unlikely(!st)) {
		orig = kl_orig_of(sk);
		return orig->getsockopt(sk, level, optname, optval, optlen);
	}
	if (!kl_our_opt(level, optname)) {
		orig = READ_ONCE(st->orig_prot);
		return orig->getsockopt(sk, level, optname, optval, optlen);
	}
	switch (optname) {
	case TLS_LUA_CODE:
		return kl_get_int(optname, READ_ONCE(st->last.code), optval,
				  optlen);
	case TLS_LUA_ERRNO:
		return kl_get_int(optname, READ_ONCE(st->err), optval, optlen);
	case TLS_LUA_ERROR_CODE:
		return kl_get_int(optname, READ_ONCE(st->error_code), optval,
				  optlen);
	case TLS_LUA_FILE:
	case TLS_LUA_ERRMSG:
		return kl_get_str(st, optname, optval, optlen);
	case TLS_LUA_RECVENTRY:
		if (get_user(len, optlen))
			return -EFAULT;
		mutex_lock(&st->olock);
		mutex_lock(&st->hook->pool_lock);
		strscpy(name, st->hook->entry, sizeof(name));
		mutex_unlock(&st->hook->pool_lock);
		mutex_unlock(&st->olock);
		err = kl_check_getopt_len(optname, len, strlen(name));
		if (err)
			return err;
		len = strlen(name) + 1;
		if (put_user(len, optlen) || copy_to_user(optval, name, len))
			return -EFAULT;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/* ---- attach and close ------------------------------------------------------- */

static void kl_sock_free_rcu(struct rcu_head *head)
{
	kfree(container_of(head, struct kl_sock, rcu));
	module_put(THIS_MODULE);
}

static void kl_sock_release(struct kl_sock *st)
{
	struct kl_hook *hook = st->hook;

	if (st->conn_ref >= 0 && st->vm)
		kl_vm_conn_free(st->vm, st->conn_ref);
	atomic_dec(&hook->nsocks);
	kl_hook_put(hook);
	kfree(st->last.file);
	kfree(st->errmsg);
	atomic_dec(&kl_nsocks);
}

static void kl_close(struct sock *sk, long timeout)
{
	struct kl_sock *st = kl_find(sk);
	struct proto *orig;

	if (unlikely(!st)) {
		orig = kl_orig_of(sk);
		orig->close(sk, timeout);
		return;
	}
	rhashtable_remove_fast(&kl_socks, &st->hnode, kl_ht_params);
	orig = READ_ONCE(st->orig_prot);
	WRITE_ONCE(sk->sk_prot, orig);
	orig->close(sk, timeout);
	kl_sock_release(st);
	/*
	 * The last module reference goes in an RCU callback (module exit
	 * waits for those with rcu_barrier()); queuing it inside a read-side
	 * section keeps it from running before we are out of this function
	 * but for the return itself.
	 */
	rcu_read_lock();
	call_rcu(&st->rcu, kl_sock_free_rcu);
	rcu_read_unlock();
}

static int kl_attach(struct socket *sock, struct kl_hook *hook,
		     struct kl_vm *vm)
{
	struct sock *sk = sock->sk;
	const struct tcp_ulp_ops *ulp;
	const struct proto_ops *ow;
	struct kl_sock *st;
	struct proto *w;
	int err;

	if (!sk)
		return -EINVAL;
	if (sk->sk_type != SOCK_STREAM || sk->sk_protocol != IPPROTO_TCP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return -EPROTONOSUPPORT;
	if (!uid_eq(sock_i_uid(sk), current_fsuid()) &&
	    !ns_capable(sock_net(sk)->user_ns, CAP_NET_ADMIN))
		return -EPERM;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->sk = sk;
	st->hook = hook;
	st->vm = vm;
	st->conn_ref = -1;
	st->error_code = 500;
	init_waitqueue_head(&st->rwait);
	mutex_init(&st->olock);
	spin_lock_init(&st->vlock);

	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN) {
		err = -EINVAL;
		goto unlock;
	}
	ulp = inet_csk(sk)->icsk_ulp_ops;
	if (!ulp || strcmp(ulp->name, "tls")) {
		err = -EOPNOTSUPP;
		goto unlock;
	}
	if (kl_is_wrapper(sk->sk_prot)) {
		err = -EALREADY;
		goto unlock;
	}
	w = kl_wrap_get(sk->sk_prot);
	ow = kl_ops_wrap_get(sock->ops);
	if (!w || !ow) {
		err = -ENOMEM;
		goto unlock;
	}
	err = rhashtable_lookup_insert_fast(&kl_socks, &st->hnode,
					    kl_ht_params);
	if (err) {
		if (err == -EEXIST)
			err = -EALREADY;
		goto unlock;
	}
	__module_get(THIS_MODULE);
	atomic_inc(&kl_nsocks);
	atomic_inc(&hook->nsocks);
	st->orig_prot = sk->sk_prot;
	st->orig_ops = sock->ops;
	WRITE_ONCE(sk->sk_prot, w);
	WRITE_ONCE(sock->ops, ow);
	release_sock(sk);
	return 0;
unlock:
	release_sock(sk);
	kfree(st);
	return err;
}

long kl_ioc_attach(void __user *arg)
{
	struct ktls_lua_attach a;
	struct kl_hook *hook;
	struct kl_vm *vm = NULL;
	struct socket *sock;
	char *msg = NULL;
	int err, bad_hookfd;

	if (copy_from_user(&a, arg, sizeof(a)))
		return -EFAULT;
	/* reserved fields fail before privilege, a bad hookfd after the socket */
	err = kl_check_attach(&a);
	if (err == -EINVAL)
		return err;
	bad_hookfd = err;
	if (!kl_unprivileged && !capable(CAP_NET_ADMIN))
		return -EPERM;
	sock = sockfd_lookup(a.sockfd, &err);
	if (!sock)
		return err;
	err = bad_hookfd;
	if (err)
		goto out;
	if (a.hookfd >= 0) {
		hook = kl_hook_from_fd(a.hookfd);
		if (IS_ERR(hook)) {
			err = PTR_ERR(hook);
			goto out;
		}
		vm = kl_hook_bind(hook, &msg);
		kfree(msg);
		if (IS_ERR(vm)) {
			kl_hook_put(hook);
			err = PTR_ERR(vm);
			goto out;
		}
	} else {
		hook = kl_hook_new(false, 1);
		if (!hook) {
			err = -ENOMEM;
			goto out;
		}
	}
	err = kl_attach(sock, hook, vm);
	if (err)
		kl_hook_put(hook);
out:
	sockfd_put(sock);
	return err;
}

int kl_sock_init(void)
{
	return rhashtable_init(&kl_socks, &kl_ht_params);
}

void kl_sock_exit(void)
{
	struct kl_ops_wrap *ow, *otmp;
	struct kl_wrap *w, *tmp;

	rcu_barrier();
	rhashtable_destroy(&kl_socks);
	list_for_each_entry_safe(w, tmp, &kl_wraps, node)
		kfree(w);
	list_for_each_entry_safe(ow, otmp, &kl_ops_wraps, node) {
		kfree(ow->ops);
		kfree(ow);
	}
}
