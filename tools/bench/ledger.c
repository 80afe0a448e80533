/* bench_ledger — acknowledged durable writes per second through the ledger's
 * group commit (hc_ledger_write) with 1, 16 and 64 concurrent writers, side
 * by side, in the same run, with two bare LMDB loops: one record per durable
 * commit, and 1,000 records per durable commit.
 *
 * Every variant writes random 32-byte keys with 100-byte values: a Haechi
 * write is one hc_ltx_put into the kv database (which also appends a
 * hash-chained journal entry), acknowledged when hc_ledger_write returns
 * (the commit is durable: LMDB fsyncs it); a bare record is one mdb_put into
 * an LMDB environment opened with default (durable) flags.
 *
 * Each run of each variant gets a fresh directory under DIR, runs for a
 * 0.3 s warm-up and then SECONDS measured; the variants rotate (run r starts
 * with variant r mod 5). Counted are the writes that started and were
 * acknowledged inside the measured window; latency is from the call to the
 * acknowledgement (for the bare loops: from mdb_txn_begin to the return of
 * mdb_txn_commit, so for 1,000 records per commit it is the latency of the
 * whole batch). Prints the median and min-max of the runs, the median of
 * the per-run p50 and p99 latencies, and the ratios to the bare loops (of
 * the medians, and the median and range of the ratios within each run).
 *
 * It never fails on timing. It exits 1 if a ledger does not hold exactly the
 * acknowledged writes afterwards (hc_ledger_stats_get) or anything fails.
 *
 * Usage: bench_ledger [-r RUNS] [-t SECONDS] [-d DIR] [-k]
 *   -r  runs of each variant (default 3)
 *   -t  measured seconds per run (default 3)
 *   -d  where the temporary directories go (default: $TMPDIR or /tmp unless
 *       that is a tmpfs or ramfs, else the directory holding this program)
 *   -k  keep the directories (default: removed after each run)
 *   -v  only this variant: bare1, bare1000, w1, w16 or w64 (for profiling;
 *       no ratios then)
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>
#include <sodium.h>

#include "haechi/ledger.h"

#define KEY_LEN     32
#define VAL_LEN     100
#define BATCH       1000
#define MAX_RUNS    51
#define MAX_WRITERS 64
#define WARMUP      0.3
#define NVARIANTS   5

/* xoshiro256**, one state per thread, seeded from the system CSPRNG. */
struct rng {
    uint64_t s[4];
};

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t v = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return v;
}

static void rng_fill(struct rng *r, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = rng_next(r);
        memcpy(out + i, &v, n - i < 8 ? n - i : 8);
    }
}

