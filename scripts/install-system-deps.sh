#!/usr/bin/env bash
# Debian packages the tests use for real: mpv + ffmpeg (mpv adapter), Kodi + Xvfb + PulseAudio (Kodi adapter),
# gnome-keyring + libsecret (keychain token store; libsecret-1-dev lets keytar build from source),
# systemd (systemd-analyze verify/security on the unit file; systemd-notify), tini (the Docker entrypoint, run by
# the Dockerfile contract test), python3 (a unix datagram receiver standing in for systemd in the sd-notify test),
# sqlite3 (Kodi test library rows), gcc + libc6-dev (the Kodi tests' render-loop cap, an LD_PRELOAD shim compiled
# at test setup), systemd-container + debootstrap (scripts/systemd-boot-check.sh boots the unit under a real systemd
# in systemd-nspawn, in a Debian bookworm root file system that debootstrap builds from Debian's archive), chromium
# (the dashboard's browser tests and screenshots, driven by playwright-core; no browser is downloaded).
# Tests that need one of these print SKIPPED and why where it is missing.
set -euo pipefail
packages=(mpv ffmpeg kodi xvfb pulseaudio gnome-keyring dbus libsecret-1-dev libsecret-tools systemd systemd-container debootstrap tini python3 sqlite3 gcc libc6-dev chromium)
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: not root; skipping apt-get (${packages[*]})" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "install-system-deps: installed ${packages[*]}"
