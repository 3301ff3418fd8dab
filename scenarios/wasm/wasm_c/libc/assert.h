/* assert.h for wasm32 without a libc: a failed assertion traps (JavaScript sees a RuntimeError). */
#ifndef ZCW_ASSERT_H
#define ZCW_ASSERT_H
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : __builtin_trap())
#endif
#endif
