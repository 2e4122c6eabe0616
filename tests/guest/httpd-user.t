#!/bin/bash
# ktls-httpd on user-space TLS (GnuTLS all the way), and start-up errors.
. "$(dirname "$0")/httpd-lib.sh"
run_modes "user:user:slow user:off" 9300
startup_errors
done_testing
