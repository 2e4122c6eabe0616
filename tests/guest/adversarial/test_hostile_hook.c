// SPDX-License-Identifier: GPL-2.0
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
/*
 * Hostile scripts through the hook (issue 7): every recursion path, memory
 * bombs, string.rep giants, endless loops and coroutines, errors in __gc,
 * catastrophic backtracking, bad return values.  Each runs where the
 * kernel stack is deepest, inside recvmsg on a kTLS socket (the entry
 * function's body), with a private state at the module's default limits
 * and with a shared hook at tight limits; and at load time (the chunk's
 * top level: TLS_LUA_LOADSCRIPT and KTLS_LUA_IOC_HOOK_LOAD).  Each must end
 * with an error (the read still returns the bytes, the verdict is the error
 * code with TLS_LUA_VERDICT_ERROR, TLS_LUA_ERRMSG says why), the
 * connection stays usable, closing is quick, and afterwards no socket is
 * left attached and kernel memory is back to its baseline.  The kernel
 * staying clean (no Oops/WARN) is checked by vm/run.
 */
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "common/tls_pair.h"
#include "common/hook_util.h"
#include "adv.h"

#define ANY	"."		/* an error is not required (may succeed) */
#define F_LOAD	0x1		/* top level only (not inside the entry) */
#define F_ENTRY	0x2		/* inside the entry only */
/*
 * Known to lock a CPU up in the kernel (soft lockup, the process cannot be
 * killed): reported "not ok" without running it, or the whole guest suite
 * would hang; KTLS_ADV_LOCKUPS=1 runs it.  docs/hardening-findings.md F2.
 */
#define F_LOCKUP 0x4
/* Also with a private state at the module's default limits and at load
 * (the others run once, in recvmsg on a shared hook: the suite's time). */
#define F_ALL	0x8

struct hcase {
	const char *name;
	const char *expect;	/* ERE on the error message (case-insensitive) */
	const char *body;
	unsigned int flags;
};

/* a recursion ends at the C stack bound or at the memory cap */
#define STACK "stack overflow|C stack|too many C levels|error in error handling|not enough memory"
#define MEM "not enough memory|too large|overflow|budget"
#define BUDGET "budget|instruction"

