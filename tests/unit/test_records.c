/* records: the versioned binary encodings of the ledger's typed records and
 * their strict decoders (truncation, versions, enum ranges, trailing bytes,
 * random input). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/codec.h"
#include "haechi/records.h"
#include "testutil.h"

/* ---- fixtures: every field set to something non-trivial */

static void fill(void *p, size_t n, uint8_t seed)
{
    uint8_t *q = p;
    for (size_t i = 0; i < n; i++)
        q[i] = (uint8_t)(seed + 7 * i + 1);
}

static hc_u256 u256_pattern(uint8_t seed)
{
    uint8_t be[32];
    hc_u256 v;
    fill(be, 32, seed);
    assert_int_equal(hc_u256_from_be(&v, be, 32), HC_OK);
    return v;
}

static void make_mint(hc_mint *m)
{
    memset(m, 0, sizeof *m);
    fill(m->id, 16, 1);
    fill(m->content_hash, 32, 2);
    fill(m->metadata_hash, 32, 3);
    fill(m->request_hash, 32, 4);
    fill(m->creator.b, 20, 5);
    m->royalty_bps = 10000;
    m->state = HC_MINT_CONFLICT;
    strcpy(m->client, "jongno-gu");
    strcpy(m->idem_key, "req-2024-0001");
    m->content_size = 0x0102030405060708ull;
    m->created_ms = 1700000000123ull;
    m->updated_ms = 1700000009999ull;
    m->has_tx = 1;
    fill(m->signer.b, 20, 6);
    m->nonce = 0xfedcba9876543210ull;
    fill(m->tx_hash, 32, 7);
    m->block = 19000000;
    m->gas_used = 123456;
    m->fee_paid = u256_pattern(8);
    fill(m->chain_owner.b, 20, 9);
    strcpy(m->reason, "owned on chain by someone else");
}

static void make_token(hc_token *t)
{
    memset(t, 0, sizeof *t);
    fill(t->id, 32, 11);
    fill(t->mint_id, 16, 12);
    fill(t->creator.b, 20, 13);
    fill(t->owner.b, 20, 14);
    fill(t->metadata_hash, 32, 15);
    t->royalty_bps = 250;
    t->burned = 1;
    t->block = 0x1122334455667788ull;
    fill(t->tx_hash, 32, 16);
    t->minted_ms = 1700000000777ull;
}

static void make_nonce(hc_nonce_state *n)
{
    memset(n, 0, sizeof *n);
    fill(n->signer.b, 20, 21);
    n->next = 42;
    n->chain_latest = 40;
    n->chain_pending = 41;
    n->checked_ms = 0x8000000000000001ull;
}

static uint8_t sent_raw[77];
static uint8_t sent_ids[3 * 16];
static uint8_t outbox_payload[300];

static void make_sent(hc_sent_tx *s)
{
    memset(s, 0, sizeof *s);
    fill(sent_raw, sizeof sent_raw, 31);
    fill(sent_ids, sizeof sent_ids, 32);
    fill(s->signer.b, 20, 33);
    s->nonce = 7;
    fill(s->hash, 32, 34);
    s->raw = sent_raw;
    s->raw_len = sizeof sent_raw;
    s->sent_ms = 1700000001000ull;
    s->max_fee = u256_pattern(35);
    s->priority_fee = hc_u256_from_u64(1500000000);
    s->mint_ids = sent_ids;
    s->n_mints = 3;
}

static void make_outbox(hc_outbox_item *o)
{
    memset(o, 0, sizeof *o);
    fill(outbox_payload, sizeof outbox_payload, 41);
    o->seq = 0x0000000100000002ull;
    strcpy(o->client, "mapo-gu");
    fill(o->mint_id, 16, 42);
    o->attempts = 0xfffffffeu;
    o->next_ms = 1700000002000ull;
    o->payload = outbox_payload;
    o->payload_len = sizeof outbox_payload;
}

static void make_client(hc_client *c)
{
    memset(c, 0, sizeof *c);
    strcpy(c->name, "seocho-gu");
    fill(c->key_id, HC_KEY_ID_LEN, 51);
    fill(c->key_hash, 32, 52);
    c->roles = HC_ROLE_MINTER | HC_ROLE_AUDITOR | HC_ROLE_ADMIN;
    c->rate_per_min = 600;
    c->burst = 20;
    c->disabled = 1;
    c->created_ms = 1700000003000ull;
    strcpy(c->webhook_url, "https://example.go.kr/hooks/haechi?x=1");
}

/* ---- a uniform view of the six codecs */

typedef union any_rec {
    hc_mint mint;
    hc_token token;
    hc_nonce_state nonce;
    hc_sent_tx sent;
    hc_outbox_item outbox;
    hc_client client;
} any_rec;

#define WRAP(name, type, enc, dec)                                             \
    static hc_err enc_##name(hc_buf *b, const any_rec *x)                      \
    {                                                                          \
        return enc(b, (const type *)x);                                        \
    }                                                                          \
    static hc_err dec_##name(any_rec *x, const uint8_t *p, size_t n)           \
    {                                                                          \
        return dec((type *)x, p, n);                                           \
    }
