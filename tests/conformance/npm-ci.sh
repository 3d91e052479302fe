#!/bin/sh
# Installs the conformance suite's Node packages (exact versions from package-lock.json) into
# DIR/node_modules, outside the source tree. Runs as a ctest fixture; skips the install when the
# lock file has not changed since the last successful one, so repeated ctest runs stay offline.
set -eu
dir=$1
cd "$dir"
stamp=node_modules/.hivewatch-installed-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
    echo "node packages up to date in $dir/node_modules"
    exit 0
fi
npm ci --no-audit --no-fund --prefer-offline --loglevel=error
cp package-lock.json "$stamp"
