// SPDX-License-Identifier: GPL-2.0
/*
 * ktls_lua: hooks.  A shared hook is compiled once (KTLS_LUA_IOC_HOOK_LOAD,
 * which returns a hook fd) and any number of sockets attach to it.
 *
 * Concurrency model.  A Lua state runs one call at a time, so a shared hook
 * keeps a pool of states, one slot per possible CPU, each created on first
 * use by running the script in it.  A socket is bound, when it attaches, to
 * the slot of the CPU it attaches on, and keeps that slot (its conn table
 * lives in that state's registry).  Calls on sockets bound to one slot are
 * serialized by that slot's mutex; different slots run in parallel.  Cost:
 * up to one state (script globals and code, tens of KiB) per CPU, and
 * script globals are per slot, not shared between sockets of different
 * slots; per socket only its kl_sock (~200 B) and its conn table.  With
 * workers pinned to CPUs (SO_REUSEPORT) a slot is only ever contended by
 * one worker.  A private hook (the seed's model) has one state per socket.
 */
#include <linux/anon_inodes.h>
#include <linux/cpumask.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include "ktls_lua_compat.h"
#include "kl.h"
#include "kl_decode.h"

struct kl_stats __percpu *kl_private_stats;

static LIST_HEAD(kl_hooks);
static DEFINE_MUTEX(kl_hooks_lock);
static DEFINE_IDA(kl_hook_ida);

static const struct file_operations kl_hook_fops;

struct kl_hook *kl_hook_new(bool shared, unsigned int npool)
{
	struct kl_hook *hook;

	hook = kzalloc(struct_size(hook, pool, npool), GFP_KERNEL);
	if (!hook)
		return NULL;
	kref_init(&hook->ref);
	INIT_LIST_HEAD(&hook->node);
	mutex_init(&hook->pool_lock);
	hook->shared = shared;
	hook->npool = npool;
	strscpy(hook->name, "socket", sizeof(hook->name));
	if (shared) {
		hook->stats = alloc_percpu(struct kl_stats);
		if (!hook->stats) {
			kfree(hook);
			return NULL;
		}
	}
	return hook;
}

static void kl_hook_release(struct kref *ref)
{
	struct kl_hook *hook = container_of(ref, struct kl_hook, ref);
	unsigned int i;

	if (hook->id) {
		mutex_lock(&kl_hooks_lock);
		list_del(&hook->node);
		mutex_unlock(&kl_hooks_lock);
		ida_free(&kl_hook_ida, hook->id);
	}
	for (i = 0; i < hook->npool; i++)
		if (hook->pool[i])
			kl_vm_destroy(hook->pool[i]);
	kvfree(hook->script);
	free_percpu(hook->stats);
	kfree(hook);
}

void kl_hook_put(struct kl_hook *hook)
{
	kref_put(&hook->ref, kl_hook_release);
}

static int kl_hook_fd_release(struct inode *inode, struct file *file)
{
	kl_hook_put(file->private_data);
	return 0;
}

static const struct file_operations kl_hook_fops = {
	.owner = THIS_MODULE,
	.release = kl_hook_fd_release,
	.llseek = noop_llseek,
};

struct kl_hook *kl_hook_from_fd(int fd)
{
	struct kl_hook *hook;
	struct fd f = fdget(fd);

	if (!fd_file(f))
		return ERR_PTR(-EBADF);
	if (fd_file(f)->f_op != &kl_hook_fops) {
		fdput(f);
		return ERR_PTR(-EINVAL);
	}
	hook = fd_file(f)->private_data;
	kref_get(&hook->ref);
	fdput(f);
	return hook;
}

/* A new state with the hook's script run in it. */
static struct kl_vm *kl_hook_vm(struct kl_hook *hook, char **msg)
{
	struct kl_vm *vm;
	int err;

	vm = kl_vm_create(hook->mem_limit, hook->instr_limit);
	if (IS_ERR(vm))
		return vm;
	err = kl_vm_run_chunk(vm, hook->script, hook->script_len, hook->name,
			      msg);
	if (err) {
		kl_vm_destroy(vm);
		return ERR_PTR(err);
	}
	return vm;
}

/* The pool slot for a socket attaching now on this CPU. */
struct kl_vm *kl_hook_bind(struct kl_hook *hook, char **msg)
{
	unsigned int slot = raw_smp_processor_id() % hook->npool;
	struct kl_vm *vm;

	mutex_lock(&hook->pool_lock);
	vm = hook->pool[slot];
	if (!vm) {
		vm = kl_hook_vm(hook, msg);
		if (!IS_ERR(vm))
			hook->pool[slot] = vm;
	}
	mutex_unlock(&hook->pool_lock);
	return vm;
}

int kl_hook_private_load(struct kl_hook *hook, const char *buf, size_t len,
			 char **msg)
{
	struct kl_vm *vm;
	int err;

	mutex_lock(&hook->pool_lock);
	vm = hook->pool[0];
	if (!vm) {
		vm = kl_vm_create(hook->mem_limit, hook->instr_limit);
		if (IS_ERR(vm)) {
			mutex_unlock(&hook->pool_lock);
			return PTR_ERR(vm);
		}
		hook->pool[0] = vm;
	}
	err = kl_vm_run_chunk(vm, buf, len, "script", msg);
	mutex_unlock(&hook->pool_lock);
	return err;
}