WRAP(mint, hc_mint, hc_mint_encode, hc_mint_decode)
WRAP(token, hc_token, hc_token_encode, hc_token_decode)
WRAP(nonce, hc_nonce_state, hc_nonce_encode, hc_nonce_decode)
WRAP(sent, hc_sent_tx, hc_sent_encode, hc_sent_decode)
WRAP(outbox, hc_outbox_item, hc_outbox_encode, hc_outbox_decode)
WRAP(client, hc_client, hc_client_encode, hc_client_decode)

typedef struct codec {
    const char *name;
    void (*make)(any_rec *x);
    hc_err (*enc)(hc_buf *b, const any_rec *x);
    hc_err (*dec)(any_rec *x, const uint8_t *p, size_t n);
} codec;

static void mk_mint(any_rec *x)
{
    make_mint(&x->mint);
}
static void mk_token(any_rec *x)
{
    make_token(&x->token);
}
static void mk_nonce(any_rec *x)
{
    make_nonce(&x->nonce);
}
static void mk_sent(any_rec *x)
{
    make_sent(&x->sent);
}
static void mk_outbox(any_rec *x)
{
    make_outbox(&x->outbox);
}
static void mk_client(any_rec *x)
{
    make_client(&x->client);
}

static const codec codecs[] = {
    {"mint", mk_mint, enc_mint, dec_mint},
    {"token", mk_token, enc_token, dec_token},
    {"nonce", mk_nonce, enc_nonce, dec_nonce},
    {"sent", mk_sent, enc_sent, dec_sent},
    {"outbox", mk_outbox, enc_outbox, dec_outbox},
    {"client", mk_client, enc_client, dec_client},
};
#define N_CODECS (sizeof codecs / sizeof codecs[0])

/* Encodes the codec's fixture into b (cleared first). */
static void encode_fixture(const codec *c, hc_buf *b)
{
    any_rec x;
    c->make(&x);
    hc_buf_reset(b);
    assert_int_equal(c->enc(b, &x), HC_OK);
    assert_true(b->len > 1);
    assert_int_equal(b->data[0], 1); /* the version */
}

/* Decodes exactly len bytes from a heap copy of that size (so that ASan sees
 * any read past the end). */
static hc_err decode_exact(const codec *c, any_rec *x, const uint8_t *p,
                           size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, p, len);
    hc_err err = c->dec(x, copy, len);
    free(copy);
    return err;
}

/* ---- round trips, field by field */

static void test_mint_round_trip(void **state)
{
    (void)state;
    hc_mint m, d;
    hc_buf b, b2;
    make_mint(&m);
    hc_buf_init(&b, 1 << 16, 0);
    hc_buf_init(&b2, 1 << 16, 0);
    assert_int_equal(hc_mint_encode(&b, &m), HC_OK);
    assert_int_equal(hc_mint_decode(&d, b.data, b.len), HC_OK);
    assert_memory_equal(d.id, m.id, 16);
    assert_memory_equal(d.content_hash, m.content_hash, 32);
    assert_memory_equal(d.metadata_hash, m.metadata_hash, 32);
    assert_memory_equal(d.request_hash, m.request_hash, 32);
    assert_memory_equal(d.creator.b, m.creator.b, 20);
    assert_int_equal(d.royalty_bps, 10000);
    assert_int_equal(d.state, HC_MINT_CONFLICT);
    assert_string_equal(d.client, m.client);
    assert_string_equal(d.idem_key, m.idem_key);
    assert_true(d.content_size == m.content_size);
    assert_true(d.created_ms == m.created_ms);
    assert_true(d.updated_ms == m.updated_ms);
    assert_int_equal(d.has_tx, 1);
    assert_memory_equal(d.signer.b, m.signer.b, 20);
    assert_true(d.nonce == m.nonce);
    assert_memory_equal(d.tx_hash, m.tx_hash, 32);
    assert_true(d.block == m.block);
    assert_true(d.gas_used == m.gas_used);
    assert_int_equal(hc_u256_cmp(&d.fee_paid, &m.fee_paid), 0);
    assert_memory_equal(d.chain_owner.b, m.chain_owner.b, 20);
    assert_string_equal(d.reason, m.reason);
    /* re-encoding gives the same bytes */
    assert_int_equal(hc_mint_encode(&b2, &d), HC_OK);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.data, b.data, b.len);
    /* longest strings */
    memset(m.client, 'c', HC_CLIENT_MAX);
    m.client[HC_CLIENT_MAX] = 0;
    memset(m.idem_key, 'i', HC_IDEM_MAX);
    m.idem_key[HC_IDEM_MAX] = 0;
    memset(m.reason, 'r', HC_REASON_MAX);
    m.reason[HC_REASON_MAX] = 0;
    hc_buf_reset(&b);
    assert_int_equal(hc_mint_encode(&b, &m), HC_OK);
    assert_int_equal(hc_mint_decode(&d, b.data, b.len), HC_OK);
    assert_string_equal(d.client, m.client);
    assert_string_equal(d.idem_key, m.idem_key);
    assert_string_equal(d.reason, m.reason);
    /* empty strings */
    m.client[0] = m.idem_key[0] = m.reason[0] = 0;
    hc_buf_reset(&b);
    assert_int_equal(hc_mint_encode(&b, &m), HC_OK);
    assert_int_equal(hc_mint_decode(&d, b.data, b.len), HC_OK);
    assert_string_equal(d.client, "");
    assert_string_equal(d.reason, "");
    hc_buf_free(&b);
    hc_buf_free(&b2);
}

