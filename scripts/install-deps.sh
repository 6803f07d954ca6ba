#!/bin/sh
# Install quadmap's build and test dependencies from Debian's archive
# (Debian 12 "bookworm" or later, and Ubuntu 22.04+).  Non-interactive, so it
# runs unchanged in CI and batch jobs.  Needs root (or sudo).
set -eu

PACKAGES="gcc libc6-dev make autoconf automake libtool autoconf-archive pkg-config
libgsl-dev libcunit1-dev libmuparser-dev libopenmpi-dev openmpi-bin
librandom123-dev libsleef-dev libcubature-dev"

if [ "$(id -u)" -eq 0 ]; then
    SUDO=
elif command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
else
    echo "install-deps.sh: run as root or install sudo" >&2
    exit 1
fi

missing=
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "install-deps.sh: all dependencies present"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
