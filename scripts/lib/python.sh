# The project's Python tools live in compat/.venv, installed from compat/requirements.txt when that file changes.
# Source this file, then: python_tools_ready  (sets VENV_PYTHON).

python_tools_ready() {
  local venv=compat/.venv stamp=compat/.venv/requirements.sha256
  if [ ! -f "$stamp" ] || ! sha256sum --status -c "$stamp" 2>/dev/null; then
    echo "installing Python tools into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r compat/requirements.txt
    sha256sum compat/requirements.txt > "$stamp"
  fi
  VENV_PYTHON="$venv/bin/python"
}

# Installs missing Debian packages when root; otherwise names them and fails.
ensure_debian_packages() {
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: $* (run as root, or install them)" >&2
    return 1
  fi
  echo "installing Debian packages: $*"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
