/* Typed ledger records: encodings and operations. */
#include <sodium.h>
#include <string.h>

#include "haechi/codec.h"
#include "haechi/records.h"

#define REC_VERSION 1

static const char *const state_names[HC_MINT_STATE_END] = {
    [HC_MINT_QUEUED] = "queued",       [HC_MINT_SUBMITTED] = "submitted",
    [HC_MINT_CONFIRMED] = "confirmed", [HC_MINT_CONFLICT] = "conflict",
    [HC_MINT_FAILED] = "failed",
};

const char *hc_mint_state_name(int state)
{
    if (state > 0 && state < HC_MINT_STATE_END)
        return state_names[state];
    return "unknown";
}

int hc_mint_state_terminal(int state)
{
    return state == HC_MINT_CONFIRMED || state == HC_MINT_CONFLICT ||
           state == HC_MINT_FAILED;
}

/* ---- helpers */

#define W(call)                                                                \
    do {                                                                       \
        hc_err e_ = (call);                                                    \
        if (e_)                                                                \
            return e_;                                                         \
    } while (0)

static hc_err wr_str(hc_buf *b, const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n > max)
        return HC_ERR_ARG;
    return hc_wr_bytes(b, s, n);
}

static void rd_str(hc_rd *r, char *out, size_t max)
{
    const uint8_t *p;
    size_t n;
    hc_rd_bytes(r, &p, &n, max);
    if (p && memchr(p, 0, n))
        r->err = HC_ERR_CORRUPT;
    if (r->err) {
        out[0] = 0;
        return;
    }
    memcpy(out, p, n);
    out[n] = 0;
}

static hc_err wr_u256(hc_buf *b, const hc_u256 *v)
{
    uint8_t be[32];
    hc_u256_to_be(be, v);
    return hc_wr_fixed(b, be, 32);
}

static void rd_u256(hc_rd *r, hc_u256 *v)
{
    uint8_t be[32];
    hc_rd_fixed(r, be, 32);
    if (hc_u256_from_be(v, be, 32))
        r->err = HC_ERR_CORRUPT;
}

static void rd_version(hc_rd *r)
{
    uint8_t v = hc_rd_u8(r);
    if (!r->err && v != REC_VERSION)
        r->err = v > REC_VERSION ? HC_ERR_VERSION : HC_ERR_CORRUPT;
}

static void rd_bool(hc_rd *r, uint8_t *out)
{
    *out = hc_rd_u8(r);
    if (*out > 1)
        r->err = HC_ERR_CORRUPT;
}

/* ---- mint */

hc_err hc_mint_encode(hc_buf *b, const hc_mint *m)
{
    if (m->state == 0 || m->state >= HC_MINT_STATE_END || m->has_tx > 1 ||
        m->royalty_bps > 10000)
        return HC_ERR_ARG;
    W(hc_wr_u8(b, REC_VERSION));
    W(hc_wr_fixed(b, m->id, 16));
    W(hc_wr_fixed(b, m->content_hash, 32));
    W(hc_wr_fixed(b, m->metadata_hash, 32));
    W(hc_wr_fixed(b, m->request_hash, 32));
    W(hc_wr_fixed(b, m->creator.b, 20));
    W(hc_wr_u16(b, m->royalty_bps));
    W(hc_wr_u8(b, m->state));
    W(wr_str(b, m->client, HC_CLIENT_MAX));
    W(wr_str(b, m->idem_key, HC_IDEM_MAX));
    W(hc_wr_u64(b, m->content_size));
    W(hc_wr_u64(b, m->created_ms));
    W(hc_wr_u64(b, m->updated_ms));
    W(hc_wr_u8(b, m->has_tx));
    W(hc_wr_fixed(b, m->signer.b, 20));
    W(hc_wr_u64(b, m->nonce));
    W(hc_wr_fixed(b, m->tx_hash, 32));
    W(hc_wr_u64(b, m->block));
    W(hc_wr_u64(b, m->gas_used));
    W(wr_u256(b, &m->fee_paid));
    W(hc_wr_fixed(b, m->chain_owner.b, 20));
    W(wr_str(b, m->reason, HC_REASON_MAX));
    return HC_OK;
}