static void test_token_round_trip(void **state)
{
    (void)state;
    hc_token t, d;
    hc_buf b;
    make_token(&t);
    hc_buf_init(&b, 4096, 0);
    assert_int_equal(hc_token_encode(&b, &t), HC_OK);
    assert_int_equal(b.len, 1 + 32 + 16 + 20 + 20 + 32 + 2 + 1 + 8 + 32 + 8);
    assert_int_equal(hc_token_decode(&d, b.data, b.len), HC_OK);
    assert_memory_equal(d.id, t.id, 32);
    assert_memory_equal(d.mint_id, t.mint_id, 16);
    assert_memory_equal(d.creator.b, t.creator.b, 20);
    assert_memory_equal(d.owner.b, t.owner.b, 20);
    assert_memory_equal(d.metadata_hash, t.metadata_hash, 32);
    assert_int_equal(d.royalty_bps, 250);
    assert_int_equal(d.burned, 1);
    assert_true(d.block == t.block);
    assert_memory_equal(d.tx_hash, t.tx_hash, 32);
    assert_true(d.minted_ms == t.minted_ms);
    hc_buf_free(&b);
}

static void test_nonce_round_trip(void **state)
{
    (void)state;
    hc_nonce_state n, d;
    hc_buf b;
    make_nonce(&n);
    hc_buf_init(&b, 256, 0);
    assert_int_equal(hc_nonce_encode(&b, &n), HC_OK);
    assert_int_equal(b.len, 1 + 20 + 4 * 8);
    assert_int_equal(hc_nonce_decode(&d, b.data, b.len), HC_OK);
    assert_memory_equal(d.signer.b, n.signer.b, 20);
    assert_true(d.next == 42 && d.chain_latest == 40 && d.chain_pending == 41 &&
                d.checked_ms == n.checked_ms);
    hc_buf_free(&b);
}

static void test_sent_round_trip(void **state)
{
    (void)state;
    hc_sent_tx s, d;
    hc_buf b;
    make_sent(&s);
    hc_buf_init(&b, 1 << 20, 0);
    assert_int_equal(hc_sent_encode(&b, &s), HC_OK);
    assert_int_equal(hc_sent_decode(&d, b.data, b.len), HC_OK);
    assert_memory_equal(d.signer.b, s.signer.b, 20);
    assert_true(d.nonce == 7);
    assert_memory_equal(d.hash, s.hash, 32);
    assert_int_equal(d.raw_len, sizeof sent_raw);
    assert_memory_equal(d.raw, sent_raw, sizeof sent_raw);
    assert_true(d.raw > b.data && d.raw < b.data + b.len); /* into input */
    assert_true(d.sent_ms == s.sent_ms);
    assert_int_equal(hc_u256_cmp(&d.max_fee, &s.max_fee), 0);
    assert_int_equal(hc_u256_cmp(&d.priority_fee, &s.priority_fee), 0);
    assert_int_equal(d.n_mints, 3);
    assert_memory_equal(d.mint_ids, sent_ids, sizeof sent_ids);
    assert_ptr_equal(d.mint_ids, b.data + b.len - sizeof sent_ids);
    /* no raw bytes, no mints */
    s.raw = NULL;
    s.raw_len = 0;
    s.mint_ids = NULL;
    s.n_mints = 0;
    hc_buf_reset(&b);
    assert_int_equal(hc_sent_encode(&b, &s), HC_OK);
    assert_int_equal(hc_sent_decode(&d, b.data, b.len), HC_OK);
    assert_int_equal(d.raw_len, 0);
    assert_int_equal(d.n_mints, 0);
    hc_buf_free(&b);
}

static void test_outbox_round_trip(void **state)
{
    (void)state;
    hc_outbox_item o, d;
    hc_buf b;
    make_outbox(&o);
    hc_buf_init(&b, 1 << 20, 0);
    assert_int_equal(hc_outbox_encode(&b, &o), HC_OK);
    assert_int_equal(hc_outbox_decode(&d, b.data, b.len), HC_OK);
    assert_true(d.seq == o.seq);
    assert_string_equal(d.client, "mapo-gu");
    assert_memory_equal(d.mint_id, o.mint_id, 16);
    assert_int_equal(d.attempts, 0xfffffffeu);
    assert_true(d.next_ms == o.next_ms);
    assert_int_equal(d.payload_len, sizeof outbox_payload);
    assert_memory_equal(d.payload, outbox_payload, sizeof outbox_payload);
    assert_ptr_equal(d.payload, b.data + b.len - sizeof outbox_payload);
    hc_buf_free(&b);
}

