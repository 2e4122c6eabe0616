/* SPDX-License-Identifier: GPL-2.0 */
/* klua libc shim: <errno.h> (no file or process calls exist in klua). */
#ifndef _KLUA_SHIM_ERRNO_H
#define _KLUA_SHIM_ERRNO_H

#include <linux/errno.h>

#define errno 0

#endif
