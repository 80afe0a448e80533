/* ledger_crash — kills a process writing to the ledger with SIGKILL at random
 * moments and checks, after every kill, that the ledger opens, verifies, and
 * holds every write that was acknowledged before the kill.
 *
 * The parent re-executes itself as the child (`--child`). The child opens the
 * ledger with a small map (256 KiB, so the map grows during the run; LMDB
 * honours the requested size on reopen, so it grows again after nearly every
 * restart), starts THREADS writer threads and one monitor thread, and
 * reports on a pipe (fd 3), one line per write(2), so each line is atomic:
 *
 *   S               about to open the ledger
 *   O               the ledger is open
 *   A key           hc_ledger_write returned HC_OK for key (the ack)
 *   F key           a write that must fail failed as it should
 *   M bytes         the map size changed (monitor thread, hc_ledger_stats_get)
 *   E message       something unexpected; the child exits 3
 *
 * Every thread writes unique keys "rRRRRR-tTT-NNNNNN" (R = iteration, T =
 * thread, N = counter) with a value derived from the key (8..200 bytes), so
 * the parent can check contents without being told them. Every 7th write (N
 * % 7 == 2) also writes key "/b" in the same write function (both or
 * neither must be there); every 11th write (N % 11 == 1, early so that the
 * slow children of sanitizer builds get there too) writes key "/x" and then
 * fails with HC_ERR_CONFLICT (it must never be there).
 *
 * The parent kills the child after a random delay: 0..MAX_MS ms after "O"
 * for most iterations; 0..3 ms after "S" for the first iteration of every
 * ledger directory (so it dies while creating the ledger) and for one
 * iteration in ten (dies while opening, recovering from the last kill).
 * It then reads the remaining acks from the pipe (an ack written before the
 * kill is an ack), opens the ledger itself read-write (the kill released the
 * writer lock), runs hc_ledger_verify, checks every acknowledged key of that
 * directory (from every iteration so far) is present with the right value,
 * scans the kv database (every value right, no "/x" key, pairs whole), and
 * closes. Every 20 iterations, and at the end, it also runs
 * `$HAECHI ledger verify --ledger DIR`. Every ROTATE iterations it starts
 * over in a fresh directory (removing the old one).
 *
 * Writes in flight at the kill may or may not be present: only acknowledged
 * ones must be.
 *
 * Usage: ledger_crash [-n ITERATIONS] [-t THREADS] [-m MAX_MS] [-r ROTATE]
 *                     [-s SEED] DIR
 *   defaults: 200 iterations, 16 threads, MAX_MS 50, ROTATE 20; the ledger
 *   directories are made under DIR (created if absent).
 * Env:   HAECHI_CRASH_SEED  seed (overrides -s; default: from the clock)
 *        HAECHI             the haechi CLI (else $HC_BUILD_DIR/haechi; the
 *                           CLI check is skipped if neither exists)
 * Exit status 0 if every check passed, 1 otherwise, 2 on usage errors.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "haechi/ledger.h"

#define ACK_FD         3
#define MAX_VALUE      200
#define KEY_MAX        32
#define CHILD_MAP      ((size_t)256 << 10)
#define CHILD_LIFETIME 60.0 /* seconds; the parent kills it long before */
#define CLI_EVERY      20

/* ---- shared: keys and values */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* The value stored at key: 8..MAX_VALUE bytes derived from the key. */
static size_t make_value(uint8_t *out, const void *key, size_t klen)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
    for (size_t i = 0; i < klen; i++)
        h = (h ^ ((const uint8_t *)key)[i]) * 0x100000001b3u;
    size_t len = 8 + (size_t)(h % (MAX_VALUE - 7));
    uint64_t s = h;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v = splitmix64(&s);
        size_t n = len - i < 8 ? len - i : 8;
        memcpy(out + i, &v, n);
    }
    return len;
}

enum wkind { W_ONE, W_PAIR, W_FAIL };

