/* bench_sign — EIP-1559 transactions built, signed and serialized per second
 * on one core, side by side with the floor: a bare
 * secp256k1_ecdsa_sign_recoverable loop on random 32-byte digests, measured
 * in the same process, interleaved with the transaction runs.
 *
 * Each transaction is a call of mint(address,bytes32,bytes32,uint16) on a
 * contract: chain id 1, a random nonce and random fees, gas limit 200000,
 * and calldata (selector + 4 ABI words) holding a fresh random content hash
 * every iteration, written by hand (checked once against hc_abi_encode_call
 * before timing). One iteration is what a caller does for one transaction:
 * hc_tx_init, fill the fields, hc_tx_set_data, hc_tx_sign, hc_tx_serialize
 * into a fresh buffer, then release everything.
 *
 * Prints the median and min–max of several runs of each and the ratio. It
 * never fails on timing; it exits non-zero only if the self-check before
 * timing fails (calldata as the ABI module encodes it, the signed
 * transaction decodes back to what was built, sender, hash).
 *
 * Usage: bench_sign [-r RUNS] [-t SECONDS_PER_RUN]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>

#include "haechi/abi.h"
#include "haechi/keccak.h"
#include "haechi/key.h"
#include "haechi/tx.h"

#define MINT_SIG       "mint(address,bytes32,bytes32,uint16)"
#define CALLDATA_LEN   (4 + 4 * 32)
#define CHECK_EVERY    64 /* iterations between clock reads */
#define MAX_RUNS       101
#define WARMUP_SECONDS 0.3

/* xoshiro256** — fast, so that drawing random inputs costs next to nothing
 * in either loop. Seeded from the system's CSPRNG. */
static uint64_t rng_s[4];

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(void)
{
    uint64_t r = rotl(rng_s[1] * 5, 7) * 9, t = rng_s[1] << 17;
    rng_s[2] ^= rng_s[0];
    rng_s[3] ^= rng_s[1];
    rng_s[1] ^= rng_s[2];
    rng_s[0] ^= rng_s[3];
    rng_s[2] ^= t;
    rng_s[3] = rotl(rng_s[3], 45);
    return r;
}

static void rng_fill32(uint8_t out[32])
{
    for (int i = 0; i < 4; i++) {
        uint64_t v = rng_next();
        memcpy(out + 8 * i, &v, 8);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What every iteration shares: the key, the contract, the other arguments. */
struct fixture {
    uint8_t sk[32];
    hc_address from;
    hc_address contract;
    hc_address recipient;
    uint8_t selector[4];
    uint8_t metadata[32];
    uint16_t royalty_bps;
    secp256k1_context *ctx; /* for the floor, set up as libhaechi does */
};

/* Results go here so that no work can be optimised away. */
static volatile uint64_t sink;

/* calldata = selector ‖ address ‖ content hash ‖ metadata ‖ uint16, each
 * argument one 32-byte word (left-padded address and integer). */
static void build_calldata(uint8_t out[CALLDATA_LEN], const struct fixture *f,
                           const uint8_t content[32])
{
    uint8_t *w = out + 4;
    memcpy(out, f->selector, 4);
    memset(w, 0, 12);
    memcpy(w + 12, f->recipient.b, 20);
    memcpy(w + 32, content, 32);
    memcpy(w + 64, f->metadata, 32);
    memset(w + 96, 0, 30);
    w[126] = (uint8_t)(f->royalty_bps >> 8);
    w[127] = (uint8_t)f->royalty_bps;
}

/* One transaction: build, sign, serialize. The caller releases *tx and
 * *out (the serialized bytes), also on failure. */
static hc_err one_tx(struct fixture *f, hc_tx *tx, hc_buf *out)
{
    uint8_t content[32], data[CALLDATA_LEN];
    hc_tx_init(tx);
    tx->chain_id = hc_u256_from_u64(1);
    tx->nonce = rng_next() >> 40;
    tx->max_priority_fee_per_gas =
        hc_u256_from_u64(1000000000u + (rng_next() >> 34));
    tx->max_fee_per_gas = hc_u256_from_u64(20000000000u + (rng_next() >> 28));
    tx->gas_limit = 200000;
    tx->has_to = 1;
    tx->to = f->contract;
    rng_fill32(content);
    build_calldata(data, f, content);
    hc_err err = hc_tx_set_data(tx, data, sizeof data);
    if (!err)
        err = hc_tx_sign(tx, f->sk);
    hc_buf_init(out, HC_TX_MAX_SIZE + 1024, 0);
    if (!err)
        err = hc_tx_serialize(out, tx);
    return err;
}

static double run_tx(struct fixture *f, double seconds)
{
    uint64_t n = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < CHECK_EVERY; i++) {
            hc_tx tx;
            hc_buf out;
            if (one_tx(f, &tx, &out) != HC_OK) {
                fprintf(stderr, "bench_sign: building a transaction failed\n");
                exit(1);
            }
            sink += out.data[out.len - 1];
            hc_buf_free(&out);
            hc_tx_free(&tx);
        }
        n += CHECK_EVERY;
        t = now() - t0;
    } while (t < seconds);
    return (double)n / t;
}

