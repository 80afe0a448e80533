#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "haechi/hex.h"
#include "haechi/txjson.h"

/* Each field and the names it may appear under. */
enum {
    F_TYPE,
    F_CHAIN_ID,
    F_NONCE,
    F_GAS_LIMIT,
    F_GAS_PRICE,
    F_MAX_FEE,
    F_MAX_PRIORITY,
    F_ACCESS_LIST,
    F_TO,
    F_VALUE,
    F_DATA,
    F_FROM,
    F_COUNT
};

static const char *const names[F_COUNT][3] = {
    [F_TYPE] = {"type", NULL, NULL},
    [F_CHAIN_ID] = {"chain_id", "chainId", NULL},
    [F_NONCE] = {"nonce", NULL, NULL},
    [F_GAS_LIMIT] = {"gas_limit", "gas", "gasLimit"},
    [F_GAS_PRICE] = {"gas_price", "gasPrice", NULL},
    [F_MAX_FEE] = {"max_fee_per_gas", "maxFeePerGas", NULL},
    [F_MAX_PRIORITY] = {"max_priority_fee_per_gas", "maxPriorityFeePerGas",
                        NULL},
    [F_ACCESS_LIST] = {"access_list", "accessList", NULL},
    [F_TO] = {"to", NULL, NULL},
    [F_VALUE] = {"value", NULL, NULL},
    [F_DATA] = {"data", "input", NULL},
    [F_FROM] = {"from", NULL, NULL},
};

/* printf-like, so that the format strings are checked (and clang accepts
 * the non-literal format passed on to vsnprintf). */
__attribute__((format(printf, 4, 5))) static hc_err
why_set(char *why, size_t cap, hc_err err, const char *fmt, ...)
{
    if (why && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return err;
}

/* Largest integer a JSON number may carry exactly: 2^53 - 1. */
#define MAX_SAFE 9007199254740991.0

static hc_err json_u256(hc_u256 *out, const cJSON *v)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!isfinite(d) || d < 0 || d != floor(d))
            return HC_ERR_NUMBER;
        if (d > MAX_SAFE)
            return HC_ERR_BUFFER; /* not exact: see int_problem */
        *out = hc_u256_from_u64((uint64_t)d);
        return HC_OK;
    }
    if (cJSON_IsString(v))
        return hc_u256_parse(out, v->valuestring);
    return HC_ERR_JSON;
}

static const char *int_problem(hc_err err)
{
    switch (err) {
    case HC_ERR_JSON:
        return "must be a decimal string, a 0x-hex string or a JSON number";
    case HC_ERR_OVERFLOW:
        return "number out of range";
    case HC_ERR_BUFFER:
        return "JSON numbers must be below 2^53 to be exact; write larger "
               "integers as strings";
    case HC_ERR_NUMBER:
        return "not a non-negative integer";
    case HC_ERR_HEX_DIGIT:
        return "invalid hex digit";
    default:
        return hc_strerror(err);
    }
}

static hc_err parse_access_list(hc_tx *tx, const cJSON *v, const char *name,
                                char *why, size_t cap)
{
    const cJSON *e;
    size_t idx = 0;
    if (!cJSON_IsArray(v))
        return why_set(why, cap, HC_ERR_TX_FIELD, "%s: must be an array", name);
    cJSON_ArrayForEach(e, v)
    {
        const cJSON *addr = NULL, *keys = NULL, *f;
        hc_address a;
        if (!cJSON_IsObject(e))
            return why_set(why, cap, HC_ERR_TX_FIELD,
                           "%s[%zu]: must be an object", name, idx);
        cJSON_ArrayForEach(f, e)
        {
            const cJSON **slot = NULL;
            if (!strcmp(f->string, "address"))
                slot = &addr;
            else if (!strcmp(f->string, "storage_keys") ||
                     !strcmp(f->string, "storageKeys"))
                slot = &keys;
            else
                return why_set(why, cap, HC_ERR_TX_FIELD,
                               "%s[%zu]: unknown field \"%s\"", name, idx,
                               f->string);
            if (*slot)
                return why_set(why, cap, HC_ERR_TX_FIELD,
                               "%s[%zu]: field \"%s\" given twice", name, idx,
                               f->string);
            *slot = f;
        }
        if (!addr || !cJSON_IsString(addr))
            return why_set(why, cap, HC_ERR_TX_FIELD,
                           "%s[%zu].address: missing or not a string", name,
                           idx);
        hc_err err = hc_address_parse(&a, addr->valuestring);
        if (err)
            return why_set(why, cap, HC_ERR_TX_FIELD, "%s[%zu].address: %s",
                           name, idx, hc_strerror(err));
        size_t nkeys = keys ? (size_t)cJSON_GetArraySize(keys) : 0;
        if (keys && !cJSON_IsArray(keys))
            return why_set(why, cap, HC_ERR_TX_FIELD,
                           "%s[%zu].storage_keys: must be an array", name, idx);
        err = hc_tx_access_add(tx, &a, NULL, 0);
        if (err)
            return why_set(why, cap, err, "%s: %s", name, hc_strerror(err));
        hc_access_entry *ent = &tx->access_list[tx->access_len - 1];
        if (nkeys) {
            ent->keys = calloc(nkeys, 32);
            if (!ent->keys)
                return why_set(why, cap, HC_ERR_NOMEM, "%s: out of memory",
                               name);
        }
        const cJSON *k;
        size_t j = 0;
        cJSON_ArrayForEach(k, keys)
        {
            if (!cJSON_IsString(k))
                return why_set(why, cap, HC_ERR_TX_FIELD,
                               "%s[%zu].storage_keys[%zu]: must be a string",
                               name, idx, j);
            err = hc_hex_decode_fixed(ent->keys[j], 32, k->valuestring,
                                      HC_HEX_PREFIX_REQUIRED);
            if (err)
                return why_set(why, cap, HC_ERR_TX_FIELD,
                               "%s[%zu].storage_keys[%zu]: %s (32 bytes of "
                               "0x-hex expected)",
                               name, idx, j, hc_strerror(err));
            ent->nkeys = ++j;
        }
        idx++;
    }
    return HC_OK;
}

