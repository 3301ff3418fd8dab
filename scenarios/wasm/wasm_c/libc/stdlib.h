/* stdlib.h for wasm32 without a libc: nothing of it is used by the frame code linked. */
#ifndef ZCW_STDLIB_H
#define ZCW_STDLIB_H
#include <stddef.h>
#endif
