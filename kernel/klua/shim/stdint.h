/* SPDX-License-Identifier: GPL-2.0 */
/* klua libc shim: <stdint.h>. */
#ifndef _KLUA_SHIM_STDINT_H
#define _KLUA_SHIM_STDINT_H

#include <linux/types.h>
#include <linux/limits.h>

#endif
