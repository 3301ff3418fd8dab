/* cxx_strategies.h: the cxx boundary's descriptor (cxx_strategies.c). */
#ifndef ZC_CXX_STRATEGIES_H
#define ZC_CXX_STRATEGIES_H

#include "scenario.h"

extern const struct zc_scenario zc_cxx_scenario;

#endif
