/* inttypes.h for wasm32 without a libc: the compiler's fixed-width types and the formats used. */
#ifndef ZCW_INTTYPES_H
#define ZCW_INTTYPES_H
#include <stdint.h>
#define PRIu64 "llu"
#define PRIx64 "llx"
#endif