hc_err hc_mint_decode(hc_mint *m, const uint8_t *p, size_t len)
{
    hc_rd r;
    memset(m, 0, sizeof *m);
    hc_rd_init(&r, p, len);
    rd_version(&r);
    hc_rd_fixed(&r, m->id, 16);
    hc_rd_fixed(&r, m->content_hash, 32);
    hc_rd_fixed(&r, m->metadata_hash, 32);
    hc_rd_fixed(&r, m->request_hash, 32);
    hc_rd_fixed(&r, m->creator.b, 20);
    m->royalty_bps = hc_rd_u16(&r);
    m->state = hc_rd_u8(&r);
    rd_str(&r, m->client, HC_CLIENT_MAX);
    rd_str(&r, m->idem_key, HC_IDEM_MAX);
    m->content_size = hc_rd_u64(&r);
    m->created_ms = hc_rd_u64(&r);
    m->updated_ms = hc_rd_u64(&r);
    rd_bool(&r, &m->has_tx);
    hc_rd_fixed(&r, m->signer.b, 20);
    m->nonce = hc_rd_u64(&r);
    hc_rd_fixed(&r, m->tx_hash, 32);
    m->block = hc_rd_u64(&r);
    m->gas_used = hc_rd_u64(&r);
    rd_u256(&r, &m->fee_paid);
    hc_rd_fixed(&r, m->chain_owner.b, 20);
    rd_str(&r, m->reason, HC_REASON_MAX);
    hc_err err = hc_rd_done(&r);
    if (!err && (m->state == 0 || m->state >= HC_MINT_STATE_END ||
                 m->royalty_bps > 10000))
        err = HC_ERR_CORRUPT;
    return err;
}

/* ---- token */

hc_err hc_token_encode(hc_buf *b, const hc_token *t)
{
    if (t->burned > 1 || t->royalty_bps > 10000)
        return HC_ERR_ARG;
    W(hc_wr_u8(b, REC_VERSION));
    W(hc_wr_fixed(b, t->id, 32));
    W(hc_wr_fixed(b, t->mint_id, 16));
    W(hc_wr_fixed(b, t->creator.b, 20));
    W(hc_wr_fixed(b, t->owner.b, 20));
    W(hc_wr_fixed(b, t->metadata_hash, 32));
    W(hc_wr_u16(b, t->royalty_bps));
    W(hc_wr_u8(b, t->burned));
    W(hc_wr_u64(b, t->block));
    W(hc_wr_fixed(b, t->tx_hash, 32));
    W(hc_wr_u64(b, t->minted_ms));
    return HC_OK;
}

hc_err hc_token_decode(hc_token *t, const uint8_t *p, size_t len)
{
    hc_rd r;
    memset(t, 0, sizeof *t);
    hc_rd_init(&r, p, len);
    rd_version(&r);
    hc_rd_fixed(&r, t->id, 32);
    hc_rd_fixed(&r, t->mint_id, 16);
    hc_rd_fixed(&r, t->creator.b, 20);
    hc_rd_fixed(&r, t->owner.b, 20);
    hc_rd_fixed(&r, t->metadata_hash, 32);
    t->royalty_bps = hc_rd_u16(&r);
    rd_bool(&r, &t->burned);
    t->block = hc_rd_u64(&r);
    hc_rd_fixed(&r, t->tx_hash, 32);
    t->minted_ms = hc_rd_u64(&r);
    hc_err err = hc_rd_done(&r);
    if (!err && t->royalty_bps > 10000)
        err = HC_ERR_CORRUPT;
    return err;
}

/* ---- nonce state */

hc_err hc_nonce_encode(hc_buf *b, const hc_nonce_state *n)
{
    W(hc_wr_u8(b, REC_VERSION));
    W(hc_wr_fixed(b, n->signer.b, 20));
    W(hc_wr_u64(b, n->next));
    W(hc_wr_u64(b, n->chain_latest));
    W(hc_wr_u64(b, n->chain_pending));
    W(hc_wr_u64(b, n->checked_ms));
    return HC_OK;
}

hc_err hc_nonce_decode(hc_nonce_state *n, const uint8_t *p, size_t len)
{
    hc_rd r;
    memset(n, 0, sizeof *n);
    hc_rd_init(&r, p, len);
    rd_version(&r);
    hc_rd_fixed(&r, n->signer.b, 20);
    n->next = hc_rd_u64(&r);
    n->chain_latest = hc_rd_u64(&r);
    n->chain_pending = hc_rd_u64(&r);
    n->checked_ms = hc_rd_u64(&r);
    return hc_rd_done(&r);
}

