/* gen_txcases — random transactions and messages for cast_crosscheck.sh.
 *
 * Usage: gen_txcases OUTDIR NTX NMSG
 *
 * The seed comes from $HC_SEED (decimal or 0x-hex, 64 bits); without it a
 * seed is drawn from /dev/urandom. It is printed as the first line of
 * standard output ("seed N") so that a failing run can be repeated.
 *
 * For transaction i (4-digit id) it writes, under OUTDIR/tx/:
 *   i.json  the transaction as JSON for `haechi sign-tx` (one line; field
 *           names, integer spellings, address cases and field order random)
 *   i.args  the `cast mktx` arguments except --private-key, NUL-separated
 *           (only for mode "cast")
 *   i.meta  "TYPE MODE KEY V0 V1": MODE is "cast" (cast mktx can build it)
 *           or "rlp" (a field is beyond what cast mktx takes: a fee of 2^128
 *           or more, a chain id of 2^64 or more; checked by assembling the
 *           transaction with `cast to-rlp` and signing its hash with
 *           `cast wallet sign --no-hash`). V0 / V1 are the RLP v values
 *           (minimal 0x-hex) for y-parity 0 / 1.
 *   i.rlpu  the unsigned payload as a JSON list for `cast to-rlp`
 *   i.rlps  the signed transaction as a JSON list, with "@V@", "@R@", "@S@"
 *           standing for v, r and s
 *   i.exp   the fields `haechi decode-tx` must print, as a JSON object
 * and for message i, under OUTDIR/msg/:
 *   i.bin   the message bytes
 *   i.hex   the same as 0x-hex
 *   i.meta  "MODE KEY OTHER": MODE "text" (cast gets the message as text)
 *           or "hex" (cast gets 0x-hex: binary, NUL, or text that starts
 *           with 0x, which cast would decode as hex); OTHER is an address
 *           that is not the key's.
 *
 * Everything random is drawn from one xoshiro256** stream, so a seed fixes
 * every case.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "haechi/hex.h"
#include "haechi/key.h"
#include "haechi/u256.h"

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---------------------- */

static uint64_t rng[4];

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(void)
{
    uint64_t r = rotl(rng[1] * 5, 7) * 9, t = rng[1] << 17;
    rng[2] ^= rng[0];
    rng[3] ^= rng[1];
    rng[1] ^= rng[2];
    rng[0] ^= rng[3];
    rng[2] ^= t;
    rng[3] = rotl(rng[3], 45);
    return r;
}

/* Uniform in [0, n), n > 0. */
static uint64_t below(uint64_t n)
{
    uint64_t lim = UINT64_MAX - UINT64_MAX % n, r;
    do
        r = rnd();
    while (r >= lim);
    return r % n;
}

/* Uniform in [lo, hi]. */
static uint64_t between(uint64_t lo, uint64_t hi)
{
    return lo + below(hi - lo + 1);
}

