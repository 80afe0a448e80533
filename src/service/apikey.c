#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "haechi/apikey.h"
#include "haechi/hex.h"
#include "haechi/sha256.h"

hc_err hc_apikey_new(char out[HC_APIKEY_LEN + 1], uint8_t key_id[HC_KEY_ID_LEN],
                     uint8_t secret_hash[32])
{
    uint8_t secret[32];
    char id_hex[2 * HC_KEY_ID_LEN + 1], sec_hex[65];
    if (sodium_init() < 0)
        return HC_ERR_CRYPTO;
    randombytes_buf(key_id, HC_KEY_ID_LEN);
    randombytes_buf(secret, sizeof secret);
    hc_err err = hc_sha256(secret_hash, secret, sizeof secret);
    if (!err) {
        hc_hex_encode(id_hex, key_id, HC_KEY_ID_LEN, 0);
        hc_hex_encode(sec_hex, secret, sizeof secret, 0);
        snprintf(out, HC_APIKEY_LEN + 1, "hck_%s_%s", id_hex, sec_hex);
    }
    hc_memzero(secret, sizeof secret);
    hc_memzero(sec_hex, sizeof sec_hex);
    return err;
}

hc_err hc_apikey_parse(const char *key, size_t len,
                       uint8_t key_id[HC_KEY_ID_LEN], uint8_t secret_hash[32])
{
    uint8_t secret[32];
    size_t n;
    if (len != HC_APIKEY_LEN || memcmp(key, "hck_", 4) != 0 || key[20] != '_')
        return HC_ERR_INVALID;
    if (hc_hex_decode(key_id, HC_KEY_ID_LEN, &n, key + 4, 16,
                      HC_HEX_PREFIX_FORBIDDEN) ||
        hc_hex_decode(secret, sizeof secret, &n, key + 21, 64,
                      HC_HEX_PREFIX_FORBIDDEN)) {
        hc_memzero(secret, sizeof secret);
        return HC_ERR_INVALID;
    }
    hc_err err = hc_sha256(secret_hash, secret, sizeof secret);
    hc_memzero(secret, sizeof secret);
    return err;
}

hc_err hc_roles_parse(const char *s, uint32_t *roles)
{
    uint32_t r = 0;
    const char *p = s;
    if (!s || !*s)
        return HC_ERR_INVALID;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 6 && !strncmp(p, "minter", 6))
            r |= HC_ROLE_MINTER;
        else if (n == 7 && !strncmp(p, "auditor", 7))
            r |= HC_ROLE_AUDITOR;
        else if (n == 5 && !strncmp(p, "admin", 5))
            r |= HC_ROLE_ADMIN;
        else
            return HC_ERR_INVALID;
        p += n;
        if (*p == ',' && *++p == 0)
            return HC_ERR_INVALID;
    }
    *roles = r;
    return HC_OK;
}

char *hc_roles_str(char *out, size_t cap, uint32_t roles)
{
    snprintf(out, cap, "%s%s%s%s%s", roles & HC_ROLE_MINTER ? "minter" : "",
             (roles & HC_ROLE_MINTER) && (roles & 6u) ? "," : "",
             roles & HC_ROLE_AUDITOR ? "auditor" : "",
             (roles & HC_ROLE_AUDITOR) && (roles & HC_ROLE_ADMIN) ? "," : "",
             roles & HC_ROLE_ADMIN ? "admin" : "");
    return out;
}
