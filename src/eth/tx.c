#include <stdlib.h>
#include <string.h>

#include "haechi/keccak.h"
#include "haechi/rlp.h"
#include "haechi/tx.h"

void hc_tx_init(hc_tx *tx)
{
    memset(tx, 0, sizeof *tx);
    tx->type = HC_TX_EIP1559;
}

void hc_tx_free(hc_tx *tx)
{
    free(tx->data);
    for (size_t i = 0; i < tx->access_len; i++)
        free(tx->access_list[i].keys);
    free(tx->access_list);
    tx->data = NULL;
    tx->data_len = 0;
    tx->access_list = NULL;
    tx->access_len = 0;
}

hc_err hc_tx_set_data(hc_tx *tx, const uint8_t *data, size_t len)
{
    uint8_t *p = NULL;
    if (len > HC_TX_MAX_SIZE)
        return HC_ERR_BUFFER;
    if (len) {
        p = malloc(len);
        if (!p)
            return HC_ERR_NOMEM;
        memcpy(p, data, len);
    }
    free(tx->data);
    tx->data = p;
    tx->data_len = len;
    return HC_OK;
}

hc_err hc_tx_access_add(hc_tx *tx, const hc_address *addr,
                        const uint8_t (*keys)[32], size_t nkeys)
{
    if (nkeys > HC_TX_MAX_SIZE / 32 || tx->access_len > HC_TX_MAX_SIZE / 20)
        return HC_ERR_BUFFER;
    hc_access_entry *list =
        realloc(tx->access_list, (tx->access_len + 1) * sizeof *list);
    if (!list)
        return HC_ERR_NOMEM;
    tx->access_list = list;
    hc_access_entry *e = &list[tx->access_len];
    e->address = *addr;
    e->keys = NULL;
    e->nkeys = 0;
    if (nkeys) {
        e->keys = malloc(nkeys * 32);
        if (!e->keys)
            return HC_ERR_NOMEM;
        memcpy(e->keys, keys, nkeys * 32);
        e->nkeys = nkeys;
    }
    tx->access_len++;
    return HC_OK;
}

static const hc_u256 *fee_of(const hc_tx *tx)
{
    return tx->type == HC_TX_EIP1559 ? &tx->max_fee_per_gas : &tx->gas_price;
}

/* v = chain_id * 2 + 35 + parity; fails if it does not fit. */
static hc_err eip155_v(hc_u256 *v, const hc_u256 *chain_id, unsigned parity)
{
    hc_u256 two = hc_u256_from_u64(2), add = hc_u256_from_u64(35 + parity);
    hc_err err = hc_u256_mul(v, chain_id, &two);
    if (!err)
        err = hc_u256_add(v, v, &add);
    return err ? HC_ERR_TX_CHAIN_ID : HC_OK;
}

hc_err hc_tx_check(const hc_tx *tx)
{
    hc_u256 t;
    if (tx->type > HC_TX_EIP1559)
        return HC_ERR_TX_TYPE;
    if (tx->nonce > HC_TX_NONCE_MAX)
        return HC_ERR_TX_FIELD;
    if (tx->type == HC_TX_LEGACY && tx->access_len)
        return HC_ERR_TX_FIELD;
    if (tx->data_len > HC_TX_MAX_SIZE)
        return HC_ERR_BUFFER;
    hc_u256 gas = hc_u256_from_u64(tx->gas_limit);
    if (hc_u256_mul(&t, &gas, fee_of(tx)))
        return HC_ERR_TX_GAS;
    if (tx->type != HC_TX_LEGACY || tx->eip155) {
        if (hc_u256_is_zero(&tx->chain_id))
            return HC_ERR_TX_CHAIN_ID;
        if (tx->type == HC_TX_LEGACY && eip155_v(&t, &tx->chain_id, 1))
            return HC_ERR_TX_CHAIN_ID;
    }
    return HC_OK;
}

