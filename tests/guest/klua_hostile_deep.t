#!/bin/bash
# The recursion scripts of klua_hostile.t with 5 KiB of kernel stack used
# up first, as if Lua were entered from a deeper kernel path (such as the
# recvmsg hook).
KLUA_PAD=5120 exec tests/guest/klua_hostile.t