static void rng_seed(struct rng *r)
{
    randombytes_buf(r->s, sizeof r->s);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Latency samples (seconds). */
struct samples {
    double *v;
    size_t n, cap;
};

static int samples_add(struct samples *s, double x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        double *p = realloc(s->v, cap * sizeof *p);
        if (!p)
            return -1;
        s->v = p;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts s and returns the q-quantile (nearest rank). */
static double quantile(struct samples *s, double q)
{
    if (!s->n)
        return 0;
    qsort(s->v, s->n, sizeof *s->v, cmp_double);
    size_t i = (size_t)(q * (double)s->n);
    if (i >= s->n)
        i = s->n - 1;
    return s->v[i];
}

/* The measured window of one run. */
struct window {
    double start, stop;
};

/* What one run of one variant measured. */
struct result {
    double per_sec; /* acknowledged writes (records) per second */
    double p50, p99;
    uint64_t writes;
};

static char base_dir[4096];
static int keep_dirs;

static int make_run_dir(char *out, size_t n, const char *what)
{
    snprintf(out, n, "%s/bench_ledger.%s.XXXXXX", base_dir, what);
    if (!mkdtemp(out)) {
        fprintf(stderr, "bench_ledger: mkdtemp %s: %s\n", out, strerror(errno));
        return -1;
    }
    return 0;
}

static void remove_dir(const char *dir)
{
    if (keep_dirs)
        return;
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

/* ---- the bare LMDB loops */

static int mdb_fail(const char *what, int rc)
{
    fprintf(stderr, "bench_ledger: %s: %s\n", what, mdb_strerror(rc));
    return -1;
}

static int run_bare(unsigned per_commit, double seconds, struct result *res)
{
    char dir[4200];
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *txn;
    struct rng rng;
    struct samples lat = {0};
    uint8_t key[KEY_LEN], val[VAL_LEN];
    int rc, ret = -1;
    uint64_t records = 0;
    rng_seed(&rng);
    if (make_run_dir(dir, sizeof dir, per_commit == 1 ? "bare1" : "bare1000"))
        return -1;
    if ((rc = mdb_env_create(&env)))
        return mdb_fail("mdb_env_create", rc);
    mdb_env_set_mapsize(env, (size_t)16 << 30);
    if ((rc = mdb_env_open(env, dir, 0, 0600))) {
        mdb_fail("mdb_env_open", rc);
        goto out;
    }
    if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) ||
        (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) || (rc = mdb_txn_commit(txn))) {
        mdb_fail("opening the database", rc);
        goto out;
    }
    double t0 = now();
    struct window w = {t0 + WARMUP, t0 + WARMUP + seconds};
    for (;;) {
        double a = now();
        if (a >= w.stop)
            break;
        if ((rc = mdb_txn_begin(env, NULL, 0, &txn))) {
            mdb_fail("mdb_txn_begin", rc);
            goto out;
        }
        for (unsigned i = 0; i < per_commit; i++) {
            rng_fill(&rng, key, sizeof key);
            rng_fill(&rng, val, sizeof val);
            MDB_val k = {sizeof key, key}, v = {sizeof val, val};
            if ((rc = mdb_put(txn, dbi, &k, &v, 0))) {
                mdb_txn_abort(txn);
                mdb_fail("mdb_put", rc);
                goto out;
            }
        }
        if ((rc = mdb_txn_commit(txn))) {
            mdb_fail("mdb_txn_commit", rc);
            goto out;
        }
        double b = now();
        if (a >= w.start && b <= w.stop) {
            records += per_commit;
            if (samples_add(&lat, b - a))
                goto out;
        }
    }
    res->writes = records;
    res->per_sec = (double)records / seconds;
    res->p50 = quantile(&lat, 0.50);
    res->p99 = quantile(&lat, 0.99);
    ret = 0;
out:
    mdb_env_close(env);
    free(lat.v);
    remove_dir(dir);
    return ret;
}

/* ---- the group commit */

struct writer {
    pthread_t tid;
    hc_ledger *l;
    const struct window *w;
    struct rng rng;
    uint8_t key[KEY_LEN], val[VAL_LEN];
    struct samples lat;
    uint64_t acked; /* all, including outside the window */
    hc_err err;
};

static hc_err put_fn(hc_ltx *tx, void *arg)
{
    struct writer *wr = arg;
    return hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, wr->key, KEY_LEN, wr->val,
                      VAL_LEN);
}

static void *writer_main(void *arg)
{
    struct writer *wr = arg;
    for (;;) {
        double a = now();
        if (a >= wr->w->stop)
            break;
        rng_fill(&wr->rng, wr->key, KEY_LEN);
        rng_fill(&wr->rng, wr->val, VAL_LEN);
        hc_err err = hc_ledger_write(wr->l, put_fn, wr);
        double b = now();
        if (err) {
            wr->err = err;
            break;
        }
        wr->acked++;
        if (a >= wr->w->start && b <= wr->w->stop &&
            samples_add(&wr->lat, b - a)) {
            wr->err = HC_ERR_NOMEM;
            break;
        }
    }
    return NULL;
}

