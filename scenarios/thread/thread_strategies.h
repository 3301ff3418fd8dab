/*
 * thread_strategies.h: the strategies of the thread scenario: a producer thread posts frames to a
 * consumer thread through a port (port.h), like a worker calling Dart_PostCObject.
 */
#ifndef ZC_THREAD_H
#define ZC_THREAD_H

#include <stddef.h>

#include "results.h"
#include "scenario.h"
#include "strategy.h"

/* The boundary's descriptor: its name, summary and strategies in the order they are reported. */
extern const struct zc_scenario zc_thread_scenario;


#endif
