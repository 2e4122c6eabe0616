#!/bin/bash
# ktls-httpd on kernel TLS with the routing script in user space.
. "$(dirname "$0")/httpd-lib.sh"
run_modes "kernel:user" 9200
done_testing
