#include "cmachine.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long xgetbv0(void) {
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

void specgd_cpu_features_read(specgd_cpu_features *out) {
    memset(out, 0, sizeof *out);
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    out->is_x86 = 1;
    unsigned max_leaf = a;
    memcpy(out->vendor + 0, &b, 4);
    memcpy(out->vendor + 4, &d, 4);
    memcpy(out->vendor + 8, &c, 4);
    out->vendor[12] = 0;

    __get_cpuid(1, &a, &b, &c, &d);
    unsigned base_family = (a >> 8) & 0xF, base_model = (a >> 4) & 0xF;
    out->family = base_family == 0xF ? base_family + ((a >> 20) & 0xFF) : base_family;
    out->model = (base_family == 0x6 || base_family == 0xF) ? (((a >> 16) & 0xF) << 4) + base_model : base_model;
    out->sse3 = (c >> 0) & 1;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
    int os_avx = (xcr0 & 0x6) == 0x6;               /* xmm + ymm state */
    int os_avx512 = os_avx && (xcr0 & 0xE0) == 0xE0; /* opmask, zmm_hi256, hi16_zmm */
    out->avx = avx && os_avx;
    out->fma = fma && os_avx;
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        out->avx2 = ((b >> 5) & 1) && os_avx;
        out->avx512f = ((b >> 16) & 1) && os_avx512;
        out->avx512dq = ((b >> 17) & 1) && os_avx512;
        out->avx512cd = ((b >> 28) & 1) && os_avx512;
        out->avx512bw = ((b >> 30) & 1) && os_avx512;
        out->avx512vl = ((b >> 31) & 1) && os_avx512;
    }
    unsigned ext_max = __get_cpuid_max(0x80000000, 0);
    if (ext_max >= 0x80000004) {
        unsigned words[12];
        for (unsigned i = 0; i < 3; i++)
            __get_cpuid(0x80000002 + i, &words[4 * i], &words[4 * i + 1], &words[4 * i + 2], &words[4 * i + 3]);
        char raw[49];
        memcpy(raw, words, 48);
        raw[48] = 0;
        const char *start = raw;
        while (*start == ' ') start++;
        size_t n = strlen(start);
        while (n > 0 && start[n - 1] == ' ') n--;
        memcpy(out->brand, start, n);
        out->brand[n] = 0;
    }
}
#else
void specgd_cpu_features_read(specgd_cpu_features *out) { memset(out, 0, sizeof *out); }
#endif