static enum wkind kind_of(unsigned n)
{
    if (n % 11 == 1)
        return W_FAIL;
    if (n % 7 == 2)
        return W_PAIR;
    return W_ONE;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the child */

static hc_ledger *c_ledger;
static unsigned c_run;
static volatile int c_stop;

/* One line, one write(2): atomic on a pipe (shorter than PIPE_BUF). */
static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void report(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        _exit(3);
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    for (;;) {
        ssize_t w = write(ACK_FD, line, (size_t)n);
        if (w == n)
            return;
        if (w < 0 && errno == EINTR)
            continue;
        _exit(3); /* the parent went away, or a torn line */
    }
}

static void child_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void child_fail(const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "ledger_crash child: %s\n", msg);
    report("E %s", msg);
    _exit(3);
}

struct wreq {
    char key[KEY_MAX];
    size_t klen;
    enum wkind kind;
};

static hc_err write_fn(hc_ltx *tx, void *arg)
{
    const struct wreq *w = arg;
    uint8_t val[MAX_VALUE];
    size_t vlen = make_value(val, w->key, w->klen);
    hc_err err = hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, w->key, w->klen, val, vlen);
    if (err)
        return err;
    if (w->kind == W_PAIR) {
        char k2[KEY_MAX + 2];
        memcpy(k2, w->key, w->klen);
        memcpy(k2 + w->klen, "/b", 2);
        vlen = make_value(val, k2, w->klen + 2);
        err = hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, k2, w->klen + 2, val, vlen);
        if (err)
            return err;
    }
    return w->kind == W_FAIL ? HC_ERR_CONFLICT : HC_OK;
}

static void *writer_thread(void *arg)
{
    unsigned t = (unsigned)(uintptr_t)arg;
    for (unsigned n = 0; !c_stop; n++) {
        struct wreq w;
        w.kind = kind_of(n);
        int len = snprintf(w.key, sizeof w.key, "r%05u-t%02u-%06u%s", c_run, t,
                           n, w.kind == W_FAIL ? "/x" : "");
        w.klen = (size_t)len;
        hc_err err = hc_ledger_write(c_ledger, write_fn, &w);
        if (w.kind == W_FAIL) {
            if (err != HC_ERR_CONFLICT)
                child_fail("%s: expected the write to fail with %s, got %s",
                           w.key, hc_strerror(HC_ERR_CONFLICT),
                           hc_strerror(err));
            report("F %s", w.key);
        } else {
            if (err != HC_OK)
                child_fail("%s: hc_ledger_write: %s", w.key, hc_strerror(err));
            report("A %s", w.key);
        }
    }
    return NULL;
}

