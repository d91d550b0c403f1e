#!/usr/bin/env bash
# Boots the shipped systemd unit under a real systemd and checks what docs/ops.md promises, one line per check.
#
# A Debian bookworm rootfs (debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus, cached in
# $TSD_BOOT_CACHE, default /var/cache/trakt-scrobblerd-ci, keyed by suite + package list + mirror + architecture)
# is booted in systemd-nspawn through a throw-away overlay, so the cache stays pristine. The host's Node goes to
# /usr/local/bin, the package is installed into /usr/local with the `npm install -g` line of docs/ops.md (from an
# `npm pack` of this checkout), the unit and the config directory the way docs/ops.md says. Trakt is pointed at a
# closed port on the container's own loopback and the container has no network (--private-network): nothing leaves.
# The container's systemd is driven with `nsenter -t <its PID 1> -a systemctl ...` (the host needs no systemd).
#
# Exit status: 0 when every check passes, 1 when one fails. Where the container cannot boot (not root, tools
# missing, no container support) it prints "SKIPPED: <why>" and exits 0. Needs: root, debootstrap,
# systemd-nspawn (Debian package systemd-container), nsenter/unshare (util-linux), overlayfs, node and npm.
# Leaves nothing behind: the overlay lives in a private mount namespace, the container is shut down on any exit.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
unit=trakt-scrobblerd.service
suite=bookworm
variant=minbase
include=systemd,systemd-sysv,dbus
mirror=${TSD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${TSD_BOOT_CACHE:-/var/cache/trakt-scrobblerd-ci}
# Test-only drop-in: a short watchdog, so pings and a frozen daemon show within seconds (the unit says 60 s).
watchdog_sec=6
closed_port=9 # the discard port: nothing listens on it inside the container

skip() {
  echo "SKIPPED: $*"
  exit 0
}

[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, systemd-nspawn); CI runs as root"
for tool in debootstrap systemd-nspawn nsenter unshare chroot node npm; do
  command -v "$tool" >/dev/null || skip "$tool not found (Debian packages debootstrap, systemd-container, util-linux; Node.js)"
done

# Our own mount namespace: the overlay, and anything mounted under it, goes away with the script however it ends.
if [ -z "${TSD_BOOT_CHECK_IN_NS:-}" ]; then
  error=$(unshare --mount --propagation private true 2>&1) || skip "cannot create a mount namespace: $error"
  exec unshare --mount --propagation private -- env TSD_BOOT_CHECK_IN_NS=1 bash "$0" "$@"
fi

started=$SECONDS
passed=0
failed=0
pass() {
  echo "PASS $1: $2"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL $1: $2"
  failed=$((failed + 1))
}
now_ms() { date +%s%3N; }
# Polls a condition (every 0.25 s) until it holds or the time is up.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.25
  done
}
one_line() { tr '\n' ' ' | sed 's/  */ /g; s/ $//' | cut -c1-400; }
# A pino JSON log line as "msg: err.message" (or just msg); other lines as they are.
brief() {
  sed -E 's/^\{.*"err":\{"type":"[^"]*","message":"([^"]*)".*"msg":"([^"]*)".*$/\2: \1/; s/^\{.*"msg":"([^"]*)".*$/\1/' | one_line
}

# --- the rootfs, built once per package list ---------------------------------------------------------------------
arch=$(dpkg --print-architecture)
key=$(printf '%s\n' "$suite" "$variant" "$include" "$mirror" "$arch" | sha256sum | cut -c1-16)
base="$cache/rootfs-$suite-$key"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 # one build at a time; a second run waits for the first one's rootfs
rootfs_note="cached $base"
if [ ! -d "$base" ]; then
  # Another package list's rootfs, or a build that was interrupted: rebuild from scratch.
  for old in "$cache"/rootfs-*; do if [ -e "$old" ]; then rm -rf "$old"; fi; done
  build_started=$SECONDS
  if ! debootstrap --variant="$variant" --include="$include" "$suite" "$base.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1; then
    echo "FAIL rootfs: debootstrap $suite failed; last lines of $cache/debootstrap.log:"
    tail -n 5 "$cache/debootstrap.log"
    rm -rf "$base.tmp"
    exit 1
  fi
  mv "$base.tmp" "$base"
  rootfs_note="built $base with debootstrap in $((SECONDS - build_started)) s"
fi
flock -u 9
echo "rootfs: $rootfs_note"

