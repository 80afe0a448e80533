/* libFuzzer target: the ABI decoder reads hostile data without crashing or
 * reading outside it. The input is decoded as the (string, bytes[], uint16[],
 * address, bool, bytes4) tuple and every slot as every type; whatever
 * decodes as mintBatch-shaped arrays re-encodes and decodes to the same
 * values. */
#include <stdlib.h>
#include <string.h>

#include "haechi/abi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void poke(const hc_abi_dec *d, size_t i, int depth)
{
    hc_u256 u;
    uint64_t v;
    hc_address a;
    int b;
    uint8_t fixed[32];
    const uint8_t *p;
    size_t len, count;
    hc_abi_dec sub;
    int r = 0; /* every accessor on every slot; the results do not matter */
    r |= (int)hc_abi_get_uint(d, i, 256, &u);
    r |= (int)hc_abi_get_u64(d, i, 16, &v);
    r |= (int)hc_abi_get_address(d, i, &a);
    r |= (int)hc_abi_get_bool(d, i, &b);
    r |= (int)hc_abi_get_fixed(d, i, fixed, 4);
    (void)r;
    if (hc_abi_get_bytes(d, i, &p, &len) == HC_OK) {
        /* touch every byte: ASan catches a pointer outside the input */
        volatile uint8_t x = 0;
        for (size_t k = 0; k < len; k++)
            x ^= p[k];
        (void)x;
    }
    if (depth < 2 && hc_abi_get_array(d, i, &sub, &count) == HC_OK) {
        for (size_t j = 0; j < count && j < 64; j++)
            poke(&sub, j, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hc_abi_dec d;
    hc_abi_dec_init(&d, data, size);
    for (size_t i = 0; i < 8; i++)
        poke(&d, i, 0);

    /* a uint16[] at slot 0: re-encode and compare element values */
    hc_abi_dec arr;
    size_t count;
    if (hc_abi_get_array(&d, 0, &arr, &count) == HC_OK && count <= 256) {
        hc_abi_value items[256];
        uint64_t vals[256];
        size_t ok = 0;
        for (size_t j = 0; j < count; j++) {
            if (hc_abi_get_u64(&arr, j, 16, &vals[j]))
                break;
            items[j] = hc_abi_uint64(16, vals[j]);
            ok++;
        }
        if (ok == count) {
            hc_abi_value v = hc_abi_array(HC_ABI_UINT, 16, items, count);
            hc_buf b;
            hc_abi_dec d2, arr2;
            size_t count2;
            uint64_t x;
            hc_buf_init(&b, 1 << 20, 0);
            if (hc_abi_encode(&b, &v, 1))
                abort();
            hc_abi_dec_init(&d2, b.data, b.len);
            if (hc_abi_get_array(&d2, 0, &arr2, &count2) || count2 != count)
                abort();
            for (size_t j = 0; j < count; j++)
                if (hc_abi_get_u64(&arr2, j, 16, &x) || x != vals[j])
                    abort();
            hc_buf_free(&b);
        }
    }
    return 0;
}