static void test_client_round_trip(void **state)
{
    (void)state;
    hc_client c, d;
    hc_buf b;
    make_client(&c);
    hc_buf_init(&b, 8192, 0);
    assert_int_equal(hc_client_encode(&b, &c), HC_OK);
    assert_int_equal(hc_client_decode(&d, b.data, b.len), HC_OK);
    assert_string_equal(d.name, "seocho-gu");
    assert_memory_equal(d.key_id, c.key_id, HC_KEY_ID_LEN);
    assert_memory_equal(d.key_hash, c.key_hash, 32);
    assert_int_equal(d.roles, 7);
    assert_int_equal(d.rate_per_min, 600);
    assert_int_equal(d.burst, 20);
    assert_int_equal(d.disabled, 1);
    assert_true(d.created_ms == c.created_ms);
    assert_string_equal(d.webhook_url, c.webhook_url);
    /* the longest URL */
    memset(c.webhook_url, 'u', HC_URL_MAX);
    c.webhook_url[HC_URL_MAX] = 0;
    hc_buf_reset(&b);
    assert_int_equal(hc_client_encode(&b, &c), HC_OK);
    assert_int_equal(hc_client_decode(&d, b.data, b.len), HC_OK);
    assert_int_equal(strlen(d.webhook_url), HC_URL_MAX);
    hc_buf_free(&b);
}

/* ---- generic strictness over every codec */

/* Every proper prefix of a valid encoding fails to decode. */
static void test_truncations(void **state)
{
    (void)state;
    hc_buf b;
    any_rec x;
    hc_buf_init(&b, 1 << 20, 0);
    for (size_t i = 0; i < N_CODECS; i++) {
        encode_fixture(&codecs[i], &b);
        for (size_t len = 0; len < b.len; len++) {
            hc_err err = decode_exact(&codecs[i], &x, b.data, len);
            if (err == HC_OK)
                fail_msg("%s: a %zu-byte prefix of %zu decoded", codecs[i].name,
                         len, b.len);
            assert_int_equal(err, HC_ERR_CORRUPT);
        }
        assert_int_equal(decode_exact(&codecs[i], &x, b.data, b.len), HC_OK);
    }
    hc_buf_free(&b);
}

static void test_versions(void **state)
{
    (void)state;
    hc_buf b;
    any_rec x;
    hc_buf_init(&b, 1 << 20, 0);
    for (size_t i = 0; i < N_CODECS; i++) {
        encode_fixture(&codecs[i], &b);
        b.data[0] = 0;
        assert_int_equal(decode_exact(&codecs[i], &x, b.data, b.len),
                         HC_ERR_CORRUPT);
        b.data[0] = 2;
        assert_int_equal(decode_exact(&codecs[i], &x, b.data, b.len),
                         HC_ERR_VERSION);
        b.data[0] = 0xff;
        assert_int_equal(decode_exact(&codecs[i], &x, b.data, b.len),
                         HC_ERR_VERSION);
        /* a newer version is reported as such even if the rest would not
         * parse as version 1 */
        assert_int_equal(decode_exact(&codecs[i], &x, b.data, 1),
                         HC_ERR_VERSION);
    }
    hc_buf_free(&b);
}

static void test_trailing_bytes(void **state)
{
    (void)state;
    hc_buf b;
    any_rec x;
    hc_buf_init(&b, 1 << 20, 0);
    for (size_t i = 0; i < N_CODECS; i++) {
        for (int v = 0; v < 2; v++) {
            encode_fixture(&codecs[i], &b);
            assert_int_equal(hc_buf_append_byte(&b, v ? 0xff : 0), HC_OK);
            assert_int_equal(decode_exact(&codecs[i], &x, b.data, b.len),
                             HC_ERR_CORRUPT);
        }
    }
    hc_buf_free(&b);
}

/* ---- invalid field values */

static size_t put_u32_at(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return 4;
}

static uint32_t get_u32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* Mint layout: version 1, id 16, three hashes 96, creator 20, royalty 2,
 * state 1, client (4+n), idem (4+n), 3×u64, has_tx 1, signer 20, nonce 8,
 * tx hash 32, block 8, gas 8, fee 32, chain owner 20, reason (4+n). */
#define MINT_ROYALTY 133
#define MINT_STATE   135
#define MINT_CLIENT  136

