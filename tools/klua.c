// SPDX-License-Identifier: GPL-2.0
/*
 * klua: run Lua in the kernel (klua.ko, /dev/klua).
 *
 *   klua [OPTIONS] run FILE.lua [ARGS...]
 *   klua [OPTIONS] eval 'CODE' [ARGS...]
 *   klua hooks
 *
 * Prints what the chunk printed, then its return values (tab-separated).
 * A Lua error goes to stderr as "klua: MESSAGE" with exit status 1.
 * "hooks" shows the counters of ktls_lua.ko's hooks (/proc/ktls_lua).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/klua.h>

static const char *progname = "klua";

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: klua [OPTIONS] run FILE.lua [ARGS...]\n"
		"       klua [OPTIONS] eval 'CODE' [ARGS...]\n"
		"       klua hooks\n"
		"Run a Lua chunk in a fresh kernel Lua state (/dev/klua), or show\n"
		"the counters of the ktls_lua hooks (/proc/ktls_lua).\n"
		"  -m, --mem BYTES         memory cap (k/M/G suffixes; default: module's)\n"
		"  -i, --instructions N    instruction budget (default: module's)\n"
		"  -o, --output BYTES      largest output kept (default 16M)\n"
		"  -s, --stats             print memory, instructions and time on stderr\n"
		"      --stack-pad BYTES   (tests) use up kernel stack before running\n"
		"  -h, --help              this text\n");
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		v <<= 10; end++;
		break;
	case 'm': case 'M':
		v <<= 20; end++;
		break;
	case 'g': case 'G':
		v <<= 30; end++;
		break;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 65536, n = 0;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);

		n += r;
		if (n < cap) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
			}
			break;
		}
		cap *= 2;
		char *nb = realloc(buf, cap);

		if (!nb) {
			free(buf);
			buf = NULL;
			errno = ENOMEM;
		}
		buf = nb;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

/* as lua(1): skip a UTF-8 BOM and a first line starting with '#' */
static char *skip_prefix(char *buf, size_t *len)
{
	if (*len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
		buf += 3;
		*len -= 3;
	}
	if (*len > 0 && buf[0] == '#') {
		char *nl = memchr(buf, '\n', *len);

		if (!nl) {
			*len = 0;
			return buf;
		}
		*len -= nl - buf;
		buf = nl;	/* keep the newline: line numbers stay */
	}
	return buf;
}

#define KTLS_LUA_PROC "/proc/ktls_lua"

/*
 * The counters of every hook, one line each, as a table for people:
 * /proc/ktls_lua has "id name states sockets calls verdicts errors bytes
 * lua_ns mem_bytes" (line 0: all sockets with a private script).
 */