/* ---- sent transaction */

#define MAX_RAW         (4u << 20)
#define MAX_BATCH_MINTS 65536

hc_err hc_sent_encode(hc_buf *b, const hc_sent_tx *s)
{
    if (s->raw_len > MAX_RAW || s->n_mints > MAX_BATCH_MINTS)
        return HC_ERR_ARG;
    W(hc_wr_u8(b, REC_VERSION));
    W(hc_wr_fixed(b, s->signer.b, 20));
    W(hc_wr_u64(b, s->nonce));
    W(hc_wr_fixed(b, s->hash, 32));
    W(hc_wr_bytes(b, s->raw, s->raw_len));
    W(hc_wr_u64(b, s->sent_ms));
    W(wr_u256(b, &s->max_fee));
    W(wr_u256(b, &s->priority_fee));
    W(hc_wr_bytes(b, s->mint_ids, s->n_mints * 16));
    return HC_OK;
}

hc_err hc_sent_decode(hc_sent_tx *s, const uint8_t *p, size_t len)
{
    hc_rd r;
    size_t ids_len;
    memset(s, 0, sizeof *s);
    hc_rd_init(&r, p, len);
    rd_version(&r);
    hc_rd_fixed(&r, s->signer.b, 20);
    s->nonce = hc_rd_u64(&r);
    hc_rd_fixed(&r, s->hash, 32);
    hc_rd_bytes(&r, &s->raw, &s->raw_len, MAX_RAW);
    s->sent_ms = hc_rd_u64(&r);
    rd_u256(&r, &s->max_fee);
    rd_u256(&r, &s->priority_fee);
    hc_rd_bytes(&r, &s->mint_ids, &ids_len, (size_t)MAX_BATCH_MINTS * 16);
    hc_err err = hc_rd_done(&r);
    if (!err && ids_len % 16)
        err = HC_ERR_CORRUPT;
    s->n_mints = ids_len / 16;
    return err;
}

/* ---- outbox */

#define MAX_PAYLOAD (1u << 20)

hc_err hc_outbox_encode(hc_buf *b, const hc_outbox_item *o)
{
    W(hc_wr_u8(b, REC_VERSION));
    W(hc_wr_u64(b, o->seq));
    W(wr_str(b, o->client, HC_CLIENT_MAX));
    W(hc_wr_fixed(b, o->mint_id, 16));
    W(hc_wr_u32(b, o->attempts));
    W(hc_wr_u64(b, o->next_ms));
    if (o->payload_len > MAX_PAYLOAD)
        return HC_ERR_ARG;
    W(hc_wr_bytes(b, o->payload, o->payload_len));
    return HC_OK;
}

hc_err hc_outbox_decode(hc_outbox_item *o, const uint8_t *p, size_t len)
{
    hc_rd r;
    memset(o, 0, sizeof *o);
    hc_rd_init(&r, p, len);
    rd_version(&r);
    o->seq = hc_rd_u64(&r);
    rd_str(&r, o->client, HC_CLIENT_MAX);
    hc_rd_fixed(&r, o->mint_id, 16);
    o->attempts = hc_rd_u32(&r);
    o->next_ms = hc_rd_u64(&r);
    hc_rd_bytes(&r, &o->payload, &o->payload_len, MAX_PAYLOAD);
    return hc_rd_done(&r);
}

/* ---- client */

hc_err hc_client_encode(hc_buf *b, const hc_client *c)
{
    if (!c->name[0] || c->disabled > 1 ||
        (c->roles & ~(HC_ROLE_MINTER | HC_ROLE_AUDITOR | HC_ROLE_ADMIN)))
        return HC_ERR_ARG;
    W(hc_wr_u8(b, REC_VERSION));
    W(wr_str(b, c->name, HC_CLIENT_MAX));
    W(hc_wr_fixed(b, c->key_id, HC_KEY_ID_LEN));
    W(hc_wr_fixed(b, c->key_hash, 32));
    W(hc_wr_u32(b, c->roles));
    W(hc_wr_u32(b, c->rate_per_min));
    W(hc_wr_u32(b, c->burst));
    W(hc_wr_u8(b, c->disabled));
    W(hc_wr_u64(b, c->created_ms));
    W(wr_str(b, c->webhook_url, HC_URL_MAX));
    return HC_OK;
}

