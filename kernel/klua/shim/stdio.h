/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klua libc shim: <stdio.h>.  There are no files in klua: fopen() always
 * fails, so loadfile/dofile (removed from the base library anyway) cannot
 * read anything.  snprintf is the kernel's.
 */
#ifndef _KLUA_SHIM_STDIO_H
#define _KLUA_SHIM_STDIO_H

#include <linux/kernel.h>
#include <linux/stdarg.h>

#define BUFSIZ 16
#define EOF (-1)

typedef struct klua_file FILE;

#define stdin ((FILE *)NULL)
#define stdout ((FILE *)NULL)
#define stderr ((FILE *)NULL)

static inline FILE *klua_fopen(const char *name, const char *mode)
{
	return NULL;
}

#define fopen(n, m) klua_fopen(n, m)
#define freopen(n, m, f) klua_fopen(n, m)
#define fclose(f) ((void)(f), 0)
#define getc(f) ((void)(f), EOF)
#define feof(f) ((void)(f), 1)
#define ferror(f) ((void)(f), 0)
#define fread(b, s, n, f) ((void)(b), (void)(s), (void)(n), (void)(f), 0)
#define fflush(f) ((void)(f), 0)

#endif
