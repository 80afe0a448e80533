/* bench_pipeline_seed — the ledger side of tools/bench/pipeline.
 *
 * Seeding (the default): writes COUNT queued mints into a ledger directory
 * (created if absent; it must not hold mints yet), as the mint API would
 * have accepted them: each an id from hc_mint_id_new, a unique content
 * "bench RUN_NONCE i" whose SHA-256 is the token id, a small metadata
 * document stored in the metadata database and committed by its SHA-256,
 * the request hash the API computes (SHA-256 of content hash ‖ metadata
 * hash), one of CREATORS creator addresses (round robin), ROYALTY bps,
 * state queued, client "bench", created_ms increasing with i (so the
 * pipeline takes them in order). The mints go in through hc_ltx_mint_accept,
 * 1,000 per durable commit (the API commits them one request at a time;
 * that only changes how long seeding takes). Prints the creator addresses on
 * one line, "creators 0x… 0x…", for an on-chain count (balanceOf) later.
 *
 * Waiting (--wait): opens the ledger read-only next to a running haechid and
 * every INTERVAL ms counts its live mints (the keys of the active index);
 * with none left it reads the mints, until COUNT of them are in a final
 * state (confirmed, conflict, failed), then prints one line
 *   RESULT mints=… confirmed=… conflict=… failed=… queued=… submitted=…
 *          first_ms=… first_n=… last_ms=… polls=… txs=… cpu_s=…
 * where last_ms is the latest updated_ms of a final mint: the commit time
 * (ms since the epoch, the ledger's clock) of the settlement that completed
 * the set, so the polling interval does not blur the end of a measurement;
 * first_ms is the earliest updated_ms of a final mint (the first
 * settlement) and first_n the number of final mints updated in that same
 * millisecond (the mints it settled); txs is the number of distinct
 * transactions (tx_hash) that settled the final mints; cpu_s is this
 * process's CPU time (what the watching cost). Exits 1 on timeout (with the
 * same line).
 *
 * Usage: bench_pipeline_seed --ledger DIR --count N --run-nonce S
 *                            [--creators K] [--royalty BPS]
 *        bench_pipeline_seed --wait --ledger DIR --count N
 *                            [--interval MS] [--timeout SEC]
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "haechi/key.h"
#include "haechi/ledger.h"
#include "haechi/records.h"
#include "haechi/sha256.h"

#define PER_COMMIT   1000
#define MAX_CREATORS 64

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

_Noreturn static void usage(void)
{
    fputs("usage: bench_pipeline_seed --ledger DIR --count N --run-nonce S\n"
          "                           [--creators K] [--royalty BPS]\n"
          "       bench_pipeline_seed --wait --ledger DIR --count N\n"
          "                           [--interval MS] [--timeout SEC]\n",
          stderr);
    exit(2);
}

static unsigned long long num(const char *s, unsigned long long max)
{
    char *end;
    unsigned long long v;
    if (!s || *s < '0' || *s > '9')
        usage();
    v = strtoull(s, &end, 10);
    if (*end || v > max)
        usage();
    return v;
}

static void fail(const char *what, hc_err err)
{
    fprintf(stderr, "bench_pipeline_seed: %s: %s\n", what, hc_strerror(err));
    exit(1);
}

/* ---- seeding */

struct seed {
    const char *nonce;
    uint64_t count, base_ms;
    unsigned royalty;
    size_t ncreators;
    hc_address creators[MAX_CREATORS];
    uint64_t from, to; /* the mints of this commit: [from, to) */
};

static hc_err seed_write(hc_ltx *tx, void *arg)
{
    struct seed *s = arg;
    for (uint64_t i = s->from; i < s->to; i++) {
        char content[160], meta[400], cr[HC_ADDRESS_STR];
        hc_mint m, existing;
        hc_accept_outcome outcome;
        memset(&m, 0, sizeof m);
        hc_mint_id_new(m.id, s->base_ms + i);
        int clen =
            snprintf(content, sizeof content, "bench %s %" PRIu64, s->nonce, i);
        hc_err err = hc_sha256(m.content_hash, content, (size_t)clen);
        m.creator = s->creators[i % s->ncreators];
        hc_address_to_str(cr, &m.creator);
        int mlen = snprintf(meta, sizeof meta,
                            "{\"creator\":\"%s\",\"name\":{\"en\":\"bench "
                            "%" PRIu64 "\"},\"royalty_bps\":%u}",
                            cr, i, s->royalty);
        if (!err)
            err = hc_sha256(m.metadata_hash, meta, (size_t)mlen);
        uint8_t both[64];
        memcpy(both, m.content_hash, 32);
        memcpy(both + 32, m.metadata_hash, 32);
        if (!err)
            err = hc_sha256(m.request_hash, both, sizeof both);
        if (err)
            return err;
        m.royalty_bps = (uint16_t)s->royalty;
        m.state = HC_MINT_QUEUED;
        snprintf(m.client, sizeof m.client, "bench");
        m.content_size = (uint64_t)clen;
        m.created_ms = m.updated_ms = s->base_ms + i;
        err = hc_ltx_mint_accept(tx, &m, &outcome, &existing);
        if (!err && outcome != HC_ACCEPT_NEW)
            err = HC_ERR_EXISTS; /* a content seen before: a reused nonce */
        if (!err)
            err = hc_ltx_put(tx, HC_LDB_METADATA, HC_J_METADATA, m.content_hash,
                             32, meta, (size_t)mlen);
        if (err)
            return err;
    }
    return HC_OK;
}