static void test_mint_invalid(void **state)
{
    (void)state;
    hc_mint m, d;
    hc_buf b;
    hc_buf_init(&b, 1 << 16, 0);
    make_mint(&m);
    assert_int_equal(hc_mint_encode(&b, &m), HC_OK);
    uint8_t *e = b.data;
    size_t clen = strlen(m.client), ilen = strlen(m.idem_key);
    size_t idem = MINT_CLIENT + 4 + clen;
    size_t has_tx = idem + 4 + ilen + 24;
    size_t reason = b.len - 4 - strlen(m.reason);
    assert_int_equal(e[MINT_STATE], HC_MINT_CONFLICT);
    assert_int_equal(get_u32_at(e + MINT_CLIENT), clen);
    assert_int_equal(get_u32_at(e + idem), ilen);
    assert_int_equal(e[has_tx], 1);
    assert_int_equal(get_u32_at(e + reason), strlen(m.reason));

    static const uint8_t bad_states[] = {0, HC_MINT_STATE_END, 0x80, 0xff};
    for (size_t i = 0; i < sizeof bad_states; i++) {
        e[MINT_STATE] = bad_states[i];
        assert_int_equal(hc_mint_decode(&d, e, b.len), HC_ERR_CORRUPT);
    }
    for (uint8_t s = HC_MINT_QUEUED; s < HC_MINT_STATE_END; s++) {
        e[MINT_STATE] = s;
        assert_int_equal(hc_mint_decode(&d, e, b.len), HC_OK);
        assert_int_equal(d.state, s);
    }
    /* royalty: 10000 is the most */
    e[MINT_ROYALTY] = 10001 >> 8;
    e[MINT_ROYALTY + 1] = 10001 & 0xff;
    assert_int_equal(hc_mint_decode(&d, e, b.len), HC_ERR_CORRUPT);
    e[MINT_ROYALTY] = e[MINT_ROYALTY + 1] = 0xff;
    assert_int_equal(hc_mint_decode(&d, e, b.len), HC_ERR_CORRUPT);
    e[MINT_ROYALTY] = 10000 >> 8;
    e[MINT_ROYALTY + 1] = 10000 & 0xff;
    assert_int_equal(hc_mint_decode(&d, e, b.len), HC_OK);
    /* has_tx is a bool */
    e[has_tx] = 2;
    assert_int_equal(hc_mint_decode(&d, e, b.len), HC_ERR_CORRUPT);
    e[has_tx] = 0;
    assert_int_equal(hc_mint_decode(&d, e, b.len), HC_OK);
    e[has_tx] = 1;
    /* NUL inside each string */
    e[MINT_CLIENT + 4 + 2] = 0;
    assert_int_equal(hc_mint_decode(&d, e, b.len), HC_ERR_CORRUPT);
    e[MINT_CLIENT + 4 + 2] = (uint8_t)m.client[2];
    e[idem + 4 + ilen - 1] = 0; /* a trailing NUL too */
    assert_int_equal(hc_mint_decode(&d, e, b.len), HC_ERR_CORRUPT);
    e[idem + 4 + ilen - 1] = (uint8_t)m.idem_key[ilen - 1];
    e[reason + 4] = 0;
    assert_int_equal(hc_mint_decode(&d, e, b.len), HC_ERR_CORRUPT);
    e[reason + 4] = (uint8_t)m.reason[0];
    assert_int_equal(hc_mint_decode(&d, e, b.len), HC_OK);
    /* a client name of the maximum length decodes, one byte more does not */
    hc_buf big;
    uint8_t s[HC_CLIENT_MAX + 1];
    memset(s, 'c', sizeof s);
    hc_buf_init(&big, 1 << 16, 0);
    for (size_t cl = HC_CLIENT_MAX; cl <= HC_CLIENT_MAX + 1; cl++) {
        hc_buf_reset(&big);
        assert_int_equal(hc_wr_fixed(&big, e, MINT_CLIENT), HC_OK);
        assert_int_equal(hc_wr_bytes(&big, s, cl), HC_OK);
        assert_int_equal(hc_wr_fixed(&big, e + idem, b.len - idem), HC_OK);
        assert_int_equal(hc_mint_decode(&d, big.data, big.len),
                         cl == HC_CLIENT_MAX ? HC_OK : HC_ERR_CORRUPT);
    }
    hc_buf_free(&big);
    /* a string length running past the input */
    put_u32_at(e + reason, (uint32_t)strlen(m.reason) + 1);
    assert_int_equal(hc_mint_decode(&d, e, b.len), HC_ERR_CORRUPT);
    put_u32_at(e + reason, 0xffffffffu);
    assert_int_equal(hc_mint_decode(&d, e, b.len), HC_ERR_CORRUPT);
    hc_buf_free(&b);
}

/* Token layout: version 1, id 32, mint id 16, creator 20, owner 20,
 * metadata hash 32, royalty 2 (at 121), burned 1 (at 123), … */
static void test_token_invalid(void **state)
{
    (void)state;
    hc_token t, d;
    hc_buf b;
    hc_buf_init(&b, 4096, 0);
    make_token(&t);
    assert_int_equal(hc_token_encode(&b, &t), HC_OK);
    uint8_t *e = b.data;
    assert_int_equal(e[121] << 8 | e[122], 250);
    assert_int_equal(e[123], 1);
    e[123] = 2;
    assert_int_equal(hc_token_decode(&d, e, b.len), HC_ERR_CORRUPT);
    e[123] = 0xff;
    assert_int_equal(hc_token_decode(&d, e, b.len), HC_ERR_CORRUPT);
    e[123] = 0;
    assert_int_equal(hc_token_decode(&d, e, b.len), HC_OK);
    assert_int_equal(d.burned, 0);
    e[121] = 10001 >> 8;
    e[122] = 10001 & 0xff;
    assert_int_equal(hc_token_decode(&d, e, b.len), HC_ERR_CORRUPT);
    e[122]--;
    assert_int_equal(hc_token_decode(&d, e, b.len), HC_OK);
    assert_int_equal(d.royalty_bps, 10000);
    hc_buf_free(&b);
}

/* Sent layout: version 1, signer 20, nonce 8, hash 32, raw (4+n), sent 8,
 * fees 64, mint ids (4 + 16k). */
