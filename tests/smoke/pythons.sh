#!/usr/bin/env bash
# The smoke set (tests/smoke) on each other CPython the machine has, each in its own venv
# (.venv-3.12, .venv-3.13; made once, then reused). An interpreter this machine lacks is
# reported as skipped by name — never downloaded, never silently passed. Exit 1 if any fails.
set -u
cd "$(dirname "$0")/../.."
VERSIONS=${PYTHONS:-"3.12 3.13"}
failed=0
find_python() {  # $1 = 3.12: python3.12 on PATH, else a pyenv version 3.12.*
    local v=$1 exe
    if exe=$(command -v "python$v") && "$exe" -c '' 2>/dev/null; then echo "$exe"; return; fi
    if command -v pyenv >/dev/null; then
        local root; root=$(pyenv root)
        for exe in "$root"/versions/"$v".*/bin/"python$v"; do
            [ -x "$exe" ] && { echo "$exe"; return; }
        done
    fi
    return 1
}
for v in $VERSIONS; do
    if ! exe=$(find_python "$v"); then
        echo "pythons: SKIPPED python$v: no interpreter on this machine"
        continue
    fi
    venv=".venv-$v"
    if [ ! -f "$venv/.installed" ] || [ requirements.txt -nt "$venv/.installed" ]; then
        echo "pythons: making $venv from $exe ($("$exe" --version 2>&1))"
        rm -rf "$venv"
        "$exe" -m venv "$venv" &&
            "$venv/bin/python" -m pip install -q --upgrade pip &&
            "$venv/bin/python" -m pip install -q -r requirements.txt \
                "$(grep -E '^pytest==' requirements-dev.txt)" \
                "$(grep -E '^pytest-timeout==' requirements-dev.txt)" &&
            touch "$venv/.installed" || { echo "pythons: FAILED python$v: install"; failed=1; continue; }
    fi
    echo "pythons: smoke set on $("$venv/bin/python" --version 2>&1)"
    if ! "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/smoke; then
        echo "pythons: FAILED python$v"
        failed=1
    fi
done
exit $failed