static int do_seed(const char *dir, uint64_t count, const char *nonce,
                   size_t ncreators, unsigned royalty)
{
    struct seed s;
    hc_ledger *l;
    hc_ledger_stats st;
    hc_err err = hc_ledger_open(&l, dir, NULL);
    if (err)
        fail("opening the ledger", err);
    if ((err = hc_ledger_stats_get(l, &st)))
        fail("ledger stats", err);
    if (st.entries[HC_LDB_MINTS]) {
        fprintf(stderr, "bench_pipeline_seed: %s holds mints already\n", dir);
        return 1;
    }
    s.nonce = nonce;
    s.count = count;
    s.royalty = royalty;
    s.ncreators = ncreators;
    /* in the past, so that no clock sees them from the future */
    s.base_ms = now_ms() - count - 1000;
    for (size_t k = 0; k < ncreators; k++) {
        char label[160];
        uint8_t h[32];
        int n = snprintf(label, sizeof label, "bench creator %s %zu", nonce, k);
        if ((err = hc_sha256(h, label, (size_t)n)))
            fail("sha256", err);
        memcpy(s.creators[k].b, h, 20);
    }
    double t0 = mono();
    for (s.from = 0; s.from < count; s.from = s.to) {
        s.to = s.from + PER_COMMIT < count ? s.from + PER_COMMIT : count;
        if ((err = hc_ledger_write(l, seed_write, &s)))
            fail("writing mints", err);
    }
    double t = mono() - t0;
    if ((err = hc_ledger_stats_get(l, &st)))
        fail("ledger stats", err);
    hc_ledger_close(l);
    if (st.mints_by_state[HC_MINT_QUEUED] != count) {
        fprintf(stderr,
                "bench_pipeline_seed: the ledger holds %" PRIu64
                " queued mints, not %" PRIu64 "\n",
                st.mints_by_state[HC_MINT_QUEUED], count);
        return 1;
    }
    fprintf(stderr, "seeded %" PRIu64 " queued mints in %.2f s\n", count, t);
    printf("creators");
    for (size_t k = 0; k < ncreators; k++) {
        char a[HC_ADDRESS_STR];
        printf(" %s", hc_address_to_str(a, &s.creators[k]));
    }
    printf("\n");
    return 0;
}

/* ---- waiting */

struct tally {
    uint64_t by_state[HC_MINT_STATE_END];
    uint64_t mints, first_ms, first_n, last_ms;
    uint8_t (*hashes)[32]; /* when set: the tx hashes of the final mints */
    size_t nhashes, cap;
};