# --- a throw-away root on top of it -------------------------------------------------------------------------------
work=$(mktemp -d /var/tmp/tsd-boot-check.XXXXXX)
root="$work/root"
nspawn_pid=""
pid1=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    kill -TERM "$nspawn_pid" 2>/dev/null || true # systemd-nspawn asks the container's systemd to power off
    wait_for 30 eval '! kill -0 "$nspawn_pid" 2>/dev/null' || kill -KILL "$nspawn_pid" 2>/dev/null || true
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  if mountpoint -q "$root" 2>/dev/null; then umount "$root" || umount -l "$root" || true; fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
mkdir -p "$root" "$work/upper" "$work/overlay-work"
error=$(mount -t overlay overlay -o "lowerdir=$base,upperdir=$work/upper,workdir=$work/overlay-work" "$root" 2>&1) ||
  skip "cannot mount an overlay on the cached rootfs: $error"

# --- Node, the package and the unit, as docs/ops.md says -----------------------------------------------------------
install -m 0755 "$(readlink -f "$(command -v node)")" "$root/usr/local/bin/node"
node_version=$(chroot "$root" /usr/local/bin/node --version 2>&1) || {
  echo "FAIL node: the host's node does not run in the rootfs: $node_version"
  exit 1
}

# The install line of docs/ops.md, exactly: only --flags between `-g` and the package are allowed.
install_line=$(grep -E '^\s*sudo npm install -g( --[a-z=-]+)* \./trakt-scrobblerd-\*\.tgz\s*$' "$repo/docs/ops.md" || true)
if [ "$(printf '%s' "$install_line" | grep -c .)" -ne 1 ]; then
  echo "FAIL install: expected one 'sudo npm install -g [--flag...] ./trakt-scrobblerd-*.tgz' line in docs/ops.md, found: ${install_line:-none}"
  exit 1
fi
read -r -a install_flags <<<"$(sed -E 's/^\s*sudo npm install -g ?//; s/\.\/trakt-scrobblerd-\*\.tgz\s*$//' <<<"$install_line")"
(cd "$repo" && npm run --silent build && npm pack --silent --pack-destination "$work" >/dev/null)
tgz=$(echo "$work"/trakt-scrobblerd-*.tgz)
if ! npm install -g --prefix "$root/usr/local" --no-fund --no-audit --loglevel=error "${install_flags[@]}" "$tgz" >"$work/npm-install.log" 2>&1; then
  echo "FAIL install: npm install -g ${install_flags[*]} failed:"
  tail -n 20 "$work/npm-install.log"
  exit 1
fi
echo "install: node $node_version and npm install -g ${install_flags[*]} $(basename "$tgz") into /usr/local (npm $(npm --version))"
package="$root/usr/local/lib/node_modules/trakt-scrobblerd"

native=$(cd "$package" && find . -name '*.node' -type f | sed 's|^\./||' | one_line)
keytar=$([ -d "$package/node_modules/keytar" ] && echo "keytar installed" || echo "keytar not installed")
if [ -z "$native" ]; then
  pass "defect 4 (docs' npm install -g builds no native module)" "$keytar, no *.node file under /usr/local/lib/node_modules/trakt-scrobblerd"
else
  fail "defect 4 (docs' npm install -g builds no native module)" "$keytar and built: $native"
fi

install -m 0644 "$package/systemd/$unit" "$root/etc/systemd/system/$unit"
# The config directory line of docs/ops.md, run in the rootfs as written (with root's usual umask).
configdir_line=$(grep -E '^\s*sudo (mkdir|install) .*/etc/trakt-scrobblerd\s*$' "$repo/docs/ops.md" | head -n 1 || true)
[ -n "$configdir_line" ] || {
  echo "FAIL install: no 'sudo mkdir|install ... /etc/trakt-scrobblerd' line in docs/ops.md"
  exit 1
}
(umask 022 && chroot "$root" sh -c "${configdir_line#*sudo }")
cat >"$root/etc/trakt-scrobblerd/config.yaml" <<EOF
# systemd boot check: Trakt at a closed port of the container's own loopback (the container has no network).
trakt:
  clientId: boot-check-client-id
  apiUrl: http://127.0.0.1:$closed_port