hc_err hc_client_decode(hc_client *c, const uint8_t *p, size_t len)
{
    hc_rd r;
    memset(c, 0, sizeof *c);
    hc_rd_init(&r, p, len);
    rd_version(&r);
    rd_str(&r, c->name, HC_CLIENT_MAX);
    hc_rd_fixed(&r, c->key_id, HC_KEY_ID_LEN);
    hc_rd_fixed(&r, c->key_hash, 32);
    c->roles = hc_rd_u32(&r);
    c->rate_per_min = hc_rd_u32(&r);
    c->burst = hc_rd_u32(&r);
    rd_bool(&r, &c->disabled);
    c->created_ms = hc_rd_u64(&r);
    rd_str(&r, c->webhook_url, HC_URL_MAX);
    hc_err err = hc_rd_done(&r);
    if (!err && (!c->name[0] || (c->roles & ~7u)))
        err = HC_ERR_CORRUPT;
    return err;
}

/* ---- index keys */

size_t hc_idem_key(uint8_t out[HC_CLIENT_MAX + 1 + HC_IDEM_MAX],
                   const char *client, const char *idem)
{
    size_t c = strnlen(client, HC_CLIENT_MAX), i = strnlen(idem, HC_IDEM_MAX);
    memcpy(out, client, c);
    out[c] = 0;
    memcpy(out + c + 1, idem, i);
    return c + 1 + i;
}

void hc_token_key(uint8_t out[HC_TOKEN_KEY_LEN], const uint8_t mint_id[16],
                  const uint8_t token_id[32])
{
    memcpy(out, mint_id, 16);
    memcpy(out + 16, token_id, 32);
}

void hc_owner_key(uint8_t out[HC_OWNER_KEY_LEN], const hc_address *owner,
                  const uint8_t mint_id[16], const uint8_t token_id[32])
{
    memcpy(out, owner->b, 20);
    hc_token_key(out + 20, mint_id, token_id);
}

void hc_sent_key(uint8_t out[60], const hc_address *signer, uint64_t nonce,
                 const uint8_t hash[32])
{
    memcpy(out, signer->b, 20);
    for (int i = 0; i < 8; i++)
        out[20 + i] = (uint8_t)(nonce >> (8 * (7 - i)));
    memcpy(out + 28, hash, 32);
}

void hc_active_key(uint8_t out[25], uint8_t state, uint64_t created_ms,
                   const uint8_t id[16])
{
    out[0] = state;
    hc_be64_put(out + 1, created_ms);
    memcpy(out + 9, id, 16);
}

/* ---- operations */

static hc_err put_encoded(hc_ltx *tx, hc_ldb db, uint16_t kind, const void *key,
                          size_t klen, hc_buf *b)
{
    return hc_ltx_put(tx, db, kind, key, klen, b->data, b->len);
}

hc_err hc_ltx_mint_get(hc_ltx *tx, const uint8_t id[16], hc_mint *out)
{
    const uint8_t *p;
    size_t n;
    hc_err err = hc_ltx_get(tx, HC_LDB_MINTS, id, 16, &p, &n);
    return err ? err : hc_mint_decode(out, p, n);
}

void hc_mint_id_new(uint8_t id[HC_MINT_ID_LEN], uint64_t now_ms)
{
    for (int i = 0; i < 6; i++)
        id[i] = (uint8_t)(now_ms >> (40 - 8 * i));
    randombytes_buf(id + 6, HC_MINT_ID_LEN - 6);
}

static int is_live(int state)
{
    return state == HC_MINT_QUEUED || state == HC_MINT_SUBMITTED;
}

/* The live-mints row of a mint whose state or creation time changed from
 * prev (NULL: a new mint) to m. */
static hc_err update_active(hc_ltx *tx, const hc_mint *prev, const hc_mint *m)
{
    uint8_t k[HC_ACTIVE_KEY_LEN];
    int had = prev && is_live(prev->state), has = is_live(m->state);
    if (had && has && prev->state == m->state &&
        prev->created_ms == m->created_ms)
        return HC_OK;
    if (had) {
        hc_active_key(k, prev->state, prev->created_ms, prev->id);
        hc_err err = hc_ltx_index_del(tx, HC_LDB_ACTIVE, k, sizeof k);
        if (err && err != HC_ERR_NOT_FOUND)
            return err;
    }
    if (!has)
        return HC_OK;
    hc_active_key(k, m->state, m->created_ms, m->id);
    return hc_ltx_index_put(tx, HC_LDB_ACTIVE, k, sizeof k, NULL, 0, 1);
}

