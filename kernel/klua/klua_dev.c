// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/klua: run a chunk in a fresh state for the klua command
 * (include/uapi/linux/klua.h).
 */
#define pr_fmt(fmt) "klua: " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/capability.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/ktime.h>
#include <linux/string.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/klua.h>

#include "klua_lua.h"
#include "klua_internal.h"

struct klua_out {
	char *buf;
	size_t len;
	size_t cap;
	size_t size;
	bool truncated;
};

/* the buffer grows on demand, up to the size the caller gave */
static void klua_out_write(void *ctx, const char *s, size_t len)
{
	struct klua_out *o = ctx;
	size_t room = o->size - o->len;

	if (len > room) {
		len = room;
		o->truncated = true;
	}
	if (o->len + len > o->cap) {
		size_t cap = max3(o->cap * 2, o->len + len, (size_t)4096);
		char *nb;

		cap = min(cap, o->size);
		nb = kvmalloc(cap, GFP_KERNEL_ACCOUNT);
		if (!nb) {
			o->truncated = true;
			return;
		}
		if (o->len)
			memcpy(nb, o->buf, o->len);
		kvfree(o->buf);
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, len);
	o->len += len;
}

struct klua_job {
	struct klua_run run;
	struct klua_state *ks;
	char *script;
	char *args;
	char chunkname[256];
	char argv0[256];
	int status;
};

/* protected: arg table, call the chunk, print its results */
static int klua_job_call(lua_State *L)
{
	struct klua_job *job = lua_touserdata(L, 1);
	struct klua_state *ks = job->ks;
	const char *a = job->args;
	int i, n;

	lua_remove(L, 1);	/* the chunk is now at 1 */
	lua_createtable(L, job->run.nargs, 1);
	lua_pushstring(L, job->argv0);
	lua_rawseti(L, -2, 0);
	for (i = 1; i <= (int)job->run.nargs; i++) {
		lua_pushstring(L, a);
		lua_rawseti(L, -2, i);
		a += strlen(a) + 1;
	}
	lua_setglobal(L, "arg");
	a = job->args;
	luaL_checkstack(L, job->run.nargs + 1, "too many arguments");
	for (i = 0; i < (int)job->run.nargs; i++) {
		lua_pushstring(L, a);
		a += strlen(a) + 1;
	}
	lua_call(L, job->run.nargs, LUA_MULTRET);
	n = lua_gettop(L);
	if (n > 0 && (job->run.flags & KLUA_RUN_RETURNS) && ks->print) {
		size_t len;
		const char *s;

		luaL_checkstack(L, 3, "too many results");
		s = klua_push_line(L, n, &len);
		ks->print(ks->print_ctx, s, len);
	}
	return 0;
}

static void klua_job_run(struct klua_job *job)
{
	lua_State *L = klua_lua(job->ks);
	u64 start;
	int status;

	status = klua_load(job->ks, job->script, job->run.script_len,
			   job->chunkname);
	if (status == LUA_OK) {
		lua_pushcfunction(L, klua_job_call);
		lua_insert(L, -2);
		lua_pushlightuserdata(L, job);
		lua_insert(L, -2);
		start = ktime_get_ns();
		status = klua_pcall(job->ks, 2, 0);
		job->run.run_ns = ktime_get_ns() - start;
	}
	job->status = status;
	job->run.instructions_used = job->ks->budget - job->ks->budget_left;
}

/*
 * Stack measurement: fill the unused part of the task stack with a
 * pattern before the run, find the lowest byte overwritten after it.
 */
#define KLUA_STACK_PAINT 0x6b
#define KLUA_STACK_SKIP 64	/* the end-of-stack magic lives there */

static noinline void klua_stack_paint(void)
{
	char *base = task_stack_page(current);
	char *sp = __builtin_frame_address(0);

	if (sp - base < 1024 || sp - base >= THREAD_SIZE)
		return;
	memset(base + KLUA_STACK_SKIP, KLUA_STACK_PAINT,
	       sp - 512 - (base + KLUA_STACK_SKIP));
}

static unsigned int klua_stack_unused(void)
{
	char *base = task_stack_page(current);
	char *p = base + KLUA_STACK_SKIP;
	char *end = base + THREAD_SIZE;

	while (p < end && *p == KLUA_STACK_PAINT)
		p++;
	return p - base;
}

/* tests: run the job with 'pad' bytes of kernel stack already in use */
static noinline void klua_job_padded(struct klua_job *job, unsigned int pad)
{
	char burn[512];

	if (pad < sizeof(burn)) {
		klua_job_run(job);
		return;
	}
	memset(burn, 0, sizeof(burn));
	barrier_data(burn);
	klua_job_padded(job, pad - sizeof(burn));
	barrier_data(burn);
}

static int klua_copy_str(char *dst, size_t size, u64 uptr, const char *dflt)
{
	long n;

	if (!uptr) {
		strscpy(dst, dflt, size);
		return 0;
	}
	n = strncpy_from_user(dst, u64_to_user_ptr(uptr), size);
	if (n < 0)
		return n;
	if (n == size)
		return -EINVAL;
	return 0;
}

