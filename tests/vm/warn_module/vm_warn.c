// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose only job is to WARN when loaded: the guest runner must
 * report the warning and fail the run even though the command succeeds.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init vm_warn_init(void)
{
	WARN_ON(1);
	return 0;
}

static void __exit vm_warn_exit(void)
{
}

module_init(vm_warn_init);
module_exit(vm_warn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ktls-lua test: WARN_ON(1) at load time");