static void test_sent_invalid(void **state)
{
    (void)state;
    hc_sent_tx s, d;
    any_rec x;
    hc_buf b;
    hc_buf_init(&b, 1 << 20, 0);
    make_sent(&s);
    assert_int_equal(hc_sent_encode(&b, &s), HC_OK);
    size_t ids = b.len - 4 - 48;
    assert_int_equal(get_u32_at(b.data + ids), 48);
    /* mint ids of 47, 33, 17, 1 bytes (dropping the rest of the input) */
    static const uint32_t lens[] = {47, 33, 17, 1};
    for (size_t i = 0; i < 4; i++) {
        put_u32_at(b.data + ids, lens[i]);
        assert_int_equal(
            decode_exact(&codecs[3], &x, b.data, ids + 4 + lens[i]),
            HC_ERR_CORRUPT);
    }
    put_u32_at(b.data + ids, 32);
    assert_int_equal(hc_sent_decode(&d, b.data, ids + 4 + 32), HC_OK);
    assert_int_equal(d.n_mints, 2);
    put_u32_at(b.data + ids, 0);
    assert_int_equal(hc_sent_decode(&d, b.data, ids + 4), HC_OK);
    assert_int_equal(d.n_mints, 0);
    /* raw length past the input */
    put_u32_at(b.data + ids, 48);
    put_u32_at(b.data + 61, 0x7fffffffu);
    assert_int_equal(hc_sent_decode(&d, b.data, b.len), HC_ERR_CORRUPT);
    put_u32_at(b.data + 61, sizeof sent_raw);
    assert_int_equal(hc_sent_decode(&d, b.data, b.len), HC_OK);
    hc_buf_free(&b);
}

/* Outbox layout: version 1, seq 8, client (4+n), mint id 16, attempts 4,
 * next 8, payload (4+n). */
static void test_outbox_invalid(void **state)
{
    (void)state;
    hc_outbox_item o, d;
    hc_buf b;
    hc_buf_init(&b, 1 << 20, 0);
    make_outbox(&o);
    assert_int_equal(hc_outbox_encode(&b, &o), HC_OK);
    assert_int_equal(get_u32_at(b.data + 9), strlen(o.client));
    b.data[13] = 0; /* NUL at the start of the client */
    assert_int_equal(hc_outbox_decode(&d, b.data, b.len), HC_ERR_CORRUPT);
    b.data[13] = (uint8_t)o.client[0];
    assert_int_equal(hc_outbox_decode(&d, b.data, b.len), HC_OK);
    /* payloads may hold any byte (NULs included) */
    memset(outbox_payload, 0, 10);
    hc_buf_reset(&b);
    assert_int_equal(hc_outbox_encode(&b, &o), HC_OK);
    assert_int_equal(hc_outbox_decode(&d, b.data, b.len), HC_OK);
    /* a client name longer than the maximum */
    put_u32_at(b.data + 9, HC_CLIENT_MAX + 1);
    assert_int_equal(hc_outbox_decode(&d, b.data, b.len), HC_ERR_CORRUPT);
    hc_buf_free(&b);
}

/* Client layout: version 1, name (4+n), key id 8, key hash 32, roles 4,
 * rate 4, burst 4, disabled 1, created 8, url (4+n). */
static void test_client_invalid(void **state)
{
    (void)state;
    hc_client c, d;
    hc_buf b;
    hc_buf_init(&b, 8192, 0);
    make_client(&c);
    assert_int_equal(hc_client_encode(&b, &c), HC_OK);
    size_t n = strlen(c.name);
    size_t roles = 1 + 4 + n + HC_KEY_ID_LEN + 32, dis = roles + 12;
    size_t url = dis + 1 + 8;
    uint8_t *e = b.data;
    assert_int_equal(get_u32_at(e + roles), 7);
    assert_int_equal(e[dis], 1);
    assert_int_equal(get_u32_at(e + url), strlen(c.webhook_url));
    static const uint32_t bad_roles[] = {8, 15, 0x100, 0x80000000u};
    for (size_t i = 0; i < 4; i++) {
        put_u32_at(e + roles, bad_roles[i]);
        assert_int_equal(hc_client_decode(&d, e, b.len), HC_ERR_CORRUPT);
    }
    put_u32_at(e + roles, 0);
    assert_int_equal(hc_client_decode(&d, e, b.len), HC_OK);
    put_u32_at(e + roles, 7);
    e[dis] = 2;
    assert_int_equal(hc_client_decode(&d, e, b.len), HC_ERR_CORRUPT);
    e[dis] = 0;
    assert_int_equal(hc_client_decode(&d, e, b.len), HC_OK);
    /* NUL in the name, in the URL */
    e[5 + 3] = 0;
    assert_int_equal(hc_client_decode(&d, e, b.len), HC_ERR_CORRUPT);
    e[5 + 3] = (uint8_t)c.name[3];
    e[b.len - 1] = 0;
    assert_int_equal(hc_client_decode(&d, e, b.len), HC_ERR_CORRUPT);
    e[b.len - 1] = (uint8_t)c.webhook_url[strlen(c.webhook_url) - 1];
    assert_int_equal(hc_client_decode(&d, e, b.len), HC_OK);
    /* an empty name */
    strcpy(c.name, "x");
    hc_buf_reset(&b);
    assert_int_equal(hc_client_encode(&b, &c), HC_OK);
    put_u32_at(b.data + 1, 0);
    memmove(b.data + 5, b.data + 6, b.len - 6);
    assert_int_equal(hc_client_decode(&d, b.data, b.len - 1), HC_ERR_CORRUPT);
    hc_buf_free(&b);
}

