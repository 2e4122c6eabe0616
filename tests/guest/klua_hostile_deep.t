#!/bin/bash
# The recursion scripts of klua_hostile.t with 6 KiB of kernel stack used
# up first (deeper than the recvmsg hook path enters Lua).
KLUA_PAD=6144 exec tests/guest/klua_hostile.t
