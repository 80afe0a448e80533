#include <pthread.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>

#include "haechi/hex.h"
#include "haechi/keccak.h"
#include "haechi/key.h"

/* The curve order n and n/2, big-endian. */
static const uint8_t curve_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
    0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
static const uint8_t curve_half_n[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
    0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

static secp256k1_context *sign_ctx;
static pthread_once_t sign_once = PTHREAD_ONCE_INIT;

static void sign_ctx_create(void)
{
    unsigned char seed[32];
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!ctx)
        return;
    if (sodium_init() < 0) {
        secp256k1_context_destroy(ctx);
        return;
    }
    /* blinding against side channels; the result is correct either way */
    randombytes_buf(seed, sizeof seed);
    if (!secp256k1_context_randomize(ctx, seed)) {
        secp256k1_context_destroy(ctx);
        ctx = NULL;
    }
    sodium_memzero(seed, sizeof seed);
    sign_ctx = ctx;
}

static const secp256k1_context *signing_context(void)
{
    pthread_once(&sign_once, sign_ctx_create);
    return sign_ctx;
}

static int is_zero32(const uint8_t a[32])
{
    uint8_t d = 0;
    for (int i = 0; i < 32; i++)
        d |= a[i];
    return d == 0;
}

hc_err hc_key_check(const uint8_t sk[32])
{
    if (!sk)
        return HC_ERR_ARG;
    return secp256k1_ec_seckey_verify(secp256k1_context_static, sk)
               ? HC_OK
               : HC_ERR_KEY;
}

hc_err hc_key_parse(uint8_t out[32], const char *hex)
{
    hc_err err = hc_hex_decode_fixed(out, 32, hex, HC_HEX_PREFIX_REQUIRED);
    if (!err)
        err = hc_key_check(out);
    if (err)
        hc_memzero(out, 32);
    return err;
}

hc_err hc_key_from_env(uint8_t out[32], const char *name)
{
    if (!name || !*name)
        return HC_ERR_ARG;
    const char *v = getenv(name);
    if (!v || !*v)
        return HC_ERR_NOT_FOUND;
    /* tolerate surrounding whitespace, e.g. a newline from a file */
    char buf[80];
    size_t start = strspn(v, " \t\r\n"), n = strlen(v + start);
    while (n && strchr(" \t\r\n", v[start + n - 1]))
        n--;
    if (n >= sizeof buf)
        return HC_ERR_KEY;
    memcpy(buf, v + start, n);
    buf[n] = 0;
    hc_err err = hc_key_parse(out, buf);
    hc_memzero(buf, sizeof buf);
    return err;
}

void hc_key_env_scrub(const char *name)
{
    if (!name || !*name)
        return;
    char *v = getenv(name);
    if (v)
        hc_memzero(v, strlen(v));
    unsetenv(name);
}