/* The encoders refuse what the decoders would reject. */
static void test_encode_refuses(void **state)
{
    (void)state;
    hc_buf b;
    hc_mint m;
    hc_token t;
    hc_client c;
    hc_sent_tx s;
    hc_outbox_item o;
    hc_buf_init(&b, 8 << 20, 0);
#define REFUSED(call)                                                          \
    do {                                                                       \
        hc_buf_reset(&b);                                                      \
        assert_int_equal((call), HC_ERR_ARG);                                  \
    } while (0)
    make_mint(&m);
    m.state = 0;
    REFUSED(hc_mint_encode(&b, &m));
    m.state = HC_MINT_STATE_END;
    REFUSED(hc_mint_encode(&b, &m));
    make_mint(&m);
    m.has_tx = 2;
    REFUSED(hc_mint_encode(&b, &m));
    make_mint(&m);
    m.royalty_bps = 10001;
    REFUSED(hc_mint_encode(&b, &m));
    make_mint(&m);
    memset(m.client, 'x', sizeof m.client); /* no NUL within the maximum */
    REFUSED(hc_mint_encode(&b, &m));
    make_mint(&m);
    memset(m.reason, 'x', sizeof m.reason);
    REFUSED(hc_mint_encode(&b, &m));

    make_token(&t);
    t.burned = 2;
    REFUSED(hc_token_encode(&b, &t));
    make_token(&t);
    t.royalty_bps = 10001;
    REFUSED(hc_token_encode(&b, &t));

    make_client(&c);
    c.name[0] = 0;
    REFUSED(hc_client_encode(&b, &c));
    make_client(&c);
    c.roles = 8;
    REFUSED(hc_client_encode(&b, &c));
    make_client(&c);
    c.disabled = 2;
    REFUSED(hc_client_encode(&b, &c));
    make_client(&c);
    memset(c.webhook_url, 'u', sizeof c.webhook_url);
    REFUSED(hc_client_encode(&b, &c));

    make_sent(&s);
    s.raw_len = (4u << 20) + 1; /* refused before the bytes are read */
    REFUSED(hc_sent_encode(&b, &s));
    make_sent(&s);
    s.n_mints = 65537;
    REFUSED(hc_sent_encode(&b, &s));
    make_outbox(&o);
    o.payload_len = (1u << 20) + 1;
    REFUSED(hc_outbox_encode(&b, &o));
#undef REFUSED
    hc_buf_free(&b);
}

/* ---- index keys and names */

