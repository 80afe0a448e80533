/* Keccak-f[1600] and the Keccak-256 sponge (rate 136 bytes), after the
 * Keccak team's reference ("The Keccak reference", version 3.0). */
#include <string.h>

#include "haechi/keccak.h"
#include "haechi/util.h"

#define RATE 136

static const uint64_t round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

static const unsigned rho[24] = {1,  3,  6,  10, 15, 21, 28, 36,
                                 45, 55, 2,  14, 27, 41, 56, 8,
                                 25, 43, 62, 18, 39, 61, 20, 44};
static const unsigned pi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

static inline uint64_t rotl(uint64_t x, unsigned n)
{
    return (x << n) | (x >> ((64 - n) & 63));
}

static void keccak_f(uint64_t s[25])
{
    for (int round = 0; round < 24; round++) {
        uint64_t c[5], t;
        /* theta */
        for (int x = 0; x < 5; x++)
            c[x] = s[x] ^ s[x + 5] ^ s[x + 10] ^ s[x + 15] ^ s[x + 20];
        for (int x = 0; x < 5; x++) {
            t = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5)
                s[y + x] ^= t;
        }
        /* rho and pi */
        t = s[1];
        for (int i = 0; i < 24; i++) {
            uint64_t tmp = s[pi[i]];
            s[pi[i]] = rotl(t, rho[i]);
            t = tmp;
        }
        /* chi */
        for (int y = 0; y < 25; y += 5) {
            for (int x = 0; x < 5; x++)
                c[x] = s[y + x];
            for (int x = 0; x < 5; x++)
                s[y + x] = c[x] ^ (~c[(x + 1) % 5] & c[(x + 2) % 5]);
        }
        /* iota */
        s[0] ^= round_constants[round];
    }
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

void hc_keccak256_init(hc_keccak_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
}

void hc_keccak256_update(hc_keccak_ctx *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;
    /* finish a partial block byte by byte */
    while (len && ctx->pos) {
        ctx->s[ctx->pos / 8] ^= (uint64_t)*p++ << (8 * (ctx->pos % 8));
        len--;
        if (++ctx->pos == RATE) {
            keccak_f(ctx->s);
            ctx->pos = 0;
        }
    }
    /* whole blocks */
    while (len >= RATE) {
        for (int i = 0; i < RATE / 8; i++)
            ctx->s[i] ^= load64(p + 8 * i);
        keccak_f(ctx->s);
        p += RATE;
        len -= RATE;
    }
    /* the tail */
    while (len--) {
        ctx->s[ctx->pos / 8] ^= (uint64_t)*p++ << (8 * (ctx->pos % 8));
        ctx->pos++;
    }
}

void hc_keccak256_final(hc_keccak_ctx *ctx, uint8_t out[32])
{
    ctx->s[ctx->pos / 8] ^= (uint64_t)0x01 << (8 * (ctx->pos % 8));
    ctx->s[(RATE - 1) / 8] ^= (uint64_t)0x80 << (8 * ((RATE - 1) % 8));
    keccak_f(ctx->s);
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(ctx->s[i / 8] >> (8 * (i % 8)));
    hc_memzero(ctx, sizeof *ctx);
}

void hc_keccak256(uint8_t out[32], const void *data, size_t len)
{
    hc_keccak_ctx ctx;
    hc_keccak256_init(&ctx);
    hc_keccak256_update(&ctx, data, len);
    hc_keccak256_final(&ctx, out);
}