static hc_err put_access_list(hc_buf *b, const hc_tx *tx)
{
    size_t outer = hc_rlp_list_begin(b);
    hc_err err = HC_OK;
    for (size_t i = 0; i < tx->access_len && !err; i++) {
        const hc_access_entry *e = &tx->access_list[i];
        size_t m = hc_rlp_list_begin(b);
        err = hc_rlp_put_bytes(b, e->address.b, 20);
        size_t k = hc_rlp_list_begin(b);
        for (size_t j = 0; j < e->nkeys && !err; j++)
            err = hc_rlp_put_bytes(b, e->keys[j], 32);
        if (!err)
            err = hc_rlp_list_end(b, k);
        if (!err)
            err = hc_rlp_list_end(b, m);
    }
    if (!err)
        err = hc_rlp_list_end(b, outer);
    return err;
}

/* The fields every type shares, in its own order, up to and including the
 * access list. */
static hc_err put_body(hc_buf *b, const hc_tx *tx)
{
    hc_err err = HC_OK;
#define PUT(call)                                                              \
    do {                                                                       \
        if (!err)                                                              \
            err = (call);                                                      \
    } while (0)
    if (tx->type != HC_TX_LEGACY)
        PUT(hc_rlp_put_u256(b, &tx->chain_id));
    PUT(hc_rlp_put_u64(b, tx->nonce));
    if (tx->type == HC_TX_EIP1559) {
        PUT(hc_rlp_put_u256(b, &tx->max_priority_fee_per_gas));
        PUT(hc_rlp_put_u256(b, &tx->max_fee_per_gas));
    } else {
        PUT(hc_rlp_put_u256(b, &tx->gas_price));
    }
    PUT(hc_rlp_put_u64(b, tx->gas_limit));
    PUT(hc_rlp_put_bytes(b, tx->to.b, tx->has_to ? 20 : 0));
    PUT(hc_rlp_put_u256(b, &tx->value));
    PUT(hc_rlp_put_bytes(b, tx->data, tx->data_len));
    if (tx->type != HC_TX_LEGACY)
        PUT(put_access_list(b, tx));
#undef PUT
    return err;
}

static hc_err put_sig_int(hc_buf *b, const uint8_t x[32])
{
    size_t i = 0;
    while (i < 32 && x[i] == 0)
        i++;
    return hc_rlp_put_bytes(b, x + i, 32 - i);
}

/* Encodes the payload to sign (signed = 0) or the full transaction. */
static hc_err encode(hc_buf *b, const hc_tx *tx, int with_sig)
{
    hc_err err = hc_tx_check(tx);
    if (err)
        return err;
    if (tx->type != HC_TX_LEGACY)
        err = hc_buf_append_byte(b, tx->type);
    size_t mark = hc_rlp_list_begin(b);
    if (!err)
        err = put_body(b, tx);
    if (!err && with_sig) {
        if (tx->type == HC_TX_LEGACY)
            err = hc_rlp_put_u256(b, &tx->v);
        else
            err = hc_rlp_put_u64(b, tx->y_parity);
        if (!err)
            err = put_sig_int(b, tx->r);
        if (!err)
            err = put_sig_int(b, tx->s);
    } else if (!err && tx->type == HC_TX_LEGACY && tx->eip155) {
        err = hc_rlp_put_u256(b, &tx->chain_id);
        if (!err)
            err = hc_rlp_put_bytes(b, NULL, 0);
        if (!err)
            err = hc_rlp_put_bytes(b, NULL, 0);
    }
    if (!err)
        err = hc_rlp_list_end(b, mark);
    return err;
}

static hc_err encode_hash(uint8_t out[32], const hc_tx *tx, int with_sig)
{
    hc_buf b;
    hc_buf_init(&b, HC_TX_MAX_SIZE + 1024, 0);
    hc_err err = encode(&b, tx, with_sig);
    if (!err)
        hc_keccak256(out, b.data, b.len);
    hc_buf_free(&b);
    return err;
}

hc_err hc_tx_signing_hash(uint8_t out[32], const hc_tx *tx)
{
    return encode_hash(out, tx, 0);
}

