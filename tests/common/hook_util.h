/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers for the hook's guest tests. */
#ifndef TESTS_HOOK_UTIL_H
#define TESTS_HOOK_UTIL_H

#include <stddef.h>
#include "ktls_lua.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/* Attach fd with a private state, load script, set entry; 0 or -1. */
int hook_attach_script(int fd, const char *script, const char *entry);
/* Load a shared hook; the fd or -1 (message on stdout as a TAP comment). */
int hook_load(const char *script, const char *entry);
/* Line of /proc/ktls_lua for hook id (0: the private line); 0 or -1. */
struct hook_counters {
	unsigned long long states, sockets, calls, verdicts, errors, bytes,
		lua_ns, mem;
};
int hook_counters(unsigned int id, struct hook_counters *c);
/* Number of sockets attached now (all hooks). */
long hook_nsocks(void);
/* Write a module parameter of ktls_lua; 0 or -1. */
int hook_param(const char *name, const char *value);
/* A field of /proc/meminfo, in KiB, or -1. */
long meminfo_kb(const char *field);
/* Hook id of a hook fd (from /proc/self/fdinfo is not available: the
 * newest hook line instead); 0 if none. */
unsigned int hook_last_id(void);

#endif /* TESTS_HOOK_UTIL_H */