/* Stores m over prev (NULL: a new mint). */
static hc_err mint_store(hc_ltx *tx, const hc_mint *prev, const hc_mint *m,
                         uint16_t kind)
{
    hc_buf b;
    hc_buf_init(&b, 1 << 16, 0);
    hc_err err = hc_mint_encode(&b, m);
    if (!err)
        err = put_encoded(tx, HC_LDB_MINTS, kind, m->id, 16, &b);
    hc_buf_free(&b);
    if (!err)
        err = update_active(tx, prev, m);
    if (err)
        return err;
    /* the content index names the live mint for the content; a failed mint
     * releases it so the content can be submitted again. A mint that was
     * live and stays so, with the same content, holds it already. */
    if (prev && is_live(prev->state) && is_live(m->state) &&
        !memcmp(prev->content_hash, m->content_hash, 32))
        return HC_OK;
    const uint8_t *v;
    size_t vlen;
    err = hc_ltx_index_get(tx, HC_LDB_CONTENT, m->content_hash, 32, &v, &vlen);
    int ours = !err && vlen == 16 && memcmp(v, m->id, 16) == 0;
    if (err && err != HC_ERR_NOT_FOUND)
        return err;
    if (m->state == HC_MINT_FAILED)
        return ours ? hc_ltx_index_del(tx, HC_LDB_CONTENT, m->content_hash, 32)
                    : HC_OK;
    if (ours)
        return HC_OK;
    if (err == HC_OK)
        return HC_ERR_CONFLICT; /* another mint holds this content */
    return hc_ltx_index_put(tx, HC_LDB_CONTENT, m->content_hash, 32, m->id, 16,
                            0);
}

hc_err hc_ltx_mint_put(hc_ltx *tx, const hc_mint *m, uint16_t kind)
{
    hc_mint prev;
    hc_err err = hc_ltx_mint_get(tx, m->id, &prev);
    if (err && err != HC_ERR_NOT_FOUND)
        return err;
    return mint_store(tx, err ? NULL : &prev, m, kind);
}

hc_err hc_ltx_mint_update(hc_ltx *tx, const hc_mint *prev, const hc_mint *m,
                          uint16_t kind)
{
    if (!prev || !m || memcmp(prev->id, m->id, HC_MINT_ID_LEN))
        return HC_ERR_ARG;
    return mint_store(tx, prev, m, kind);
}

struct accept_args {
    const hc_mint *m;
    hc_accept_outcome *outcome;
    hc_mint *existing;
};

hc_err hc_ltx_mint_accept(hc_ltx *tx, const hc_mint *m,
                          hc_accept_outcome *outcome, hc_mint *existing)
{
    struct accept_args args = {m, outcome, existing}, *a = &args;
    uint8_t ikey[HC_CLIENT_MAX + 1 + HC_IDEM_MAX];
    size_t iklen = 0;
    const uint8_t *v;
    size_t vlen;
    hc_err err;

    if (m->idem_key[0]) {
        iklen = hc_idem_key(ikey, m->client, m->idem_key);
        err = hc_ltx_index_get(tx, HC_LDB_IDEM, ikey, iklen, &v, &vlen);
        if (!err) {
            if (vlen != 16)
                return HC_ERR_CORRUPT;
            err = hc_ltx_mint_get(tx, v, a->existing);
            if (err)
                return err == HC_ERR_NOT_FOUND ? HC_ERR_CORRUPT : err;
            *a->outcome =
                hc_ct_equal(a->existing->request_hash, m->request_hash, 32)
                    ? HC_ACCEPT_REPLAY
                    : HC_ACCEPT_KEY_REUSED;
            return HC_OK;
        }
        if (err != HC_ERR_NOT_FOUND)
            return err;
    }
    err = hc_ltx_index_get(tx, HC_LDB_CONTENT, m->content_hash, 32, &v, &vlen);
    if (!err) {
        if (vlen != 16)
            return HC_ERR_CORRUPT;
        err = hc_ltx_mint_get(tx, v, a->existing);
        if (err)
            return err == HC_ERR_NOT_FOUND ? HC_ERR_CORRUPT : err;
        *a->outcome = HC_ACCEPT_DUPLICATE;
        return HC_OK;
    }
    if (err != HC_ERR_NOT_FOUND)
        return err;
    if (m->state != HC_MINT_QUEUED)
        return HC_ERR_ARG;
    err = hc_ltx_mint_put(tx, m, HC_J_MINT_ACCEPTED);
    if (!err && iklen)
        err = hc_ltx_index_put(tx, HC_LDB_IDEM, ikey, iklen, m->id, 16, 0);
    if (!err)
        *a->outcome = HC_ACCEPT_NEW;
    return err;
}