hc_err hc_tx_sign(hc_tx *tx, const uint8_t sk[32])
{
    uint8_t h[32];
    hc_sig sig;
    hc_err err = hc_tx_signing_hash(h, tx);
    if (err)
        return err;
    err = hc_sign_hash(&sig, sk, h);
    if (err)
        return err;
    memcpy(tx->r, sig.r, 32);
    memcpy(tx->s, sig.s, 32);
    tx->y_parity = sig.recid;
    if (tx->type == HC_TX_LEGACY) {
        if (tx->eip155)
            err = eip155_v(&tx->v, &tx->chain_id, sig.recid);
        else
            tx->v = hc_u256_from_u64(27u + sig.recid);
    } else {
        tx->v = hc_u256_from_u64(sig.recid);
    }
    hc_memzero(&sig, sizeof sig);
    if (!err)
        tx->is_signed = 1;
    return err;
}

hc_err hc_tx_serialize(hc_buf *out, const hc_tx *tx)
{
    if (!tx->is_signed)
        return HC_ERR_SIGNATURE;
    return encode(out, tx, 1);
}

hc_err hc_tx_hash(uint8_t out[32], const hc_tx *tx)
{
    if (!tx->is_signed)
        return HC_ERR_SIGNATURE;
    return encode_hash(out, tx, 1);
}

/* ---- decoding */

typedef struct {
    hc_rlp_iter it;
    const char **field;
} reader;

static hc_err next(reader *r, hc_rlp_item *item, const char *name)
{
    hc_err err = hc_rlp_iter_next(&r->it, item);
    if (err == HC_ERR_NOT_FOUND)
        err = HC_ERR_RLP_SHAPE;
    if (err && r->field)
        *r->field = name;
    return err;
}

static hc_err fail(reader *r, const char *name, hc_err err)
{
    if (r->field)
        *r->field = name;
    return err;
}

static hc_err read_u256(reader *r, hc_u256 *out, const char *name)
{
    hc_rlp_item item;
    hc_err err = next(r, &item, name);
    if (!err)
        err = hc_rlp_get_u256(&item, out);
    return err ? fail(r, name, err) : HC_OK;
}

static hc_err read_u64(reader *r, uint64_t *out, const char *name)
{
    hc_rlp_item item;
    hc_err err = next(r, &item, name);
    if (!err)
        err = hc_rlp_get_u64(&item, out);
    return err ? fail(r, name, err) : HC_OK;
}

static hc_err read_sig_int(reader *r, uint8_t out[32], const char *name)
{
    hc_u256 v;
    hc_err err = read_u256(r, &v, name);
    if (err)
        return err;
    hc_u256_to_be(out, &v);
    return HC_OK;
}

static hc_err read_access_list(reader *r, hc_tx *tx)
{
    hc_rlp_item list, entry, item, key;
    hc_rlp_iter entries, parts, keys;
    hc_err err = next(r, &list, "access_list");
    if (!err && !list.is_list)
        err = HC_ERR_RLP_TYPE;
    if (!err)
        err = hc_rlp_iter_init(&entries, &list);
    while (!err && (err = hc_rlp_iter_next(&entries, &entry)) == HC_OK) {
        hc_address addr;
        size_t nkeys = 0;
        if (!entry.is_list)
            return fail(r, "access_list", HC_ERR_RLP_TYPE);
        err = hc_rlp_iter_init(&parts, &entry);
        if (!err)
            err = hc_rlp_iter_next(&parts, &item);
        if (!err)
            err = hc_rlp_get_fixed(&item, addr.b, 20);
        if (err)
            return fail(r, "access_list.address",
                        err == HC_ERR_NOT_FOUND ? HC_ERR_RLP_SHAPE : err);
        err = hc_rlp_iter_next(&parts, &item);
        if (!err && !item.is_list)
            err = HC_ERR_RLP_TYPE;
        if (!err)
            err = hc_rlp_iter_next(&parts, &key) == HC_ERR_NOT_FOUND
                      ? HC_OK
                      : HC_ERR_RLP_SHAPE;
        if (!err)
            err = hc_rlp_list_count(&item, &nkeys);
        if (err)
            return fail(r, "access_list.storage_keys",
                        err == HC_ERR_NOT_FOUND ? HC_ERR_RLP_SHAPE : err);
        err = hc_tx_access_add(tx, &addr, NULL, 0);
        if (err)
            return fail(r, "access_list", err);
        hc_access_entry *e = &tx->access_list[tx->access_len - 1];
        if (nkeys) {
            e->keys = malloc(nkeys * 32);
            if (!e->keys)
                return fail(r, "access_list", HC_ERR_NOMEM);
        }
        err = hc_rlp_iter_init(&keys, &item);
        for (size_t j = 0; !err && j < nkeys; j++) {
            err = hc_rlp_iter_next(&keys, &key);
            if (!err)
                err = hc_rlp_get_fixed(&key, e->keys[j], 32);
            if (err)
                return fail(r, "access_list.storage_keys", err);
            e->nkeys = j + 1;
        }
    }
    if (err == HC_ERR_NOT_FOUND)
        err = HC_OK;
    return err ? fail(r, "access_list", err) : HC_OK;
}