static double run_floor(struct fixture *f, double seconds)
{
    uint64_t n = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < CHECK_EVERY; i++) {
            secp256k1_ecdsa_recoverable_signature sig;
            uint8_t hash[32];
            rng_fill32(hash);
            if (!secp256k1_ecdsa_sign_recoverable(f->ctx, &sig, hash, f->sk,
                                                  NULL, NULL)) {
                fprintf(stderr, "bench_sign: secp256k1 signing failed\n");
                exit(1);
            }
            sink += sig.data[0];
        }
        n += CHECK_EVERY;
        t = now() - t0;
    } while (t < seconds);
    return (double)n / t;
}

/* The hand-built calldata must be what the ABI module encodes for the same
 * call. */
static int abi_matches(const struct fixture *f, const uint8_t *data)
{
    hc_abi_value v[4];
    hc_buf b;
    uint8_t sel[HC_ABI_SELECTOR_LEN];
    v[0] = hc_abi_address(&f->recipient);
    v[1] = hc_abi_fixed(data + 4 + 32, 32);
    v[2] = hc_abi_fixed(f->metadata, 32);
    v[3] = hc_abi_uint64(16, f->royalty_bps);
    hc_buf_init(&b, 4096, 0);
    int ok = hc_abi_selector(sel, MINT_SIG) == HC_OK &&
             memcmp(sel, f->selector, 4) == 0 &&
             hc_abi_encode_call(&b, MINT_SIG, v, 4) == HC_OK &&
             b.len == CALLDATA_LEN && memcmp(b.data, data, CALLDATA_LEN) == 0;
    hc_buf_free(&b);
    return ok;
}

/* Builds one transaction and checks its calldata against the ABI encoder,
 * that it decodes back to the same fields, calldata and sender, and that
 * hc_tx_hash is keccak256 of the bytes. */
static int self_check(struct fixture *f, size_t *size)
{
    hc_tx tx, dec;
    hc_buf out;
    hc_address from;
    uint8_t h1[32], h2[32];
    hc_tx_init(&dec);
    int ok = one_tx(f, &tx, &out) == HC_OK;
    ok = ok && abi_matches(f, tx.data);
    ok = ok && hc_tx_decode(&dec, NULL, out.data, out.len) == HC_OK;
    ok = ok && hc_tx_sender(&from, &dec) == HC_OK &&
         memcmp(from.b, f->from.b, 20) == 0;
    ok = ok && dec.type == HC_TX_EIP1559 && dec.nonce == tx.nonce &&
         dec.gas_limit == 200000 && dec.has_to &&
         memcmp(dec.to.b, f->contract.b, 20) == 0 &&
         dec.data_len == CALLDATA_LEN &&
         memcmp(dec.data, tx.data, CALLDATA_LEN) == 0 &&
         hc_u256_cmp(&dec.chain_id, &tx.chain_id) == 0 &&
         hc_u256_cmp(&dec.max_fee_per_gas, &tx.max_fee_per_gas) == 0 &&
         hc_u256_cmp(&dec.max_priority_fee_per_gas,
                     &tx.max_priority_fee_per_gas) == 0;
    ok = ok && hc_tx_hash(h1, &tx) == HC_OK;
    if (ok) {
        hc_keccak256(h2, out.data, out.len);
        ok = memcmp(h1, h2, 32) == 0;
        *size = out.len;
    }
    hc_tx_free(&dec);
    hc_tx_free(&tx);
    hc_buf_free(&out);
    return ok;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
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

static int setup(struct fixture *f)
{
    uint8_t seed[32], h[32];
    memset(f, 0, sizeof *f);
    if (sodium_init() < 0)
        return 0;
    randombytes_buf(rng_s, sizeof rng_s);
    do
        randombytes_buf(f->sk, sizeof f->sk);
    while (hc_key_check(f->sk) != HC_OK);
    if (hc_key_address(&f->from, f->sk) != HC_OK)
        return 0;
    randombytes_buf(f->contract.b, 20);
    randombytes_buf(f->recipient.b, 20);
    randombytes_buf(f->metadata, 32);
    f->royalty_bps = 500;
    hc_keccak256(h, MINT_SIG, strlen(MINT_SIG));
    memcpy(f->selector, h, 4);
    /* the floor's context: created and blinded like libhaechi's */
    f->ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!f->ctx)
        return 0;
    randombytes_buf(seed, sizeof seed);
    return secp256k1_context_randomize(f->ctx, seed);
}

