/* The Transfer follower (see follow.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "haechi/codec.h"
#include "haechi/follow.h"
#include "haechi/keccak.h"
#include "haechi/nft.h"
#include "haechi/records.h"

/* One Transfer to apply, in chain order. */
struct xfer {
    uint8_t token_id[32];
    hc_address to;
    uint64_t block, log_index;
    size_t seq; /* position in the node's answer, for a stable sort */
};

struct follow_write {
    const uint8_t *key;
    int stored; /* the cursor existed when the step began */
    uint64_t from, to;
    const struct xfer *x;
    size_t n;
};

static const hc_address zero_address;

void hc_follow_key(uint8_t out[HC_FOLLOW_KEY_LEN], const hc_address *contract)
{
    memcpy(out, HC_FOLLOW_KEY_PREFIX, 7);
    memcpy(out + 7, contract->b, 20);
}

hc_err hc_follow_cursor(hc_ledger *l, const hc_address *contract,
                        uint64_t *block)
{
    uint8_t key[HC_FOLLOW_KEY_LEN];
    hc_buf b;
    if (!l || !contract || !block)
        return HC_ERR_ARG;
    hc_follow_key(key, contract);
    hc_buf_init(&b, 64, 0);
    hc_err err = hc_ledger_get(l, HC_LDB_KV, key, sizeof key, &b);
    if (!err && b.len != 8)
        err = HC_ERR_CORRUPT;
    if (!err)
        *block = hc_be64_get(b.data);
    hc_buf_free(&b);
    return err;
}

static int icontains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return 1;
    return 0;
}

/* Does the node refuse the range as too large (rather than fail)? The
 * phrases of geth ("query returned more than 10000 results", "exceed
 * maximum block range"), Infura, Alchemy ("Log response size exceeded"),
 * QuickNode, Ankr ("block range is too wide"), besu, nethermind ("too many
 * logs") and others; rate limits are not range errors. */
static int range_refused(hc_err err, const hc_rpc_status *st)
{
    static const char *const phrases[] = {
        "range",         "more than", "too many", "too large", "too big",
        "response size", "results",   "exceed",   "limit",
    };
    if (err == HC_ERR_BUFFER)
        return 1; /* more logs than we accept */
    if (err == HC_ERR_RPC_MALFORMED)
        return icontains(st->message, "too large"); /* max_response */
    if (err != HC_ERR_RPC)
        return 0;
    if (icontains(st->message, "rate limit") ||
        icontains(st->message, "too many requests") ||
        icontains(st->message, "request rate") ||
        icontains(st->message, "request count"))
        return 0;
    for (size_t i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if (icontains(st->message, phrases[i]))
            return 1;
    return 0;
}

static hc_err implausible(hc_rpc_status *st, const char *what)
{
    st->cls = HC_RPC_MALFORMED;
    snprintf(st->message, sizeof st->message, "eth_getLogs: %s", what);
    return HC_ERR_RPC_MALFORMED;
}

static int xfer_cmp(const void *a, const void *b)
{
    const struct xfer *x = a, *y = b;
    if (x->block != y->block)
        return x->block < y->block ? -1 : 1;
    if (x->log_index != y->log_index)
        return x->log_index < y->log_index ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The node's logs as transfers, checked and sorted; *out is allocated. */
static hc_err collect(const hc_log *logs, size_t n, const hc_address *contract,
                      uint64_t from, uint64_t to, struct xfer **out,
                      size_t *nout, hc_rpc_status *st)
{
    *out = NULL;
    *nout = 0;
    if (n == 0)
        return HC_OK;
    struct xfer *x = calloc(n, sizeof *x);
    if (!x)
        return HC_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const hc_log *g = &logs[i];
        hc_nft_event ev;
        if (g->removed)
            continue;
        if (memcmp(g->address.b, contract->b, 20) != 0) {
            free(x);
            return implausible(st, "a log of another contract");
        }
        if (g->block_number <= from || g->block_number > to) {
            free(x);
            return implausible(st, "a log outside the requested blocks");
        }
        if (hc_nft_decode_event(g, &ev) != HC_OK) {
            free(x);
            return implausible(st, "a malformed Transfer log");
        }
        if (ev.kind != HC_NFT_EVENT_TRANSFER)
            continue; /* an ERC-20 style Transfer: not ours */
        memcpy(x[k].token_id, ev.token_id, 32);
        x[k].to = ev.to;
        x[k].block = g->block_number;
        x[k].log_index = g->log_index;
        x[k].seq = i;
        k++;
    }
    qsort(x, k, sizeof *x, xfer_cmp);
    *out = x;
    *nout = k;
    return HC_OK;
}

static hc_err apply_one(hc_ltx *tx, const struct xfer *x)
{
    hc_token t;
    hc_err err = hc_ltx_token_get(tx, x->token_id, &t);
    if (err == HC_ERR_NOT_FOUND)
        return HC_OK; /* not one of ours */
    if (err)
        return err;
    int burn = memcmp(x->to.b, zero_address.b, 20) == 0;
    if (burn ? t.burned && !memcmp(t.owner.b, zero_address.b, 20)
             : !t.burned && !memcmp(t.owner.b, x->to.b, 20))
        return HC_OK; /* already so (a mint, or a step applied again) */
    t.burned = (uint8_t)burn;
    t.owner = x->to;
    return hc_ltx_token_put(tx, &t, HC_J_OWNER_CHANGED);
}

static hc_err follow_write_fn(hc_ltx *tx, void *arg)
{
    const struct follow_write *w = arg;
    const uint8_t *p;
    size_t len;
    uint8_t be[8];
    /* the cursor must be where the step found it */
    hc_err err = hc_ltx_get(tx, HC_LDB_KV, w->key, HC_FOLLOW_KEY_LEN, &p, &len);
    if (err == HC_ERR_NOT_FOUND) {
        if (w->stored)
            return HC_ERR_CONFLICT;
    } else if (err) {
        return err;
    } else if (!w->stored) {
        return HC_ERR_CONFLICT;
    } else if (len != 8) {
        return HC_ERR_CORRUPT;
    } else if (hc_be64_get(p) != w->from) {
        return HC_ERR_CONFLICT;
    }
    for (size_t i = 0; i < w->n; i++)
        if ((err = apply_one(tx, &w->x[i])))
            return err;
    hc_be64_put(be, w->to);
    return hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, w->key, HC_FOLLOW_KEY_LEN, be,
                      sizeof be);
}

