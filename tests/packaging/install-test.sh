#!/usr/bin/env bash
# Packaging test: builds the Debian package from the CURRENT build tree, checks what it declares
# and holds, then runs the packaged fleetmon from an extracted root.
#   install-test.sh BUILD_DIR SOURCE_DIR
# With FLEETMON_PACKAGE_TEST_INSTALL=1 (CI: root on Debian 12) it also does a real dpkg -i / -r.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
app_id=io.github.fleetmonitor.FleetMonitor
version=$(sed -n 's/^project(FleetMonitor VERSION \([0-9.]*\).*/\1/p' "$source_dir/CMakeLists.txt")

step() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

for tool in cpack dpkg dpkg-deb dpkg-shlibdeps appstreamcli file; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps installs it)"
done
[ -n "$version" ] || fail "could not read the project version from $source_dir/CMakeLists.txt"
[ -f "$build_dir/CPackConfig.cmake" ] || fail "$build_dir/CPackConfig.cmake missing: configure the build first"
for target in app/fleetmon tools/fleetsim/fleetsim; do
  [ -x "$build_dir/$target" ] || fail "$build_dir/$target is not built"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/fleetmon-packaging.XXXXXX")
server_pid=
installed_for_real=0
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  if [ "$installed_for_real" = 1 ]; then dpkg -r fleetmon >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# ---- build the package ------------------------------------------------------------------------
step "cpack -G DEB --config $build_dir/CPackConfig.cmake -B $work/out"
if ! cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log" >&2
  fail "cpack failed"
fi
arch=$(dpkg --print-architecture)
deb="$work/out/fleetmon_${version}_${arch}.deb"
[ -f "$deb" ] || { ls -l "$work/out" >&2; fail "expected $deb"; }
echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# ---- control fields -----------------------------------------------------------------------------
step "dpkg-deb --info"
info=$(dpkg-deb --info "$deb")
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = fleetmon ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', want $version"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture is '$(field Architecture)'"
depends=$(field Depends)
echo "Depends: $depends"
# Split on commas; each entry is "name (constraint)" or an alternative list.
has_dep() { tr ',' '\n' <<<"$depends" | sed 's/^ *//' | grep -Eq "^$1( |\$)"; }
# Plugins dpkg-shlibdeps cannot see, then libraries only dpkg-shlibdeps would have added.
for dep in libqt6sql6-sqlite qt6-qpa-plugins libc6 libstdc\\+\\+6 libqt6core6 libqt6gui6 libqt6widgets6 \
           libqt6network6 libqt6sql6 libqt6charts6 libssl3 libsimdjson14; do
  has_dep "$dep" || fail "Depends lacks $dep"
done
grep -q '^ Maintainer: .*<.*@.*>' <<<"$info" || fail "no Maintainer with an address"
tr ',' '\n' <<<"$(field Recommends)" | grep -q 'libqt6sql6-psql' || fail "Recommends lacks libqt6sql6-psql"
grep -q '^ Section: ' <<<"$info" || fail "no Section"
grep -q '^ Description: ' <<<"$info" || fail "no Description"

# ---- contents -----------------------------------------------------------------------------------
step "dpkg-deb --contents"
contents=$(dpkg-deb --contents "$deb" | awk '{print $NF}')
for path in ./usr/bin/fleetmon ./usr/bin/fleetsim \
            "./usr/share/applications/$app_id.desktop" \
            ./usr/share/icons/hicolor/scalable/apps/fleetmon.svg \
            "./usr/share/metainfo/$app_id.metainfo.xml" \
            ./usr/lib/systemd/system/fleetmon-ingest.service; do
  grep -qxF "$path" <<<"$contents" || fail "package lacks $path"
done
# Nothing from the build tree's internals (static layer libraries, headers, tests) may leak in.
stray=$(grep -v '/$' <<<"$contents" | grep -Ev '^\./usr/(bin|share|lib/systemd/system)/' || true)
[ -z "$stray" ] || fail "unexpected files in the package: $stray"
grep -Eq '\.(a|h)$|/tst_' <<<"$contents" && fail "build internals in the package"
echo "$(grep -vc '/$' <<<"$contents") files, all under usr/bin, usr/share and usr/lib/systemd/system"

# ---- extract, validate, run ---------------------------------------------------------------------
root="$work/root"
step "dpkg -x into $root"
dpkg -x "$deb" "$root"
for exe in fleetmon fleetsim; do
  file -b "$root/usr/bin/$exe" | grep -q ', stripped' || fail "$exe is not stripped: $(file -b "$root/usr/bin/$exe")"