static int by_hash(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

static int tally_row(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
                     size_t vlen)
{
    struct tally *t = arg;
    hc_mint m;
    (void)k;
    (void)klen;
    if (hc_mint_decode(&m, v, vlen) || m.state >= HC_MINT_STATE_END)
        return 0;
    t->mints++;
    t->by_state[m.state]++;
    if (hc_mint_state_terminal(m.state)) {
        if (t->first_ms == 0 || m.updated_ms < t->first_ms) {
            t->first_ms = m.updated_ms;
            t->first_n = 0;
        }
        t->first_n += m.updated_ms == t->first_ms;
        if (m.updated_ms > t->last_ms)
            t->last_ms = m.updated_ms;
    }
    if (t->hashes && hc_mint_state_terminal(m.state) && m.has_tx &&
        t->nhashes < t->cap)
        memcpy(t->hashes[t->nhashes++], m.tx_hash, 32);
    return 0;
}

static int count_row(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
                     size_t vlen)
{
    (void)k;
    (void)klen;
    (void)v;
    (void)vlen;
    ++*(uint64_t *)arg;
    return 0;
}

static int do_wait(const char *dir, uint64_t count, unsigned interval_ms,
                   unsigned timeout_s)
{
    hc_ledger *l;
    hc_ledger_opts o = {0};
    o.read_only = 1;
    hc_err err = hc_ledger_open(&l, dir, &o);
    if (err)
        fail("opening the ledger read-only", err);
    double t0 = mono(), next_note = t0 + 10;
    struct tally t = {0};
    uint64_t polls = 0, done = 0;
    for (;;) {
        /* the live mints (queued, submitted) are those of the active
         * index: counting its keys is cheap; the mints are read once
         * none is left */
        uint64_t live = 0;
        if ((err = hc_ledger_scan(l, HC_LDB_ACTIVE, NULL, 0, NULL, 0, 0,
                                  count_row, &live)))
            fail("scanning the live mints", err);
        polls++;
        int over = mono() - t0 > timeout_s;
        if (live == 0 || over || mono() >= next_note) {
            memset(&t, 0, sizeof t);
            if ((err = hc_ledger_scan(l, HC_LDB_MINTS, NULL, 0, NULL, 0, 0,
                                      tally_row, &t)))
                fail("scanning the mints", err);
        }
        done = t.by_state[HC_MINT_CONFIRMED] + t.by_state[HC_MINT_CONFLICT] +
               t.by_state[HC_MINT_FAILED];
        if (done >= count || over)
            break;
        if (mono() >= next_note) {
            fprintf(stderr,
                    "    … %.0f s: %" PRIu64 " of %" PRIu64
                    " mints settled (%" PRIu64 " queued, %" PRIu64
                    " submitted)\n",
                    mono() - t0, done, count, t.by_state[HC_MINT_QUEUED],
                    t.by_state[HC_MINT_SUBMITTED]);
            next_note += 10;
        }
        struct timespec d = {(time_t)(interval_ms / 1000),
                             (long)(interval_ms % 1000) * 1000000L};
        nanosleep(&d, NULL);
    }
    /* once more, for the number of transactions that settled them */
    uint64_t txs = 0;
    memset(&t, 0, sizeof t);
    t.cap = count + 1000;
    t.hashes = calloc(t.cap, 32);
    if (!t.hashes)
        fail("memory", HC_ERR_NOMEM);
    if ((err = hc_ledger_scan(l, HC_LDB_MINTS, NULL, 0, NULL, 0, 0, tally_row,
                              &t)))
        fail("scanning the mints", err);
    qsort(t.hashes, t.nhashes, 32, by_hash);
    for (size_t i = 0; i < t.nhashes; i++)
        txs += i == 0 || memcmp(t.hashes[i], t.hashes[i - 1], 32);
    free(t.hashes);
    hc_ledger_close(l);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu =
        (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
        ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
    printf("RESULT mints=%" PRIu64 " confirmed=%" PRIu64 " conflict=%" PRIu64
           " failed=%" PRIu64 " queued=%" PRIu64 " submitted=%" PRIu64
           " first_ms=%" PRIu64 " first_n=%" PRIu64 " last_ms=%" PRIu64
           " polls=%" PRIu64 " txs=%" PRIu64 " cpu_s=%.3f\n",
           t.mints, t.by_state[HC_MINT_CONFIRMED], t.by_state[HC_MINT_CONFLICT],
           t.by_state[HC_MINT_FAILED], t.by_state[HC_MINT_QUEUED],
           t.by_state[HC_MINT_SUBMITTED], t.first_ms, t.first_n, t.last_ms,
           polls, txs, cpu);
    if (done < count) {
        fprintf(stderr,
                "bench_pipeline_seed: %" PRIu64 " of %" PRIu64
                " mints settled after %u s\n",
                done, count, timeout_s);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"ledger", required_argument, NULL, 'l'},
        {"count", required_argument, NULL, 'n'},
        {"run-nonce", required_argument, NULL, 'r'},
        {"creators", required_argument, NULL, 'c'},
        {"royalty", required_argument, NULL, 'b'},
        {"wait", no_argument, NULL, 'w'},
        {"interval", required_argument, NULL, 'i'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *nonce = NULL;
    uint64_t count = 0;
    size_t ncreators = 4;
    unsigned royalty = 250, interval = 50, timeout = 3600;
    int wait = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            dir = optarg;
            break;
        case 'n':
            count = num(optarg, 100000000);
            break;
        case 'r':
            nonce = optarg;
            break;
        case 'c':
            ncreators = (size_t)num(optarg, MAX_CREATORS);
            break;
        case 'b':
            royalty = (unsigned)num(optarg, 10000);
            break;
        case 'w':
            wait = 1;
            break;
        case 'i':
            interval = (unsigned)num(optarg, 60000);
            break;
        case 't':
            timeout = (unsigned)num(optarg, 86400);
            break;
        default:
            usage();
        }
    }
    if (optind != argc || !dir || !count || (!wait && !nonce) ||
        ncreators == 0 || (nonce && strlen(nonce) > 100))
        usage();
    if (sodium_init() < 0) {
        fputs("bench_pipeline_seed: sodium_init failed\n", stderr);
        return 1;
    }
    return wait ? do_wait(dir, count, interval, timeout)
                : do_seed(dir, count, nonce, ncreators, royalty);
}