hc_err hc_key_from_file(uint8_t out[32], const char *path, const char *name,
                        char *why, size_t cap)
{
    char dummy[8];
    if (!why) {
        why = dummy;
        cap = sizeof dummy;
    }
    why[0] = 0;
    if (!path || !name || !*name)
        return HC_ERR_ARG;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(why, cap, "%s: %s", path, strerror(errno));
        return HC_ERR_IO;
    }
    struct stat sb;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        close(fd);
        snprintf(why, cap, "%s: not a regular file", path);
        return HC_ERR_IO;
    }
    if (sb.st_mode & 077) {
        close(fd);
        snprintf(why, cap,
                 "%s: readable or writable by group or others (chmod 600)",
                 path);
        return HC_ERR_IO;
    }
    if (sb.st_size > 65536) {
        close(fd);
        snprintf(why, cap, "%s: larger than 64 KiB", path);
        return HC_ERR_IO;
    }
    char buf[65537];
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(why, cap, "%s: %s", path, strerror(errno));
            close(fd);
            hc_memzero(buf, len);
            return HC_ERR_IO;
        }
        if (r == 0 || (len += (size_t)r) == sizeof buf - 1)
            break;
    }
    close(fd);
    buf[len] = 0;
    hc_err err = HC_ERR_NOT_FOUND;
    size_t nlen = strlen(name), lineno = 0;
    char *line = buf;
    while (line && err == HC_ERR_NOT_FOUND) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        lineno++;
        char *p = line + strspn(line, " \t");
        if (*p && *p != '#' && *p != '\r' && !strncmp(p, name, nlen) &&
            p[nlen] == '=') {
            char *v = p + nlen + 1;
            size_t vl = strlen(v);
            while (vl && strchr(" \t\r", v[vl - 1]))
                vl--;
            v[vl] = 0;
            v += strspn(v, " \t");
            err = hc_key_parse(out, v);
            if (err) {
                err = HC_ERR_KEY;
                snprintf(why, cap, "%s:%zu: %s is not a valid private key",
                         path, lineno, name);
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    if (err == HC_ERR_NOT_FOUND)
        snprintf(why, cap, "%s: no line %s=…", path, name);
    hc_memzero(buf, sizeof buf);
    return err;
}

hc_err hc_key_pubkey(uint8_t pub[64], const uint8_t sk[32])
{
    const secp256k1_context *ctx = signing_context();
    secp256k1_pubkey pk;
    uint8_t ser[65];
    size_t n = sizeof ser;
    if (!ctx)
        return HC_ERR_CRYPTO;
    if (!secp256k1_ec_pubkey_create(ctx, &pk, sk))
        return HC_ERR_KEY;
    secp256k1_ec_pubkey_serialize(secp256k1_context_static, ser, &n, &pk,
                                  SECP256K1_EC_UNCOMPRESSED);
    memcpy(pub, ser + 1, 64);
    return HC_OK;
}

void hc_pubkey_address(hc_address *out, const uint8_t pub[64])
{
    uint8_t h[32];
    hc_keccak256(h, pub, 64);
    memcpy(out->b, h + 12, 20);
}

hc_err hc_key_address(hc_address *out, const uint8_t sk[32])
{
    uint8_t pub[64];
    hc_err err = hc_key_pubkey(pub, sk);
    if (err)
        return err;
    hc_pubkey_address(out, pub);
    return HC_OK;
}

hc_err hc_sign_hash(hc_sig *out, const uint8_t sk[32], const uint8_t hash[32])
{
    const secp256k1_context *ctx = signing_context();
    secp256k1_ecdsa_recoverable_signature sig;
    uint8_t compact[64];
    int recid = 0;
    if (!ctx)
        return HC_ERR_CRYPTO;
    if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, hash, sk, NULL, NULL))
        return HC_ERR_KEY;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(
        secp256k1_context_static, compact, &recid, &sig);
    memcpy(out->r, compact, 32);
    memcpy(out->s, compact + 32, 32);
    out->recid = (uint8_t)recid;
    return HC_OK;
}

hc_err hc_recover(hc_address *out, const uint8_t hash[32], const hc_sig *sig,
                  int require_low_s)
{
    secp256k1_ecdsa_recoverable_signature rs;
    secp256k1_pubkey pk;
    uint8_t compact[64], ser[65];
    size_t n = sizeof ser;
    if (sig->recid > 1)
        return HC_ERR_SIGNATURE;
    if (is_zero32(sig->r) || is_zero32(sig->s) ||
        memcmp(sig->r, curve_n, 32) >= 0 || memcmp(sig->s, curve_n, 32) >= 0)
        return HC_ERR_SIGNATURE;
    if (require_low_s && memcmp(sig->s, curve_half_n, 32) > 0)
        return HC_ERR_SIGNATURE;
    memcpy(compact, sig->r, 32);
    memcpy(compact + 32, sig->s, 32);
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(
            secp256k1_context_static, &rs, compact, sig->recid))
        return HC_ERR_SIGNATURE;
    if (!secp256k1_ecdsa_recover(secp256k1_context_static, &pk, &rs, hash))
        return HC_ERR_RECOVER;
    secp256k1_ec_pubkey_serialize(secp256k1_context_static, ser, &n, &pk,
                                  SECP256K1_EC_UNCOMPRESSED);
    hc_pubkey_address(out, ser + 1);
    return HC_OK;
}

