/* keccak.h — Keccak-256 as Ethereum uses it (original Keccak padding 0x01,
 * not SHA3-256's 0x06). One-shot and streaming. Thread-safe: no globals. */
#ifndef HAECHI_KECCAK_H
#define HAECHI_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#define HC_KECCAK256_LEN 32

typedef struct hc_keccak_ctx {
    uint64_t s[25]; /* the sponge state */
    size_t pos;     /* bytes absorbed into the current block */
} hc_keccak_ctx;

void hc_keccak256_init(hc_keccak_ctx *ctx);
void hc_keccak256_update(hc_keccak_ctx *ctx, const void *data, size_t len);
/* Writes the digest and wipes the context. */
void hc_keccak256_final(hc_keccak_ctx *ctx, uint8_t out[32]);
void hc_keccak256(uint8_t out[32], const void *data, size_t len);

#endif