static int run_haechi(unsigned writers, double seconds, struct result *res)
{
    char dir[4200], what[32];
    hc_ledger *l;
    struct writer *wr = calloc(writers, sizeof *wr);
    struct samples all = {0};
    int ret = -1;
    if (!wr)
        return -1;
    snprintf(what, sizeof what, "haechi%u", writers);
    if (make_run_dir(dir, sizeof dir, what)) {
        free(wr);
        return -1;
    }
    hc_err err = hc_ledger_open(&l, dir, NULL);
    if (err) {
        fprintf(stderr, "bench_ledger: hc_ledger_open: %s\n", hc_strerror(err));
        free(wr);
        remove_dir(dir);
        return -1;
    }
    double t0 = now();
    struct window w = {t0 + WARMUP, t0 + WARMUP + seconds};
    unsigned started = 0;
    for (; started < writers; started++) {
        wr[started].l = l;
        wr[started].w = &w;
        rng_seed(&wr[started].rng);
        if (pthread_create(&wr[started].tid, NULL, writer_main, &wr[started]) !=
            0) {
            fprintf(stderr, "bench_ledger: pthread_create failed\n");
            break;
        }
    }
    uint64_t acked = 0;
    for (unsigned i = 0; i < started; i++)
        pthread_join(wr[i].tid, NULL);
    if (started < writers)
        goto out;
    for (unsigned i = 0; i < writers; i++) {
        if (wr[i].err) {
            fprintf(stderr, "bench_ledger: hc_ledger_write: %s\n",
                    hc_strerror(wr[i].err));
            goto out;
        }
        acked += wr[i].acked;
        for (size_t j = 0; j < wr[i].lat.n; j++)
            if (samples_add(&all, wr[i].lat.v[j]))
                goto out;
    }
    /* the ledger holds exactly the acknowledged writes */
    hc_ledger_stats st;
    err = hc_ledger_stats_get(l, &st);
    if (err || st.entries[HC_LDB_KV] != acked ||
        st.journal_entries != acked + 1) {
        fprintf(
            stderr,
            "bench_ledger: the ledger holds %" PRIu64 " records and %" PRIu64
            " journal entries after %" PRIu64 " acknowledged writes (%s)\n",
            st.entries[HC_LDB_KV], st.journal_entries, acked, hc_strerror(err));
        goto out;
    }
    res->writes = all.n;
    res->per_sec = (double)all.n / seconds;
    res->p50 = quantile(&all, 0.50);
    res->p99 = quantile(&all, 0.99);
    ret = 0;
out:
    hc_ledger_close(l);
    for (unsigned i = 0; i < writers; i++)
        free(wr[i].lat.v);
    free(wr);
    free(all.v);
    remove_dir(dir);
    return ret;
}

/* ---- main */

static const char *const short_names[NVARIANTS] = {"bare1", "bare1000", "w1",
                                                   "w16", "w64"};

static const char *const names[NVARIANTS] = {
    "bare LMDB, 1 record per commit",
    "bare LMDB, 1000 records per commit",
    "haechi, 1 writer",
    "haechi, 16 writers",
    "haechi, 64 writers",
};

static int run_variant(int v, double seconds, struct result *r)
{
    switch (v) {
    case 0:
        return run_bare(1, seconds, r);
    case 1:
        return run_bare(BATCH, seconds, r);
    case 2:
        return run_haechi(1, seconds, r);
    case 3:
        return run_haechi(16, seconds, r);
    default:
        return run_haechi(MAX_WRITERS, seconds, r);
    }
}

struct stats {
    double median, min, max;
};

static struct stats summarize(const double *v, int n)
{
    double s[MAX_RUNS];
    struct stats r;
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    r.median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    r.min = s[0];
    r.max = s[n - 1];
    return r;
}

static const char *fs_name(const char *path)
{
    struct statfs sf;
    if (statfs(path, &sf) != 0)
        return "unknown";
    switch ((unsigned long)sf.f_type) {
    case 0xEF53:
        return "ext2/3/4";
    case 0x58465342:
        return "xfs";
    case 0x9123683E:
        return "btrfs";
    case 0x01021994:
        return "tmpfs";
    case 0x858458f6:
        return "ramfs";
    case 0x794c7630:
        return "overlayfs";
    case 0x2fc12fc1:
        return "zfs";
    case 0x65735546:
        return "fuse";
    default:
        return "other";
    }
}

static int is_memory_fs(const char *path)
{
    struct statfs sf;
    return statfs(path, &sf) == 0 && ((unsigned long)sf.f_type == 0x01021994 ||
                                      (unsigned long)sf.f_type == 0x858458f6);
}

