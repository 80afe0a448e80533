/* seed_tokens — writes minted tokens into a ledger for the api_*.sh tests,
 * standing in for the chain pipeline (not built yet).
 *
 *   seed_tokens DIR OWNER N [TAG]
 *
 * Opens the ledger in DIR as its writer (haechid must be stopped) and writes,
 * in one group commit, N confirmed mints with their tokens owned by OWNER
 * (an address): token i's id is SHA-256("TAG/OWNER/i"), its creator OWNER,
 * block 1000 + i, tx hash SHA-256 of the token id. Mint i's id is a new
 * mint id (hc_mint_id_new) whose bytes 6..9 are i, big-endian: the mints
 * sort in the order written, as accepted mints do. Prints the token ids, one
 * per line ("0x" + 64 hex digits), in the order written.
 * Exit 0 done, 1 failed, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "haechi/hex.h"
#include "haechi/ledger.h"
#include "haechi/records.h"
#include "haechi/sha256.h"

struct seed {
    const hc_address *owner;
    const char *tag;
    const char *owner_s;
    unsigned long n;
    uint8_t (*ids)[32];
};

static hc_err seed_fn(hc_ltx *tx, void *arg)
{
    const struct seed *s = arg;
    uint64_t now = hc_ltx_now(tx);
    for (unsigned long i = 0; i < s->n; i++) {
        char text[200];
        int len =
            snprintf(text, sizeof text, "%s/%s/%lu", s->tag, s->owner_s, i);
        hc_mint m;
        hc_token t;
        memset(&m, 0, sizeof m);
        memset(&t, 0, sizeof t);
        hc_err err = hc_sha256(m.content_hash, text, (size_t)len);
        if (!err)
            err = hc_sha256(m.tx_hash, m.content_hash, 32);
        if (!err)
            err = hc_sha256(m.metadata_hash, m.tx_hash, 32);
        if (err)
            return err;
        memcpy(s->ids[i], m.content_hash, 32);
        hc_mint_id_new(m.id, now);
        for (int b = 0; b < 4; b++)
            m.id[6 + b] = (uint8_t)(i >> (24 - 8 * b));
        memcpy(m.request_hash, m.metadata_hash, 32);
        m.creator = *s->owner;
        m.state = HC_MINT_CONFIRMED;
        snprintf(m.client, sizeof m.client, "seed");
        m.created_ms = m.updated_ms = now;
        m.has_tx = 1;
        m.block = 1000 + i;
        m.gas_used = 50000;
        m.content_size = (uint64_t)len;
        err = hc_ltx_mint_put(tx, &m, HC_J_RECEIPT);
        memcpy(t.id, m.content_hash, 32);
        memcpy(t.mint_id, m.id, 16);
        t.creator = t.owner = *s->owner;
        memcpy(t.metadata_hash, m.metadata_hash, 32);
        t.block = m.block;
        memcpy(t.tx_hash, m.tx_hash, 32);
        t.minted_ms = now;
        if (!err)
            err = hc_ltx_token_put(tx, &t, HC_J_TOKEN);
        if (err)
            return err;
    }
    return HC_OK;
}

int main(int argc, char **argv)
{
    hc_address owner;
    char *end;
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: seed_tokens DIR OWNER N [TAG]\n");
        return 2;
    }
    unsigned long n = strtoul(argv[3], &end, 10);
    if (*end || n == 0 || n > 100000 || hc_address_parse(&owner, argv[2])) {
        fprintf(stderr, "seed_tokens: bad OWNER or N\n");
        return 2;
    }
    struct seed s = {&owner, argc > 4 ? argv[4] : "seed", argv[2], n,
                     calloc(n, 32)};
    if (!s.ids)
        return 1;
    hc_ledger *l;
    hc_err err = hc_ledger_open(&l, argv[1], NULL);
    if (!err) {
        err = hc_ledger_write(l, seed_fn, &s);
        hc_ledger_close(l);
    }
    if (err) {
        fprintf(stderr, "seed_tokens: %s: %s\n", argv[1], hc_strerror(err));
        free(s.ids);
        return 1;
    }
    for (unsigned long i = 0; i < n; i++) {
        char h[67];
        puts(hc_hex_encode(h, s.ids[i], 32, 1));
    }
    free(s.ids);
    return 0;
}