static int show_hooks(void)
{
	FILE *f = fopen(KTLS_LUA_PROC, "re");
	char line[512], name[128];
	unsigned long long calls, verdicts, errs, bytes, ns, mem;
	unsigned int id, states;
	int socks, n = 0;

	if (!f) {
		fprintf(stderr, "%s: %s: %s%s\n", progname, KTLS_LUA_PROC,
			strerror(errno),
			errno == ENOENT ? " (is ktls_lua.ko loaded?)" : "");
		return 1;
	}
	printf("%-4s %-16s %6s %7s %10s %10s %7s %12s %10s %8s %9s\n",
	       "ID", "NAME", "STATES", "SOCKETS", "CALLS", "VERDICTS",
	       "ERRORS", "BYTES", "LUA_MS", "US/CALL", "MEM_KIB");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%u %127s %u %d %llu %llu %llu %llu %llu %llu",
			   &id, name, &states, &socks, &calls, &verdicts, &errs,
			   &bytes, &ns, &mem) != 10)
			continue;	/* the header */
		printf("%-4u %-16s %6u %7d %10llu %10llu %7llu %12llu %10.1f %8.1f %9.1f\n",
		       id, id ? name : "(private)", states, socks, calls,
		       verdicts, errs, bytes, ns / 1e6,
		       calls ? ns / 1e3 / calls : 0.0, mem / 1024.0);
		n++;
	}
	fclose(f);
	if (!n) {
		fprintf(stderr, "%s: %s: no counters in it\n", progname,
			KTLS_LUA_PROC);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "instructions", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "stats", no_argument, NULL, 's' },
		{ "stack-pad", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct klua_run run;
	uint64_t mem = 0, insns = 0, outmax = 16 << 20, pad = 0;
	int stats = 0, c, fd, ret, i;
	char *script, *file = NULL, *code, *args, *out, err[4096];
	char chunkname[256];
	size_t len, alen = 0;

	memset(&run, 0, sizeof(run));
	while ((c = getopt_long(argc, argv, "+m:i:o:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_size(optarg, &mem))
				goto bad;
			break;
		case 'i':
			if (parse_size(optarg, &insns))
				goto bad;
			break;
		case 'o':
			if (parse_size(optarg, &outmax))
				goto bad;
			break;
		case 'P':
			if (parse_size(optarg, &pad))
				goto bad;
			break;
		case 's':
			stats = 1;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (argc - optind == 1 && !strcmp(argv[optind], "hooks"))
		return show_hooks();
	if (argc - optind < 2) {
		print_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[optind], "run")) {
		file = argv[optind + 1];
		code = read_file(file, &len);
		if (!code) {
			fprintf(stderr, "%s: cannot open %s: %s\n", progname,
				file, strerror(errno));
			return 1;
		}
		script = skip_prefix(code, &len);
		snprintf(chunkname, sizeof(chunkname), "@%s", file);
	} else if (!strcmp(argv[optind], "eval")) {
		code = NULL;
		script = argv[optind + 1];
		len = strlen(script);
		snprintf(chunkname, sizeof(chunkname), "=(command line)");
	} else {
		print_usage(stderr);
		return 2;
	}
	for (i = optind + 2; i < argc; i++)
		alen += strlen(argv[i]) + 1;
	args = malloc(alen + 1);
	out = malloc(outmax ? outmax : 1);
	if (!args || !out) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 1;
	}
	alen = 0;
	for (i = optind + 2; i < argc; i++) {
		strcpy(args + alen, argv[i]);
		alen += strlen(argv[i]) + 1;
	}

	run.script = (uintptr_t)script;
	run.script_len = len;
	run.chunkname = (uintptr_t)chunkname;
	run.argv0 = (uintptr_t)(file ? file : "klua");
	run.args = (uintptr_t)args;
	run.args_len = alen;
	run.nargs = argc - optind - 2;
	run.flags = KLUA_RUN_RETURNS;
	run.mem_limit = mem;
	run.instructions = insns;
	run.out = (uintptr_t)out;
	run.out_len = outmax;
	run.err = (uintptr_t)err;
	run.err_len = sizeof(err);
	run.stack_pad = pad;

	fd = open(KLUA_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s%s\n", progname, KLUA_DEVICE,
			strerror(errno),
			errno == EPERM || errno == EACCES ? " (root only)" :
			errno == ENOENT ? " (is klua.ko loaded?)" : "");
		return 1;
	}
	ret = ioctl(fd, KLUA_IOC_RUN, &run);
	if (ret < 0) {
		int e = errno;

		if (e == ENOEXEC)
			fprintf(stderr, "%s: %s\n", progname, err);
		else if (e == E2BIG)
			fprintf(stderr, "%s: %s: script too large (%zu bytes; see the max_script parameter of klua.ko)\n",
				progname, file ? file : "eval", len);
		else
			fprintf(stderr, "%s: %s: %s\n", progname, KLUA_DEVICE,
				strerror(e));
		return 1;
	}
	close(fd);
	if (run.out_len)
		fwrite(out, 1, run.out_len, stdout);
	fflush(stdout);
	if (stats)
		fprintf(stderr,
			"%s: mem fresh %llu peak %llu after %llu bytes, %llu instructions, %llu ns, stack left %u\n",
			progname, (unsigned long long)run.mem_fresh,
			(unsigned long long)run.mem_peak,
			(unsigned long long)run.mem_after,
			(unsigned long long)run.instructions_used,
			(unsigned long long)run.run_ns, run.stack_min_left);
	if (run.result_flags & KLUA_OUT_TRUNCATED) {
		fprintf(stderr, "%s: output truncated (over %llu bytes)\n",
			progname, (unsigned long long)outmax);
		return 1;
	}
	if (run.status != KLUA_OK) {
		fprintf(stderr, "%s: %s\n", progname, err);
		return 1;
	}
	free(code);
	free(args);
	free(out);
	return 0;
bad:
	fprintf(stderr, "%s: bad number: %s\n", progname, optarg);
	return 2;
}