hc_err hc_tx_from_json(hc_tx *tx, hc_address *from, int *has_from,
                       const char *json, size_t len, char *why, size_t cap)
{
    const cJSON *field[F_COUNT] = {0};
    const char *used_name[F_COUNT] = {0};
    const cJSON *f;
    hc_err err = HC_OK;
    hc_u256 u;

    hc_tx_init(tx);
    if (has_from)
        *has_from = 0;
    if (why && cap)
        why[0] = 0;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root)
        return why_set(why, cap, HC_ERR_JSON, "input is not valid JSON");
    if (!cJSON_IsObject(root)) {
        err = why_set(why, cap, HC_ERR_JSON, "input must be a JSON object");
        goto out;
    }
    cJSON_ArrayForEach(f, root)
    {
        int which = -1;
        for (int i = 0; i < F_COUNT && which < 0; i++)
            for (int j = 0; j < 3 && names[i][j]; j++)
                if (!strcmp(f->string, names[i][j]))
                    which = i;
        if (which < 0) {
            err = why_set(why, cap, HC_ERR_TX_FIELD, "unknown field \"%s\"",
                          f->string);
            goto out;
        }
        if (field[which]) {
            err = why_set(why, cap, HC_ERR_TX_FIELD,
                          "field \"%s\" given twice (as \"%s\" and \"%s\")",
                          names[which][0], used_name[which], f->string);
            goto out;
        }
        field[which] = f;
        used_name[which] = f->string;
    }

    /* type first: it decides which fields belong */
    if (field[F_TYPE]) {
        uint64_t t;
        err = json_u256(&u, field[F_TYPE]);
        if (!err)
            err = hc_u256_to_u64(&t, &u);
        if (err || t > HC_TX_EIP1559) {
            err = why_set(why, cap, HC_ERR_TX_TYPE,
                          "type: must be 0 (legacy), 1 (EIP-2930) or 2 "
                          "(EIP-1559)");
            goto out;
        }
        tx->type = (uint8_t)t;
    }
    tx->eip155 = tx->type == HC_TX_LEGACY;

    static const int required[] = {F_CHAIN_ID, F_NONCE, F_GAS_LIMIT};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++) {
        if (!field[required[i]]) {
            err =
                why_set(why, cap, HC_ERR_TX_FIELD,
                        "missing required field \"%s\"", names[required[i]][0]);
            goto out;
        }
    }
    int fee_fields[2], not_fee[2];
    if (tx->type == HC_TX_EIP1559) {
        fee_fields[0] = F_MAX_FEE;
        fee_fields[1] = F_MAX_PRIORITY;
        not_fee[0] = F_GAS_PRICE;
        not_fee[1] = F_GAS_PRICE;
    } else {
        fee_fields[0] = fee_fields[1] = F_GAS_PRICE;
        not_fee[0] = F_MAX_FEE;
        not_fee[1] = F_MAX_PRIORITY;
    }
    for (int i = 0; i < 2; i++) {
        if (!field[fee_fields[i]]) {
            err = why_set(why, cap, HC_ERR_TX_FIELD,
                          "missing required field \"%s\" for type %u",
                          names[fee_fields[i]][0], tx->type);
            goto out;
        }
        if (field[not_fee[i]]) {
            err = why_set(why, cap, HC_ERR_TX_FIELD,
                          "field \"%s\" does not apply to type %u",
                          used_name[not_fee[i]], tx->type);
            goto out;
        }
    }
    if (tx->type == HC_TX_LEGACY && field[F_ACCESS_LIST]) {
        err = why_set(why, cap, HC_ERR_TX_FIELD,
                      "field \"%s\" does not apply to type 0 (legacy)",
                      used_name[F_ACCESS_LIST]);
        goto out;
    }

    /* integers */
    struct {
        int f;
        hc_u256 *dst;
    } ints[] = {
        {F_CHAIN_ID, &tx->chain_id},
        {F_GAS_PRICE, &tx->gas_price},
        {F_MAX_FEE, &tx->max_fee_per_gas},
        {F_MAX_PRIORITY, &tx->max_priority_fee_per_gas},
        {F_VALUE, &tx->value},
    };
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        if (!field[ints[i].f])
            continue;
        err = json_u256(ints[i].dst, field[ints[i].f]);
        if (err) {
            err = why_set(why, cap, HC_ERR_TX_FIELD, "%s: %s",
                          used_name[ints[i].f], int_problem(err));
            goto out;
        }
    }
    if (hc_u256_is_zero(&tx->chain_id)) {
        err = why_set(why, cap, HC_ERR_TX_CHAIN_ID, "%s: must be at least 1",
                      used_name[F_CHAIN_ID]);
        goto out;
    }
    err = json_u256(&u, field[F_NONCE]);
    if (!err && (hc_u256_to_u64(&tx->nonce, &u) || tx->nonce > HC_TX_NONCE_MAX))
        err = HC_ERR_OVERFLOW; /* EIP-2681 */
    if (err) {
        err =
            why_set(why, cap, HC_ERR_TX_FIELD, "nonce: %s%s", int_problem(err),
                    err == HC_ERR_OVERFLOW ? " (must be below 2^64-1, "
                                             "EIP-2681)"
                                           : "");
        goto out;
    }
    err = json_u256(&u, field[F_GAS_LIMIT]);
    if (!err && hc_u256_to_u64(&tx->gas_limit, &u))
        err = HC_ERR_OVERFLOW;
    if (err) {
        err = why_set(why, cap, HC_ERR_TX_FIELD, "%s: %s%s",
                      used_name[F_GAS_LIMIT], int_problem(err),
                      err == HC_ERR_OVERFLOW ? " (must be below 2^64)" : "");
        goto out;
    }

    /* to, data, from, access list */
    if (field[F_TO] && !cJSON_IsNull(field[F_TO])) {
        if (!cJSON_IsString(field[F_TO])) {
            err = why_set(why, cap, HC_ERR_TX_FIELD,
                          "to: must be an address string or null");
            goto out;
        }
        err = hc_address_parse(&tx->to, field[F_TO]->valuestring);
        if (err) {
            err =
                why_set(why, cap, HC_ERR_TX_FIELD, "to: %s", hc_strerror(err));
            goto out;
        }
        tx->has_to = 1;
    }
    if (field[F_DATA]) {
        hc_buf b;
        if (!cJSON_IsString(field[F_DATA])) {
            err = why_set(why, cap, HC_ERR_TX_FIELD,
                          "%s: must be a 0x-hex string", used_name[F_DATA]);
            goto out;
        }
        hc_buf_init(&b, HC_TX_MAX_SIZE, 0);
        err = hc_hex_decode_buf(&b, field[F_DATA]->valuestring,
                                HC_HEX_PREFIX_REQUIRED);
        if (!err)
            err = hc_tx_set_data(tx, b.data, b.len);
        hc_buf_free(&b);
        if (err) {
            err = why_set(why, cap, HC_ERR_TX_FIELD, "%s: %s",
                          used_name[F_DATA], hc_strerror(err));
            goto out;
        }
    }
    if (field[F_FROM]) {
        hc_address a;
        if (!cJSON_IsString(field[F_FROM]) ||
            (err = hc_address_parse(&a, field[F_FROM]->valuestring))) {
            err = why_set(why, cap, HC_ERR_TX_FIELD, "from: %s",
                          err ? hc_strerror(err) : "must be an address string");
            goto out;
        }
        if (from)
            *from = a;
        if (has_from)
            *has_from = 1;
    }
    if (field[F_ACCESS_LIST]) {
        err = parse_access_list(tx, field[F_ACCESS_LIST],
                                used_name[F_ACCESS_LIST], why, cap);
        if (err)
            goto out;
    }
    err = hc_tx_check(tx);
    if (err) {
        const char *what = err == HC_ERR_TX_GAS
                               ? "gas limit times the fee per gas exceeds 2^256"
                           : err == HC_ERR_TX_CHAIN_ID
                               ? "chain_id: too large for an EIP-155 v value"
                               : hc_strerror(err);
        err = why_set(why, cap, err, "%s", what);
    }