static hc_err accept_fn(hc_ltx *tx, void *arg)
{
    struct accept_args *a = arg;
    return hc_ltx_mint_accept(tx, a->m, a->outcome, a->existing);
}

hc_err hc_ledger_mint_accept(hc_ledger *l, const hc_mint *m,
                             hc_accept_outcome *outcome, hc_mint *existing)
{
    struct accept_args a = {m, outcome, existing};
    return hc_ledger_write(l, accept_fn, &a);
}

hc_err hc_ledger_mint_get(hc_ledger *l, const uint8_t id[16], hc_mint *out)
{
    hc_buf b;
    hc_buf_init(&b, 1 << 16, 0);
    hc_err err = hc_ledger_get(l, HC_LDB_MINTS, id, 16, &b);
    if (!err)
        err = hc_mint_decode(out, b.data, b.len);
    hc_buf_free(&b);
    return err;
}

/* The mint that holds content id in the content index. */
static hc_err ltx_content_mint(hc_ltx *tx, const uint8_t id[32],
                               const uint8_t **mint_id)
{
    size_t n;
    hc_err err = hc_ltx_index_get(tx, HC_LDB_CONTENT, id, 32, mint_id, &n);
    return err ? err : n == 16 ? HC_OK : HC_ERR_CORRUPT;
}

hc_err hc_ltx_token_get(hc_ltx *tx, const uint8_t id[32], hc_token *out)
{
    const uint8_t *mint_id, *p;
    size_t n;
    uint8_t key[HC_TOKEN_KEY_LEN];
    hc_err err = ltx_content_mint(tx, id, &mint_id);
    if (err)
        return err;
    hc_token_key(key, mint_id, id);
    err = hc_ltx_get(tx, HC_LDB_TOKENS, key, sizeof key, &p, &n);
    return err ? err : hc_token_decode(out, p, n);
}

hc_err hc_ltx_token_put(hc_ltx *tx, const hc_token *t, uint16_t kind)
{
    const uint8_t *p, *holder;
    size_t n;
    hc_token old;
    uint8_t key[HC_TOKEN_KEY_LEN], okey[HC_OWNER_KEY_LEN];
    /* only the mint that holds the content makes its token: the token is
     * found through that row */
    hc_err err = ltx_content_mint(tx, t->id, &holder);
    if (err == HC_ERR_NOT_FOUND ||
        (!err && memcmp(holder, t->mint_id, HC_MINT_ID_LEN) != 0))
        return HC_ERR_ARG;
    if (err)
        return err;
    hc_token_key(key, t->mint_id, t->id);
    err = hc_ltx_get(tx, HC_LDB_TOKENS, key, sizeof key, &p, &n);
    if (err == HC_OK) {
        err = hc_token_decode(&old, p, n);
        if (err)
            return err;
        if (!old.burned) {
            hc_owner_key(okey, &old.owner, old.mint_id, old.id);
            err = hc_ltx_index_del(tx, HC_LDB_OWNERS, okey, sizeof okey);
            if (err && err != HC_ERR_NOT_FOUND)
                return err;
        }
    } else if (err != HC_ERR_NOT_FOUND) {
        return err;
    }
    hc_buf b;
    hc_buf_init(&b, 4096, 0);
    err = hc_token_encode(&b, t);
    if (!err)
        err = put_encoded(tx, HC_LDB_TOKENS, kind, key, sizeof key, &b);
    hc_buf_free(&b);
    if (!err && !t->burned) {
        hc_owner_key(okey, &t->owner, t->mint_id, t->id);
        err =
            hc_ltx_index_put(tx, HC_LDB_OWNERS, okey, sizeof okey, NULL, 0, 1);
    }
    return err;
}

