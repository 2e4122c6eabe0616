// SPDX-License-Identifier: GPL-2.0
/*
 * mime.c: an open-addressing table from extension to content type, built
 * once at start-up; lookups do not allocate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mime.h"

#define MIME_EXT_MAX 16

struct mime_ent {
	char ext[MIME_EXT_MAX];	/* lower case, NUL-terminated; "" = free */
	const char *type;
};

struct mime_table {
	size_t nslots;		/* power of two */
	struct mime_ent *slots;
	char *types;		/* arena of type strings */
	size_t types_len, types_cap;
};

static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c += 32;
		h = (h ^ c) * 16777619u;
	}
	return h;
}

static const char *builtin[][2] = {
	{ "html", "text/html" }, { "htm", "text/html" },
	{ "css", "text/css" }, { "js", "text/javascript" },
	{ "txt", "text/plain" }, { "lua", "text/plain" },
	{ "json", "application/json" }, { "png", "image/png" },
	{ "jpg", "image/jpeg" }, { "svg", "image/svg+xml" },
	{ "ico", "image/vnd.microsoft.icon" },
};

static void insert(struct mime_table *t, const char *ext, size_t n,
		   const char *type)
{
	size_t i;

	if (n == 0 || n >= MIME_EXT_MAX)
		return;
	i = hash(ext, n) & (t->nslots - 1);
	for (size_t probe = 0; probe < t->nslots; probe++) {
		struct mime_ent *e = &t->slots[i];

		if (!e->ext[0]) {
			for (size_t k = 0; k < n; k++)
				e->ext[k] = (char)((ext[k] >= 'A' && ext[k] <= 'Z') ?
						   ext[k] + 32 : ext[k]);
			e->ext[n] = '\0';
			e->type = type;
			return;
		}
		if (strlen(e->ext) == n && !strncasecmp(e->ext, ext, n))
			return;	/* the first mention wins */
		i = (i + 1) & (t->nslots - 1);
	}
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

struct mime_table *mime_parse(const char *text, size_t n)
{
	struct mime_table *t = calloc(1, sizeof(*t));
	size_t pos = 0, words = 64;

	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (text[i] == ' ' || text[i] == '\t')
			words++;
	t->nslots = 256;
	while (t->nslots < words * 2)
		t->nslots <<= 1;
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	t->types_cap = n + 1024;
	t->types = malloc(t->types_cap);
	if (!t->slots || !t->types) {
		mime_free(t);
		return NULL;
	}
	while (pos < n) {
		const char *line = text + pos, *nl = memchr(line, '\n', n - pos);
		size_t ln = nl ? (size_t)(nl - line) : n - pos, i = 0, ts;
		const char *type;

		pos += ln + 1;
		while (i < ln && is_space(line[i]))
			i++;
		if (i >= ln || line[i] == '#')
			continue;
		ts = i;
		while (i < ln && !is_space(line[i]))
			i++;
		if (i - ts >= 128 || !memchr(line + ts, '/', i - ts))
			continue;
		type = t->types + t->types_len;
		memcpy(t->types + t->types_len, line + ts, i - ts);
		t->types_len += i - ts;
		t->types[t->types_len++] = '\0';
		while (i < ln) {
			size_t es;

			while (i < ln && is_space(line[i]))
				i++;
			es = i;
			while (i < ln && !is_space(line[i]))
				i++;
			if (i > es && line[es] != '#')
				insert(t, line + es, i - es, type);
			else if (i > es)
				break;
		}
	}
	for (size_t k = 0; k < sizeof(builtin) / sizeof(builtin[0]); k++)
		insert(t, builtin[k][0], strlen(builtin[k][0]), builtin[k][1]);
	return t;
}

struct mime_table *mime_load(const char *path)
{
	struct mime_table *t;
	struct stat st;
	char *buf;
	size_t have = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || st.st_size > (64 << 20)) {
		e = errno ? errno : EFBIG;
		close(fd);
		errno = e;
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	while (have < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + have, (size_t)st.st_size - have);

		if (r <= 0)
			break;
		have += (size_t)r;
	}
	close(fd);
	t = mime_parse(buf, have);
	free(buf);
	if (!t)
		errno = ENOMEM;
	return t;
}

const char *mime_lookup(const struct mime_table *t, const char *name, size_t n)
{
	size_t dot = n, i, len;

	while (dot > 0 && name[dot - 1] != '.' && name[dot - 1] != '/')
		dot--;
	if (!t || dot == 0 || name[dot - 1] != '.')
		return MIME_DEFAULT;
	len = n - dot;
	if (len == 0 || len >= MIME_EXT_MAX)
		return MIME_DEFAULT;
	i = hash(name + dot, len) & (t->nslots - 1);
	for (size_t probe = 0; probe < t->nslots; probe++) {
		const struct mime_ent *e = &t->slots[i];

		if (!e->ext[0])
			return MIME_DEFAULT;
		if (strlen(e->ext) == len && !strncasecmp(e->ext, name + dot, len))
			return e->type;
		i = (i + 1) & (t->nslots - 1);
	}
	return MIME_DEFAULT;
}

void mime_free(struct mime_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t->types);
	free(t);
}