out:
    cJSON_Delete(root);
    return err;
}

static int add_u256(cJSON *o, const char *k, const hc_u256 *v)
{
    char dec[HC_U256_DEC_MAX];
    return cJSON_AddStringToObject(o, k, hc_u256_to_dec(dec, v)) != NULL;
}

static int add_hex(cJSON *o, const char *k, const uint8_t *p, size_t n)
{
    char *h = hc_hex_encode_alloc(p, n, 1);
    int ok = h && cJSON_AddStringToObject(o, k, h) != NULL;
    free(h);
    return ok;
}

static int add_word(cJSON *o, const char *k, const uint8_t w[32])
{
    /* r and s as JSON-RPC quantities: minimal hex */
    hc_u256 v;
    char hex[HC_U256_HEX_MAX];
    if (hc_u256_from_be(&v, w, 32))
        return 0;
    return cJSON_AddStringToObject(o, k, hc_u256_to_hex(hex, &v)) != NULL;
}

char *hc_tx_to_json(const hc_tx *tx, const uint8_t hash[32],
                    const hc_address *from, int pretty)
{
    char addr[HC_ADDRESS_STR];
    cJSON *o = cJSON_CreateObject();
    int ok = o != NULL;
    hc_u256 n;
    ok = ok && cJSON_AddNumberToObject(o, "type", tx->type);
    if (tx->type != HC_TX_LEGACY || tx->eip155)
        ok = ok && add_u256(o, "chain_id", &tx->chain_id);
    else
        ok = ok && cJSON_AddNullToObject(o, "chain_id");
    n = hc_u256_from_u64(tx->nonce);
    ok = ok && add_u256(o, "nonce", &n);
    if (tx->type == HC_TX_EIP1559) {
        ok = ok && add_u256(o, "max_priority_fee_per_gas",
                            &tx->max_priority_fee_per_gas);
        ok = ok && add_u256(o, "max_fee_per_gas", &tx->max_fee_per_gas);
    } else {
        ok = ok && add_u256(o, "gas_price", &tx->gas_price);
    }
    n = hc_u256_from_u64(tx->gas_limit);
    ok = ok && add_u256(o, "gas_limit", &n);
    if (tx->has_to)
        ok = ok &&
             cJSON_AddStringToObject(o, "to", hc_address_to_str(addr, &tx->to));
    else
        ok = ok && cJSON_AddNullToObject(o, "to");
    ok = ok && add_u256(o, "value", &tx->value);
    ok = ok && add_hex(o, "data", tx->data, tx->data_len);
    if (tx->type != HC_TX_LEGACY) {
        cJSON *list = cJSON_AddArrayToObject(o, "access_list");
        ok = ok && list;
        for (size_t i = 0; ok && i < tx->access_len; i++) {
            const hc_access_entry *e = &tx->access_list[i];
            cJSON *ent = cJSON_CreateObject();
            ok = ent && cJSON_AddItemToArray(list, ent);
            ok = ok &&
                 cJSON_AddStringToObject(ent, "address",
                                         hc_address_to_str(addr, &e->address));
            cJSON *keys =
                ok ? cJSON_AddArrayToObject(ent, "storage_keys") : NULL;
            ok = ok && keys;
            for (size_t j = 0; ok && j < e->nkeys; j++) {
                char *h = hc_hex_encode_alloc(e->keys[j], 32, 1);
                cJSON *s = h ? cJSON_CreateString(h) : NULL;
                free(h);
                ok = s && cJSON_AddItemToArray(keys, s);
            }
        }
    }
    if (tx->is_signed) {
        ok = ok && add_u256(o, "v", &tx->v);
        ok = ok && cJSON_AddNumberToObject(o, "y_parity", tx->y_parity);
        ok = ok && add_word(o, "r", tx->r);
        ok = ok && add_word(o, "s", tx->s);
    }
    if (hash)
        ok = ok && add_hex(o, "hash", hash, 32);
    if (from)
        ok = ok &&
             cJSON_AddStringToObject(o, "from", hc_address_to_str(addr, from));
    char *out =
        ok ? (pretty ? cJSON_Print(o) : cJSON_PrintUnformatted(o)) : NULL;
    cJSON_Delete(o);
    return out;
}
