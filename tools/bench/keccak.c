/* bench_keccak — Keccak-256 throughput of libhaechi's hc_keccak256, side by
 * side with OpenSSL's SHA3-256 measured in the same process, interleaved.
 * SHA3-256 is the same Keccak-f[1600] permutation at the same rate (136
 * bytes); only the padding byte differs, so the two do the same work per
 * byte (OpenSSL's permutation is assembly).
 *
 * Two shapes, each a run of about 0.2 s:
 *   - long:  one 16 MiB message;
 *   - short: 400-byte messages, about what a ledger journal entry hashes
 *            (the hash chain) and a little under three blocks.
 * Prints the median and min–max MB/s (10^6 bytes/s) of each over RUNS runs
 * and the ratio haechi/OpenSSL. Never fails on timing; exits non-zero only
 * if the self-check fails (Keccak-256 of "" and of "abc").
 *
 * Usage: bench_keccak [-r RUNS]   (default 7)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "haechi/hex.h"
#include "haechi/keccak.h"

#define LONG_LEN  (16u << 20)
#define SHORT_LEN 400
#define SHORT_N   20000
#define MAX_RUNS  101

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void sha3(uint8_t out[32], const void *p, size_t n, EVP_MD_CTX *c)
{
    unsigned len = 0;
    if (!EVP_DigestInit_ex(c, EVP_sha3_256(), NULL) ||
        !EVP_DigestUpdate(c, p, n) || !EVP_DigestFinal_ex(c, out, &len) ||
        len != 32) {
        fputs("bench_keccak: OpenSSL SHA3-256 failed\n", stderr);
        exit(1);
    }
}

/* MB/s of one run: side 0 haechi, 1 OpenSSL; shape 0 long, 1 short. */
static double run(int side, int shape, const uint8_t *buf, EVP_MD_CTX *c)
{
    uint8_t out[32];
    size_t bytes = 0;
    double t0 = now(), t;
    do {
        if (shape == 0) {
            if (side == 0)
                hc_keccak256(out, buf, LONG_LEN);
            else
                sha3(out, buf, LONG_LEN, c);
            bytes += LONG_LEN;
        } else {
            for (size_t i = 0; i < SHORT_N; i++) {
                if (side == 0)
                    hc_keccak256(out, buf + i % 4096, SHORT_LEN);
                else
                    sha3(out, buf + i % 4096, SHORT_LEN, c);
            }
            bytes += (size_t)SHORT_N * SHORT_LEN;
        }
        t = now() - t0;
    } while (t < 0.2);
    return (double)bytes / t / 1e6;
}

int main(int argc, char **argv)
{
    int runs = 7, opt;
    static const char usage[] =
        "usage: bench_keccak [-r RUNS]   (1 to 101, default 7)\n";
    while ((opt = getopt(argc, argv, "hr:")) != -1) {
        if (opt == 'h') {
            fputs(usage, stdout);
            return 0;
        }
        if (opt == 'r' && atoi(optarg) >= 1 && atoi(optarg) <= MAX_RUNS)
            runs = atoi(optarg);
        else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fputs(usage, stderr);
        return 2;
    }
    static const struct {
        const char *in, *hex;
    } v[] = {
        {"",
         "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
        {"abc",
         "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t want[32], got[32];
        hc_keccak256(got, v[i].in, strlen(v[i].in));
        if (hc_hex_decode_fixed(want, sizeof want, v[i].hex, 0) ||
            memcmp(want, got, 32)) {
            fprintf(stderr, "bench_keccak: self-check failed on \"%s\"\n",
                    v[i].in);
            return 1;
        }
    }
    uint8_t *buf = malloc(LONG_LEN);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!buf || !c) {
        fputs("bench_keccak: out of memory\n", stderr);
        return 1;
    }
    for (size_t i = 0; i < LONG_LEN; i++)
        buf[i] = (uint8_t)(i * 131 + (i >> 9));
    double r[2][2][MAX_RUNS];
    run(0, 0, buf, c); /* warm-up */
    run(1, 0, buf, c);
    for (int k = 0; k < runs; k++)
        for (int shape = 0; shape < 2; shape++)
            for (int i = 0; i < 2; i++) {
                int side = k % 2 ? 1 - i : i; /* alternating who goes first */
                r[shape][side][k] = run(side, shape, buf, c);
            }
    static const char *shapes[2] = {"16 MiB message", "400-byte messages"};
    printf("Keccak-256 (haechi) vs SHA3-256 (OpenSSL %s), %d runs each, "
           "MB/s median (min-max):\n",
           OpenSSL_version(OPENSSL_VERSION_STRING), runs);
    for (int shape = 0; shape < 2; shape++) {
        double m[2];
        for (int side = 0; side < 2; side++) {
            qsort(r[shape][side], (size_t)runs, sizeof(double), cmp);
            m[side] = r[shape][side][runs / 2];
        }
        printf("  %-18s haechi %7.1f (%.1f-%.1f)  OpenSSL %7.1f (%.1f-%.1f)  "
               "ratio %.2fx\n",
               shapes[shape], m[0], r[shape][0][0], r[shape][0][runs - 1], m[1],
               r[shape][1][0], r[shape][1][runs - 1], m[0] / m[1]);
    }
    EVP_MD_CTX_free(c);
    free(buf);
    return 0;
}