EOF
chmod 0644 "$root/etc/trakt-scrobblerd/config.yaml"
mkdir -p "$root/etc/systemd/system/$unit.d"
cat >"$root/etc/systemd/system/$unit.d/boot-check.conf" <<EOF
# systemd boot check only: a short watchdog so that pings and a frozen daemon show within seconds.
[Service]
WatchdogSec=${watchdog_sec}s
EOF

# --- boot ----------------------------------------------------------------------------------------------------------
systemd-nspawn -D "$root" -M "tsd-boot-check-$$" -b --register=no --keep-unit --private-network --console=pipe \
  </dev/null >"$work/console.log" 2>&1 &
nspawn_pid=$!
# The container's PID 1 is the child of systemd-nspawn that is PID 1 in its own PID namespace.
find_pid1() {
  local status
  for status in /proc/[0-9]*/status; do
    if grep -qx "PPid:[[:space:]]*$nspawn_pid" "$status" 2>/dev/null && grep -qE '^NSpid:\s+[0-9]+\s+1$' "$status" 2>/dev/null; then
      pid1=$(awk '/^Pid:/ { print $2 }' "$status")
      return 0
    fi
  done
  kill -0 "$nspawn_pid" 2>/dev/null || return 0 # exited: stop waiting
  return 1
}
wait_for 30 find_pid1 || true
if [ -z "$pid1" ]; then
  kill -0 "$nspawn_pid" 2>/dev/null || { wait "$nspawn_pid" 2>/dev/null || true; nspawn_pid=""; }
  skip "systemd-nspawn could not boot the container: $(tail -n 3 "$work/console.log" | one_line)"
fi

inside() {
  nsenter -t "$pid1" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    SYSTEMD_PAGER= SYSTEMD_COLORS=0 "$@"
}
# systemd answers on its private socket once it is up; then `is-system-running --wait` (systemd 252) waits for the
# boot to finish. "degraded" (some unit of the minimal image failed) is fine here.
wait_for 60 eval '[ -S "/proc/$pid1/root/run/systemd/private" ] || ! kill -0 "$nspawn_pid" 2>/dev/null' || true
system_state=$(timeout 120 nsenter -t "$pid1" -a systemctl is-system-running --wait 2>&1 || true)
case "$system_state" in
running | degraded) ;;
*)
  if ! kill -0 "$nspawn_pid" 2>/dev/null; then
    nspawn_pid=""
    skip "systemd-nspawn could not boot the container: $(tail -n 3 "$work/console.log" | one_line)"
  fi
  echo "FAIL boot: the container's systemd did not reach running: ${system_state:-no answer}"
  exit 1
  ;;
esac
echo "boot: $(inside systemctl --version | head -n 1) in the container is $system_state (PID 1 is host PID $pid1)"

prop() { inside systemctl show "$unit" -p "$1" --value; }
journal_cursor() { inside journalctl -n 0 --show-cursor -q | sed -n 's/^-- cursor: //p'; }
unit_log() { inside journalctl -u "$unit" -o cat --no-pager -q "$@"; }
# The unit's journal since a cursor, matching an extended regex (first matching line on stdout).
log_has() {
  local cursor=$1 pattern=$2
  unit_log --after-cursor="$cursor" | grep -m 1 -E -- "$pattern"
}
last_log() { unit_log -n "${1:-3}" | brief; }
is_active() { [ "$(prop ActiveState)" = active ]; }
restarted_since() { # restarted_since NRESTARTS: a restart happened and the new main process is active
  [ "$(prop NRestarts)" -gt "$1" ] && is_active
}

# --- start: READY and the status text ------------------------------------------------------------------------------
cursor=$(journal_cursor)
inside systemctl daemon-reload || true
t0=$(now_ms)
enable_output=$(inside systemctl enable --now "$unit" 2>&1) && enable_rc=0 || enable_rc=$?
ready_ms=$(($(now_ms) - t0))
status_text=$(prop StatusText)
if [ "$enable_rc" -eq 0 ] && is_active && [[ "$status_text" == scrobbling* ]]; then
  pass "ready" "active $ready_ms ms after \`systemctl enable --now\` (Type=notify, READY=1); status \"$status_text\""
else
  fail "ready" "systemctl enable --now exited $enable_rc after $ready_ms ms ($(one_line <<<"$enable_output")); state $(prop ActiveState)/$(prop SubState); journal: $(last_log 3)"
fi

