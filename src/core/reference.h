/*
 * reference.h: the reference_memcpy entry every scenario times beside its strategies.
 */
#ifndef ZC_REFERENCE_H
#define ZC_REFERENCE_H

#include "strategy.h"

extern const struct zc_strategy zc_reference_memcpy;

#endif