long kl_ioc_hook_load(void __user *arg)
{
	struct ktls_lua_hook_load *a;
	struct kl_hook *hook;
	struct kl_vm *vm;
	char *msg = NULL;
	long ret;

	if (!kl_unprivileged && !capable(CAP_NET_ADMIN))
		return -EPERM;
	a = memdup_user(arg, sizeof(*a));
	if (IS_ERR(a))
		return PTR_ERR(a);
	ret = kl_check_hook_load(a, kl_max_script);
	if (ret)
		goto out_a;

	ret = -ENOMEM;
	hook = kl_hook_new(true, num_possible_cpus());
	if (!hook)
		goto out_a;
	strscpy(hook->entry, a->entry, sizeof(hook->entry));
	if (a->name[0])
		strscpy(hook->name, a->name, sizeof(hook->name));
	else
		strscpy(hook->name, "hook", sizeof(hook->name));
	hook->mem_limit = a->mem_limit;
	hook->instr_limit = a->instr_limit;
	hook->script = kvmalloc(a->script_len, GFP_KERNEL);
	if (!hook->script)
		goto out_hook;
	hook->script_len = a->script_len;
	ret = -EFAULT;
	if (copy_from_user(hook->script, u64_to_user_ptr(a->script),
			   a->script_len))
		goto out_hook;
	hook->script_len = kl_script_len(hook->script, hook->script_len);

	/* Compile now, so errors come back from this call. */
	vm = kl_hook_bind(hook, &msg);
	if (IS_ERR(vm)) {
		ret = PTR_ERR(vm);
		if (msg && a->errbuf && a->errbuf_len) {
			size_t n = min_t(size_t, strlen(msg) + 1, a->errbuf_len);

			msg[n - 1] = 0;
			if (copy_to_user(u64_to_user_ptr(a->errbuf), msg, n))
				ret = -EFAULT;
		}
		goto out_hook;
	}
	ret = ida_alloc_min(&kl_hook_ida, 1, GFP_KERNEL);
	if (ret < 0)
		goto out_hook;
	mutex_lock(&kl_hooks_lock);
	hook->id = ret;
	list_add_tail(&hook->node, &kl_hooks);
	mutex_unlock(&kl_hooks_lock);

	ret = anon_inode_getfd("ktls_lua_hook", &kl_hook_fops, hook,
			       O_RDWR | O_CLOEXEC);
	if (ret < 0)
		goto out_hook;
	goto out_a;
out_hook:
	kl_hook_put(hook);
out_a:
	kfree(msg);
	kfree(a);
	return ret;
}

static void kl_stats_sum(struct kl_stats __percpu *pcpu, struct kl_stats *s)
{
	int cpu;

	memset(s, 0, sizeof(*s));
	for_each_possible_cpu(cpu) {
		const struct kl_stats *c = per_cpu_ptr(pcpu, cpu);

		s->calls += READ_ONCE(c->calls);
		s->verdicts += READ_ONCE(c->verdicts);
		s->errors += READ_ONCE(c->errors);
		s->bytes += READ_ONCE(c->bytes);
		s->lua_ns += READ_ONCE(c->lua_ns);
	}
}

static void kl_show_line(struct seq_file *m, u32 id, const char *name,
			 unsigned int states, int socks,
			 struct kl_stats __percpu *pcpu, size_t mem)
{
	struct kl_stats s;

	kl_stats_sum(pcpu, &s);
	seq_printf(m, "%u ", id);
	/* a name is any bytes: keep one hook on one line of space-separated fields */
	seq_escape(m, name, " \t\n\\");
	seq_printf(m, " %u %d %llu %llu %llu %llu %llu %zu\n", states, socks,
		   s.calls, s.verdicts, s.errors, s.bytes, s.lua_ns, mem);
}

/*
 * /proc/ktls_lua: one line per shared hook, and line 0 for all private
 * states together:
 * id name states sockets calls verdicts errors bytes lua_ns mem_bytes
 */
void kl_hooks_show(struct seq_file *m)
{
	struct kl_hook *hook;
	unsigned int i, n;
	size_t mem;

	seq_puts(m, "id name states sockets calls verdicts errors bytes lua_ns mem_bytes\n");
	kl_show_line(m, 0, "private", 0, atomic_read(&kl_nsocks),
		     kl_private_stats, 0);
	mutex_lock(&kl_hooks_lock);
	list_for_each_entry(hook, &kl_hooks, node) {
		mem = 0;
		n = 0;
		mutex_lock(&hook->pool_lock);
		for (i = 0; i < hook->npool; i++) {
			if (!hook->pool[i])
				continue;
			n++;
			mem += kl_vm_mem(hook->pool[i]);
		}
		mutex_unlock(&hook->pool_lock);
		kl_show_line(m, hook->id, hook->name, n,
			     atomic_read(&hook->nsocks), hook->stats, mem);
	}
	mutex_unlock(&kl_hooks_lock);
}

int kl_hook_init(void)
{
	kl_private_stats = alloc_percpu(struct kl_stats);
	return kl_private_stats ? 0 : -ENOMEM;
}

void kl_hook_exit(void)
{
	free_percpu(kl_private_stats);
	ida_destroy(&kl_hook_ida);
}
