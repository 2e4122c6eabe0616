#!/bin/bash
# ktls-httpd on kernel TLS with the kernel Lua hook (ktls_lua.ko).
. "$(dirname "$0")/httpd-lib.sh"
run_modes "kernel:kernel:slow" 9100
done_testing