hc_err hc_follow_step(hc_ledger *l, hc_rpc *rpc, const hc_address *contract,
                      uint64_t start, uint64_t upto, unsigned max_blocks,
                      uint64_t *done_to, hc_rpc_status *st)
{
    hc_rpc_status own;
    uint8_t key[HC_FOLLOW_KEY_LEN];
    uint64_t cursor;
    int stored = 1;
    if (!st)
        st = &own;
    memset(st, 0, sizeof *st);
    if (!l || !rpc || !contract || !done_to)
        return HC_ERR_ARG;
    hc_err err = hc_follow_cursor(l, contract, &cursor);
    if (err == HC_ERR_NOT_FOUND) {
        stored = 0;
        cursor = start;
    } else if (err) {
        return err;
    }
    *done_to = cursor;
    hc_follow_key(key, contract);
    struct follow_write w = {key, stored, cursor, cursor, NULL, 0};
    if (cursor >= upto) {
        /* nothing to read; a fresh cursor is pinned at start */
        if (stored)
            return HC_OK;
        return hc_ledger_write(l, follow_write_fn, &w);
    }

    uint64_t span = max_blocks ? max_blocks : HC_FOLLOW_BLOCKS;
    uint64_t to = upto - cursor > span ? cursor + span : upto;
    uint8_t topic[32];
    char fb[19], tb[19];
    hc_log *logs = NULL;
    size_t n = 0;
    hc_keccak256(topic, HC_NFT_EV_TRANSFER, strlen(HC_NFT_EV_TRANSFER));
    for (;;) {
        hc_log_filter f = {0};
        f.address = contract;
        f.from_block = hc_rpc_block_tag(fb, cursor + 1);
        f.to_block = hc_rpc_block_tag(tb, to);
        f.topics[0] = topic;
        f.ntopics = 1;
        err = hc_rpc_get_logs(rpc, &f, HC_FOLLOW_MAX_LOGS, &logs, &n, st);
        if (!err || to - cursor <= 1 || !range_refused(err, st))
            break;
        to = cursor + (to - cursor) / 2;
    }
    if (err)
        return err;

    struct xfer *x = NULL;
    size_t nx = 0;
    err = collect(logs, n, contract, cursor, to, &x, &nx, st);
    hc_logs_free(logs, n);
    if (err)
        return err;
    w.to = to;
    w.x = x;
    w.n = nx;
    err = hc_ledger_write(l, follow_write_fn, &w);
    free(x);
    if (!err)
        *done_to = to;
    return err;
}
