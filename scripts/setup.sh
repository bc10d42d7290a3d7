#!/usr/bin/env bash
# Set up everything the project needs on a fresh Debian/Ubuntu machine with Python 3.10+:
# Graphviz's `dot` (for diagrams), a virtual environment in .venv, and the package with its
# test tools. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1
  fi
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ -z "${_APT_UPDATED:-}" ]; then as_root apt-get update -qq || return 1; _APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "error: service-blueprint needs Python 3.10 or newer ($PYTHON is $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi

if ! command -v dot >/dev/null 2>&1; then
  echo "setup: installing Graphviz (dot) for diagrams"
  apt_install graphviz || {
    echo "warning: could not install Graphviz. Diagrams need its 'dot' program:" >&2
    echo "  Debian/Ubuntu: sudo apt-get install graphviz   macOS: brew install graphviz   conda: conda install -c conda-forge graphviz" >&2
  }
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    ver=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    apt_install "python${ver}-venv" || apt_install python3-venv || {
      echo "error: cannot create a virtual environment; install python3-venv (sudo apt-get install python3-venv)" >&2
      exit 1
    }
    "$PYTHON" -m venv "$VENV"
  fi
fi

stamp="$VENV/.installed-$(cat pyproject.toml | cksum | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing service-blueprint and its test tools into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[dev,bench]"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi
