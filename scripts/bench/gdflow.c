/* The spiked GD flow of docs/model.md §4 written directly in C against GSL odeiv2: the floor for
   `specgd theory --flow` (same stepper, same driver set-up: gsl_odeiv2_driver_alloc_y_new with
   initial step 1e-6 and abs = rel tolerance, then gsl_odeiv2_evolve_apply to t_end — what
   NumericKit.ODESolver does). The difference in time is the Swift side's overhead (callback
   through a closure, bookkeeping, the trajectory table).
   Build: cc -O2 gdflow.c -o gdflow -lgsl -lopenblas -lm
   Usage: gdflow STEPPER(rk8pd|rkf45) LAMBDA D ALPHA T_END TOL RUNS
   Prints one JSON line: median and best seconds per run, final state, steps per run. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { double lambda, p; } params;

/* ṡ = −G(s): G_a = a(2(a²−1)+T), G_b = (1+λ)b(2(1+λ)b²+T), G_c = c(2c²+T),
   T = (a²−1) + (1+λ)b² + p c². */
static int rhs(double t, const double y[], double f[], void *data) {
    (void)t;
    const params *q = data;
    double a = y[0], b = y[1], c = y[2], s = 1 + q->lambda;
    double T = (a * a - 1) + s * b * b + q->p * c * c;
    f[0] = -a * (2 * (a * a - 1) + T);
    f[1] = -s * b * (2 * s * b * b + T);
    f[2] = -c * (2 * c * c + T);
    return GSL_SUCCESS;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int compare(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int main(int argc, char **argv) {
    if (argc != 8) { fprintf(stderr, "usage: gdflow STEPPER LAMBDA D ALPHA T_END TOL RUNS\n"); return 2; }
    const gsl_odeiv2_step_type *type = strcmp(argv[1], "rkf45") == 0 ? gsl_odeiv2_step_rkf45 : gsl_odeiv2_step_rk8pd;
    params q = { atof(argv[2]), atof(argv[3]) - 2 };
    double alpha = atof(argv[4]), t_end = atof(argv[5]), tol = atof(argv[6]);
    int runs = atoi(argv[7]);
    gsl_set_error_handler_off();
    gsl_odeiv2_system sys = { rhs, NULL, 3, &q };
    double *times = malloc(sizeof(double) * runs), y[3];
    long steps = 0;
    for (int r = 0; r < runs; r++) {
        double start = now();
        gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, type, 1e-6, tol, tol);
        double t = 0, h = 1e-6;
        y[0] = y[1] = y[2] = alpha;
        steps = 0;
        while (t < t_end) {
            int status = gsl_odeiv2_evolve_apply(d->e, d->c, d->s, &sys, &t, t_end, &h, y);
            if (status != GSL_SUCCESS) { fprintf(stderr, "gdflow: %s\n", gsl_strerror(status)); return 1; }
            steps++;
        }
        gsl_odeiv2_driver_free(d);
        times[r] = now() - start;
    }
    qsort(times, runs, sizeof(double), compare);
    printf("{\"stepper\": \"%s\", \"median\": %.9e, \"best\": %.9e, \"state\": [%.17g, %.17g, %.17g], \"steps\": %ld}\n",
           argv[1], times[runs / 2], times[0], y[0], y[1], y[2], steps);
    free(times);
    return 0;
}