static int sig_scalar_ok(const uint8_t x[32], int half)
{
    static const uint8_t n[32] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
        0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    static const uint8_t half_n[32] = {
        0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
        0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};
    uint8_t z = 0;
    for (int i = 0; i < 32; i++)
        z |= x[i];
    if (!z)
        return 0;
    return half ? memcmp(x, half_n, 32) <= 0 : memcmp(x, n, 32) < 0;
}

hc_err hc_tx_decode(hc_tx *tx, const char **field, const uint8_t *raw,
                    size_t len)
{
    hc_rlp_item top, item;
    reader r;
    hc_err err;
    hc_tx_init(tx);
    r.field = field;
    if (field)
        *field = NULL;
    if (!raw || len == 0)
        return fail(&r, "rlp", HC_ERR_RLP_TRUNCATED);
    if (len > HC_TX_MAX_SIZE)
        return fail(&r, "rlp", HC_ERR_BUFFER);
    if (raw[0] >= 0xc0) {
        tx->type = HC_TX_LEGACY;
    } else if (raw[0] == HC_TX_EIP2930 || raw[0] == HC_TX_EIP1559) {
        tx->type = raw[0];
        raw++;
        len--;
    } else {
        return fail(&r, "type", HC_ERR_TX_TYPE);
    }
    err = hc_rlp_decode(&top, raw, len);
    if (!err && !top.is_list)
        err = HC_ERR_RLP_TYPE;
    if (err)
        return fail(&r, "rlp", err);
    if ((err = hc_rlp_iter_init(&r.it, &top)))
        return fail(&r, "rlp", err);

    if (tx->type != HC_TX_LEGACY) {
        err = read_u256(&r, &tx->chain_id, "chain_id");
        if (err)
            return err;
    }
    if ((err = read_u64(&r, &tx->nonce, "nonce")))
        return err;
    if (tx->nonce > HC_TX_NONCE_MAX)
        return fail(&r, "nonce", HC_ERR_OVERFLOW);
    if (tx->type == HC_TX_EIP1559) {
        if ((err = read_u256(&r, &tx->max_priority_fee_per_gas,
                             "max_priority_fee_per_gas")) ||
            (err = read_u256(&r, &tx->max_fee_per_gas, "max_fee_per_gas")))
            return err;
    } else if ((err = read_u256(&r, &tx->gas_price, "gas_price"))) {
        return err;
    }
    if ((err = read_u64(&r, &tx->gas_limit, "gas_limit")))
        return err;
    if ((err = next(&r, &item, "to")))
        return err;
    if (item.is_list || (item.len != 0 && item.len != 20))
        return fail(&r, "to", item.is_list ? HC_ERR_RLP_TYPE : HC_ERR_LENGTH);
    tx->has_to = item.len == 20;
    if (tx->has_to)
        memcpy(tx->to.b, item.p, 20);
    if ((err = read_u256(&r, &tx->value, "value")))
        return err;
    if ((err = next(&r, &item, "data")))
        return err;
    if (item.is_list)
        return fail(&r, "data", HC_ERR_RLP_TYPE);
    if ((err = hc_tx_set_data(tx, item.p, item.len)))
        return fail(&r, "data", err);
    if (tx->type != HC_TX_LEGACY && (err = read_access_list(&r, tx)))
        return err;

    /* signature */
    if (tx->type == HC_TX_LEGACY) {
        if ((err = read_u256(&r, &tx->v, "v")))
            return err;
        uint64_t v;
        if (hc_u256_to_u64(&v, &tx->v) == HC_OK && (v == 27 || v == 28)) {
            tx->eip155 = 0;
            tx->y_parity = (uint8_t)(v - 27);
        } else {
            /* EIP-155: v = chain_id * 2 + 35 + parity, chain_id >= 1 */
            hc_u256 t, c35 = hc_u256_from_u64(35);
            uint64_t parity;
            if (hc_u256_cmp(&tx->v, &c35) < 0 ||
                hc_u256_sub(&t, &tx->v, &c35) ||
                hc_u256_divmod_u64(&tx->chain_id, &parity, &t, 2) ||
                hc_u256_is_zero(&tx->chain_id))
                return fail(&r, "v", HC_ERR_TX_CHAIN_ID);
            tx->eip155 = 1;
            tx->y_parity = (uint8_t)parity;
        }
    } else {
        uint64_t parity;
        if ((err = read_u64(&r, &parity, "y_parity")))
            return err;
        if (parity > 1)
            return fail(&r, "y_parity", HC_ERR_SIGNATURE);
        tx->y_parity = (uint8_t)parity;
        tx->v = hc_u256_from_u64(parity);
    }
    if ((err = read_sig_int(&r, tx->r, "r")) ||
        (err = read_sig_int(&r, tx->s, "s")))
        return err;
    if (hc_rlp_iter_next(&r.it, &item) != HC_ERR_NOT_FOUND)
        return fail(&r, "rlp", HC_ERR_RLP_SHAPE);
    if (!sig_scalar_ok(tx->r, 0))
        return fail(&r, "r", HC_ERR_SIGNATURE);
    if (!sig_scalar_ok(tx->s, 1))
        return fail(&r, "s", HC_ERR_SIGNATURE);
    if (tx->type != HC_TX_LEGACY && hc_u256_is_zero(&tx->chain_id))
        return fail(&r, "chain_id", HC_ERR_TX_CHAIN_ID);
    hc_u256 gas = hc_u256_from_u64(tx->gas_limit), product;
    if (hc_u256_mul(&product, &gas, fee_of(tx)))
        return fail(&r,
                    tx->type == HC_TX_EIP1559 ? "max_fee_per_gas" : "gas_price",
                    HC_ERR_OVERFLOW);
    tx->is_signed = 1;
    return HC_OK;
}

