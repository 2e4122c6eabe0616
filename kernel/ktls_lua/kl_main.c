// SPDX-License-Identifier: GPL-2.0
/*
 * ktls_lua: a Lua hook on the stock kernel TLS receive path.
 *
 * /dev/ktls_lua takes two ioctls: KTLS_LUA_IOC_ATTACH (attach a kTLS
 * socket, to a private state or to a shared hook) and
 * KTLS_LUA_IOC_HOOK_LOAD (compile a script once into a shared hook; the
 * hook is an fd).  /proc/ktls_lua shows the counters.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "kl.h"

unsigned int kl_max_script = 1 << 20;
module_param_named(max_script, kl_max_script, uint, 0644);
MODULE_PARM_DESC(max_script, "Largest script, bytes (default 1 MiB)");

bool kl_unprivileged;
module_param_named(unprivileged, kl_unprivileged, bool, 0644);
MODULE_PARM_DESC(unprivileged,
		 "Let users without CAP_NET_ADMIN attach their own sockets");

unsigned int kl_read_max = 64 << 10;
static int kl_set_read_max(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (v < 4096 || v > (16 << 20))
		return -EINVAL;
	WRITE_ONCE(kl_read_max, v);
	return 0;
}

static const struct kernel_param_ops kl_read_max_ops = {
	.set = kl_set_read_max,
	.get = param_get_uint,
};
module_param_cb(read_max, &kl_read_max_ops, &kl_read_max, 0644);
MODULE_PARM_DESC(read_max,
		 "Largest hooked read per call of tls recvmsg, bytes (64 KiB)");

static long kl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case KTLS_LUA_IOC_ATTACH:
		return kl_ioc_attach((void __user *)arg);
	case KTLS_LUA_IOC_HOOK_LOAD:
		return kl_ioc_hook_load((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kl_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = kl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice kl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ktls_lua",
	.fops = &kl_dev_fops,
	.mode = 0666,
};

static int kl_proc_show(struct seq_file *m, void *v)
{
	kl_hooks_show(m);
	return 0;
}

static int __init kl_init(void)
{
	int err;

	err = kl_hook_init();
	if (err)
		return err;
	err = kl_sock_init();
	if (err)
		goto out_hook;
	if (!proc_create_single("ktls_lua", 0444, NULL, kl_proc_show)) {
		err = -ENOMEM;
		goto out_sock;
	}
	err = misc_register(&kl_dev);
	if (err)
		goto out_proc;
	return 0;
out_proc:
	remove_proc_entry("ktls_lua", NULL);
out_sock:
	kl_sock_exit();
out_hook:
	kl_hook_exit();
	return err;
}

static void __exit kl_exit(void)
{
	misc_deregister(&kl_dev);
	remove_proc_entry("ktls_lua", NULL);
	kl_sock_exit();
	kl_hook_exit();
}

module_init(kl_init);
module_exit(kl_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lua hook on the kernel TLS receive path");
MODULE_SOFTDEP("pre: tls klua");
