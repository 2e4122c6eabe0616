/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klua libc shim: <ctype.h>, ASCII only like the C locale of user space
 * (the kernel's own ctype also classifies Latin-1 bytes, which would change
 * what Lua patterns such as %a match).
 */
#ifndef _KLUA_SHIM_CTYPE_H
#define _KLUA_SHIM_CTYPE_H

#include <linux/ctype.h>

#undef isalnum
#undef isalpha
#undef iscntrl
#undef isdigit
#undef isgraph
#undef islower
#undef isprint
#undef ispunct
#undef isspace
#undef isupper
#undef isxdigit
#undef tolower
#undef toupper

static inline int klua_isupper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static inline int klua_islower(int c)
{
	return c >= 'a' && c <= 'z';
}

static inline int klua_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int klua_isalpha(int c)
{
	return klua_isupper(c) || klua_islower(c);
}

static inline int klua_isalnum(int c)
{
	return klua_isalpha(c) || klua_isdigit(c);
}

static inline int klua_iscntrl(int c)
{
	return (c >= 0 && c < 32) || c == 127;
}

static inline int klua_isgraph(int c)
{
	return c > 32 && c < 127;
}

static inline int klua_isprint(int c)
{
	return c >= 32 && c < 127;
}

static inline int klua_ispunct(int c)
{
	return klua_isgraph(c) && !klua_isalnum(c);
}

static inline int klua_isspace(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline int klua_isxdigit(int c)
{
	return klua_isdigit(c) || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static inline int klua_tolower(int c)
{
	return klua_isupper(c) ? c + ('a' - 'A') : c;
}

static inline int klua_toupper(int c)
{
	return klua_islower(c) ? c - ('a' - 'A') : c;
}

#define isalnum(c) klua_isalnum(c)
#define isalpha(c) klua_isalpha(c)
#define iscntrl(c) klua_iscntrl(c)
#define isdigit(c) klua_isdigit(c)
#define isgraph(c) klua_isgraph(c)
#define islower(c) klua_islower(c)
#define isprint(c) klua_isprint(c)
#define ispunct(c) klua_ispunct(c)
#define isspace(c) klua_isspace(c)
#define isupper(c) klua_isupper(c)
#define isxdigit(c) klua_isxdigit(c)
#define tolower(c) klua_tolower(c)
#define toupper(c) klua_toupper(c)

#endif
