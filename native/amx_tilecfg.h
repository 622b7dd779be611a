/* Forced into every llama.cpp source file by setup.sh (-include) so that its AMX kernels work.

   GCC 12's _tile_loadconfig (amxtileintrin.h) declares that ldtilecfg reads 8 bytes, not the
   64-byte tile configuration it loads. At -O3 (llama-cpp-python's Release build) GCC then drops the
   stores that fill the configuration as dead (ggml_tile_config_init in ggml-cpu/amx/mmq.cpp), ldtilecfg
   loads stack garbage, and the first tile instruction of a prompt longer than one token faults:
   "SIGSEGV in ggml_backend_amx_mul_mat" (ggml-org/llama.cpp#20824). Here the instruction is given its
   whole operand, so the stores stay. Nothing changes on a CPU or compiler without AMX. */
#if defined(__AMX_TILE__)
#include <immintrin.h>
typedef struct { unsigned char bytes[64]; } rag_tile_config_bytes;
#undef _tile_loadconfig
#define _tile_loadconfig(config) \
    __asm__ volatile("ldtilecfg\t%X0" :: "m"(*(const rag_tile_config_bytes *)(config)))
#endif
