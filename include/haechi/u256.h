/* u256.h — 256-bit unsigned integers (Ethereum's uint256).
 *
 * Values are four 64-bit limbs, least significant first. All arithmetic
 * reports overflow instead of wrapping. Parsing is strict: no sign, no
 * whitespace, no empty string, nothing that does not fit in 256 bits.
 */
#ifndef HAECHI_U256_H
#define HAECHI_U256_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/util.h"

typedef struct hc_u256 {
    uint64_t w[4]; /* w[0] is the least significant limb */
} hc_u256;

#define HC_U256_DEC_MAX 79 /* 78 digits + NUL */
#define HC_U256_HEX_MAX 67 /* "0x" + 64 digits + NUL */

static inline hc_u256 hc_u256_from_u64(uint64_t v)
{
    hc_u256 r = {{v, 0, 0, 0}};
    return r;
}

int hc_u256_is_zero(const hc_u256 *a);
/* Returns -1, 0 or 1. */
int hc_u256_cmp(const hc_u256 *a, const hc_u256 *b);
/* Number of significant bits (0 for zero). */
unsigned hc_u256_bits(const hc_u256 *a);

/* Parses decimal digits (s, len). Leading zeros are allowed ("007" = 7). */
HC_WUR hc_err hc_u256_from_dec(hc_u256 *out, const char *s, size_t len);
/* Parses "0x" followed by 1..64 hex digits (leading zeros allowed, so "0x0",
 * "0x00ff" and a 64-digit word all parse). */
HC_WUR hc_err hc_u256_from_hex(hc_u256 *out, const char *s, size_t len);
/* Parses a NUL-terminated string: "0x…" as hex, otherwise decimal. */
HC_WUR hc_err hc_u256_parse(hc_u256 *out, const char *s);

/* Big-endian conversions. from_be accepts 0..32 bytes (any leading zeros). */
HC_WUR hc_err hc_u256_from_be(hc_u256 *out, const uint8_t *in, size_t len);
void hc_u256_to_be(uint8_t out[32], const hc_u256 *a);
/* Writes the minimal big-endian form (no leading zeros; zero is 0 bytes) to
 * the start of out and returns its length. */
size_t hc_u256_to_be_min(uint8_t out[32], const hc_u256 *a);

/* Fits in 64 bits? HC_ERR_OVERFLOW if not. */
HC_WUR hc_err hc_u256_to_u64(uint64_t *out, const hc_u256 *a);

HC_WUR hc_err hc_u256_add(hc_u256 *out, const hc_u256 *a, const hc_u256 *b);
HC_WUR hc_err hc_u256_sub(hc_u256 *out, const hc_u256 *a, const hc_u256 *b);
HC_WUR hc_err hc_u256_mul(hc_u256 *out, const hc_u256 *a, const hc_u256 *b);
/* out = a / d, *rem = a % d (rem may be NULL); d must be non-zero. */
HC_WUR hc_err hc_u256_divmod_u64(hc_u256 *out, uint64_t *rem, const hc_u256 *a,
                                 uint64_t d);

/* Decimal digits, no leading zeros ("0" for zero). Returns out. */
char *hc_u256_to_dec(char out[HC_U256_DEC_MAX], const hc_u256 *a);
/* JSON-RPC quantity: "0x" + minimal lowercase hex ("0x0" for zero). */
char *hc_u256_to_hex(char out[HC_U256_HEX_MAX], const hc_u256 *a);

#endif