char *hc_address_to_str(char out[HC_ADDRESS_STR], const hc_address *a)
{
    uint8_t h[32];
    hc_hex_encode(out, a->b, 20, 1);
    hc_keccak256(h, out + 2, 40);
    for (int i = 0; i < 40; i++) {
        char *c = &out[2 + i];
        unsigned nib = (h[i / 2] >> (i % 2 ? 0 : 4)) & 15;
        if (*c >= 'a' && *c <= 'f' && nib >= 8)
            *c = (char)(*c - 'a' + 'A');
    }
    return out;
}

hc_err hc_address_parse(hc_address *out, const char *s)
{
    hc_address a;
    char want[HC_ADDRESS_STR];
    if (!s)
        return HC_ERR_ARG;
    if (strlen(s) != 42) {
        if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
            return HC_ERR_HEX_PREFIX;
        return HC_ERR_LENGTH;
    }
    hc_err err = hc_hex_decode_fixed(a.b, 20, s, HC_HEX_PREFIX_REQUIRED);
    if (err)
        return err;
    int lower = 0, upper = 0;
    for (int i = 2; i < 42; i++) {
        if (s[i] >= 'a' && s[i] <= 'f')
            lower = 1;
        else if (s[i] >= 'A' && s[i] <= 'F')
            upper = 1;
    }
    if (lower && upper) {
        hc_address_to_str(want, &a);
        if (memcmp(want + 2, s + 2, 40) != 0)
            return HC_ERR_CHECKSUM;
    }
    *out = a;
    return HC_OK;
}

static void eip191_prefix_hash(hc_keccak_ctx *k, size_t len)
{
    static const char prefix[] = "\x19"
                                 "Ethereum Signed Message:\n";
    char num[24];
    int n = 0;
    char tmp[24];
    size_t v = len;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++)
        num[i] = tmp[n - 1 - i];
    hc_keccak256_init(k);
    hc_keccak256_update(k, prefix, sizeof prefix - 1);
    hc_keccak256_update(k, num, (size_t)n);
}

void hc_eip191_hash(uint8_t out[32], const uint8_t *msg, size_t len)
{
    hc_keccak_ctx k;
    eip191_prefix_hash(&k, len);
    hc_keccak256_update(&k, msg, len);
    hc_keccak256_final(&k, out);
}

hc_err hc_eip191_sign(uint8_t sig[65], const uint8_t sk[32], const uint8_t *msg,
                      size_t len)
{
    uint8_t h[32];
    hc_sig s;
    hc_eip191_hash(h, msg, len);
    hc_err err = hc_sign_hash(&s, sk, h);
    if (err)
        return err;
    memcpy(sig, s.r, 32);
    memcpy(sig + 32, s.s, 32);
    sig[64] = (uint8_t)(27 + s.recid);
    return HC_OK;
}

hc_err hc_eip191_recover(hc_address *out, const uint8_t *msg, size_t len,
                         const uint8_t sig[65])
{
    uint8_t h[32];
    hc_sig s;
    uint8_t v = sig[64];
    if (v == 27 || v == 28)
        v = (uint8_t)(v - 27);
    if (v > 1)
        return HC_ERR_SIGNATURE;
    memcpy(s.r, sig, 32);
    memcpy(s.s, sig + 32, 32);
    s.recid = v;
    hc_eip191_hash(h, msg, len);
    /* EIP-2 low-s: signatures from any honest signer are low-s; a high-s
     * twin of a valid signature is rejected so each has one form. */
    return hc_recover(out, h, &s, 1);
}
