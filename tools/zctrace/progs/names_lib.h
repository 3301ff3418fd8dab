/*
 * names_lib.h: libzcnames.so, the shared library of the names test program (names.c).
 */
#ifndef ZC_NAMES_LIB_H
#define ZC_NAMES_LIB_H

/* Copies 2 MiB of src into dst from a static function of the library; returns dst's last byte. */
unsigned names_library(unsigned char *dst, const unsigned char *src);

#endif
