#!/bin/bash
# ktls-httpd on kernel TLS with the C router (no Lua).
. "$(dirname "$0")/httpd-lib.sh"
run_modes "kernel:off" 9150
done_testing