static int chance(unsigned pct)
{
    return below(100) < pct;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

/* ---- a growable string --------------------------------------------------- */

typedef struct sb {
    char *p;
    size_t len, cap;
} sb;

static void die(const char *what)
{
    fprintf(stderr, "gen_txcases: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void sb_add(sb *s, const char *t, size_t n)
{
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *p = realloc(s->p, cap);
        if (!p)
            die("realloc");
        s->p = p;
        s->cap = cap;
    }
    memcpy(s->p + s->len, t, n);
    s->len += n;
    s->p[s->len] = 0;
}

static void sb_puts(sb *s, const char *t)
{
    sb_add(s, t, strlen(t));
}

__attribute__((format(printf, 2, 3))) static void
sb_printf(sb *s, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        fprintf(stderr, "gen_txcases: sb_printf overflow\n");
        exit(2);
    }
    sb_add(s, tmp, (size_t)n);
}

static void sb_hex(sb *s, const uint8_t *p, size_t n)
{
    char *h = hc_hex_encode_alloc(p, n, 1);
    if (!h)
        die("hex");
    sb_puts(s, h);
    free(h);
}

static void sb_free(sb *s)
{
    free(s->p);
    s->p = NULL;
    s->len = s->cap = 0;
}

static void write_file(const char *dir, unsigned id, const char *ext,
                       const void *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%04u.%s", dir, id, ext);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0)
        die(path);
}

/* ---- random integers ----------------------------------------------------- */

static hc_u256 pow2m1(unsigned bits) /* 2^bits - 1, bits <= 256 */
{
    hc_u256 r = {{0, 0, 0, 0}};
    for (unsigned i = 0; i < 4; i++) {
        if (bits >= 64 * (i + 1))
            r.w[i] = UINT64_MAX;
        else if (bits > 64 * i)
            r.w[i] = (UINT64_C(1) << (bits - 64 * i)) - 1;
    }
    return r;
}

/* A random integer below 2^maxbits: often 0, 1, the maximum or an RLP
 * boundary (127, 128, 255, 256, 2^8k - 1, 2^8k), otherwise of a random bit
 * length. */
static hc_u256 rnd_int(unsigned maxbits)
{
    hc_u256 r = {{0, 0, 0, 0}};
    uint64_t c = below(100);
    if (c < 8)
        return r;
    if (c < 16)
        return pow2m1(maxbits);
    if (c < 20)
        return hc_u256_from_u64(1);
    if (c < 28 && maxbits >= 16) {
        static const uint64_t small[] = {127, 128, 255, 256, 55, 56, 1023};
        unsigned k = (unsigned)between(1, maxbits / 8);
        switch (below(4)) {
        case 0:
            return hc_u256_from_u64(small[below(7)]);
        case 1:
            return pow2m1(8 * k);
        default:
            if (8 * k < maxbits) {
                r.w[(8 * k) / 64] = UINT64_C(1) << ((8 * k) % 64);
                return r;
            }
            return pow2m1(8 * k);
        }
    }
    unsigned len = (unsigned)between(1, maxbits);
    for (int i = 0; i < 4; i++)
        r.w[i] = rnd();
    hc_u256 mask = pow2m1(len);
    for (int i = 0; i < 4; i++)
        r.w[i] &= mask.w[i];
    r.w[(len - 1) / 64] |= UINT64_C(1) << ((len - 1) % 64);
    return r;
}

static char *dec(char buf[HC_U256_DEC_MAX], const hc_u256 *v)
{
    return hc_u256_to_dec(buf, v);
}

/* Minimal big-endian bytes as 0x-hex ("0x" for zero), as RLP wants them. */
static void sb_rlp_int(sb *s, const hc_u256 *v)
{
    uint8_t be[32];
    size_t n = hc_u256_to_be_min(be, v);
    sb_puts(s, "\"");
    sb_hex(s, be, n);
    sb_puts(s, "\"");
}

/* An integer for the JSON input, in a random spelling. */
static void sb_json_int(sb *s, const hc_u256 *v)
{
    char buf[HC_U256_DEC_MAX];
    unsigned bits = hc_u256_bits(v);
    uint64_t c = below(100);
    if (bits < 53 && c < 30) {
        sb_puts(s, dec(buf, v)); /* JSON number */
        return;
    }
    if (c < 65) {
        sb_puts(s, "\"");
        if (chance(8))
            sb_puts(s, chance(50) ? "0" : "000");
        sb_puts(s, dec(buf, v));
        sb_puts(s, "\"");
        return;
    }
    char hex[HC_U256_HEX_MAX];
    hc_u256_to_hex(hex, v);
    size_t digits = strlen(hex) - 2;
    sb_puts(s, "\"0x");
    if (chance(15)) { /* leading zeros, still at most 64 digits */
        size_t pad = (size_t)between(1, 64 - (digits < 64 ? digits : 63));
        if (digits + pad > 64)
            pad = 64 - digits;
        for (size_t i = 0; i < pad; i++)
            sb_puts(s, "0");
    }
    if (chance(20)) {
        for (char *p = hex + 2; *p; p++)
            if (*p >= 'a' && *p <= 'f')
                *p = (char)(*p - 'a' + 'A');
    }
    sb_puts(s, hex + 2);
    sb_puts(s, "\"");
}

/* ---- keys and addresses -------------------------------------------------- */

static const char curve_n_minus_1[] =
    "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140";

static void rnd_key(uint8_t sk[32])
{
    do {
        uint64_t c = below(100);
        memset(sk, 0, 32);
        if (c < 3) {
            sk[31] = 1;
        } else if (c < 6) {
            if (hc_hex_decode_fixed(sk, 32, curve_n_minus_1,
                                    HC_HEX_PREFIX_FORBIDDEN))
                abort();
        } else if (c < 12) {
            size_t zeros = (size_t)between(1, 31);
            rnd_bytes(sk + zeros, 32 - zeros);
        } else {
            rnd_bytes(sk, 32);
        }
    } while (hc_key_check(sk) != HC_OK);
}

static void rnd_address(hc_address *a)
{
    uint64_t c = below(100);
    memset(a->b, 0, 20);
    if (c < 8)
        return; /* the zero address (a call, not a creation) */
    if (c < 12) {
        memset(a->b, 0xff, 20);
        return;
    }
    if (c < 20) {
        size_t zeros = (size_t)between(1, 19);
        rnd_bytes(a->b + zeros, 20 - zeros);
        return;
    }
    rnd_bytes(a->b, 20);
}

/* EIP-55, all lowercase or all-uppercase digits. */
static void sb_addr_any(sb *s, const hc_address *a)
{
    char str[HC_ADDRESS_STR];
    hc_address_to_str(str, a);
    uint64_t c = below(100);
    for (char *p = str + 2; *p; p++) {
        if (c >= 40 && c < 80 && *p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
        else if (c >= 80 && *p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    }
    sb_printf(s, "\"%s\"", str);
}

static void sb_addr_eip55(sb *s, const hc_address *a)
{
    char str[HC_ADDRESS_STR];
    sb_puts(s, hc_address_to_str(str, a));
}

/* ---- transactions -------------------------------------------------------- */

/* Chain ids for which cast 1.7.1 builds a legacy transaction even when an
 * EIP-1559 / EIP-2930 one is asked for (alloy-chains' "legacy" chains:
 * elastos, rsk, rsk-testnet, optimism-kovan, viction, shimmer, fantom,
 * fantom-testnet, emerald-testnet, emerald, sophon, treasure,
 * treasure-topaz, sophon-testnet). Typed cases avoid them when checked
 * against cast mktx. */
static const uint64_t cast_legacy_chains[] = {
    20,   30,    31,    69,    88,    148,    250,
    4002, 42261, 42262, 50104, 61166, 978658, 531050104};

static int is_cast_legacy_chain(const hc_u256 *c)
{
    if (c->w[1] | c->w[2] | c->w[3])
        return 0;
    for (size_t i = 0;
         i < sizeof cast_legacy_chains / sizeof *cast_legacy_chains; i++)
        if (c->w[0] == cast_legacy_chains[i])
            return 1;
    return 0;
}

typedef struct entry {
    hc_address addr;
    uint8_t keys[6][32];
    size_t nkeys;
} entry;

typedef struct txcase {
    unsigned type;
    int rlp_mode;
    uint8_t sk[32];
    hc_u256 chain, fee, prio, value, v0, v1;
    uint64_t nonce, gas;
    int has_to;
    hc_address to;
    uint8_t *data;
    size_t data_len;
    entry al[5];
    size_t al_len;
    int al_given; /* type 2: the access list is in the input */
} txcase;

/* JSON members of the input, shuffled before output. */
typedef struct members {
    sb m[16];
    size_t n;
} members;

static sb *member(members *ms, const char *name)
{
    sb *s = &ms->m[ms->n++];
    memset(s, 0, sizeof *s);
    sb_printf(s, "\"%s\":", name);
    return s;
}

static const char *pick(const char *a, const char *b)
{
    return chance(50) ? a : b;
}

static void sb_members(sb *out, members *ms)
{
    for (size_t i = ms->n; i > 1; i--) {
        size_t j = (size_t)below(i);
        sb t = ms->m[i - 1];
        ms->m[i - 1] = ms->m[j];
        ms->m[j] = t;
    }
    sb_puts(out, "{");
    for (size_t i = 0; i < ms->n; i++) {
        if (i)
            sb_puts(out, chance(10) ? " , " : ",");
        sb_add(out, ms->m[i].p, ms->m[i].len);
        sb_free(&ms->m[i]);
    }
    sb_puts(out, "}\n");
    ms->n = 0;
}

static void gen_tx(txcase *t)
{
    memset(t, 0, sizeof *t);
    t->type = (unsigned)below(3);
    t->rlp_mode = chance(18);
    rnd_key(t->sk);

    /* chain id: small and well-known ones, then anything cast takes (u64);
     * beyond 2^64 only in rlp mode, and for legacy at most 2^255 - 19 so
     * that v = 2 chain_id + 36 still fits in 256 bits. */
    static const uint64_t known[] = {1,   5,    10,    56,    100,
                                     137, 8453, 17000, 42161, 11155111};
    do {
        if (t->rlp_mode && chance(60)) {
            t->chain = rnd_int(t->type == 0 ? 255 : 256);
            hc_u256 lim = pow2m1(255), d = hc_u256_from_u64(18);
            if (hc_u256_sub(&lim, &lim, &d)) /* 2^255 - 19 */
                abort();
            if (t->type == 0 &&
                (hc_u256_cmp(&t->chain, &lim) > 0 || chance(10)))
                t->chain = lim;
        } else if (chance(25)) {
            t->chain = hc_u256_from_u64(known[below(10)]);
        } else {
            t->chain = rnd_int(64);
        }
    } while (hc_u256_is_zero(&t->chain) ||
             (!t->rlp_mode && t->type != 0 && is_cast_legacy_chain(&t->chain)));

    hc_u256 n = rnd_int(64);
    t->nonce = n.w[0] == UINT64_MAX ? UINT64_MAX - 1 : n.w[0];
    if (t->rlp_mode) {
        if (chance(10)) {
            /* gas * fee = 2^256 - 1 exactly */
            t->gas = UINT64_MAX;
            t->fee.w[0] = t->fee.w[1] = t->fee.w[2] = t->fee.w[3] = 1;
        } else {
            t->fee = rnd_int(256);
            unsigned fb = hc_u256_bits(&t->fee);
            if (fb <= 192) {
                t->gas = rnd_int(64).w[0];
            } else if (fb < 256) {
                t->gas = rnd_int(256 - fb).w[0];
            } else {
                t->gas = below(2);
            }
        }
        t->prio = rnd_int(256);
    } else {
        t->fee = rnd_int(128);
        t->prio = rnd_int(128);
        t->gas = rnd_int(64).w[0];
    }
    t->value = rnd_int(256);

    t->has_to = chance(82);
    if (t->has_to)
        rnd_address(&t->to);

    uint64_t c = below(100);
    t->data_len = c < 22   ? 0
                  : c < 35 ? (size_t)between(1, 4)
                  : c < 65 ? (size_t)between(5, 100)
                           : (size_t)between(101, 4096);
    t->data = malloc(t->data_len + 1);
    if (!t->data)
        die("malloc");
    rnd_bytes(t->data, t->data_len);
    if (chance(20)) /* mostly zero bytes */
        for (size_t i = 0; i < t->data_len; i++)
            if (chance(85))
                t->data[i] = 0;

    if (t->type != 0) {
        t->al_len = chance(30) ? 0 : (size_t)between(1, 5);
        for (size_t i = 0; i < t->al_len; i++) {
            entry *e = &t->al[i];
            if (i && chance(10))
                e->addr = t->al[i - 1].addr; /* duplicates are allowed */
            else
                rnd_address(&e->addr);
            e->nkeys = chance(30) ? 0 : (size_t)between(1, 6);
            for (size_t j = 0; j < e->nkeys; j++) {
                memset(e->keys[j], 0, 32);
                uint64_t k = below(100);
                if (k < 15)
                    continue;
                if (k < 30)
                    rnd_bytes(e->keys[j] + 24, 8);
                else
                    rnd_bytes(e->keys[j], 32);
            }
        }
        t->al_given = t->type == 1 || t->al_len || chance(50);
    }

    /* v for y-parity 0 and 1 */
    if (t->type == 0) {
        hc_u256 two = hc_u256_from_u64(2), a = hc_u256_from_u64(35),
                b = hc_u256_from_u64(36);
        if (hc_u256_mul(&t->v0, &t->chain, &two) ||
            hc_u256_add(&t->v1, &t->v0, &b) || hc_u256_add(&t->v0, &t->v0, &a))
            abort();
    } else {
        t->v0 = hc_u256_from_u64(0);
        t->v1 = hc_u256_from_u64(1);
    }
}

static void sb_cast_access_list(sb *s, const txcase *t)
{
    sb_puts(s, "[");
    for (size_t i = 0; i < t->al_len; i++) {
        sb_puts(s, i ? ",{\"address\":\"" : "{\"address\":\"");
        sb_addr_eip55(s, &t->al[i].addr);
        sb_puts(s, "\",\"storageKeys\":[");
        for (size_t j = 0; j < t->al[i].nkeys; j++) {
            sb_puts(s, j ? ",\"" : "\"");
            sb_hex(s, t->al[i].keys[j], 32);
            sb_puts(s, "\"");
        }
        sb_puts(s, "]}");
    }
    sb_puts(s, "]");
}

/* The JSON input for haechi. */
static void tx_json(sb *out, const txcase *t)
{
    members ms;
    sb *s;
    ms.n = 0;
    if (t->type != 2 || chance(50)) {
        s = member(&ms, "type");
        hc_u256 ty = hc_u256_from_u64(t->type);
        sb_json_int(s, &ty);
    }
    sb_json_int(member(&ms, pick("chain_id", "chainId")), &t->chain);
    hc_u256 v = hc_u256_from_u64(t->nonce);
    sb_json_int(member(&ms, "nonce"), &v);
    v = hc_u256_from_u64(t->gas);
    static const char *const gasnames[] = {"gas_limit", "gas", "gasLimit"};
    sb_json_int(member(&ms, gasnames[below(3)]), &v);
    if (t->type == 2) {
        sb_json_int(member(&ms, pick("max_fee_per_gas", "maxFeePerGas")),
                    &t->fee);
        sb_json_int(member(&ms, pick("max_priority_fee_per_gas",
                                     "maxPriorityFeePerGas")),
                    &t->prio);
    } else {
        sb_json_int(member(&ms, pick("gas_price", "gasPrice")), &t->fee);
    }
    if (!hc_u256_is_zero(&t->value) || chance(50))
        sb_json_int(member(&ms, "value"), &t->value);
    if (t->has_to)
        sb_addr_any(member(&ms, "to"), &t->to);
    else if (chance(50))
        sb_puts(member(&ms, "to"), "null");
    if (t->data_len || chance(50)) {
        s = member(&ms, pick("data", "input"));
        char *h = hc_hex_encode_alloc(t->data, t->data_len, 1);
        if (!h)
            die("hex");
        if (chance(15))
            for (char *p = h + 2; *p; p++)
                if (*p >= 'a' && *p <= 'f')
                    *p = (char)(*p - 'a' + 'A');
        sb_puts(s, "\"");
        sb_puts(s, h);
        sb_puts(s, "\"");
        free(h);
    }
    if (t->type != 0 && t->al_given) {
        s = member(&ms, pick("access_list", "accessList"));
        sb_puts(s, "[");
        for (size_t i = 0; i < t->al_len; i++) {
            const entry *e = &t->al[i];
            sb_puts(s, i ? ",{" : "{");
            int keys_first = chance(50), keys = e->nkeys || chance(70);
            const char *kn = pick("storage_keys", "storageKeys");
            for (int part = 0; part < 2; part++) {
                if ((part == 0) == (keys_first != 0)) {
                    if (!keys)
                        continue;
                    sb_printf(s, "\"%s\":[", kn);
                    for (size_t j = 0; j < e->nkeys; j++) {
                        sb_puts(s, j ? ",\"" : "\"");
                        sb_hex(s, e->keys[j], 32);
                        sb_puts(s, "\"");
                    }
                    sb_puts(s, "]");
                } else {
                    sb_puts(s, "\"address\":");
                    sb_addr_any(s, &e->addr);
                }
                if (part == 0)
                    sb_puts(s, ",");
            }
            if (s->p[s->len - 1] == ',')
                s->p[--s->len] = 0;
            sb_puts(s, "}");
        }
        sb_puts(s, "]");
    }
    if (chance(20)) {
        hc_address me;
        if (hc_key_address(&me, t->sk))
            abort();
        sb_addr_any(member(&ms, "from"), &me);
    }
    sb_members(out, &ms);
}

/* NUL-separated cast mktx arguments (without the key). */
static void arg(sb *s, const char *a)
{
    sb_add(s, a, strlen(a) + 1);
}

static void tx_cast_args(sb *out, const txcase *t)
{
    char buf[HC_U256_DEC_MAX];
    hc_u256 v;
    arg(out, "mktx");
    arg(out, "--nonce");
    v = hc_u256_from_u64(t->nonce);
    arg(out, dec(buf, &v));
    arg(out, "--gas-limit");
    v = hc_u256_from_u64(t->gas);
    arg(out, dec(buf, &v));
    arg(out, "--gas-price");
    arg(out, dec(buf, &t->fee));
    if (t->type == 2) {
        arg(out, "--priority-gas-price");
        arg(out, dec(buf, &t->prio));
    } else {
        arg(out, "--legacy");
    }
    arg(out, "--chain");
    arg(out, dec(buf, &t->chain));
    if (!hc_u256_is_zero(&t->value) || chance(50)) {
        arg(out, "--value");
        arg(out, dec(buf, &t->value));
    }
    if (t->type != 0 && t->al_given) {
        /* type 1 is --legacy plus an access list */
        sb al = {0};
        sb_puts(&al, "--access-list=");
        sb_cast_access_list(&al, t);
        arg(out, al.p);
        sb_free(&al);
    }
    sb d = {0};
    sb_hex(&d, t->data, t->data_len);
    if (!t->has_to) {
        arg(out, "--create");
        arg(out, d.p);
    } else {
        sb to = {0};
        sb_addr_eip55(&to, &t->to);
        arg(out, to.p);
        sb_free(&to);
        if (t->data_len || chance(50))
            arg(out, d.p); /* raw calldata: a SIG starting with 0x */
    }
    sb_free(&d);
}

static void tx_rlp(sb *u, sb *sg, const txcase *t)
{
    sb body = {0};
    hc_u256 v;
    if (t->type != 0) {
        sb_rlp_int(&body, &t->chain);
        sb_puts(&body, ",");
    }
    v = hc_u256_from_u64(t->nonce);
    sb_rlp_int(&body, &v);
    sb_puts(&body, ",");
    if (t->type == 2) {
        sb_rlp_int(&body, &t->prio);
        sb_puts(&body, ",");
    }
    sb_rlp_int(&body, &t->fee);
    sb_puts(&body, ",");
    v = hc_u256_from_u64(t->gas);
    sb_rlp_int(&body, &v);
    sb_puts(&body, ",\"");
    sb_hex(&body, t->to.b, t->has_to ? 20 : 0);
    sb_puts(&body, "\",");
    sb_rlp_int(&body, &t->value);
    sb_puts(&body, ",\"");
    sb_hex(&body, t->data, t->data_len);
    sb_puts(&body, "\"");
    if (t->type != 0) {
        sb_puts(&body, ",[");
        for (size_t i = 0; i < t->al_len; i++) {
            sb_puts(&body, i ? ",[\"" : "[\"");
            sb_hex(&body, t->al[i].addr.b, 20);
            sb_puts(&body, "\",[");
            for (size_t j = 0; j < t->al[i].nkeys; j++) {
                sb_puts(&body, j ? ",\"" : "\"");
                sb_hex(&body, t->al[i].keys[j], 32);
                sb_puts(&body, "\"");
            }
            sb_puts(&body, "]]");
        }
        sb_puts(&body, "]");
    }
    sb_puts(u, "[");
    sb_add(u, body.p, body.len);
    if (t->type == 0) {
        sb_puts(u, ",");
        sb_rlp_int(u, &t->chain);
        sb_puts(u, ",\"0x\",\"0x\"");
    }
    sb_puts(u, "]\n");
    sb_puts(sg, "[");
    sb_add(sg, body.p, body.len);
    sb_puts(sg, ",\"@V@\",\"@R@\",\"@S@\"]\n");
    sb_free(&body);
}

/* The fields decode-tx must print. */
static void tx_expect(sb *s, const txcase *t)
{
    char buf[HC_U256_DEC_MAX];
    hc_u256 v;
    sb_printf(s, "{\"type\":%u,\"chain_id\":\"%s\"", t->type,
              dec(buf, &t->chain));
    v = hc_u256_from_u64(t->nonce);
    sb_printf(s, ",\"nonce\":\"%s\"", dec(buf, &v));
    v = hc_u256_from_u64(t->gas);
    sb_printf(s, ",\"gas_limit\":\"%s\"", dec(buf, &v));
    if (t->type == 2) {
        sb_printf(s, ",\"max_fee_per_gas\":\"%s\"", dec(buf, &t->fee));
        sb_printf(s, ",\"max_priority_fee_per_gas\":\"%s\"",
                  dec(buf, &t->prio));
    } else {
        sb_printf(s, ",\"gas_price\":\"%s\"", dec(buf, &t->fee));
    }
    sb_printf(s, ",\"value\":\"%s\",\"to\":", dec(buf, &t->value));
    if (t->has_to) {
        sb_puts(s, "\"");
        sb_addr_eip55(s, &t->to);
        sb_puts(s, "\"");
    } else {
        sb_puts(s, "null");
    }
    sb_puts(s, ",\"data\":\"");
    sb_hex(s, t->data, t->data_len);
    sb_puts(s, "\"");
    if (t->type != 0) {
        sb_puts(s, ",\"access_list\":[");
        for (size_t i = 0; i < t->al_len; i++) {
            sb_puts(s, i ? ",{\"address\":\"" : "{\"address\":\"");
            sb_addr_eip55(s, &t->al[i].addr);
            sb_puts(s, "\",\"storage_keys\":[");
            for (size_t j = 0; j < t->al[i].nkeys; j++) {
                sb_puts(s, j ? ",\"" : "\"");
                sb_hex(s, t->al[i].keys[j], 32);
                sb_puts(s, "\"");
            }
            sb_puts(s, "]}");
        }
        sb_puts(s, "]");
    }
    sb_puts(s, "}\n");
}

/* ---- messages ------------------------------------------------------------ */

static void put_utf8(sb *s, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    sb_add(s, b, n);
}

static size_t msg_len(void)
{
    uint64_t c = below(100);
    return c < 30   ? (size_t)between(1, 16)
           : c < 70 ? (size_t)between(17, 256)
                    : (size_t)between(257, 4096);
}

/* Returns 1 when cast must get the message as hex. */
static int gen_msg(sb *m)
{
    static const char ascii_extra[] = " \n\t.,!?-_'\"/\\:;()[]{}<>@#$%^&*+=~`|";
    size_t len = msg_len();
    uint64_t kind = below(100);
    if (kind < 4)
        return chance(50); /* empty: as "" or as "0x" */
    if (kind < 30) {       /* ASCII text */
        while (m->len < len) {
            if (chance(80))
                put_utf8(m, (uint32_t)between(0x20, 0x7e));
            else
                put_utf8(m,
                         (uint8_t)ascii_extra[below(sizeof ascii_extra - 1)]);
        }
        if (chance(15))
            sb_puts(m, "\n");
    } else if (kind < 55) { /* Korean, with some ASCII */
        static const char *const words[] = {
            "해치",   "서명",   "메시지", "안녕하세요", "이더리움",
            "콘텐츠", "소유권", "증명",   "토큰",       "한글"};
        while (m->len < len) {
            uint64_t c = below(10);
            if (c < 4)
                put_utf8(m, (uint32_t)between(0xac00, 0xd7a3));
            else if (c < 7)
                sb_puts(m, words[below(10)]);
            else if (c < 9)
                sb_puts(m, " ");
            else
                put_utf8(m, (uint32_t)between(0x21, 0x7e));
        }
    } else if (kind < 62) { /* other UTF-8: Latin-1, CJK, emoji */
        while (m->len < len) {
            uint64_t c = below(4);
            put_utf8(m, c == 0   ? (uint32_t)between(0xa1, 0x24f)
                        : c == 1 ? (uint32_t)between(0x4e00, 0x9fff)
                        : c == 2 ? (uint32_t)between(0x1f300, 0x1f64f)
                                 : (uint32_t)between(0x20, 0x7e));
        }
    } else if (kind < 70) { /* text that starts with 0x */
        sb_puts(m, chance(50) ? "0x" : "0xdeadbeef ");
        while (m->len < len)
            put_utf8(m, (uint32_t)between(0x20, 0x7e));
        return 1;
    } else { /* binary: random bytes, some NULs, some 0x19 / 0x80.. */
        while (m->len < len) {
            uint8_t b = (uint8_t)rnd();
            if (chance(10))
                b = 0;
            sb_add(m, (const char *)&b, 1);
        }
        return 1;
    }
    /* cast reads a leading "0x" as hex; also hand some plain text to cast
     * as hex, so both of cast's paths are compared */
    return (m->len >= 2 && m->p[0] == '0' && m->p[1] == 'x') || chance(10);
}

/* ---- main ---------------------------------------------------------------- */

static uint64_t parse_seed(const char *s)
{
    hc_u256 v;
    uint64_t r;
    if (hc_u256_parse(&v, s) || hc_u256_to_u64(&r, &v)) {
        fprintf(stderr, "gen_txcases: HC_SEED=%s is not a 64-bit integer\n", s);
        exit(2);
    }
    return r;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr,
                "usage: gen_txcases OUTDIR NTX NMSG (seed: $HC_SEED)\n");
        return 2;
    }
    const char *outdir = argv[1];
    unsigned ntx = (unsigned)strtoul(argv[2], NULL, 10),
             nmsg = (unsigned)strtoul(argv[3], NULL, 10);
    uint64_t seed = 0;
    const char *env = getenv("HC_SEED");
    if (env && *env) {
        seed = parse_seed(env);
    } else {
        FILE *f = fopen("/dev/urandom", "rb");
        if (!f || fread(&seed, sizeof seed, 1, f) != 1)
            die("/dev/urandom");
        fclose(f);
    }
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng[i] = splitmix64(&x);
    printf("seed %llu\n", (unsigned long long)seed);

    char txdir[4000], msgdir[4000];
    snprintf(txdir, sizeof txdir, "%s/tx", outdir);
    snprintf(msgdir, sizeof msgdir, "%s/msg", outdir);
    if ((mkdir(txdir, 0700) && errno != EEXIST) ||
        (mkdir(msgdir, 0700) && errno != EEXIST))
        die("mkdir");

    unsigned count[3] = {0, 0, 0}, rlp = 0, create = 0, bigdata = 0;
    for (unsigned i = 0; i < ntx; i++) {
        txcase t;
        sb json = {0}, args = {0}, u = {0}, sg = {0}, meta = {0}, exp = {0};
        gen_tx(&t);
        count[t.type]++;
        rlp += (unsigned)t.rlp_mode;
        create += (unsigned)!t.has_to;
        bigdata += t.data_len > 1024;
        tx_json(&json, &t);
        tx_rlp(&u, &sg, &t);
        tx_expect(&exp, &t);
        char h0[HC_U256_HEX_MAX], h1[HC_U256_HEX_MAX];
        uint8_t be[32];
        size_t n0 = hc_u256_to_be_min(be, &t.v0);
        hc_hex_encode(h0, be, n0, 1);
        size_t n1 = hc_u256_to_be_min(be, &t.v1);
        hc_hex_encode(h1, be, n1, 1);
        sb_printf(&meta, "%u %s ", t.type, t.rlp_mode ? "rlp" : "cast");
        sb_hex(&meta, t.sk, 32);
        sb_printf(&meta, " %s %s\n", h0, h1);
        write_file(txdir, i, "json", json.p, json.len);
        write_file(txdir, i, "meta", meta.p, meta.len);
        write_file(txdir, i, "rlpu", u.p, u.len);
        write_file(txdir, i, "rlps", sg.p, sg.len);
        write_file(txdir, i, "exp", exp.p, exp.len);
        if (!t.rlp_mode) {
            tx_cast_args(&args, &t);
            write_file(txdir, i, "args", args.p, args.len);
        }
        sb_free(&json);
        sb_free(&args);
        sb_free(&u);
        sb_free(&sg);
        sb_free(&meta);
        sb_free(&exp);
        hc_memzero(t.sk, 32);
        free(t.data);
    }

    unsigned nhex = 0;
    for (unsigned i = 0; i < nmsg; i++) {
        sb m = {0}, meta = {0}, hex = {0};
        int as_hex = gen_msg(&m);
        nhex += (unsigned)as_hex;
        uint8_t sk[32];
        hc_address other, me;
        rnd_key(sk);
        if (hc_key_address(&me, sk))
            abort();
        do
            rnd_address(&other);
        while (!memcmp(other.b, me.b, 20));
        sb_printf(&meta, "%s ", as_hex ? "hex" : "text");
        sb_hex(&meta, sk, 32);
        sb_puts(&meta, " ");
        sb_addr_eip55(&meta, &other);
        sb_puts(&meta, "\n");
        sb_hex(&hex, (const uint8_t *)m.p, m.len);
        sb_puts(&hex, "\n");
        write_file(msgdir, i, "bin", m.p, m.len);
        write_file(msgdir, i, "hex", hex.p, hex.len);
        write_file(msgdir, i, "meta", meta.p, meta.len);
        sb_free(&m);
        sb_free(&meta);
        sb_free(&hex);
        hc_memzero(sk, 32);
    }
    printf("generated %u transactions (type 0: %u, type 1: %u, type 2: %u; "
           "%u creations, %u with calldata over 1 KiB, %u beyond cast mktx's "
           "ranges) and %u messages (%u given to cast as hex)\n",
           ntx, count[0], count[1], count[2], create, bigdata, rlp, nmsg, nhex);
    return 0;
}