done

step "appstreamcli validate --no-net"
appstreamcli validate --no-net "$root/usr/share/metainfo/$app_id.metainfo.xml" \
  || fail "metainfo does not validate"
if command -v desktop-file-validate >/dev/null; then
  step "desktop-file-validate"
  desktop-file-validate "$root/usr/share/applications/$app_id.desktop" || fail "desktop file does not validate"
fi

if command -v systemd-analyze >/dev/null; then
  # The unit as systemd reads it (directives, specifiers, the ExecStart program), pointed at the
  # extracted binary since nothing is installed in /usr/bin yet.
  step "systemd-analyze verify fleetmon-ingest.service"
  sed "s|/usr/bin/fleetmon|$root/usr/bin/fleetmon|" "$root/usr/lib/systemd/system/fleetmon-ingest.service" \
    >"$work/fleetmon-ingest.service"
  systemd-analyze verify "$work/fleetmon-ingest.service" || fail "the ingest unit does not verify"
fi

step "$root/usr/bin/fleetmon --version"
got=$("$root/usr/bin/fleetmon" --version)
echo "$got"
[ "$got" = "fleetmon $version" ] || fail "--version printed '$got', want 'fleetmon $version'"

step "$root/usr/bin/fleetmon --headless, then SIGTERM"
mkdir -p "$work/data"
printf 'packaging-test-amt-%s\n' "$RANDOM$RANDOM" >"$work/amt"
"$root/usr/bin/fleetmon" --headless --listen 127.0.0.1:0 --data-dir "$work/data" --amt-file "$work/amt" \
  >"$work/headless.out" 2>"$work/headless.err" &
server_pid=$!
listening=
for _ in $(seq 1 300); do  # up to 30 s
  listening=$(grep -m1 '^listening on http://127\.0\.0\.1:' "$work/headless.out" || true)
  [ -n "$listening" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$listening" ]; then
  cat "$work/headless.out" "$work/headless.err" >&2
  fail "fleetmon --headless never printed 'listening on http://127.0.0.1:'"
fi
echo "$listening"
port=$(sed -E 's|^listening on http://127\.0\.0\.1:([0-9]+)/.*|\1|' <<<"$listening")
# The packaged binary answers HTTP with its packaged plugins (the journal is SQLite through Qt SQL).
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
status_line=$(timeout 10 head -n1 <&3 || true)
exec 3<&- 3>&-
echo "GET /healthz -> ${status_line%$'\r'}"
[[ "$status_line" == "HTTP/1.1 200"* ]] || fail "GET /healthz answered '$status_line'"
kill -TERM "$server_pid"
for _ in $(seq 1 150); do  # up to 15 s
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$server_pid" 2>/dev/null && fail "fleetmon did not stop within 15 s of SIGTERM"
rc=0
wait "$server_pid" || rc=$?
server_pid=
[ "$rc" -eq 0 ] || { cat "$work/headless.err" >&2; fail "fleetmon exited with $rc after SIGTERM"; }
echo "exit code after SIGTERM: 0"

# ---- optional: a real install (CI) --------------------------------------------------------------
if [ "${FLEETMON_PACKAGE_TEST_INSTALL:-0}" = 1 ]; then
  step "dpkg -i (FLEETMON_PACKAGE_TEST_INSTALL=1)"
  [ "$(id -u)" -eq 0 ] || fail "FLEETMON_PACKAGE_TEST_INSTALL=1 needs root"
  if dpkg-query -W -f='${Status}' fleetmon 2>/dev/null | grep -q 'install ok installed'; then
    fail "fleetmon is already installed on this machine; refusing to replace and remove it"
  fi
  installed_for_real=1
  if ! dpkg -i "$deb"; then
    fail "dpkg -i failed (are the Depends installed? scripts/install-deps installs them)"
  fi
  got=$(/usr/bin/fleetmon --version)
  echo "/usr/bin/fleetmon --version: $got"
  [ "$got" = "fleetmon $version" ] || fail "installed --version printed '$got'"
  [ -x /usr/bin/fleetsim ] || fail "/usr/bin/fleetsim missing after dpkg -i"
  step "dpkg -r fleetmon"
  dpkg -r fleetmon
  installed_for_real=0
  [ ! -e /usr/bin/fleetmon ] || fail "/usr/bin/fleetmon still present after dpkg -r"
else
  step "real dpkg -i skipped (set FLEETMON_PACKAGE_TEST_INSTALL=1 as root to run it)"
fi

echo "PASS: $(basename "$deb")"
