#ifndef SPECGD_CLAPACKE_SHIM_H
#define SPECGD_CLAPACKE_SHIM_H
#include <cblas.h>
#include <lapacke.h>
/* OpenBLAS thread count: runs are reproducible bit-for-bit only with a fixed count. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
/* Which kernel set OpenBLAS chose at load time (DYNAMIC_ARCH builds), and its build string:
   recorded in every run record, since results differ between kernels in the last bits. */
char *openblas_get_corename(void);
char *openblas_get_config(void);
#endif
