# The project's Python tools live in compat/.venv, installed from compat/requirements.txt when that file (or the
# interpreter) changes. Some judges (tesla-fleet-api, volvocarsapi) need Python ≥ 3.13, so the venv is built on a
# 3.13+ interpreter: `python3.13`/`python3.14` on the PATH, else one under pyenv. Without one the tests fail.
# Source this file, then: python_tools_ready  (sets VENV_PYTHON).

python_for_tools() {
  local candidate
  for candidate in "$(command -v python3.14 2>/dev/null)" "$(command -v python3.13 2>/dev/null)" \
      "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[3-9]*/bin/python3 /usr/bin/python3.13; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 13))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

python_tools_ready() {
  local venv=compat/.venv stamp=compat/.venv/requirements.sha256 python version
  if ! python="$(python_for_tools)"; then
    echo "no Python 3.13 or newer found (python3.13 on the PATH, or under pyenv): the compat judges need it" >&2
    return 1
  fi
  version="$("$python" -c 'import sys; print(sys.version.split()[0])')"
  if [ ! -f "$stamp" ] || ! sha256sum --status -c "$stamp" 2>/dev/null || [ "$(cat "$venv/python-version" 2>/dev/null)" != "$version" ]; then
    echo "installing Python tools into $venv (Python $version)"
    "$python" -m venv --clear "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r compat/requirements.txt
    sha256sum compat/requirements.txt > "$stamp"
    echo "$version" > "$venv/python-version"
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
