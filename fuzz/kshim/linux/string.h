/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz/kshim: <linux/string.h> is libc's strnlen, memchr... */
#ifndef KSHIM_LINUX_STRING_H
#define KSHIM_LINUX_STRING_H

#include <string.h>

#endif