hc_err hc_ledger_token_get_key(hc_ledger *l,
                               const uint8_t key[HC_TOKEN_KEY_LEN],
                               hc_token *out)
{
    hc_buf b;
    hc_buf_init(&b, 4096, 0);
    hc_err err = hc_ledger_get(l, HC_LDB_TOKENS, key, HC_TOKEN_KEY_LEN, &b);
    if (!err)
        err = hc_token_decode(out, b.data, b.len);
    hc_buf_free(&b);
    return err;
}

hc_err hc_ledger_token_get(hc_ledger *l, const uint8_t id[32], hc_token *out)
{
    /* the content row of a token's mint never changes once the mint is
     * confirmed, so the two reads need not share a transaction */
    hc_buf b;
    uint8_t key[HC_TOKEN_KEY_LEN];
    hc_buf_init(&b, 64, 0);
    hc_err err = hc_ledger_index_get(l, HC_LDB_CONTENT, id, 32, &b);
    if (!err && b.len != 16)
        err = HC_ERR_CORRUPT;
    if (!err)
        hc_token_key(key, b.data, id);
    hc_buf_free(&b);
    return err ? err : hc_ledger_token_get_key(l, key, out);
}

static hc_err client_add_fn(hc_ltx *tx, void *arg)
{
    const hc_client *c = arg;
    const uint8_t *p;
    size_t n, nlen = strlen(c->name);
    hc_err err = hc_ltx_get(tx, HC_LDB_CLIENTS, c->name, nlen, &p, &n);
    if (err == HC_OK)
        return HC_ERR_EXISTS;
    if (err != HC_ERR_NOT_FOUND)
        return err;
    hc_buf b;
    hc_buf_init(&b, 8192, 0);
    err = hc_client_encode(&b, c);
    if (!err)
        err = put_encoded(tx, HC_LDB_CLIENTS, HC_J_CLIENT_ADDED, c->name, nlen,
                          &b);
    hc_buf_free(&b);
    if (!err)
        err = hc_ltx_index_put(tx, HC_LDB_KEYS, c->key_id, HC_KEY_ID_LEN,
                               c->name, nlen, 0);
    return err;
}

hc_err hc_ledger_client_add(hc_ledger *l, const hc_client *c)
{
    if (!c->name[0] || strlen(c->name) > HC_CLIENT_MAX)
        return HC_ERR_ARG;
    return hc_ledger_write(l, client_add_fn, (void *)c);
}

/* Inside a write: client c->name's record read (into old). */
static hc_err ltx_client_get(hc_ltx *tx, const char *name, hc_client *old)
{
    const uint8_t *p;
    size_t n;
    hc_err err = hc_ltx_get(tx, HC_LDB_CLIENTS, name, strlen(name), &p, &n);
    return err ? err : hc_client_decode(old, p, n);
}

/* Inside a write: client record c over old (the same name), the key-index
 * row moved with the key id. */
static hc_err client_store(hc_ltx *tx, const hc_client *old, const hc_client *c)
{
    const uint8_t *v;
    size_t vlen, nlen = strlen(c->name);
    hc_err err;
    int moved = memcmp(old->key_id, c->key_id, HC_KEY_ID_LEN) != 0;
    if (moved) {
        err = hc_ltx_index_get(tx, HC_LDB_KEYS, c->key_id, HC_KEY_ID_LEN, &v,
                               &vlen);
        if (err != HC_ERR_NOT_FOUND)
            return err ? err : HC_ERR_EXISTS;
    }
    hc_buf b;
    hc_buf_init(&b, 8192, 0);
    err = hc_client_encode(&b, c);
    if (!err)
        err = put_encoded(tx, HC_LDB_CLIENTS, HC_J_CLIENT_CHANGED, c->name,
                          nlen, &b);
    hc_buf_free(&b);
    if (!err && moved)
        err = hc_ltx_index_del(tx, HC_LDB_KEYS, old->key_id, HC_KEY_ID_LEN);
    if (!err && moved)
        err = hc_ltx_index_put(tx, HC_LDB_KEYS, c->key_id, HC_KEY_ID_LEN,
                               c->name, nlen, 0);
    return err;
}

static hc_err client_update_fn(hc_ltx *tx, void *arg)
{
    const hc_client *c = arg;
    hc_client old;
    hc_err err = ltx_client_get(tx, c->name, &old);
    return err ? err : client_store(tx, &old, c);
}

hc_err hc_ledger_client_update(hc_ledger *l, const hc_client *c)
{
    if (!c->name[0] || strlen(c->name) > HC_CLIENT_MAX)
        return HC_ERR_ARG;
    return hc_ledger_write(l, client_update_fn, (void *)c);
}