_Noreturn static void usage(void)
{
    fputs("usage: bench_sign [-r RUNS] [-t SECONDS_PER_RUN]\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    int runs = 7, c;
    double seconds = 1.0;
    double floor_r[MAX_RUNS], tx_r[MAX_RUNS], ratio_r[MAX_RUNS];
    struct fixture f;
    size_t size = 0;
    while ((c = getopt(argc, argv, "r:t:h")) != -1) {
        switch (c) {
        case 'r':
            runs = atoi(optarg);
            break;
        case 't':
            seconds = atof(optarg);
            break;
        default:
            usage();
        }
    }
    if (optind != argc || runs < 1 || runs > MAX_RUNS || !(seconds > 0))
        usage();
    if (!setup(&f)) {
        fputs("bench_sign: setup failed\n", stderr);
        return 1;
    }
    if (!self_check(&f, &size)) {
        fputs("bench_sign: FAIL: self-check: the calldata differs from "
              "hc_abi_encode_call's, or the signed transaction does not "
              "decode back to what was built\n",
              stderr);
        return 1;
    }
    printf("bench_sign: %d runs of %.1f s each, one thread, alternating "
           "order\n",
           runs, seconds);
    printf("  tx: EIP-1559, chain 1, gas 200000, %s, %d bytes calldata, "
           "%zu bytes signed\n",
           MINT_SIG, CALLDATA_LEN, size);
    fflush(stdout);
    run_floor(&f, WARMUP_SECONDS);
    run_tx(&f, WARMUP_SECONDS);
    for (int i = 0; i < runs; i++) {
        if (i % 2 == 0) {
            floor_r[i] = run_floor(&f, seconds);
            tx_r[i] = run_tx(&f, seconds);
        } else {
            tx_r[i] = run_tx(&f, seconds);
            floor_r[i] = run_floor(&f, seconds);
        }
        ratio_r[i] = tx_r[i] / floor_r[i];
    }
    struct stats fs = summarize(floor_r, runs), ts = summarize(tx_r, runs),
                 rs = summarize(ratio_r, runs);
    printf("  %-46s %9s  %19s  %7s\n", "", "median/s", "min - max /s", "us/op");
    printf("  %-46s %9.0f  %9.0f - %-7.0f  %7.2f\n",
           "floor: secp256k1_ecdsa_sign_recoverable", fs.median, fs.min, fs.max,
           1e6 / fs.median);
    printf("  %-46s %9.0f  %9.0f - %-7.0f  %7.2f\n",
           "haechi: build + sign + serialize", ts.median, ts.min, ts.max,
           1e6 / ts.median);
    printf("  ratio haechi/floor: %.3f (medians); per-run %.3f - %.3f; "
           "goal >= 0.80\n",
           ts.median / fs.median, rs.min, rs.max);
    printf("  overhead over the floor: %.2f us per transaction\n",
           1e6 / ts.median - 1e6 / fs.median);
    secp256k1_context_destroy(f.ctx);
    hc_memzero(f.sk, sizeof f.sk);
    return 0;
}