static long klua_ioc_run(struct klua_run __user *uarg)
{
	struct klua_limits limits = {};
	struct klua_out out = {};
	struct klua_job *job;
	lua_State *L;
	long ret;
	u32 i;

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(&job->run, uarg, sizeof(job->run)))
		goto out_job;
	ret = -EINVAL;
	if (job->run.flags & ~KLUA_RUN_RETURNS ||
	    job->run.stack_pad > KLUA_MAX_STACK_PAD)
		goto out_job;
	ret = -E2BIG;
	if (job->run.script_len > READ_ONCE(klua_param_max_script) ||
	    job->run.args_len > READ_ONCE(klua_param_max_script))
		goto out_job;
	ret = klua_copy_str(job->chunkname, sizeof(job->chunkname),
			    job->run.chunkname, "=(klua)");
	if (ret)
		goto out_job;
	ret = klua_copy_str(job->argv0, sizeof(job->argv0), job->run.argv0,
			    "klua");
	if (ret)
		goto out_job;

	/* the arguments must hold nargs NUL-terminated strings */
	job->args = vmemdup_user(u64_to_user_ptr(job->run.args),
				 job->run.args_len);
	if (IS_ERR(job->args)) {
		ret = PTR_ERR(job->args);
		job->args = NULL;
		goto out_job;
	}
	{
		size_t off = 0;

		ret = -EINVAL;
		for (i = 0; i < job->run.nargs; i++) {
			char *z = memchr(job->args + off, 0,
					 job->run.args_len - off);

			if (!z)
				goto out_job;
			off = z - job->args + 1;
		}
	}
	job->script = vmemdup_user(u64_to_user_ptr(job->run.script),
				   job->run.script_len);
	if (IS_ERR(job->script)) {
		ret = PTR_ERR(job->script);
		job->script = NULL;
		goto out_job;
	}

	out.size = min_t(u64, job->run.out_len, KLUA_MAX_OUT);
	ret = -ENOMEM;

	limits.mem_bytes = job->run.mem_limit;
	limits.instructions = job->run.instructions;
	job->ks = klua_create(&limits, klua_out_write, &out);
	if (!job->ks)
		goto out_buf;
	L = klua_lua(job->ks);
	job->run.mem_fresh = klua_mem_used(job->ks);
	job->ks->mem_peak = job->run.mem_fresh;

	if (job->run.script_len > 0 && job->script[0] == LUA_SIGNATURE[0]) {
		job->status = LUA_ERRSYNTAX;
		lua_pushliteral(L, "attempt to load a binary chunk (klua loads text only)");
		ret = -ENOEXEC;
	} else {
		klua_stack_paint();
		klua_job_padded(job, job->run.stack_pad);
		job->run.stack_min_left = klua_stack_unused();
		ret = 0;
	}

	job->run.status = job->status;
	if (job->status != LUA_OK) {
		size_t len = 0;
		const char *msg = lua_tolstring(L, -1, &len);
		size_t n;

		if (!msg)
			msg = "(error object is not a string)";
		n = min_t(size_t, len, job->run.err_len ?
			  job->run.err_len - 1 : 0);
		if (job->run.err_len &&
		    (copy_to_user(u64_to_user_ptr(job->run.err), msg, n) ||
		     put_user(0, (char __user *)u64_to_user_ptr(job->run.err) + n)))
			ret = -EFAULT;
		job->run.err_len = len;
	} else {
		job->run.err_len = 0;
	}
	lua_settop(L, 0);
	lua_gc(L, LUA_GCCOLLECT);
	job->run.mem_after = klua_mem_used(job->ks);
	job->run.mem_peak = klua_mem_peak(job->ks);
	klua_destroy(job->ks);

	if (out.len && copy_to_user(u64_to_user_ptr(job->run.out), out.buf,
				    out.len))
		ret = -EFAULT;
	job->run.out_len = out.len;
	job->run.result_flags = out.truncated ? KLUA_OUT_TRUNCATED : 0;
	if (copy_to_user(uarg, &job->run, sizeof(job->run)))
		ret = -EFAULT;
out_buf:
	kvfree(out.buf);
out_job:
	kvfree(job->script);
	kvfree(job->args);
	kfree(job);
	return ret;
}

static long klua_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case KLUA_IOC_RUN:
		return klua_ioc_run((struct klua_run __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int klua_dev_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

static const struct file_operations klua_fops = {
	.owner = THIS_MODULE,
	.open = klua_dev_open,
	.unlocked_ioctl = klua_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice klua_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "klua",
	.fops = &klua_fops,
	.mode = 0600,
};

int klua_dev_init(void)
{
	return misc_register(&klua_misc);
}

void klua_dev_exit(void)
{
	misc_deregister(&klua_misc);
}
