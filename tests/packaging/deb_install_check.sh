#!/usr/bin/env bash
# Builds the .deb with CPack, checks its contents, installs it (into the system when root, else
# into a scratch root with dpkg -x), runs the installed binaries, and removes it again.
set -euo pipefail
build=$1
cd "$build"
rm -f hivewatch_*.deb
cpack -G DEB >cpack.log 2>&1 || { cat cpack.log; exit 1; }
deb=$(ls hivewatch_*.deb | head -n1)
[[ -f $deb ]] || { echo "no .deb produced"; cat cpack.log; exit 1; }
# Capture before grepping: grep -q closing the pipe early would fail the pipeline (pipefail).
info=$(dpkg-deb --info "$deb")
grep -q 'Package: hivewatch' <<<"$info" || { echo "unexpected package info:"; echo "$info"; exit 1; }
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/hivewatch ./usr/bin/hivectl ./usr/lib/hivewatch/hive-shape-server \
         ./usr/share/applications/hivewatch.desktop \
         ./usr/share/icons/hicolor/scalable/apps/hivewatch.svg \
         ./usr/share/metainfo/io.github.hivewatch.Hivewatch.metainfo.xml; do
    grep -qF " $f" <<<"$contents" || { echo "missing from the .deb: $f"; exit 1; }
done
depends=$(dpkg-deb -f "$deb" Depends)
grep -q 'libqt6core6' <<<"$depends" || { echo "Depends lacks Qt: $depends"; exit 1; }
if [[ $(id -u) -eq 0 ]]; then
    dpkg -i "$deb" >dpkg.log 2>&1 || { cat dpkg.log; exit 1; }
    trap 'dpkg -r hivewatch >/dev/null 2>&1 || true' EXIT
    /usr/bin/hivectl --version
    /usr/bin/hivewatch --help >/dev/null   # no display needed
    /usr/bin/hivewatch --version
    test -x /usr/lib/hivewatch/hive-shape-server
else
    root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
    dpkg -x "$deb" "$root"
    "$root/usr/bin/hivectl" --version
fi
echo "ok: $deb"
