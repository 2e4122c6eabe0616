#!/bin/bash
# The recursion scripts of klua_hostile.t with 5 KiB of kernel stack used
# up first (deeper than the recvmsg hook path enters Lua).
KLUA_PAD=5120 exec tests/guest/klua_hostile.t
