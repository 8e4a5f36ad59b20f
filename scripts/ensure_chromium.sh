#!/bin/sh
# The dashboard's browser tests (tests/web) drive Debian's Chromium through Playwright (`executable_path`; never a
# browser build of Playwright's own: no `playwright install`). Installs Debian's package when it is missing.
set -e
[ -x /usr/bin/chromium ] && exit 0
echo "Chromium not found: installing Debian's chromium package" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
