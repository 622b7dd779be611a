"""native/amx_tilecfg.h: with it, GCC keeps the stores that fill an AMX tile configuration at -O3.

Compiles (to assembly only, so no AMX CPU is needed) a function shaped like llama.cpp's
``ggml_tile_config_init`` and looks for the configuration's values in what ``ldtilecfg`` reads."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HEADER = Path(__file__).resolve().parents[1] / "native" / "amx_tilecfg.h"
SOURCE = """
#include <immintrin.h>
typedef struct { unsigned char palette_id, start_row, reserved[14]; unsigned short colsb[16]; unsigned char rows[16]; } cfg_t;
void load(void) {
    __attribute__((aligned(64))) cfg_t tc = {0};
    tc.palette_id = 1;
    tc.rows[0] = 7;  tc.colsb[0] = 60;
    tc.rows[5] = 13; tc.colsb[5] = 44;
    _tile_loadconfig(&tc);
}
"""


def _assembly(tmp_path: Path, *flags: str) -> str:
    src = tmp_path / "tilecfg.c"
    src.write_text(SOURCE)
    done = subprocess.run(["gcc", "-O3", "-mamx-tile", *flags, "-S", "-o", "-", str(src)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"gcc cannot compile AMX code here: {done.stderr[:200]}")
    return done.stdout


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc")
def test_the_tile_configuration_is_written_before_ldtilecfg_reads_it(tmp_path):
    fixed = _assembly(tmp_path, f"-include{HEADER}")
    assert "ldtilecfg" in fixed
    assert "$60" in fixed and "$44" in fixed  # colsb[0], colsb[5]: stored, not dropped as dead


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc")
def test_the_header_changes_nothing_without_amx(tmp_path):
    src = tmp_path / "plain.c"
    src.write_text(f'#include "{HEADER}"\nint f(void) {{ return 1; }}\n')
    done = subprocess.run(["gcc", "-O2", "-mno-amx-tile", "-E", str(src)], capture_output=True, text=True)
    assert done.returncode == 0 and "rag_tile_config_bytes" not in done.stdout