static void usage(void)
{
    fputs("usage: bench_ledger [-r RUNS] [-t SECONDS] [-d DIR] [-k]\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    int runs = 3, c;
    double seconds = 3.0;
    const char *dir = NULL;
    int only = -1;
    while ((c = getopt(argc, argv, "r:t:d:kv:h")) != -1) {
        switch (c) {
        case 'r':
            runs = atoi(optarg);
            break;
        case 't':
            seconds = atof(optarg);
            break;
        case 'd':
            dir = optarg;
            break;
        case 'k':
            keep_dirs = 1;
            break;
        case 'v':
            for (int v = 0; v < NVARIANTS; v++)
                if (!strcmp(optarg, short_names[v]))
                    only = v;
            if (only < 0)
                usage();
            break;
        default:
            usage();
        }
    }
    if (optind != argc || runs < 1 || runs > MAX_RUNS || !(seconds > 0.0) ||
        seconds > 3600)
        usage();
    if (sodium_init() < 0)
        return 1;
    if (dir) {
        snprintf(base_dir, sizeof base_dir, "%s", dir);
    } else {
        const char *t = getenv("TMPDIR");
        snprintf(base_dir, sizeof base_dir, "%s", t && *t ? t : "/tmp");
        if (is_memory_fs(base_dir)) {
            /* fsync costs nothing there: use the build directory */
            ssize_t n =
                readlink("/proc/self/exe", base_dir, sizeof base_dir - 1);
            if (n <= 0)
                return 1;
            base_dir[n] = 0;
            char *slash = strrchr(base_dir, '/');
            if (slash)
                *slash = 0;
        }
    }
    if (is_memory_fs(base_dir))
        fprintf(stderr,
                "bench_ledger: warning: %s is in memory; fsync costs "
                "nothing there\n",
                base_dir);
    printf("bench_ledger: %d run(s) x %.1f s per variant (+%.1f s warm-up), "
           "random %d-byte keys, %d-byte values\n",
           runs, seconds, WARMUP, KEY_LEN, VAL_LEN);
    printf("directory: %s (%s)\n", base_dir, fs_name(base_dir));
    fflush(stdout);

    double rate[NVARIANTS][MAX_RUNS], p50[NVARIANTS][MAX_RUNS],
        p99[NVARIANTS][MAX_RUNS];
    for (int r = 0; r < runs; r++) {
        for (int i = 0; i < NVARIANTS; i++) {
            int v = (r + i) % NVARIANTS;
            if (only >= 0 && v != only)
                continue;
            struct result res;
            memset(&res, 0, sizeof res);
            if (run_variant(v, seconds, &res))
                return 1;
            rate[v][r] = res.per_sec;
            p50[v][r] = res.p50 * 1e3;
            p99[v][r] = res.p99 * 1e3;
            fprintf(stderr,
                    "  run %d: %-36s %10.0f /s  p50 %7.3f ms  p99 "
                    "%7.3f ms\n",
                    r + 1, names[v], res.per_sec, p50[v][r], p99[v][r]);
        }
    }

    printf("\n%-36s %12s %23s %9s %9s\n", "", "writes/s", "min - max", "p50 ms",
           "p99 ms");
    struct stats st[NVARIANTS];
    for (int v = 0; v < NVARIANTS; v++) {
        if (only >= 0 && v != only)
            continue;
        st[v] = summarize(rate[v], runs);
        struct stats a = summarize(p50[v], runs), b = summarize(p99[v], runs);
        printf("%-36s %12.0f %11.0f - %9.0f %9.3f %9.3f\n", names[v],
               st[v].median, st[v].min, st[v].max, a.median, b.median);
    }
    printf("(latency: call to acknowledgement; for the bare loops, one "
           "whole commit)\n");
    if (only >= 0)
        return 0;
    printf("\nratios: of the medians, and [median, min - max of the per-run "
           "ratios]\n");
    for (int v = 2; v < NVARIANTS; v++) {
        double r0[MAX_RUNS], r1[MAX_RUNS];
        for (int r = 0; r < runs; r++) {
            r0[r] = rate[v][r] / rate[0][r];
            r1[r] = rate[v][r] / rate[1][r];
        }
        struct stats a = summarize(r0, runs), b = summarize(r1, runs);
        printf("  %-11s %6.2fx bare 1/commit [%.2f, %.2f - %.2f]   %6.3fx "
               "bare 1000/commit [%.3f, %.3f - %.3f]\n",
               names[v] + 8, st[v].median / st[0].median, a.median, a.min,
               a.max, st[v].median / st[1].median, b.median, b.min, b.max);
    }
    printf("goal: >= 10,000 acknowledged writes/s with 64 writers: %s "
           "(%.0f /s)\n",
           st[4].median >= 10000 ? "met" : "NOT met", st[4].median);
    return 0;
}
