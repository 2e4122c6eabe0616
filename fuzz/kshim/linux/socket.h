/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/kshim: <linux/socket.h> for struct cmsghdr, CMSG_ALIGN, CMSG_DATA
 * and SOL_TLS: libc's have the kernel's layout and values.
 */
#ifndef KSHIM_LINUX_SOCKET_H
#define KSHIM_LINUX_SOCKET_H

#include <sys/socket.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#endif
