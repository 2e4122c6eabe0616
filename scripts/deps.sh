#!/bin/bash
# make deps: install what ktls-lua needs on Debian 12, fetch Debian's lua5.4
# source into build/lua-src through a private apt source list, and unpack
# checkpatch.pl from linux-source-6.1.  Idempotent: a set-up machine takes
# seconds and downloads nothing.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
packages=(
	build-essential pkg-config dpkg-dev kmod cpio file xz-utils iproute2
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	qemu-system-x86 busybox-static
	libgnutls28-dev gnutls-bin libssl-dev openssl curl
	lua5.4 liblua5.4-dev
	nginx lighttpd lighttpd-mod-openssl wrk nghttp2-client apache2-utils gnuplot-nox
	clang libclang-rt-14-dev
	flex bison bc libelf-dev
)

say() { echo "deps: $*"; }
die() { echo "deps: $*" >&2; exit 1; }

install_packages() {
	local missing=() p
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null |
			grep -qx installed || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || die "needs root to install: ${missing[*]}"
	say "installing ${missing[*]}"
	# Packaged servers (nginx, lighttpd) must not start on the host.
	local policy=/usr/sbin/policy-rc.d own_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' > "$policy"
		chmod +x "$policy"
		own_policy=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
	[ "$own_policy" = 1 ] && rm -f "$policy"
	return 0
}

# A deb-src list made from the system's own Debian entries, kept in build/.
private_apt() {
	local dir=$build/apt f
	mkdir -p "$dir/sources.list.d" "$dir/lists/partial" "$dir/cache/archives/partial"
	: > "$dir/sources.list"
	rm -f "$dir/sources.list.d/"*
	if [ -f /etc/apt/sources.list ]; then
		grep -E '^deb[[:space:]]' /etc/apt/sources.list | grep -i debian |
			sed 's/^deb[[:space:]]/deb-src /' >> "$dir/sources.list" || true
	fi
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		grep -qiE '^URIs:.*debian' "$f" || continue
		sed -E 's/^Types:.*/Types: deb-src/' "$f" > "$dir/sources.list.d/$(basename "$f")"
	done
	for f in /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		grep -E '^deb[[:space:]]' "$f" | grep -i debian |
			sed 's/^deb[[:space:]]/deb-src /' >> "$dir/sources.list" || true
	done
	APT_OPTS=(-o "Dir::Etc::SourceList=$dir/sources.list"
		  -o "Dir::Etc::SourceParts=$dir/sources.list.d"
		  -o "Dir::State::Lists=$dir/lists"
		  -o "Dir::Cache=$dir/cache" -o "APT::Sandbox::User=root")
}

fetch_lua() {
	[ -f "$build/lua-src/src/lapi.c" ] && return 0
	say "fetching Debian's lua5.4 source package"
	private_apt
	apt-get "${APT_OPTS[@]}" update -qq
	local work=$build/lua-fetch
	rm -rf "$work" "$build/lua-src"
	mkdir -p "$work"
	(cd "$work" && apt-get "${APT_OPTS[@]}" source --download-only -qq lua5.4)
	local dsc
	dsc=$(ls "$work"/lua5.4_*.dsc | head -n 1) || die "no lua5.4 .dsc downloaded"
	dpkg-source --no-check -x "$dsc" "$work/src" >/dev/null
	mv "$work/src" "$build/lua-src"
	rm -rf "$work"
	[ -f "$build/lua-src/src/lapi.c" ] || die "the lua5.4 source has no src/lapi.c"
}

fetch_checkpatch() {
	local dst=$build/tools/checkpatch
	[ -x "$dst/scripts/checkpatch.pl" ] && return 0
	local tarball
	tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1) ||
		die "linux-source-6.1 is not installed"
	say "unpacking checkpatch.pl from $tarball"
	mkdir -p "$dst"
	tar xf "$tarball" -C "$dst" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	[ -x "$dst/scripts/checkpatch.pl" ] || die "no checkpatch.pl in $tarball"
}

install_packages
mkdir -p "$build"
fetch_lua
fetch_checkpatch
"$top/scripts/kver" >/dev/null
