#ifndef SPECGD_CGSL_SHIM_H
#define SPECGD_CGSL_SHIM_H
#include <gsl/gsl_errno.h>
/* gsl_cblas.h clashes with OpenBLAS's cblas.h (imported via CLapacke); GSL's own is never needed. */
#define __GSL_CBLAS_H__ 1
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_version.h>

/* Swift 6 treats GSL's exported `const gsl_odeiv2_step_type *` globals as shared
   mutable state; these accessors hand them over as plain function results. */
static inline const gsl_odeiv2_step_type *specgd_step_rk2(void)    { return gsl_odeiv2_step_rk2; }
static inline const gsl_odeiv2_step_type *specgd_step_rk4(void)    { return gsl_odeiv2_step_rk4; }
static inline const gsl_odeiv2_step_type *specgd_step_rkf45(void)  { return gsl_odeiv2_step_rkf45; }
static inline const gsl_odeiv2_step_type *specgd_step_rkck(void)   { return gsl_odeiv2_step_rkck; }
static inline const gsl_odeiv2_step_type *specgd_step_rk8pd(void)  { return gsl_odeiv2_step_rk8pd; }
static inline const gsl_odeiv2_step_type *specgd_step_rk1imp(void) { return gsl_odeiv2_step_rk1imp; }
static inline const gsl_odeiv2_step_type *specgd_step_rk2imp(void) { return gsl_odeiv2_step_rk2imp; }
static inline const gsl_odeiv2_step_type *specgd_step_rk4imp(void) { return gsl_odeiv2_step_rk4imp; }
static inline const gsl_odeiv2_step_type *specgd_step_bsimp(void)  { return gsl_odeiv2_step_bsimp; }
static inline const gsl_odeiv2_step_type *specgd_step_msadams(void){ return gsl_odeiv2_step_msadams; }
static inline const gsl_odeiv2_step_type *specgd_step_msbdf(void)  { return gsl_odeiv2_step_msbdf; }

/* GSL's default error handler aborts the process; the Swift layer turns status codes
   into thrown errors instead, so the handler is switched off once at driver creation. */
/* The version of the GSL library loaded at run time (gsl_version is an exported global). */
static inline const char *specgd_gsl_version(void) { return gsl_version; }

static inline void specgd_gsl_quiet_errors(void) { gsl_set_error_handler_off(); }
#endif