hc_err hc_tx_sender(hc_address *out, const hc_tx *tx)
{
    uint8_t h[32];
    hc_sig sig;
    if (!tx->is_signed)
        return HC_ERR_SIGNATURE;
    hc_err err = hc_tx_signing_hash(h, tx);
    if (err)
        return err;
    memcpy(sig.r, tx->r, 32);
    memcpy(sig.s, tx->s, 32);
    sig.recid = tx->y_parity;
    return hc_recover(out, h, &sig, 1);
}

uint64_t hc_tx_intrinsic_gas(const hc_tx *tx)
{
    uint64_t gas = 21000;
    for (size_t i = 0; i < tx->data_len; i++)
        gas += tx->data[i] ? 16 : 4;
    if (!tx->has_to)
        gas += 32000 + 2 * (((uint64_t)tx->data_len + 31) / 32);
    for (size_t i = 0; i < tx->access_len; i++)
        gas += 2400 + 1900 * (uint64_t)tx->access_list[i].nkeys;
    return gas;
}

hc_err hc_tx_validate(const hc_tx *tx)
{
    if (!tx->has_to && tx->data_len > 49152)
        return HC_ERR_TX_FIELD;
    if (tx->type == HC_TX_EIP1559 &&
        hc_u256_cmp(&tx->max_priority_fee_per_gas, &tx->max_fee_per_gas) > 0)
        return HC_ERR_TX_GAS;
    if (tx->gas_limit < hc_tx_intrinsic_gas(tx))
        return HC_ERR_TX_GAS;
    return HC_OK;
}