static const struct hcase cases[] = {
	{ "pcall nest", STACK "|not enough memory",
	  "local function f() local ok, e = pcall(f) if not ok then error(e, 0) end end f()" , F_ALL },
	{ "xpcall nest", STACK "|not enough memory",
	  "local function f() local ok, e = xpcall(f, function(m) return m end)\n"
	  "if not ok then error(e, 0) end end f()" },
	{ "xpcall handler recursion", STACK "|" BUDGET,
	  "local function h(m) return select(2, xpcall(error, h)) end\n"
	  "error(select(2, xpcall(error, h)), 0)" },
	{ "gsub with function", STACK,
	  "local function f(s) return (s:gsub('.', f)) end f('aaaa')" , F_ALL },
	{ "__tostring in format", STACK,
	  "local mt = {} mt.__tostring = function(t) return string.format('%s', t) end\n"
	  "return tostring(setmetatable({}, mt))" },
	{ "__index in concat", STACK,
	  "local t t = setmetatable({}, {__index = function(_, k) return table.concat(t, ',', 1, 2) end})\n"
	  "return table.concat(t, ',', 1, 2)" },
	{ "__index chain", STACK,
	  "local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x" },
	{ "__eq recursion", STACK,
	  "local mt = {} mt.__eq = function(a, b) return a == b end\n"
	  "return setmetatable({}, mt) == setmetatable({}, mt)" },
	{ "sort comparator", STACK "|invalid order",
	  "local function cmp(a, b) table.sort({3, 2, 1, F_ALL }, cmp) return a < b end table.sort({3, 2, 1}, cmp)" },
	/* the message nests a prefix per level: the reason may be cut off */
	{ "coroutines in coroutines (wrap)", STACK "|not enough memory|hostile:|script:",
	  "local function f() return coroutine.wrap(f)() end f()" },
	{ "coroutines in coroutines (resume)", STACK "|not enough memory",
	  "local function f() local ok, e = coroutine.resume(coroutine.create(f)) error(e, 0) end f()" , F_ALL },
	{ "Lua recursion", STACK "|not enough memory",
	  "local function f(n) return 1 + f(n + 1) end f(1)" },
	{ "load recursion", STACK "|not enough memory|" BUDGET,
	  "function g() return load('return g()')() end g()" },
	{ "memory bomb: table", MEM,
	  "local t = {} for i = 1, 1000000000 do t[i] = i end" , F_ALL },
	{ "memory bomb: strings", MEM,
	  "local t = {} for i = 1, 1000000000 do t[i] = string.rep('x', 1000) .. i end" },
	{ "memory bomb: concat doubling", MEM,
	  "local s = 'x' for i = 1, 64 do s = s .. s end" },
	{ "string.rep giant", MEM, "return #string.rep('x', 1 << 40)" , F_ALL },
	{ "string.rep giant with separator", MEM, "return #string.rep('ab', 1 << 30, 'cd')" },
	{ "string.format giant", MEM,
	  "return string.format('%s%s', string.rep('x', 1 << 29), string.rep('y', 1 << 29))" },
	{ "table.concat giant", MEM,
	  "local t = {} for i = 1, 64 do t[i] = string.rep('z', 1 << 20) end\n"
	  "local u = {} for i = 1, 1000 do u[i] = table.concat(t) end" },
	{ "endless loop", BUDGET, "while true do end" , F_ALL },
	{ "endless loop in a coroutine", BUDGET,
	  "local ok, e = coroutine.resume(coroutine.create(function() while true do end end))\n"
	  "error(e, 0)" },
	{ "endless coroutine ping-pong", BUDGET,
	  "local co = coroutine.wrap(function() while true do coroutine.yield() end end)\n"
	  "while true do co() end" },
	{ "endless coroutine creation", BUDGET "|not enough memory",
	  "while true do coroutine.resume(coroutine.create(function() while true do end end)) end" },
	/* locked a CPU up before klua c1d84a6 (docs/hardening-findings.md F2) */
	{ "endless error handler", BUDGET,
	  "xpcall(error, function(m) while true do end end) while true do end" },
	{ "endless error handler, its result returned", BUDGET "|boolean|integer",
	  "return xpcall(error, function(m) while true do end end)" },
	{ "endless __close", BUDGET,
	  "do local x <close> = setmetatable({}, {__close = function() while true do end end}) end" },
	{ "endless __gc at collect", BUDGET,
	  "setmetatable({}, {__gc = function() while true do end end}) collectgarbage()" },
	{ "error in __gc", ANY,
	  "setmetatable({}, {__gc = function() error('in gc') end}) collectgarbage() return 200, '/gc'" },
	{ "endless __gc left for close", ANY,
	  "gcx = setmetatable({}, {__gc = function() while true do end end}) return 0" },
	{ "error object with endless __tostring", ".",
	  "error(setmetatable({}, {__tostring = function() while true do end end}))" },
	{ "error object is a table", "table|error object",
	  "error({})" },
	{ "catastrophic backtracking: find", BUDGET "|too complex",
	  "return string.find(string.rep('a', 100000), string.rep('a-', 30) .. 'b')" },
	{ "catastrophic backtracking: gsub", BUDGET "|too complex",
	  "return string.gsub(string.rep('a', 5000), 'a-a-a-a-a-a-b', 'x')" },
	{ "pattern too complex", "too complex|" BUDGET "|" STACK,
	  "return string.find(string.rep('a', 10000), string.rep('a?', 10000))" },
	{ "endless gmatch", BUDGET,
	  "for w in string.gmatch(string.rep('x', 1000), '()') do local _ = w end while true do end" },
	{ "conn table with endless __index", BUDGET,
	  "setmetatable(conn, {__index = function() while true do end end}) return conn.x" },
	{ "yield outside a coroutine", "yield|outside|coroutine", "coroutine.yield(1)" },
	{ "float arithmetic", "float|integer", "local a = 7 return a / 2" , F_ALL },
	{ "code is not an integer", "integer|code|number|verdict|string",
	  "return 'abc', {}" , F_ENTRY },
	{ "huge verdict file", ANY, "return 200, string.rep('a', 100000)" , F_ENTRY },
	{ "twenty verdicts", ANY,
	  "return 200,'/a',200,'/b',200,'/c',200,'/d',200,'/e',200,'/f',200,'/g',200,'/h',"
	  "200,'/i',200,'/j',200,'/k',200,'/l',200,'/m',200,'/n',200,'/o',200,'/p'" , F_ENTRY },
	{ "negative and huge codes", ANY, "return math.mininteger, '/x'" , F_ENTRY },
	{ "deeply nested source", ".", NULL, F_LOAD },
	{ "deeply nested tables", ".", NULL, F_LOAD },
	{ "binary chunk", "binary|text|attempt|syntax|chunk",
	  "\x1bLuaT\x01\x19\x93\r\n\x1a\n\x04\x08\x08xV", F_LOAD },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* The text of case i at the top level (for_load) or inside recv. */
static char *case_source(const struct hcase *c, int for_load)
{
	size_t n = 100000, len;
	char *s;

	if (!c->body) {
		const int tables = !strcmp(c->name, "deeply nested tables");

		s = malloc(2 * n + 64);
		if (!s)
			return NULL;
		len = (size_t)sprintf(s, "return ");
		memset(s + len, tables ? '{' : '(', n);
		len += n;
		s[len++] = '1';
		memset(s + len, tables ? '}' : ')', n);
		len += n;
		s[len] = '\0';
		return s;
	}
	if (for_load)
		return strdup(c->body);
	len = strlen(c->body) + 128;
	s = malloc(len);
	if (s)
		snprintf(s, len, "function recv(data, conn)\n%s\nend\n", c->body);
	return s;
}

static int matches(const char *re, const char *msg)
{
	regex_t r;
	int m;

	if (regcomp(&r, re, REG_EXTENDED | REG_ICASE | REG_NOSUB))
		return 0;
	m = !regexec(&r, msg, 0, NULL, 0);
	regfree(&r);
	return m;
}

/* Child: report one line "1 detail" or "0 detail" on fd. */
static void report(int fd, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(int fd, int ok, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	int n = snprintf(line, sizeof(line), "%d ", ok);

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (write(fd, line, strlen(line)) < 0)
		_exit(3);
	_exit(0);
}

/* Inside recvmsg: shared (tight limits) or private (module defaults). */
static void run_entry(int out, const struct hcase *c, int shared)
{
	struct ktls_lua_hook_opts o = {
		.entry = "recv", .name = "hostile",
		.mem_limit = 2 << 20, .instr_limit = 300000,
	};
	struct ktls_lua_verdict v;
	struct tls_pair p;
	char errbuf[256] = "", msg[TLS_LUA_ERRMSG_MAX] = "", buf[64];
	char *src = case_source(c, 0);
	int hook = -1, err = 0;
	unsigned char rt;
	ssize_t n;
	long long t0;

	o.errbuf = errbuf;
	o.errbuf_len = sizeof(errbuf);
	if (!src)
		report(out, 0, "out of memory");
	if (tls_pair_open(&p, NULL))
		report(out, 0, "tls_pair_open: %s", p.err);
	if (shared) {
		hook = ktls_lua_hook_load(src, strlen(src), &o);
		if (hook < 0)
			report(out, 0, "hook load of a valid chunk: %s: %s",
			       strerror(errno), errbuf);
		if (ktls_lua_attach_hook(p.srv, hook))
			report(out, 0, "attach: %s", strerror(errno));
	} else if (hook_attach_script(p.srv, src, "recv")) {
		report(out, 0, "private attach/load: %s", strerror(errno));
	}
	if (send_all(p.cli, "hello", 5))
		report(out, 0, "send: %s", strerror(errno));
	n = ktls_lua_recv(p.srv, buf, sizeof(buf), 0, &v, &rt);
	if (n != 5 || memcmp(buf, "hello", 5))
		report(out, 0, "the read returned %zd (%s), not the 5 bytes sent", n,
		       n < 0 ? strerror(errno) : "short");
	if (ktls_lua_get_error(p.srv, &err, msg, sizeof(msg)))
		report(out, 0, "TLS_LUA_ERRNO: %s", strerror(errno));
	if (strcmp(c->expect, ANY)) {
		if (!v.code || !(v.flags & TLS_LUA_VERDICT_ERROR) || !err)
			report(out, 0, "no error: verdict %d flags %u errno %d", v.code,
			       v.flags, err);
		if (!matches(c->expect, msg))
			report(out, 0, "message '%s' does not match /%s/", msg, c->expect);
	}
	if (strlen(v.file) >= TLS_LUA_FILE_MAX)
		report(out, 0, "verdict file too long");
	/* the connection is still usable */
	if (send_all(p.cli, "again", 5))
		report(out, 0, "second send: %s", strerror(errno));
	n = ktls_lua_recv(p.srv, buf, sizeof(buf), 0, &v, &rt);
	if (n != 5 || memcmp(buf, "again", 5))
		report(out, 0, "second read returned %zd (%s)", n,
		       n < 0 ? strerror(errno) : "wrong bytes");
	t0 = adv_ms();
	tls_pair_close(&p);
	if (hook >= 0)
		close(hook);	/* the last reference: the states close */
	if (adv_ms() - t0 > 20000)
		report(out, 0, "closing took %lld ms", adv_ms() - t0);
	report(out, 1, "%s%s", err ? "error: " : "no error", msg);
}

/* At the top level of the chunk: both ways of loading refuse it. */
static void run_load(int out, const struct hcase *c)
{
	struct ktls_lua_hook_opts o = {
		.entry = "recv", .name = "hostile",
		.mem_limit = 2 << 20, .instr_limit = 300000,
	};
	char errbuf[256] = "", msg[TLS_LUA_ERRMSG_MAX] = "", errbuf2[8];
	char *src = case_source(c, 1);
	struct tls_pair p;
	int hook, rc, e, err = 0;

	o.errbuf = errbuf;
	o.errbuf_len = sizeof(errbuf);
	if (!src)
		report(out, 0, "out of memory");
	hook = ktls_lua_hook_load(src, strlen(src), &o);
	e = errno;
	if (hook >= 0) {
		close(hook);
		if (strcmp(c->expect, ANY))
			report(out, 0, "KTLS_LUA_IOC_HOOK_LOAD accepted it");
	} else if (strcmp(c->expect, ANY) && !matches(c->expect, errbuf)) {
		report(out, 0, "hook load: %s, message '%s' does not match /%s/",
		       strerror(e), errbuf, c->expect);
	}
	if (tls_pair_open(&p, NULL))
		report(out, 0, "tls_pair_open: %s", p.err);
	if (ktls_lua_attach(p.srv))
		report(out, 0, "attach: %s", strerror(errno));
	rc = ktls_lua_load_script(p.srv, src, strlen(src));
	e = errno;
	ktls_lua_get_error(p.srv, &err, msg, sizeof(msg));
	if (rc == 0 && strcmp(c->expect, ANY))
		report(out, 0, "TLS_LUA_LOADSCRIPT accepted it");
	if (rc < 0 && strcmp(c->expect, ANY) && !matches(c->expect, msg))
		report(out, 0, "LOADSCRIPT: %s, message '%s' does not match /%s/",
		       strerror(e), msg, c->expect);
	/* the socket still reads */
	if (send_all(p.cli, "hello", 5) || recv_exact(p.srv, errbuf2, 5) != 5)
		report(out, 0, "the socket does not read after a failed load");
	tls_pair_close(&p);
	report(out, 1, "hook: %s; LOADSCRIPT: %s", hook < 0 ? errbuf : "accepted",
	       rc < 0 ? msg : "accepted");
}

static void one(const struct hcase *c, int mode)
{
	static const char *const modes[] = { "private state, in recvmsg",
					     "shared hook, in recvmsg",
					     "at load" };
	/* 20 s, or TEST_TIMEOUT on a slow (debug) kernel */
	const char *to = getenv("TEST_TIMEOUT");
	unsigned int limit = to && atoi(to) > 0 ? (unsigned int)atoi(to) : 20;
	char line[640] = "";
	int pfd[2], status = 0;
	ssize_t n;
	pid_t pid;

	if ((c->flags & F_LOCKUP) && !getenv("KTLS_ADV_LOCKUPS")) {
		adv_ok(0, "hostile hook (%s): %s: not run: it locks a CPU up in the "
		       "kernel (docs/hardening-findings.md F2; KTLS_ADV_LOCKUPS=1 runs it)",
		       modes[mode], c->name);
		return;
	}
	if (pipe(pfd))
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		alarm(limit);
		if (mode == 2)
			run_load(pfd[1], c);
		else
			run_entry(pfd[1], c, mode == 1);
		_exit(2);
	}
	close(pfd[1]);
	n = read(pfd[0], line, sizeof(line) - 1);
	close(pfd[0]);
	waitpid(pid, &status, 0);
	line[n > 0 ? n : 0] = '\0';
	if (WIFSIGNALED(status))
		snprintf(line, sizeof(line), "0 killed by signal %d%s", WTERMSIG(status),
			 WTERMSIG(status) == SIGALRM ? " (not contained in time)" : "");
	adv_ok(line[0] == '1', "hostile hook (%s): %s: %.160s", modes[mode], c->name,
	       line[0] ? line + 2 : "no report");
}

int main(void)
{
	long long slab0, slab1;
	long unrec0, unrec1, socks;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (access(KTLS_LUA_DEVICE, F_OK)) {
		adv_ok(0, "hostile hook: %s exists (ktls_lua.ko loaded)", KTLS_LUA_DEVICE);
		return adv_done();
	}
	adv_settle();
	slab0 = adv_slab_bytes("");
	unrec0 = meminfo_kb("SUnreclaim");
	for (size_t i = 0; i < NCASES; i++) {
		unsigned int fl = cases[i].flags;
		const char *only = getenv("KTLS_ADV_ONLY");	/* a case name part */

		if (only && !strstr(cases[i].name, only))
			continue;
		if (!(fl & F_LOAD))
			one(&cases[i], 1);
		if ((fl & F_ALL) && !(fl & F_LOAD))
			one(&cases[i], 0);
		if (((fl & F_ALL) && !(fl & F_ENTRY)) || (fl & F_LOAD))
			one(&cases[i], 2);
	}
	socks = hook_nsocks();
	adv_ok(socks == 0, "hostile hook: no socket left attached (%ld)", socks);
	adv_settle();
	slab1 = adv_slab_bytes("");
	unrec1 = meminfo_kb("SUnreclaim");
	adv_diag("slab %lld -> %lld bytes, SUnreclaim %ld -> %ld KiB", slab0, slab1,
		 unrec0, unrec1);
	adv_ok(unrec1 - unrec0 < 4096,
	       "hostile hook: unreclaimable slab back to baseline (+%ld KiB, < 4 MiB)",
	       unrec1 - unrec0);
	return adv_done();
}
