"""Keeps llama.cpp off the CPU kernels that crash it.

llama-cpp-python 0.3.36, built with ``-march=native`` on a Xeon with AMX, crashes (SIGSEGV in
``ggml_backend_amx_mul_mat``) on the first prompt longer than a token or two: the server answers
"200 OK" and dies, and the reader sees "Connection error". ``setup.sh`` therefore builds it with
``-mno-amx-int8`` (the AMX kernels are left out; AVX-512 and AVX2 stay). ``guard()`` covers a library
built elsewhere with them: models are then loaded without llama.cpp's extra buffer types (the AMX
one, and the repacked weight layouts with it). Without repacking, as llama.cpp's ``--no-repack``, a CPU
may read prompts faster and generate slower: ``RAG_LLAMA_REPACK=off`` asks for it (measured in the
README). What it leaves out: any other faulty kernel; ``guard`` only reads what the library says it was
built with.
"""
from __future__ import annotations

AMX = "AMX_INT8 = 1"


def built_with_amx(system_info: str) -> bool:
    """True when llama.cpp's system info says its CPU backend has the AMX int8 kernels."""
    return AMX in system_info


def guard(C=None, repack: bool = True) -> bool:
    """Loads every later model without extra buffer types when the library (``C``: default
    ``llama_cpp.llama_cpp``) has the AMX kernels, or when ``repack`` is off (``RAG_LLAMA_REPACK``);
    returns whether it did."""
    if C is None:
        import llama_cpp.llama_cpp as C

    if repack and not built_with_amx(C.llama_print_system_info().decode(errors="replace")):
        return False
    if not getattr(C.llama_model_default_params, "_rag_guarded", False):
        default = C.llama_model_default_params

        def params():
            p = default()
            p.use_extra_bufts = False
            return p

        params._rag_guarded = True
        C.llama_model_default_params = params
    return True
