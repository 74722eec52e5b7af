#!/usr/bin/env bash
# The system programs the test suite drives for real: Graphviz (the system engine), Chromium (the
# HTML grid in a browser), a JRE (the W3C Nu HTML checker), Node.js 20+ with npm (Mermaid's own
# parser, axe-core), and fonts for the pictures; and what builds cjmap's compiled YAML reader (a C
# compiler, libyaml's and Python's headers), so the tests exercise it. As root with apt-get,
# installs what is missing; otherwise names the exact command to run, and fails.
set -euo pipefail

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if command -v fc-list >/dev/null 2>&1; then
  fc-list | grep -qi "DejaVu Sans" || missing+=(fonts-dejavu-core)
  fc-list | grep -qi "Noto Color Emoji" || missing+=(fonts-noto-color-emoji)
else
  missing+=(fontconfig fonts-dejavu-core fonts-noto-color-emoji)
fi
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
[ -f /usr/include/yaml.h ] || missing+=(libyaml-dev)
# The headers of the Python that builds the venv (make passes PYTHON; Debian's python3 by default).
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1 \
  || ! "$python" -c 'import os, sys, sysconfig; sys.exit(not os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
  missing+=(python3-dev)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages for the tests: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "cjmap: the tests need system packages that are missing; install them with:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

# jsdom (under Mermaid's parser) needs Node.js 20.19 or newer.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "cjmap: the tests need Node.js 20.19 or newer (found $(node --version)); install a newer nodejs" >&2
  exit 1
fi
