/* clockshift — an LD_PRELOAD library for integration tests: sets the wall
 * clock of one process, as an administrator or NTP stepping the system
 * clock would, without touching the machine's.
 *
 *   LD_PRELOAD=…/libhc_clockshift.so HC_CLOCK_SHIFT_FILE=PATH program …
 *
 * clock_gettime(CLOCK_REALTIME) (and CLOCK_REALTIME_COARSE) returns the
 * real time plus the whole number of seconds (may be negative) written in
 * PATH; no file, or no number in it, is 0. The file is read again at most
 * every 50 ms of CLOCK_MONOTONIC. Every other clock is left as it is; so
 * are time(), gettimeofday() and the kernel's own clocks (an absolute
 * timeout on CLOCK_REALTIME given to the kernel still means the real
 * time). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef int (*gettime_fn)(clockid_t, struct timespec *);

static _Atomic(gettime_fn) real_gettime;
static atomic_llong shift_s;
static atomic_llong read_at_ms = -1000000;

static gettime_fn real(void)
{
    gettime_fn f = atomic_load(&real_gettime);
    if (!f) {
        f = (gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
        atomic_store(&real_gettime, f);
    }
    return f;
}

static long long shift(void)
{
    struct timespec m;
    if (real()(CLOCK_MONOTONIC, &m))
        return atomic_load(&shift_s);
    long long now = (long long)m.tv_sec * 1000 + m.tv_nsec / 1000000;
    long long at = atomic_load(&read_at_ms);
    if (now - at < 50 || !atomic_compare_exchange_strong(&read_at_ms, &at, now))
        return atomic_load(&shift_s);
    const char *path = getenv("HC_CLOCK_SHIFT_FILE");
    long long s = 0;
    FILE *fp = path ? fopen(path, "r") : NULL;
    if (fp) {
        if (fscanf(fp, "%lld", &s) != 1)
            s = 0;
        fclose(fp);
    }
    atomic_store(&shift_s, s);
    return s;
}

int clock_gettime(clockid_t c, struct timespec *ts)
{
    int rc = real()(c, ts);
    if (rc == 0 && (c == CLOCK_REALTIME || c == CLOCK_REALTIME_COARSE))
        ts->tv_sec += (time_t)shift();
    return rc;
}
