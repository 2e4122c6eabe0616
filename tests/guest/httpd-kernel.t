#!/bin/bash
# ktls-httpd on kernel TLS: with the kernel Lua hook and with the C router.
. "$(dirname "$0")/httpd-lib.sh"
if [ -e /dev/ktls_lua ]; then
	run_modes "kernel:kernel:slow kernel:off" 9100
else
	run_modes "kernel:kernel kernel:off:slow" 9100
fi
done_testing
