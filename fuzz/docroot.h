/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A throw-away docroot for the fuzz targets that open files:
 *
 *   BASE/secret                 outside the docroot: must never be served
 *   BASE/www/                   the docroot
 *     index.html a.txt empty    regular files
 *     sub/index.html sub/b.css sub/deep/c.js
 *     nodir/                    a directory without index.html
 *     link-in  -> sub/b.css     a symlink that stays inside
 *     link-out -> ../secret     symlinks that lead out
 *     link-abs -> /etc/passwd
 *     link-up  -> ..
 *     loop     -> loop
 *     fifo                      not a regular file
 *
 * docroot_inside(fd) says whether an open fd is one of the regular files
 * inside.  The tree is made under $TMPDIR (or /tmp) and removed at exit.
 */
#ifndef KTLS_LUA_FUZZ_DOCROOT_H
#define KTLS_LUA_FUZZ_DOCROOT_H

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dr_base[PATH_MAX];
static struct stat dr_in[8];
static int dr_nin;

static void dr_file(const char *rel, const char *text, int inside)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dr_base, rel);
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		abort();
	if (inside && stat(p, &dr_in[dr_nin++]))
		abort();
}

static void dr_mkdir(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dr_base, rel);
	if (mkdir(p, 0755))
		abort();
}

static void dr_link(const char *target, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dr_base, rel);
	if (symlink(target, p))
		abort();
}

static void dr_cleanup(void)
{
	static const char *const rm[] = {
		"www/sub/deep/c.js", "www/sub/deep", "www/sub/index.html",
		"www/sub/b.css", "www/sub", "www/nodir", "www/index.html",
		"www/a.txt", "www/empty", "www/link-in", "www/link-out",
		"www/link-abs", "www/link-up", "www/loop", "www/fifo", "www",
		"secret",
	};
	char p[PATH_MAX];

	for (size_t i = 0; i < sizeof(rm) / sizeof(rm[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dr_base, rm[i]);
		if (unlink(p))
			rmdir(p);
	}
	rmdir(dr_base);
}

/* Make the tree; returns an O_PATH fd of the docroot. */
static int docroot_make(void)
{
	const char *tmp = getenv("TMPDIR");
	char p[PATH_MAX];
	int fd;

	snprintf(dr_base, sizeof(dr_base), "%s/ktls-fuzz-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dr_base))
		abort();
	atexit(dr_cleanup);
	dr_file("secret", "SECRET outside the docroot\n", 0);
	dr_mkdir("www");
	dr_mkdir("www/sub");
	dr_mkdir("www/sub/deep");
	dr_mkdir("www/nodir");
	dr_file("www/index.html", "<html>index</html>\n", 1);
	dr_file("www/a.txt", "0123456789abcdefghijklmnopqrstuvwxyz"
		"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\n", 1);
	dr_file("www/empty", "", 1);
	dr_file("www/sub/index.html", "<html>sub</html>\n", 1);
	dr_file("www/sub/b.css", "body{}\n", 1);
	dr_file("www/sub/deep/c.js", "1;\n", 1);
	dr_link("sub/b.css", "www/link-in");
	dr_link("../secret", "www/link-out");
	dr_link("/etc/passwd", "www/link-abs");
	dr_link("..", "www/link-up");
	dr_link("loop", "www/loop");
	snprintf(p, sizeof(p), "%s/www/fifo", dr_base);
	if (mkfifo(p, 0600))
		abort();
	snprintf(p, sizeof(p), "%s/www", dr_base);
	fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		abort();
	return fd;
}

/* Is fd one of the regular files inside the docroot? */
static int docroot_inside(int fd)
{
	struct stat st;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return 0;
	for (int i = 0; i < dr_nin; i++)
		if (dr_in[i].st_dev == st.st_dev && dr_in[i].st_ino == st.st_ino)
			return 1;
	return 0;
}

#endif