# --- defect 1: the DynamicUser has no passwd entry without libnss-systemd ------------------------------------------
passwd=$(inside getent passwd trakt-scrobblerd) && passwd_rc=0 || passwd_rc=$?
nss=$(inside dpkg-query -W -f='${db:Status-Status}' libnss-systemd 2>/dev/null || echo not-installed)
homedir_crash=$(log_has "$cursor" 'homedir|ENOENT' || true)
if [ "$passwd_rc" -ne 0 ] && is_active && [ "$(prop NRestarts)" -eq 0 ] && [ -z "$homedir_crash" ]; then
  pass "defect 1 (service user without a passwd entry)" "libnss-systemd $nss, \`getent passwd trakt-scrobblerd\` finds nothing (exit $passwd_rc); the daemon runs (NRestarts=0)"
else
  fail "defect 1 (service user without a passwd entry)" "libnss-systemd $nss, getent: ${passwd:-exit $passwd_rc}; state $(prop ActiveState)/$(prop SubState), NRestarts=$(prop NRestarts); journal: $(brief <<<"${homedir_crash:-$(unit_log -n 2)}")"
fi

# --- /healthz from inside the container ------------------------------------------------------------------------------
health=$(inside node -e '
  fetch("http://127.0.0.1:7788/healthz", { signal: AbortSignal.timeout(5000) })
    .then(async (r) => { console.log(r.status, (await r.text()).trim()); process.exitCode = r.ok ? 0 : 1; })
    .catch((e) => { console.log(String(e.cause ?? e)); process.exitCode = 1; });' 2>&1) && health_rc=0 || health_rc=$?
health=$(one_line <<<"$health")
if [ "$health_rc" -eq 0 ]; then pass "healthz" "GET http://127.0.0.1:7788/healthz inside the container: $health"; else fail "healthz" "GET /healthz: $health"; fi

# --- the state directory ---------------------------------------------------------------------------------------------
service_uid=$(prop UID)
state_link=$(inside readlink /var/lib/trakt-scrobblerd || true)
state_stat=$(inside stat -c '%a %u' /var/lib/private/trakt-scrobblerd 2>&1 || true)
private_stat=$(inside stat -c '%a %u' /var/lib/private 2>&1 || true)
loose=$(inside find /var/lib/private/trakt-scrobblerd -perm /077 2>&1 | one_line || true)
entries=$(inside find /var/lib/private/trakt-scrobblerd -mindepth 1 2>/dev/null | wc -l || true)
if [ "$state_link" = private/trakt-scrobblerd ] && [ "$state_stat" = "700 $service_uid" ] && [ "$private_stat" = "700 0" ] && [ -z "$loose" ] && [ "$entries" -gt 0 ]; then
  pass "state directory" "/var/lib/trakt-scrobblerd -> $state_link, mode 700 owned by the service's uid $service_uid; /var/lib/private 700 root; $entries entries inside, none group/other-accessible"
else
  fail "state directory" "link '$state_link', dir '$state_stat' (service uid '$service_uid'), /var/lib/private '$private_stat', $entries entries, group/other-accessible: ${loose:-none}"
fi

# --- systemd-analyze security, online ------------------------------------------------------------------------------
security=$(inside systemd-analyze security "$unit" 2>&1 | grep -E 'Overall exposure level' || true)
exposure=$(sed -nE 's/.*Overall exposure level for [^:]+: ([0-9.]+).*/\1/p' <<<"$security")
if [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 1.4) }'; then
  pass "security" "systemd-analyze security (online, systemd 252): $(one_line <<<"$security")"
else
  fail "security" "exposure must be <= 1.4: ${security:-no result}"
fi

# --- the watchdog: pings, then a frozen daemon -----------------------------------------------------------------------
watchdog_usec=$(prop WatchdogUSec)
ping_times=()
last_ping=$(prop WatchdogTimestampMonotonic)
next_ping() {
  local now
  now=$(prop WatchdogTimestampMonotonic)
  [ "$now" != "$last_ping" ] || return 1
  last_ping=$now
  ping_times+=("$now")
}
for _ in 1 2; do wait_for $((watchdog_sec * 2)) next_ping || break; done
if [ "${#ping_times[@]}" -eq 2 ]; then
  gap_ms=$(((ping_times[1] - ping_times[0]) / 1000))
  if [ "$gap_ms" -ge $((watchdog_sec * 1000 / 4)) ] && [ "$gap_ms" -le $((watchdog_sec * 1000 * 3 / 4)) ]; then
    pass "watchdog pings" "WATCHDOG=1 seen twice, $gap_ms ms apart (WatchdogSec=$watchdog_usec in a test drop-in: every WatchdogSec/2)"
  else
    fail "watchdog pings" "WATCHDOG=1 pings $gap_ms ms apart, expected about WatchdogSec/2 ($watchdog_usec)"
  fi
