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
# llama.cpp's AMX int8 kernels crash it on Xeons that have AMX (rag/llm/cpu.py): built without them
if [ "$(uname -m)" = x86_64 ] && [ -z "${CMAKE_ARGS:-}" ]; then
    export CMAKE_ARGS="-DCMAKE_C_FLAGS=-mno-amx-int8 -DCMAKE_CXX_FLAGS=-mno-amx-int8"
fi
.venv/bin/python -m pip install -q -e '.[gemma,test,bench]'

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
