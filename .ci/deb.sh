#!/usr/bin/env bash
# The Debian package: build it with cargo deb, install it, check its systemd unit, start what
# the unit starts (as the unit's user, with its environment file) until /healthz answers,
# then remove it. Run by .ci/run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-deb >/dev/null || cargo install cargo-deb --locked
cargo deb -p kesu
deb=$(ls -t target/debian/kesu_*.deb | head -n1)
dpkg-deb --info "$deb" | sed -n '1,20p'
dpkg -i "$deb"
unit=$(dpkg -L kesu | grep -E '/systemd/system/kesu\.service$')
echo "unit: $unit"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify "$unit"
fi
getent passwd kesu >/dev/null || { echo "FAIL: the package made no kesu user" >&2; exit 1; }
[ "$(stat -c %U /var/lib/kesu)" = kesu ] || { echo "FAIL: /var/lib/kesu is not kesu's" >&2; exit 1; }
[ "$(stat -c %a:%G /etc/default/kesu)" = 640:kesu ] || { echo "FAIL: /etc/default/kesu is $(stat -c %a:%G /etc/default/kesu)" >&2; exit 1; }
user=$(sed -n 's/^User=//p' "$unit")
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
# A port nothing holds now (a random one can collide with a connection's own port).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
# What systemd would run: the unit's command as its user, /etc/default/kesu's environment.
runuser -u "$user" -- env $(grep -E '^[A-Z_]+=' /etc/default/kesu | xargs) \
  KESU_ADDR=127.0.0.1:$port KESU_ADMIN_PASSWORD=deb-admin-pass-1 $exec_start >"$log" 2>&1 &
pid=$!
ok=""
for _ in $(seq 100); do
  if curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; then ok=1; break; fi
  sleep 0.2
done
token=$(curl -fs "http://127.0.0.1:$port/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"deb-admin-pass-1"}' | sed -E 's/.*"token":"([^"]+)".*/\1/' || true)
# It may have stopped on its own already (then its log says why).
kill -TERM $pid 2>/dev/null || echo "the server had stopped before it was asked to" >&2
wait $pid || true
cat "$log"
[ -n "$ok" ] || { echo "FAIL: the installed kesu did not answer /healthz" >&2; exit 1; }
[ -n "$token" ] || { echo "FAIL: the installed kesu did not sign the first admin in" >&2; exit 1; }
[ -f /var/lib/kesu/kesu.db ] || { echo "FAIL: no database in /var/lib/kesu" >&2; exit 1; }
echo "the installed package started as $user and answered /healthz on port $port"
dpkg --purge kesu
rm -rf /var/lib/kesu
