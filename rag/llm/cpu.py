"""What llama.cpp's CPU backend was built with, and loading models without its extra buffer types.

llama-cpp-python 0.3.36 built by GCC 12 at -O3 with ``-march=native`` on a Xeon with AMX crashed (SIGSEGV
in ``ggml_backend_amx_mul_mat``) on the first prompt longer than a token: GCC dropped the stores filling
the AMX tile configuration (``native/amx_tilecfg.h`` says why and mends it; ``setup.sh`` builds with it).
``built_with_amx`` tells whether the library has those kernels (``layout`` then also times Q8_0 weights on
them). ``guard(repack=False)`` loads every later model without llama.cpp's extra buffer types (the
repacked weight layouts and the AMX one), as llama.cpp's ``--no-repack``: the layout ``layout`` chose, and
the safe one for a library built elsewhere whose AMX kernels crash (``layout`` leaves a crashing layout
out). What it leaves out: any other faulty kernel; it reads only what the library says it was built with.
"""
from __future__ import annotations

AMX = "AMX_INT8 = 1"


def built_with_amx(system_info: str) -> bool:
    """True when llama.cpp's system info says its CPU backend has the AMX int8 kernels."""
    return AMX in system_info


def guard(C=None, repack: bool = True) -> bool:
    """Loads every later model without extra buffer types when ``repack`` is off (``C``: default
    ``llama_cpp.llama_cpp``); returns whether it did."""
    if repack:
        return False
    if C is None:
        import llama_cpp.llama_cpp as C

    if not getattr(C.llama_model_default_params, "_rag_guarded", False):
        default = C.llama_model_default_params

        def params():
            p = default()
            p.use_extra_bufts = False
            return p

        params._rag_guarded = True
        C.llama_model_default_params = params
    return True
