# Shared helpers for the scripts in this folder. Source it; do not run it.
# Every step is idempotent: it checks what is there and does only what is missing.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="${SCIDAY_VAR_DIR:-$ROOT/var}"
STAMPS="$VAR/stamps"
mkdir -p "$STAMPS"

PYTHON_VERSION="$(tr -d '[:space:]' < "$ROOT/.python-version")"
UV_VERSION="0.13.8"
TOOLS="$VAR/tools"          # a small venv that holds uv
UV="$TOOLS/bin/uv"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }

# hash_of FILE... -> one sha256 over the files' contents (missing files count as empty).
hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# stamp_ok NAME HASH -> true when the step NAME was last done for HASH.
stamp_ok() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_set() { echo "$2" > "$STAMPS/$1"; }

# as_root CMD... -> run CMD as root (directly when we are root, else through sudo).
as_root() {
    if [[ "$(id -u)" == 0 ]]; then "$@"; else sudo "$@"; fi
}

# ensure_apt PKG... -> install the Debian packages that are missing (apt-get update once).
_APT_UPDATED=0
ensure_apt() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get: install them by hand"
    say "Installing Debian packages: ${missing[*]}"
    if [[ "$_APT_UPDATED" == 0 ]]; then
        as_root apt-get update -qq
        _APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# find_python -> path of the interpreter named in .python-version.
find_python() {
    local candidates=(
        "${PYENV_ROOT:-$HOME/.pyenv}/versions/$PYTHON_VERSION/bin/python"
        "$(command -v "python$PYTHON_VERSION" 2>/dev/null || true)"
        "$(command -v "python${PYTHON_VERSION%.*}" 2>/dev/null || true)"
    )
    for candidate in "${candidates[@]}"; do
        if [[ -n "$candidate" && -x "$candidate" ]]; then
            echo "$candidate"
            return 0
        fi
    done
    if command -v pyenv >/dev/null || [[ -x "$HOME/.pyenv/bin/pyenv" ]]; then
        say "Installing Python $PYTHON_VERSION with pyenv"
        "${PYENV_ROOT:-$HOME/.pyenv}/bin/pyenv" install -s "$PYTHON_VERSION" >&2
        echo "${PYENV_ROOT:-$HOME/.pyenv}/versions/$PYTHON_VERSION/bin/python"
        return 0
    fi
    die "Python $PYTHON_VERSION not found: install it (pyenv install $PYTHON_VERSION)"
}

# django CMD... -> run manage.py in the project's virtualenv.
django() { (cd "$ROOT" && "$PY" manage.py "$@"); }
