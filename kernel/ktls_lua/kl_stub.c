// SPDX-License-Identifier: GPL-2.0
/*
 * ktls_lua: a stand-in for the Lua glue, for work on the socket side
 * without klua (KL_STUB=1).  Its "entry function" returns 200, "/stub"
 * when the bytes contain an empty line, and nothing otherwise.
 */
#include <linux/err.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kl.h"

struct kl_vm {
	struct mutex lock;
	int next_ref;
};

struct kl_vm *kl_vm_create(u64 mem_limit, u64 instr_limit)
{
	struct kl_vm *vm = kzalloc(sizeof(*vm), GFP_KERNEL);

	if (!vm)
		return ERR_PTR(-ENOMEM);
	mutex_init(&vm->lock);
	return vm;
}

void kl_vm_destroy(struct kl_vm *vm)
{
	kfree(vm);
}

int kl_vm_run_chunk(struct kl_vm *vm, const char *buf, size_t len,
		    const char *name, char **msg)
{
	if (strnstr(buf, "syntaxerror", len)) {
		*msg = kasprintf(GFP_KERNEL, "%s:1: syntax error", name);
		return -EINVAL;
	}
	return 0;
}

int kl_vm_call(struct kl_vm *vm, const char *entry, int *conn_ref,
	       const void *data, size_t len, struct kl_result *res)
{
	mutex_lock(&vm->lock);
	if (*conn_ref < 0)
		*conn_ref = vm->next_ref++;
	mutex_unlock(&vm->lock);
	if (strnstr(data, "\r\n\r\n", len)) {
		res->n = 1;
		res->v[0].code = 200;
		res->v[0].file = kstrdup("/stub", GFP_KERNEL);
		res->v[0].file_len = res->v[0].file ? 5 : 0;
	}
	return 0;
}

void kl_result_free(struct kl_result *res)
{
	unsigned int i;

	for (i = 0; i < res->n; i++)
		kfree(res->v[i].file);
	res->n = 0;
}

void kl_vm_conn_free(struct kl_vm *vm, int conn_ref)
{
}

size_t kl_vm_mem(struct kl_vm *vm)
{
	return 0;
}