/* Reports the map size whenever it changes. */
static void *monitor_thread(void *arg)
{
    (void)arg;
    uint64_t last = 0;
    while (!c_stop) {
        hc_ledger_stats st;
        hc_err err = hc_ledger_stats_get(c_ledger, &st);
        if (err)
            child_fail("hc_ledger_stats_get: %s", hc_strerror(err));
        if (st.map_size != last) {
            last = st.map_size;
            report("M %" PRIu64, last);
        }
        struct timespec ts = {0, 500 * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static int child_main(const char *dir, unsigned run, unsigned threads)
{
    pthread_t tid[64], mon;
    hc_ledger_opts opts = {0};
    opts.map_size = CHILD_MAP;
    c_run = run;
    report("S");
    hc_err err = hc_ledger_open(&c_ledger, dir, &opts);
    if (err)
        child_fail("hc_ledger_open %s: %s", dir, hc_strerror(err));
    report("O");
    if (pthread_create(&mon, NULL, monitor_thread, NULL) != 0)
        child_fail("pthread_create failed");
    for (unsigned t = 0; t < threads; t++)
        if (pthread_create(&tid[t], NULL, writer_thread,
                           (void *)(uintptr_t)t) != 0)
            child_fail("pthread_create failed");
    /* the parent kills us well before this */
    double end = mono_now() + CHILD_LIFETIME;
    while (mono_now() < end) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    c_stop = 1;
    for (unsigned t = 0; t < threads; t++)
        pthread_join(tid[t], NULL);
    pthread_join(mon, NULL);
    hc_ledger_close(c_ledger);
    return 0;
}

/* ---- the parent */

static uint64_t rng_state;

static uint64_t rng_below(uint64_t n)
{
    return splitmix64(&rng_state) % n;
}

static char self_exe[4096];
static const char *cli_path;

struct keylist {
    char (*keys)[KEY_MAX];
    size_t n, cap;
};

static int keylist_add(struct keylist *kl, const char *key, size_t len)
{
    if (kl->n == kl->cap) {
        size_t cap = kl->cap ? kl->cap * 2 : 4096;
        void *p = realloc(kl->keys, cap * sizeof *kl->keys);
        if (!p)
            return -1;
        kl->keys = p;
        kl->cap = cap;
    }
    memset(kl->keys[kl->n], 0, KEY_MAX);
    memcpy(kl->keys[kl->n], key, len);
    kl->n++;
    return 0;
}

struct totals {
    unsigned iterations;
    uint64_t acked, acked_records, failed_ok;
    uint64_t max_acked_iter;
    unsigned kills_creating, kills_opening, kills_writing;
    unsigned kills_before_file; /* of kills_creating: no data.mdb yet */
    unsigned iters_with_growth;
    uint64_t growths;
    uint64_t max_map, max_file, max_entries;
    unsigned cli_runs, dirs;
    /* how long opening takes (seconds, running means): [0] creating a
     * ledger, [1] reopening one; early kills aim at these windows */
    double open_time[2];
};

static int failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int failf(const char *fmt, ...)
{
    va_list ap;
    fputs("ledger_crash: FAIL: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

/* Parses "rRRRRR-tTT-NNNNNN" and returns N, or -1. */
static long key_counter(const char *k, size_t len)
{
    if (len != 17 || k[0] != 'r' || k[6] != '-' || k[7] != 't' || k[10] != '-')
        return -1;
    long n = 0;
    for (int i = 11; i < 17; i++) {
        if (k[i] < '0' || k[i] > '9')
            return -1;
        n = n * 10 + (k[i] - '0');
    }
    return n;
}

/* State of one child's report stream. */
struct stream {
    char buf[8192];
    size_t len;
    int opened, started;
    double t_started, t_opened;
    uint64_t acked, growths, last_map;
    int error;
};

static int handle_line(struct stream *s, struct keylist *acked, char *line,
                       struct totals *tot)
{
    size_t len = strlen(line);
    if (len == 1 && line[0] == 'S') {
        s->started = 1;
        s->t_started = mono_now();
        return 0;
    }
    if (len == 1 && line[0] == 'O') {
        s->opened = 1;
        s->t_opened = mono_now();
        return 0;
    }
    if (len > 2 && line[1] == ' ') {
        const char *arg = line + 2;
        size_t alen = len - 2;
        switch (line[0]) {
        case 'A': {
            if (alen >= KEY_MAX)
                break;
            if (keylist_add(acked, arg, alen))
                return failf("out of memory");
            s->acked++;
            tot->acked++;
            long n = key_counter(arg, alen);
            tot->acked_records +=
                n >= 0 && kind_of((unsigned)n) == W_PAIR ? 2 : 1;
            return 0;
        }
        case 'F':
            tot->failed_ok++;
            return 0;
        case 'M': {
            uint64_t m = strtoull(arg, NULL, 10);
            if (s->last_map && m > s->last_map)
                s->growths++;
            s->last_map = m;
            if (m > tot->max_map)
                tot->max_map = m;
            return 0;
        }
        case 'E':
            s->error = 1;
            return failf("child reported: %s", arg);
        default:
            break;
        }
    }
    return failf("bad line from the child: '%s'", line);
}

/* Reads what is available; returns 1 at EOF, 0 otherwise, -1 on failure. */
static int read_stream(int fd, struct stream *s, struct keylist *acked,
                       struct totals *tot)
{
    ssize_t r = read(fd, s->buf + s->len, sizeof s->buf - 1 - s->len);
    if (r < 0)
        return errno == EINTR || errno == EAGAIN
                   ? 0
                   : failf("read: %s", strerror(errno));
    if (r == 0) {
        if (s->len)
            return failf("torn line at the end of the child's output");
        return 1;
    }
    s->len += (size_t)r;
    s->buf[s->len] = 0;
    char *start = s->buf, *nl;
    while ((nl = memchr(start, '\n', s->len - (size_t)(start - s->buf)))) {
        *nl = 0;
        if (handle_line(s, acked, start, tot))
            return -1;
        start = nl + 1;
    }
    s->len -= (size_t)(start - s->buf);
    memmove(s->buf, start, s->len);
    if (s->len == sizeof s->buf - 1)
        return failf("overlong line from the child");
    return 0;
}

/* Waits until deadline (monotonic seconds) or until cond, reading reports. */
static int pump(int fd, struct stream *s, struct keylist *acked,
                struct totals *tot, double deadline, int *cond, int *eof)
{
    for (;;) {
        if (*eof)
            return 0;
        if (cond && *cond)
            return 0;
        double left = deadline - mono_now();
        if (left <= 0)
            return 0;
        if (left < 0.001 && !cond) {
            struct timespec ts = {0, (long)(left * 1e9)};
            nanosleep(&ts, NULL);
            return 0;
        }
        struct pollfd p = {fd, POLLIN, 0};
        int ms = (int)(left * 1000);
        int pr = poll(&p, 1, ms > 0 ? ms : 1);
        if (pr < 0 && errno != EINTR)
            return failf("poll: %s", strerror(errno));
        if (pr > 0) {
            int r = read_stream(fd, s, acked, tot);
            if (r < 0)
                return -1;
            if (r == 1)
                *eof = 1;
        }
    }
}

static pid_t spawn_child(const char *dir, unsigned run, unsigned threads,
                         int *rfd)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        char rs[16], ts[16];
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (dup2(p[1], ACK_FD) < 0)
            _exit(127);
        snprintf(rs, sizeof rs, "%u", run);
        snprintf(ts, sizeof ts, "%u", threads);
        execl(self_exe, self_exe, "--child", dir, rs, ts, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    *rfd = p[0];
    return pid;
}

static int run_cli_verify(const char *dir)
{
    if (!cli_path)
        return 0;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return failf("fork: %s", strerror(errno));
    if (pid == 0) {
        execl(cli_path, cli_path, "ledger", "verify", "--ledger", dir,
              (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return failf("waitpid: %s", strerror(errno));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return failf("`%s ledger verify --ledger %s` failed (status %d)",
                     cli_path, dir, st);
    return 0;
}

/* Checks of the kv database as a whole, from a scan in key order. */
struct scan_state {
    char prev[KEY_MAX + 2];
    size_t prev_len;
    int want_pair; /* the previous key needs its "/b" next */
    uint64_t records;
    char problem[200];
};

static int scan_fn(void *arg, const uint8_t *key, size_t klen,
                   const uint8_t *val, size_t vlen)
{
    struct scan_state *s = arg;
    uint8_t want[MAX_VALUE];
    const char *k = (const char *)key;
    s->records++;
    if (klen > KEY_MAX) {
        snprintf(s->problem, sizeof s->problem, "unexpected key length %zu",
                 klen);
        return 1;
    }
    size_t wlen = make_value(want, key, klen);
    if (vlen != wlen || memcmp(val, want, vlen) != 0) {
        snprintf(s->problem, sizeof s->problem, "%.*s: wrong value", (int)klen,
                 k);
        return 1;
    }
    int is_b = klen > 2 && memcmp(k + klen - 2, "/b", 2) == 0;
    if (klen > 2 && memcmp(k + klen - 2, "/x", 2) == 0) {
        snprintf(s->problem, sizeof s->problem,
                 "%.*s: a write that failed left its record behind", (int)klen,
                 k);
        return 1;
    }
    if (s->want_pair && !(is_b && klen == s->prev_len + 2 &&
                          !memcmp(k, s->prev, s->prev_len))) {
        snprintf(s->problem, sizeof s->problem,
                 "%.*s is there but not its pair %.*s/b (half a write)",
                 (int)s->prev_len, s->prev, (int)s->prev_len, s->prev);
        return 1;
    }
    if (is_b && !s->want_pair) {
        snprintf(s->problem, sizeof s->problem,
                 "%.*s is there but not its first half (half a write)",
                 (int)klen, k);
        return 1;
    }
    long n = is_b ? -1 : key_counter(k, klen);
    if (!is_b && n < 0) {
        snprintf(s->problem, sizeof s->problem, "unexpected key %.*s",
                 (int)klen, k);
        return 1;
    }
    s->want_pair = !is_b && kind_of((unsigned)n) == W_PAIR;
    memcpy(s->prev, k, klen);
    s->prev_len = klen;
    return 0;
}

static int check_ledger(const char *dir, const struct keylist *acked,
                        struct totals *tot)
{
    hc_ledger *l;
    hc_ledger_opts opts = {0};
    hc_ledger_report rep;
    opts.map_size = CHILD_MAP;
    hc_err err = hc_ledger_open(&l, dir, &opts);
    if (err)
        return failf("hc_ledger_open %s after the kill: %s", dir,
                     hc_strerror(err));
    int rc = 0;
    memset(&rep, 0, sizeof rep);
    err = hc_ledger_verify(l, &rep);
    if (err) {
        rc = failf("hc_ledger_verify: %s: %s (first bad entry %" PRIu64 ")",
                   hc_strerror(err), rep.problem, rep.bad_seq);
        goto out;
    }
    if (rep.entries > tot->max_entries)
        tot->max_entries = rep.entries;
    hc_buf out;
    hc_buf_init(&out, 4096, 0);
    uint8_t want[MAX_VALUE];
    for (size_t i = 0; i < acked->n && !rc; i++) {
        const char *k = acked->keys[i];
        size_t klen = strlen(k), wlen = make_value(want, k, klen);
        err = hc_ledger_get(l, HC_LDB_KV, k, klen, &out);
        if (err)
            rc = failf("acknowledged write %s: %s", k, hc_strerror(err));
        else if (out.len != wlen || memcmp(out.data, want, wlen) != 0)
            rc = failf("acknowledged write %s: wrong value", k);
    }
    hc_buf_free(&out);
    if (rc)
        goto out;
    struct scan_state ss;
    memset(&ss, 0, sizeof ss);
    err = hc_ledger_scan(l, HC_LDB_KV, NULL, 0, NULL, 0, 0, scan_fn, &ss);
    if (err) {
        rc = failf("hc_ledger_scan: %s", hc_strerror(err));
        goto out;
    }
    if (!ss.problem[0] && ss.want_pair)
        snprintf(ss.problem, sizeof ss.problem,
                 "%.*s is there but not its pair (half a write)",
                 (int)ss.prev_len, ss.prev);
    if (ss.problem[0]) {
        rc = failf("kv: %s", ss.problem);
        goto out;
    }
    if (ss.records < acked->n)
        rc = failf("kv holds %" PRIu64 " records, fewer than the %zu acked",
                   ss.records, acked->n);
out:
    hc_ledger_close(l);
    char path[4400];
    struct stat st;
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    if (stat(path, &st) == 0 && (uint64_t)st.st_size > tot->max_file)
        tot->max_file = (uint64_t)st.st_size;
    return rc;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                unlinkat(dirfd(d), e->d_name, 0);
        closedir(d);
    }
    rmdir(dir);
}

static int one_iteration(const char *dir, unsigned run, unsigned threads,
                         unsigned max_ms, int fresh, struct keylist *acked,
                         struct totals *tot)
{
    struct stream s;
    int fd, eof = 0, rc = 0;
    memset(&s, 0, sizeof s);
    /* when to kill: in ledger creation, while opening, or while writing */
    int early = fresh || rng_below(10) == 0;
    double window = tot->open_time[!fresh] * 1.5;
    double delay = early ? (double)rng_below((uint64_t)(window * 1e6) + 1) / 1e6
                         : (double)rng_below((uint64_t)max_ms * 1000 + 1) / 1e6;
    pid_t pid = spawn_child(dir, run, threads, &fd);
    if (pid < 0)
        return failf("starting the child: %s", strerror(errno));
    double t0 = mono_now();
    /* wait for S (early) or O (writing), then for the delay */
    rc = pump(fd, &s, acked, tot, t0 + 30.0, early ? &s.started : &s.opened,
              &eof);
    if (!rc && !eof && !(early ? s.started : s.opened))
        rc = failf("the child did not %s within 30 s",
                   early ? "start" : "open the ledger");
    if (!rc && !eof)
        rc = pump(fd, &s, acked, tot, mono_now() + delay, NULL, &eof);
    kill(pid, SIGKILL);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    /* the acks the child wrote before it died are still in the pipe */
    while (!rc && !eof) {
        int r = read_stream(fd, &s, acked, tot);
        if (r < 0)
            rc = -1;
        else if (r == 1)
            eof = 1;
    }
    close(fd);
    if (rc)
        return rc;
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
        return failf("the child ended by itself before the kill (status "
                     "%d%s)",
                     st, s.error ? ", it reported an error" : "");
    if (!s.opened) {
        char path[4400];
        snprintf(path, sizeof path, "%s/data.mdb", dir);
        if (fresh && access(path, F_OK) != 0)
            tot->kills_before_file++;
        if (fresh)
            tot->kills_creating++;
        else
            tot->kills_opening++;
    } else {
        tot->kills_writing++;
    }
    if (s.opened && s.started) {
        double *m = &tot->open_time[!fresh];
        *m = 0.8 * *m + 0.2 * (s.t_opened - s.t_started);
    }
    if (s.growths)
        tot->iters_with_growth++;
    tot->growths += s.growths;
    if (s.acked > tot->max_acked_iter)
        tot->max_acked_iter = s.acked;
    return check_ledger(dir, acked, tot);
}

static void usage(void)
{
    fprintf(stderr, "usage: ledger_crash [-n ITERATIONS] [-t THREADS] "
                    "[-m MAX_MS] [-r ROTATE] [-s SEED] DIR\n");
}

static int parse_uint(const char *s, unsigned long long max,
                      unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || v > max || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long long iters = 200, threads = 16, max_ms = 50, rotate = 20,
                       seed = 0, v;
    int have_seed = 0;

    if (argc == 5 && !strcmp(argv[1], "--child")) {
        unsigned long long run, th;
        if (parse_uint(argv[3], 99999, &run) || parse_uint(argv[4], 64, &th) ||
            th == 0)
            return 2;
        return child_main(argv[2], (unsigned)run, (unsigned)th);
    }

    int opt;
    while ((opt = getopt(argc, argv, "n:t:m:r:s:h")) != -1) {
        const char *a = optarg;
        switch (opt) {
        case 'n':
            if (parse_uint(a, 99999, &iters) || !iters)
                goto bad;
            break;
        case 't':
            if (parse_uint(a, 64, &threads) || !threads)
                goto bad;
            break;
        case 'm':
            if (parse_uint(a, 10000, &max_ms))
                goto bad;
            break;
        case 'r':
            if (parse_uint(a, 99999, &rotate) || !rotate)
                goto bad;
            break;
        case 's':
            if (parse_uint(a, UINT64_MAX, &seed))
                goto bad;
            have_seed = 1;
            break;
        default:
            goto bad;
        }
    }
    if (optind != argc - 1)
        goto bad;
    const char *base = argv[optind];
    const char *env_seed = getenv("HAECHI_CRASH_SEED");
    if (env_seed && *env_seed) {
        if (parse_uint(env_seed, UINT64_MAX, &v)) {
            fprintf(stderr, "ledger_crash: bad HAECHI_CRASH_SEED\n");
            return 2;
        }
        seed = v;
        have_seed = 1;
    }
    if (!have_seed) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
               ((uint64_t)getpid() << 32);
    }
    rng_state = seed;

    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (n <= 0) {
        fprintf(stderr, "ledger_crash: readlink /proc/self/exe failed\n");
        return 1;
    }
    self_exe[n] = 0;
    static char cli_buf[4096];
    const char *h = getenv("HAECHI"), *bd = getenv("HC_BUILD_DIR");
    if (h && *h && access(h, X_OK) == 0) {
        cli_path = h;
    } else if (bd && *bd) {
        snprintf(cli_buf, sizeof cli_buf, "%s/haechi", bd);
        if (access(cli_buf, X_OK) == 0)
            cli_path = cli_buf;
    }
    if (mkdir(base, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "ledger_crash: mkdir %s: %s\n", base, strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    printf("ledger_crash: seed %llu (set HAECHI_CRASH_SEED to repeat), "
           "%llu iterations, %llu threads, kill 0..%llu ms after open, fresh "
           "ledger every %llu iterations, in %s\n",
           seed, iters, threads, max_ms, rotate, base);
    if (!cli_path)
        printf("ledger_crash: no haechi CLI (HAECHI); skipping its check\n");

    struct totals tot;
    struct keylist acked = {0};
    char dir[4200];
    memset(&tot, 0, sizeof tot);
    tot.open_time[0] = 0.003;
    tot.open_time[1] = 0.001;
    double t0 = mono_now();
    int rc = 0;
    for (unsigned i = 0; i < iters && !rc; i++) {
        int fresh = i % rotate == 0;
        if (fresh) {
            if (i) {
                remove_tree(dir);
            }
            snprintf(dir, sizeof dir, "%s/ledger%04u", base,
                     (unsigned)(i / rotate));
            remove_tree(dir);
            acked.n = 0;
            tot.dirs++;
        }
        rc = one_iteration(dir, i, (unsigned)threads, (unsigned)max_ms, fresh,
                           &acked, &tot);
        tot.iterations++;
        if (!rc && (i % CLI_EVERY == CLI_EVERY - 1 || i == iters - 1) &&
            cli_path) {
            rc = run_cli_verify(dir);
            tot.cli_runs++;
        }
        if (rc)
            fprintf(stderr,
                    "ledger_crash: iteration %u of seed %llu failed; the "
                    "ledger is left in %s\n",
                    i, seed, dir);
        else if ((i + 1) % 50 == 0)
            printf("ledger_crash: %u iterations, %" PRIu64
                   " acknowledged writes, %.1f s\n",
                   i + 1, tot.acked, mono_now() - t0);
    }
    if (!rc)
        remove_tree(dir);
    free(acked.keys);

    printf("ledger_crash: %s after %u iterations in %.1f s (seed %llu)\n",
           rc ? "FAILED" : "passed", tot.iterations, mono_now() - t0, seed);
    printf("  kills: %u while writing, %u while opening, %u while creating "
           "the ledger (%u of them before data.mdb existed); %u ledger "
           "directories\n",
           tot.kills_writing, tot.kills_opening, tot.kills_creating,
           tot.kills_before_file, tot.dirs);
    printf("  acknowledged writes: %" PRIu64 " (%" PRIu64
           " records; max %" PRIu64 " writes in one iteration); %" PRIu64
           " writes that had to fail did\n",
           tot.acked, tot.acked_records, tot.max_acked_iter, tot.failed_ok);
    printf("  map growth seen in %u iterations (%" PRIu64
           " growths); max map %.2f MiB, max data.mdb %.2f MiB, max journal "
           "%" PRIu64 " entries\n",
           tot.iters_with_growth, tot.growths, (double)tot.max_map / 1048576.0,
           (double)tot.max_file / 1048576.0, tot.max_entries);
    printf("  opening took %.2f ms (creating), %.2f ms (reopening)\n",
           tot.open_time[0] * 1e3, tot.open_time[1] * 1e3);
    printf("  hc_ledger_verify after every kill; `haechi ledger verify` %u "
           "times\n",
           tot.cli_runs);
    return rc ? 1 : 0;
bad:
    usage();
    return 2;
}
