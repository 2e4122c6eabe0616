/* SPDX-License-Identifier: GPL-2.0 */
/* Content types by file extension, from a mime.types file. */
#ifndef KTLS_HTTPD_MIME_H
#define KTLS_HTTPD_MIME_H

#include <stddef.h>

struct mime_table;

/* Parse mime.types text ("type ext ext..." lines, '#' comments). */
struct mime_table *mime_parse(const char *text, size_t n);
/* Read and parse a file; NULL with errno on failure. */
struct mime_table *mime_load(const char *path);
/* The type for a file name (by its last extension), or the default. */
const char *mime_lookup(const struct mime_table *t, const char *name, size_t n);
void mime_free(struct mime_table *t);

#define MIME_DEFAULT "application/octet-stream"

#endif