struct client_change_args {
    const char *name;
    const hc_client_change *ch;
    hc_client *out;
};

static hc_err client_change_fn(hc_ltx *tx, void *arg)
{
    struct client_change_args *a = arg;
    hc_client old;
    hc_err err = ltx_client_get(tx, a->name, &old);
    if (err)
        return err;
    *a->out = old;
    if (a->ch->key_id) {
        memcpy(a->out->key_id, a->ch->key_id, HC_KEY_ID_LEN);
        memcpy(a->out->key_hash, a->ch->key_hash, 32);
    }
    if (a->ch->disabled >= 0)
        a->out->disabled = (uint8_t)a->ch->disabled;
    if (!a->ch->key_id && a->out->disabled == old.disabled)
        return HC_OK; /* as it is: nothing to write */
    return client_store(tx, &old, a->out);
}

hc_err hc_ledger_client_change(hc_ledger *l, const char *name,
                               const hc_client_change *ch, hc_client *out)
{
    size_t nlen = strlen(name);
    if (nlen == 0 || nlen > HC_CLIENT_MAX || !ch || !out ||
        !ch->key_id != !ch->key_hash || ch->disabled > 1)
        return HC_ERR_ARG;
    struct client_change_args a = {name, ch, out};
    return hc_ledger_write(l, client_change_fn, &a);
}

hc_err hc_ledger_client_get(hc_ledger *l, const char *name, hc_client *out)
{
    size_t nlen = strlen(name);
    if (nlen == 0 || nlen > HC_CLIENT_MAX)
        return HC_ERR_ARG;
    hc_buf b;
    hc_buf_init(&b, 8192, 0);
    hc_err err = hc_ledger_get(l, HC_LDB_CLIENTS, name, nlen, &b);
    if (!err)
        err = hc_client_decode(out, b.data, b.len);
    hc_buf_free(&b);
    return err;
}

hc_err hc_ledger_client_by_key(hc_ledger *l,
                               const uint8_t key_id[HC_KEY_ID_LEN],
                               hc_client *out)
{
    char name[HC_CLIENT_MAX + 1];
    hc_buf b;
    hc_buf_init(&b, HC_CLIENT_MAX, 0);
    hc_err err = hc_ledger_index_get(l, HC_LDB_KEYS, key_id, HC_KEY_ID_LEN, &b);
    if (!err && (b.len == 0 || b.len > HC_CLIENT_MAX))
        err = HC_ERR_CORRUPT;
    if (!err) {
        memcpy(name, b.data, b.len);
        name[b.len] = 0;
        err = hc_ledger_client_get(l, name, out);
        if (err == HC_ERR_NOT_FOUND)
            err = HC_ERR_CORRUPT;
    }
    hc_buf_free(&b);
    return err;
}

hc_err hc_ltx_nonce_put(hc_ltx *tx, const hc_nonce_state *n)
{
    hc_buf b;
    hc_buf_init(&b, 256, 0);
    hc_err err = hc_nonce_encode(&b, n);
    if (!err)
        err = put_encoded(tx, HC_LDB_NONCES, HC_J_NONCE, n->signer.b, 20, &b);
    hc_buf_free(&b);
    return err;
}

hc_err hc_ltx_sent_put(hc_ltx *tx, const hc_sent_tx *s, uint16_t kind)
{
    uint8_t key[60];
    hc_buf b;
    hc_sent_key(key, &s->signer, s->nonce, s->hash);
    hc_buf_init(&b, MAX_RAW + (size_t)MAX_BATCH_MINTS * 16 + 1024, 0);
    hc_err err = hc_sent_encode(&b, s);
    if (!err)
        err = put_encoded(tx, HC_LDB_SENT, kind, key, sizeof key, &b);
    hc_buf_free(&b);
    return err;
}

hc_err hc_ltx_outbox_put(hc_ltx *tx, const hc_outbox_item *o)
{
    uint8_t key[8];
    hc_buf b;
    hc_be64_put(key, o->seq);
    hc_buf_init(&b, MAX_PAYLOAD + 4096, 0);
    hc_err err = hc_outbox_encode(&b, o);
    if (!err)
        err = put_encoded(tx, HC_LDB_OUTBOX, HC_J_OUTBOX, key, 8, &b);
    hc_buf_free(&b);
    return err;
}
