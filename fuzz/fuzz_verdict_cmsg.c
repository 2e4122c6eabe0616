// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the decoding of the kernel's verdict control message in
 * libktlslua (lib/ktls_lua.c: ktls_lua_parse_verdict).  The input is a
 * control buffer as recvmsg() returns it; the kernel's one guarantee is
 * kept (every cmsg_len is at least a header and fits in what is left, as
 * put_cmsg truncates), everything else is free: levels, types, struct
 * tls_lua_verdict fields (file_len lying), truncation, order, padding.
 * Invariants: no read outside the buffer; the file is NUL-terminated,
 * shorter than TLS_LUA_FILE_MAX, and made of bytes of the message.
 */
#include "fuzz.h"
#include "../lib/ktls_lua.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = { data, size };
	unsigned int mode = fin_u8(&f);
	size_t n = f.n, off = 0;
	struct ktls_lua_verdict *v;
	struct msghdr msg;
	char *ctl;
	int rc;

	if (n > 8192)
		n = 8192;
	ctl = fin_dup(f.p, n);
	/* the kernel's guarantee: cmsg_len >= header, <= what is left */
	while (off + sizeof(struct cmsghdr) <= n) {
		struct cmsghdr *c = (struct cmsghdr *)(void *)(ctl + off);
		size_t left = n - off;

		if (c->cmsg_len < sizeof(*c))
			c->cmsg_len = sizeof(*c) + c->cmsg_len % 8;
		if (c->cmsg_len > left)
			c->cmsg_len = left;
		/* steer some messages to ours */
		if (mode & 1) {
			c->cmsg_level = SOL_TLS;
			c->cmsg_type = (mode & 2) ? TLS_LUA_VERDICT : c->cmsg_type;
		}
		off += CMSG_ALIGN(c->cmsg_len);
	}
	memset(&msg, 0, sizeof(msg));
	msg.msg_control = n ? ctl : NULL;
	msg.msg_controllen = n;
	v = malloc(sizeof(*v));
	if (!v)
		abort();
	memset(v, 0xa5, sizeof(*v));
	rc = ktls_lua_parse_verdict(&msg, (mode & 4) ? NULL : v);
	FUZZ_CHECK(rc == 0 || rc == 1);
	if (rc == 1 && !(mode & 4)) {
		size_t fl = strnlen(v->file, sizeof(v->file));

		FUZZ_CHECK(fl < TLS_LUA_FILE_MAX);
		if (fl)
			FUZZ_CHECK(memmem(ctl, n, v->file, fl) != NULL);
	}
	free(v);
	free(ctl);
	return 0;
}