else
  fail "watchdog pings" "WatchdogTimestamp changed ${#ping_times[@]} time(s) in $((watchdog_sec * 4)) s (WatchdogSec=$watchdog_usec)"
fi

restarts=$(prop NRestarts)
frozen_pid=$(prop MainPID)
cursor=$(journal_cursor)
t0=$(now_ms)
inside systemctl kill --kill-whom=main --signal=SIGSTOP "$unit" || true
if wait_for 60 restarted_since "$restarts"; then
  timeout_line=$(log_has "$cursor" 'Watchdog timeout' || true)
  if [ -n "$timeout_line" ]; then
    pass "watchdog restart" "main PID $frozen_pid stopped with SIGSTOP; systemd: \"$timeout_line\"; active again as PID $(prop MainPID) after $(($(now_ms) - t0)) ms"
  else
    fail "watchdog restart" "restarted, but not by the watchdog: $(unit_log --after-cursor="$cursor" | brief)"
  fi
else
  fail "watchdog restart" "PID $frozen_pid frozen, not restarted within 60 s; state $(prop ActiveState)/$(prop SubState); journal: $(last_log 3)"
fi

# --- reload, with no procps in the image ---------------------------------------------------------------------------
reload_line=$(grep -E '^ExecReload=' "$root/etc/systemd/system/$unit" || echo "no ExecReload=")
procps=$(inside dpkg-query -W -f='${db:Status-Status}' procps 2>/dev/null || echo not-installed)
main_pid=$(prop MainPID)
cursor=$(journal_cursor)
reload_output=$(inside systemctl reload "$unit" 2>&1) && reload_rc=0 || reload_rc=$?
reloaded=$(wait_for 10 log_has "$cursor" 'SIGHUP' >/dev/null && log_has "$cursor" 'SIGHUP' | sed -E 's/.*"msg":"([^"]*)".*/\1/' || true)
if [ "$reload_rc" -eq 0 ] && [ -n "$reloaded" ] && [ "$(prop MainPID)" = "$main_pid" ]; then
  pass "reload" "systemctl reload: the daemon logged \"$reloaded\", same main PID $main_pid"
else
  fail "reload" "systemctl reload exited $reload_rc ($(one_line <<<"$reload_output")); journal: $(unit_log --after-cursor="$cursor" | tail -n 3 | brief)"
fi
if [ "$procps" != installed ] && [ "$reload_rc" -eq 0 ] && [ -n "$reloaded" ]; then
  pass "defect 3 (reload without procps)" "procps $procps; $reload_line works"
else
  fail "defect 3 (reload without procps)" "procps $procps; $reload_line: $(log_has "$cursor" 'Failed to execute|203/EXEC|control process' | brief || echo "reload exit $reload_rc")"
fi

# --- restart after SIGKILL ------------------------------------------------------------------------------------------
restarts=$(prop NRestarts)
killed_pid=$(prop MainPID)
t0=$(now_ms)
inside systemctl kill --kill-whom=main --signal=SIGKILL "$unit" || true
if wait_for 60 restarted_since "$restarts"; then
  pass "restart after SIGKILL" "main PID $killed_pid killed; active again as PID $(prop MainPID) after $(($(now_ms) - t0)) ms (RestartSec=$(prop RestartUSec))"
else
  fail "restart after SIGKILL" "PID $killed_pid killed, not back within 60 s; state $(prop ActiveState)/$(prop SubState)"
fi

# --- the journal: no hardening denial, no config-directory mode warning ---------------------------------------------
denials=$(unit_log | grep -E -i 'audit|EPERM|SECCOMP|Operation not permitted|Permission denied|EACCES' | head -n 3 | one_line || true)
if [ -z "$denials" ]; then
  pass "no hardening denial" "$(unit_log | wc -l) journal lines of the unit, none with audit/EPERM/SECCOMP/Operation not permitted/Permission denied/EACCES"
else
  fail "no hardening denial" "$denials"
