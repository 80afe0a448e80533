/* follow_step — drives hc_follow_step (follow.h) for follow_transfers.sh.
 *
 *   follow_step seed DIR OWNER BLOCK ID…
 *       writes, in one commit, a confirmed mint and its token for each ID
 *       (0x + 64 hex digits), creator and owner OWNER, mint block BLOCK.
 *   follow_step run DIR RPC CONTRACT START MAX_BLOCKS [CONFIRMATIONS]
 *       steps until the head (minus CONFIRMATIONS, default 0), printing
 *       each step ("step FROM TO") to stderr, then the state (see show).
 *   follow_step show DIR CONTRACT
 *       prints "cursor N" (or "cursor none"), "journal SEQ", and per token
 *       "0xID owner 0xADDR" or "0xID burned".
 *
 * Opens the ledger in DIR as its writer (haechid must be stopped).
 * Exit 0 done, 1 failed, 2 usage. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/follow.h"
#include "haechi/hex.h"
#include "haechi/ledger.h"
#include "haechi/records.h"
#include "haechi/rpc.h"

struct seed {
    const hc_address *owner;
    uint64_t block;
    uint8_t (*ids)[32];
    size_t n;
};

static hc_err seed_fn(hc_ltx *tx, void *arg)
{
    const struct seed *s = arg;
    uint64_t now = hc_ltx_now(tx);
    for (size_t i = 0; i < s->n; i++) {
        hc_mint m;
        hc_token t;
        memset(&m, 0, sizeof m);
        memset(&t, 0, sizeof t);
        memcpy(m.content_hash, s->ids[i], 32);
        memcpy(m.id, s->ids[i] + 16, 16);
        m.creator = *s->owner;
        m.state = HC_MINT_CONFIRMED;
        snprintf(m.client, sizeof m.client, "seed");
        m.created_ms = m.updated_ms = now;
        m.block = s->block;
        hc_err err = hc_ltx_mint_put(tx, &m, HC_J_RECEIPT);
        memcpy(t.id, m.content_hash, 32);
        memcpy(t.mint_id, m.id, 16);
        t.creator = t.owner = *s->owner;
        t.block = s->block;
        t.minted_ms = now;
        if (!err)
            err = hc_ltx_token_put(tx, &t, HC_J_TOKEN);
        if (err)
            return err;
    }
    return HC_OK;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-')
        return 0;
    *out = v;
    return 1;
}

static int print_token(void *arg, const uint8_t *key, size_t klen,
                       const uint8_t *val, size_t vlen)
{
    hc_token t;
    char id[67], a[HC_ADDRESS_STR];
    (void)key;
    (void)klen;
    if (hc_token_decode(&t, val, vlen)) {
        *(int *)arg = 1;
        return 1;
    }
    hc_hex_encode(id, t.id, 32, 1);
    if (t.burned)
        printf("%s burned\n", id);
    else
        printf("%s owner %s\n", id, hc_address_to_str(a, &t.owner));
    return 0;
}

static hc_err show(hc_ledger *l, const hc_address *contract)
{
    uint64_t cursor, seq;
    uint8_t h[32];
    int bad = 0;
    hc_err err = hc_follow_cursor(l, contract, &cursor);
    if (err == HC_ERR_NOT_FOUND)
        printf("cursor none\n");
    else if (err)
        return err;
    else
        printf("cursor %" PRIu64 "\n", cursor);
    if ((err = hc_ledger_head(l, &seq, h)))
        return err;
    printf("journal %" PRIu64 "\n", seq);
    err = hc_ledger_scan(l, HC_LDB_TOKENS, NULL, 0, NULL, 0, 0, print_token,
                         &bad);
    return err ? err : bad ? HC_ERR_CORRUPT : HC_OK;
}

static hc_err run(hc_ledger *l, const char *url, const hc_address *contract,
                  uint64_t start, unsigned max_blocks, uint64_t confirmations)
{
    hc_rpc *rpc;
    hc_rpc_status st;
    uint64_t head, done = 0;
    hc_err err = hc_rpc_open(&rpc, url, NULL);
    if (err)
        return err;
    err = hc_rpc_block_number(rpc, &head, &st);
    uint64_t upto = head > confirmations ? head - confirmations : 0;
    for (unsigned steps = 0; !err && steps < 100000; steps++) {
        uint64_t before = done;
        err = hc_follow_step(l, rpc, contract, start, upto, max_blocks, &done,
                             &st);
        if (!err && (steps == 0 || done != before))
            fprintf(stderr, "step %" PRIu64 "\n", done);
        if (!err && done >= upto)
            break;
    }
    if (err && st.message[0])
        fprintf(stderr, "follow_step: node: %s (%s)\n", st.message,
                hc_rpc_class_name(st.cls));
    hc_rpc_close(rpc);
    return err;
}

static int usage(void)
{
    fprintf(stderr, "usage: follow_step seed DIR OWNER BLOCK ID...\n"
                    "       follow_step run DIR RPC CONTRACT START MAX_BLOCKS "
                    "[CONFIRMATIONS]\n"
                    "       follow_step show DIR CONTRACT\n");
    return 2;
}

int main(int argc, char **argv)
{
    hc_address addr;
    uint64_t a, b, c = 0;
    struct seed s = {0};
    if (argc < 4)
        return usage();
    const char *cmd = argv[1], *dir = argv[2];
    int is_seed = !strcmp(cmd, "seed"), is_run = !strcmp(cmd, "run"),
        is_show = !strcmp(cmd, "show");
    if (is_seed) {
        if (argc < 6 || hc_address_parse(&addr, argv[3]) ||
            !parse_u64(argv[4], &a))
            return usage();
        s.owner = &addr;
        s.block = a;
        s.n = (size_t)(argc - 5);
        s.ids = calloc(s.n, 32);
        if (!s.ids)
            return 1;
        for (size_t i = 0; i < s.n; i++)
            if (hc_hex_decode_fixed(s.ids[i], 32, argv[5 + i],
                                    HC_HEX_PREFIX_REQUIRED)) {
                free(s.ids);
                return usage();
            }
    } else if (is_run) {
        if (argc < 7 || argc > 8 || hc_address_parse(&addr, argv[4]) ||
            !parse_u64(argv[5], &a) || !parse_u64(argv[6], &b) || b > 1000000 ||
            (argc == 8 && !parse_u64(argv[7], &c)))
            return usage();
    } else if (is_show) {
        if (argc != 4 || hc_address_parse(&addr, argv[3]))
            return usage();
    } else {
        return usage();
    }
    hc_ledger *l;
    hc_err err = hc_ledger_open(&l, dir, NULL);
    if (!err) {
        if (is_seed)
            err = hc_ledger_write(l, seed_fn, &s);
        else if (is_run)
            err = run(l, argv[3], &addr, a, (unsigned)b, c);
        if (!err && !is_seed)
            err = show(l, &addr);
        hc_ledger_close(l);
    }
    free(s.ids);
    if (err) {
        fprintf(stderr, "follow_step %s: %s: %s\n", cmd, dir, hc_strerror(err));
        return 1;
    }
    return 0;
}
