// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "hook_util.h"

int hook_attach_script(int fd, const char *script, const char *entry)
{
	if (ktls_lua_attach(fd) < 0)
		return -1;
	if (script && ktls_lua_load_script(fd, script, strlen(script)) < 0)
		return -1;
	if (entry && ktls_lua_set_entry(fd, entry) < 0)
		return -1;
	return 0;
}

int hook_load(const char *script, const char *entry)
{
	char err[256] = "";
	struct ktls_lua_hook_opts o = {
		.entry = entry, .errbuf = err, .errbuf_len = sizeof(err),
	};
	int fd = ktls_lua_hook_load(script, strlen(script), &o);

	if (fd < 0)
		printf("# hook_load: %s: %s\n", strerror(errno), err);
	return fd;
}

int hook_counters(unsigned int id, struct hook_counters *c)
{
	FILE *f = fopen("/proc/ktls_lua", "re");
	char line[512], name[64];
	unsigned int i;
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%u %63s %llu %llu %llu %llu %llu %llu %llu %llu",
			   &i, name, &c->states, &c->sockets, &c->calls,
			   &c->verdicts, &c->errors, &c->bytes, &c->lua_ns,
			   &c->mem) == 10 && i == id) {
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

unsigned int hook_last_id(void)
{
	FILE *f = fopen("/proc/ktls_lua", "re");
	char line[512];
	unsigned int i, last = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%u ", &i) == 1 && i > last)
			last = i;
	fclose(f);
	return last;
}

long hook_nsocks(void)
{
	struct hook_counters c;

	if (hook_counters(0, &c))
		return -1;
	return (long)c.sockets;
}

int hook_param(const char *name, const char *value)
{
	char path[128];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "/sys/module/ktls_lua/parameters/%s", name);
	f = fopen(path, "we");
	if (!f)
		return -1;
	rc = fputs(value, f) < 0 ? -1 : 0;
	if (fclose(f))
		rc = -1;
	return rc;
}

long meminfo_kb(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	size_t n = strlen(field);
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			sscanf(line + n + 1, "%ld", &v);
			break;
		}
	fclose(f);
	return v;
}