fi
mode_warning=$(unit_log | grep -m 1 -E 'already exists but the mode is different' || true)
configdir_stat=$(inside stat -c '%a %U' /etc/trakt-scrobblerd 2>&1 || true)
if [ -z "$mode_warning" ]; then
  pass "defect 2 (config directory as docs/ops.md makes it)" "'${configdir_line#*sudo }' gives $configdir_stat, $(grep -E '^ConfigurationDirectoryMode=' "$root/etc/systemd/system/$unit" || echo 'ConfigurationDirectoryMode= default 0755') in the unit: systemd does not warn"
else
  fail "defect 2 (config directory as docs/ops.md makes it)" "'${configdir_line#*sudo }' gives $configdir_stat; systemd: \"$mode_warning\""
fi

# --- stop: exit 0 ---------------------------------------------------------------------------------------------------
t0=$(now_ms)
inside systemctl stop "$unit" || true
stop_ms=$(($(now_ms) - t0))
result=$(prop Result)
main_code=$(prop ExecMainCode)
main_status=$(prop ExecMainStatus)
if [ "$result" = success ] && [ "$main_code" = 1 ] && [ "$main_status" = 0 ]; then
  pass "stop" "systemctl stop took $stop_ms ms; the daemon exited with status 0 (Result=success)"
else
  fail "stop" "after $stop_ms ms: Result=$result, ExecMainCode=$main_code (1 = exited, 2 = killed), ExecMainStatus=$main_status"
fi

# --- defect 2: a config file the service cannot read ----------------------------------------------------------------
# Root-owned 0750 directory (what ConfigurationDirectoryMode=0750 used to ask for), 0640 file: the dynamic user
# cannot read it. The daemon must say which file and why, and must not run on defaults.
inside chmod 0750 /etc/trakt-scrobblerd || true
inside chmod 0640 /etc/trakt-scrobblerd/config.yaml || true
inside systemctl reset-failed "$unit" 2>/dev/null || true
cursor=$(journal_cursor)
start_output=$(inside systemctl start "$unit" 2>&1) && start_rc=0 || start_rc=$?
refusal=$(log_has "$cursor" 'config\.yaml.*(EACCES|ermission denied)' || true)
defaults=$(log_has "$cursor" 'using defaults' || true)
if [ "$start_rc" -ne 0 ] && [ "$(prop ExecMainStatus)" = 2 ] && [ -n "$refusal" ] && [ -z "$defaults" ]; then
  pass "defect 2 (unreadable config file)" "/etc/trakt-scrobblerd 0750 root: the start fails, exit status 2, state $(prop ActiveState) (NRestarts=$(prop NRestarts)); the daemon: \"$(brief <<<"$refusal")\""
else
  fail "defect 2 (unreadable config file)" "/etc/trakt-scrobblerd 0750 root: start exit $start_rc, state $(prop ActiveState)/$(prop SubState), main exit status $(prop ExecMainStatus); $(if [ -n "$defaults" ]; then echo "the daemon started on defaults: $(grep -o '"config":"[^"]*"' <<<"$defaults")"; else echo "journal: $(unit_log --after-cursor="$cursor" | tail -n 3 | brief)"; fi)"
fi
inside systemctl stop "$unit" 2>/dev/null || true

# --- shut down and check nothing is left ----------------------------------------------------------------------------
container_pidns=$(readlink "/proc/$pid1/ns/pid")
kill -TERM "$nspawn_pid" 2>/dev/null || true
if wait_for 60 eval '! kill -0 "$nspawn_pid" 2>/dev/null'; then
  wait "$nspawn_pid" 2>/dev/null && nspawn_rc=0 || nspawn_rc=$?
  nspawn_pid=""
  umount "$root"
  left=$(for ns in /proc/[0-9]*/ns/pid; do [ "$(readlink "$ns" 2>/dev/null)" = "$container_pidns" ] && echo "${ns%/ns/pid}"; done | one_line || true)
  mounts=$(grep -c -F " $root" /proc/self/mountinfo || true)
  if [ -z "$left" ] && [ "$mounts" -eq 0 ]; then
    pass "shutdown" "the container powered off (systemd-nspawn exit $nspawn_rc); no process in its PID namespace, no mount under the work directory"
  else
    fail "shutdown" "processes left: ${left:-none}; mounts left: $mounts"
  fi
else
  fail "shutdown" "systemd-nspawn still running 60 s after SIGTERM"
fi

echo "systemd boot check: $passed passed, $failed failed in $((SECONDS - started)) s"
[ "$failed" -eq 0 ]
