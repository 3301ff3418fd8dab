/*
 * process_strategies.h: the strategies of the process scenario (a producer process hands
 * frames to a forked consumer process).
 */
#ifndef ZC_PROCESS_STRATEGIES_H
#define ZC_PROCESS_STRATEGIES_H

#include <stddef.h>

#include "results.h"
#include "scenario.h"
#include "strategy.h"

/* The boundary's descriptor: its name, summary and strategies in the order they are reported. */
extern const struct zc_scenario zc_process_scenario;


#endif