static void test_index_keys(void **state)
{
    (void)state;
    uint8_t k[HC_CLIENT_MAX + 1 + HC_IDEM_MAX];
    size_t n = hc_idem_key(k, "gangnam-gu", "abc");
    assert_int_equal(n, 10 + 1 + 3);
    assert_memory_equal(k, "gangnam-gu\0abc", n);
    /* the NUL separator keeps ("ab", "c") and ("a", "bc") apart */
    uint8_t k2[HC_CLIENT_MAX + 1 + HC_IDEM_MAX];
    size_t n1 = hc_idem_key(k, "ab", "c"), n2 = hc_idem_key(k2, "a", "bc");
    assert_int_equal(n1, n2);
    assert_memory_not_equal(k, k2, n1);

    hc_address a;
    uint8_t id[32], mid[16], tk[HC_TOKEN_KEY_LEN], ok[HC_OWNER_KEY_LEN], sk[60],
        h[32];
    fill(a.b, 20, 1);
    fill(id, 32, 2);
    fill(h, 32, 3);
    fill(mid, 16, 4);
    hc_token_key(tk, mid, id);
    assert_int_equal(sizeof tk, 48);
    assert_memory_equal(tk, mid, 16);
    assert_memory_equal(tk + 16, id, 32);
    hc_owner_key(ok, &a, mid, id);
    assert_int_equal(sizeof ok, 68);
    assert_memory_equal(ok, a.b, 20);
    assert_memory_equal(ok + 20, tk, 48);
    hc_sent_key(sk, &a, 0x0102030405060708ull, h);
    assert_memory_equal(sk, a.b, 20);
    static const uint8_t be[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_memory_equal(sk + 20, be, 8);
    assert_memory_equal(sk + 28, h, 32);

    assert_string_equal(hc_mint_state_name(HC_MINT_QUEUED), "queued");
    assert_string_equal(hc_mint_state_name(HC_MINT_FAILED), "failed");
    assert_string_equal(hc_mint_state_name(0), "unknown");
    assert_string_equal(hc_mint_state_name(HC_MINT_STATE_END), "unknown");
    assert_string_equal(hc_mint_state_name(-1), "unknown");
    assert_false(hc_mint_state_terminal(HC_MINT_QUEUED));
    assert_false(hc_mint_state_terminal(HC_MINT_SUBMITTED));
    assert_true(hc_mint_state_terminal(HC_MINT_CONFIRMED));
    assert_true(hc_mint_state_terminal(HC_MINT_CONFLICT));
    assert_true(hc_mint_state_terminal(HC_MINT_FAILED));
}

/* ---- fuzz: random and mutated inputs; anything that decodes must
 * re-encode to the very same bytes (the decoders are strict, so there is
 * exactly one encoding of each record) */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void check_canonical(const codec *c, const uint8_t *p, size_t len,
                            hc_buf *re)
{
    any_rec x;
    hc_err err = decode_exact(c, &x, p, len);
    if (err) {
        assert_true(err == HC_ERR_CORRUPT || err == HC_ERR_VERSION);
        return;
    }
    hc_buf_reset(re);
    /* pointers into p stay valid: p is the caller's buffer, not the copy */
    err = c->dec(&x, p, len);
    assert_int_equal(err, HC_OK);
    assert_int_equal(c->enc(re, &x), HC_OK);
    if (re->len != len || memcmp(re->data, p, len) != 0)
        fail_msg("%s: a decoded record re-encodes differently", c->name);
}

static void test_fuzz(void **state)
{
    (void)state;
    hc_buf valid, in, re;
    hc_buf_init(&valid, 1 << 20, 0);
    hc_buf_init(&in, 1 << 20, 0);
    hc_buf_init(&re, 8 << 20, 0);
    for (size_t ci = 0; ci < N_CODECS; ci++) {
        const codec *c = &codecs[ci];
        encode_fixture(c, &valid);
        for (int it = 0; it < 4000; it++) {
            hc_buf_reset(&in);
            uint32_t mode = rnd() % 4;
            if (mode == 0) {
                /* random bytes, usually with a good version byte */
                size_t len = rnd() % (valid.len + 64);
                for (size_t i = 0; i < len; i++)
                    assert_int_equal(hc_buf_append_byte(&in, (uint8_t)rnd()),
                                     HC_OK);
                if (len && rnd() % 4)
                    in.data[0] = 1;
            } else {
                assert_int_equal(hc_buf_append(&in, valid.data, valid.len),
                                 HC_OK);
                /* flip 1..4 bytes, set some to 0 / 0xff, then maybe cut or
                 * extend */
                int flips = 1 + (int)(rnd() % 4);
                for (int f = 0; f < flips; f++) {
                    size_t at = rnd() % in.len;
                    switch (rnd() % 3) {
                    case 0:
                        in.data[at] ^= (uint8_t)(1u << (rnd() % 8));
                        break;
                    case 1:
                        in.data[at] = 0;
                        break;
                    default:
                        in.data[at] = 0xff;
                    }
                }
                if (mode == 2)
                    in.len = rnd() % (in.len + 1);
                else if (mode == 3 && rnd() % 2)
                    assert_int_equal(hc_buf_append_byte(&in, (uint8_t)rnd()),
                                     HC_OK);
            }
            check_canonical(c, in.data, in.len, &re);
        }
        /* all-zero and all-0xff inputs of every length up to the valid one */
        for (size_t len = 0; len <= valid.len + 8; len++) {
            for (int v = 0; v < 3; v++) {
                hc_buf_reset(&in);
                for (size_t i = 0; i < len; i++)
                    assert_int_equal(hc_buf_append_byte(&in, v == 0   ? 0
                                                             : v == 1 ? 0xff
                                                                      : 1),
                                     HC_OK);
                check_canonical(c, in.data, in.len, &re);
            }
        }
    }
    hc_buf_free(&valid);
    hc_buf_free(&in);
    hc_buf_free(&re);
}

/* Mint ids sort by their time (48 bits, big-endian), then are random. */
static void test_mint_id(void **state)
{
    (void)state;
    uint8_t a[16], b[16], c[16];
    uint64_t t = 1795617846173ull; /* 2026-11-25, ms */
    hc_mint_id_new(a, t);
    hc_mint_id_new(b, t);
    hc_mint_id_new(c, t + 1);
    static const uint8_t be[6] = {0x01, 0xa2, 0x13, 0x29, 0xf3, 0x9d};
    assert_memory_equal(a, be, 6);
    assert_memory_equal(b, be, 6);
    assert_memory_not_equal(a + 6, b + 6, 10); /* 80 random bits */
    assert_true(memcmp(a, c, 16) < 0 && memcmp(b, c, 16) < 0);
    /* the order holds across byte boundaries, and over the years */
    hc_mint_id_new(a, 0xffff);
    hc_mint_id_new(b, 0x10000);
    assert_true(memcmp(a, b, 16) < 0);
    hc_mint_id_new(a, t);
    hc_mint_id_new(b, t + 100ull * 365 * 86400 * 1000);
    assert_true(memcmp(a, b, 16) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mint_round_trip),
        cmocka_unit_test(test_token_round_trip),
        cmocka_unit_test(test_nonce_round_trip),
        cmocka_unit_test(test_sent_round_trip),
        cmocka_unit_test(test_outbox_round_trip),
        cmocka_unit_test(test_client_round_trip),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_mint_invalid),
        cmocka_unit_test(test_token_invalid),
        cmocka_unit_test(test_sent_invalid),
        cmocka_unit_test(test_outbox_invalid),
        cmocka_unit_test(test_client_invalid),
        cmocka_unit_test(test_encode_refuses),
        cmocka_unit_test(test_index_keys),
        cmocka_unit_test(test_mint_id),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
