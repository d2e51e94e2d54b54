#ifndef SPECGD_CMACHINE_H
#define SPECGD_CMACHINE_H
/* What the processor can execute, read with cpuid (and xgetbv for what the OS saves on a
   context switch: AVX state needs XCR0 bits 1–2, AVX-512 state bits 5–7 as well). A feature
   counts only when both the CPU has it and the OS enables it, because an instruction whose
   register state the OS does not save faults even on a CPU that implements it. */
typedef struct {
    int is_x86;        /* 0 elsewhere: every field below is then 0 */
    int sse3;
    int avx;           /* CPU + OS (XCR0 ymm state) */
    int avx2;
    int fma;
    int avx512f;       /* CPU + OS (XCR0 opmask/zmm state) */
    int avx512dq;
    int avx512cd;
    int avx512bw;
    int avx512vl;
    char vendor[13];   /* "GenuineIntel", "AuthenticAMD", … */
    char brand[49];    /* the processor brand string, trimmed */
    unsigned family;   /* display family and model (cpuid leaf 1) */
    unsigned model;
} specgd_cpu_features;

/* Fills `out`; never fails (non-x86: is_x86 = 0 and empty strings). */
void specgd_cpu_features_read(specgd_cpu_features *out);
#endif
