/*
 * table.h: the verdict table printed at the end of a scenario run.
 */
#ifndef ZC_TABLE_H
#define ZC_TABLE_H

#include <stdio.h>

#include "results.h"

void zc_table_print(FILE *f, const struct zc_results *r);

#endif
