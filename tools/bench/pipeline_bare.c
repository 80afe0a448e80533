/* bench_pipeline_bare — the reference loop of tools/bench/pipeline: what a
 * minimal minting script with no ledger and no HTTP does with the same
 * contract and the same mintBatch transactions.
 *
 * COUNT unique tokens (content hash = SHA-256 of "bare RUN_NONCE i",
 * metadata hash = SHA-256 of "bare metadata RUN_NONCE i", ROYALTY bps, the
 * owners OWNERS addresses derived from the nonce, round robin) go out in
 * mintBatch transactions of BATCH tokens (the last one may be smaller), as
 * EIP-1559 transactions from the key in the environment variable KEY_ENV
 * (read, then removed from the environment), with:
 *   - consecutive nonces from eth_getTransactionCount(pending),
 *   - one fixed gas limit: 1.5 × eth_estimateGas of the first batch (no
 *     later batch has more tokens, nor more owners that hold none yet),
 *   - fees from the latest block: max fee 2 × base fee + priority fee
 *     (eth_maxPriorityFeePerGas, 1 gwei if the node lacks it),
 * all fetched before the clock starts. Then, timed: build the calldata,
 * sign and eth_sendRawTransaction each batch in turn on one keep-alive
 * connection, never waiting for a receipt in between (the node's pool
 * orders them by nonce). What ends the clock depends on the mode:
 *
 *   --confirm last (the default): poll eth_getTransactionReceipt of the
 *     last transaction every 2 ms until it is there. Afterwards, untimed,
 *     every receipt is fetched and checked (below); how long that took is
 *     printed too (check_seconds).
 *   --confirm each: a second thread, on a connection of its own, reads the
 *     receipts in nonce order while the transactions go out, each as soon
 *     as it is there (polled every 2 ms), and checks it; the clock stops
 *     when the last one is checked. What a script does that counts a token
 *     only once it has seen it minted, as haechid does. If no receipt comes
 *     for 20 s it prints "STALLED nonce=…" and exits 3: anvil 1.7.1 has
 *     been seen to leave a transaction in its pool, queued at the account's
 *     own nonce and never mined, with every later one behind it, when
 *     receipts were read while sending (twice within a dozen runs at batch
 *     size 1); a replacement at that nonce with higher fees lets them
 *     through, which this loop does not send.
 *
 * The check: every receipt must have status 1 and one Minted event per
 * token of its batch, from the contract; any failure exits 1. Prints one
 * line
 *   RESULT tokens=… txs=… seconds=… tokens_per_s=… send_seconds=…
 *          estimate_ms=… gas_limit=… gas_used=… blocks=… end_epoch=…
 *          check_seconds=… owners=0x…,0x…
 * (seconds: from the first send to the end of the clock; send_seconds: the
 * time until the last send returned; estimate_ms: how long the one
 * eth_estimateGas took; gas_used: the sum over the receipts; blocks: first
 * to last block holding them; end_epoch: the end of the clock on the wall
 * clock, in seconds since 1970, for a caller that times the program from
 * its launch, setup included; check_seconds: the untimed check, 0 with
 * --confirm each).
 *
 * Usage: bench_pipeline_bare --rpc URL --contract ADDR --key-env VAR
 *                            --count N --batch B [--run-nonce S]
 *                            [--owners K] [--royalty BPS]
 *                            [--confirm last|each]
 */
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "haechi/key.h"
#include "haechi/nft.h"
#include "haechi/rpc.h"
#include "haechi/sha256.h"
#include "haechi/tx.h"

#define MAX_OWNERS 64
#define MAX_BATCH  1000
#define STALL_S    20

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double epoch(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

_Noreturn static void usage(void)
{
    fputs("usage: bench_pipeline_bare --rpc URL --contract ADDR --key-env VAR\n"
          "                           --count N --batch B [--run-nonce S]\n"
          "                           [--owners K] [--royalty BPS]\n"
          "                           [--confirm last|each]\n",
          stderr);
    exit(2);
}

static unsigned long long num(const char *s, unsigned long long max)
{
    char *end;
    unsigned long long v;
    if (!s || *s < '0' || *s > '9')
        usage();
    v = strtoull(s, &end, 10);
    if (*end || v > max)
        usage();
    return v;
}

_Noreturn static void fail(const char *what, hc_err err,
                           const hc_rpc_status *st)
{
    fprintf(stderr, "bench_pipeline_bare: %s: %s", what, hc_strerror(err));
    if (st && err == HC_ERR_RPC) {
        char name[160] = "";
        fprintf(stderr, " (%s: %s", hc_rpc_class_name(st->cls), st->message);
        if (st->revert_len &&
            hc_nft_revert_name(name, sizeof name, st->revert, st->revert_len))
            fprintf(stderr, "; %s", name);
        fputc(')', stderr);
    }
    fputc('\n', stderr);
    exit(1);
}

static void sleep_ms(long ms)
{
    struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
}

struct job {
    const char *nonce;
    unsigned royalty;
    size_t nowners;
    hc_address owners[MAX_OWNERS];
};

static void item(const struct job *j, uint64_t i, hc_nft_item *it)
{
    char s[200];
    int n = snprintf(s, sizeof s, "bare %s %" PRIu64, j->nonce, i);
    hc_err err = hc_sha256(it->content_hash, s, (size_t)n);
    n = snprintf(s, sizeof s, "bare metadata %s %" PRIu64, j->nonce, i);
    if (!err)
        err = hc_sha256(it->metadata_hash, s, (size_t)n);
    if (err)
        fail("sha256", err, NULL);
    it->to = j->owners[i % j->nowners];
    it->royalty_bps = (uint16_t)j->royalty;
}

/* The calldata of batch b (tokens [b·batch, min((b+1)·batch, count))). */
static void calldata(const struct job *j, uint64_t b, size_t batch,
                     uint64_t count, hc_nft_item *items, hc_buf *cd)
{
    uint64_t from = b * batch, to = from + batch < count ? from + batch : count;
    for (uint64_t i = from; i < to; i++)
        item(j, i, &items[i - from]);
    hc_buf_reset(cd);
    hc_err err = hc_nft_mint_batch_calldata(cd, items, (size_t)(to - from));
    if (err)
        fail("calldata", err, NULL);
}

/* What the receipts add up to. */
struct tally {
    uint64_t gas_used, first_block, last_block;
};

/* Checks the receipt of transaction b (nonce nonce0 + b): status 1 and one
 * Minted event from the contract per token of its batch; exits 1 if not. */
static void check(const hc_receipt *r, const hc_address *contract, uint64_t b,
                  uint64_t nonce0, size_t want, struct tally *t)
{
    size_t minted = 0;
    for (size_t k = 0; k < r->nlogs; k++) {
        hc_nft_event ev;
        if (!memcmp(r->logs[k].address.b, contract->b, 20) &&
            hc_nft_decode_event(&r->logs[k], &ev) == HC_OK &&
            ev.kind == HC_NFT_EVENT_MINTED)
            minted++;
    }
    if (r->status != 1 || minted != want) {
        fprintf(stderr,
                "bench_pipeline_bare: transaction %" PRIu64 " (nonce %" PRIu64
                "): status %d, %zu of %zu minted\n",
                b, nonce0 + b, r->status, minted, want);
        exit(1);
    }
    t->gas_used += r->gas_used;
    if (b == 0)
        t->first_block = r->block_number;
    t->last_block = r->block_number;
}

/* --confirm each: the receipts read and checked in nonce order, as the
 * transactions go out (sent: how many have been). */
struct follower {
    hc_rpc *rpc; /* its own connection */
    const hc_address *contract;
    uint8_t (*hashes)[32];
    uint64_t ntx, count, nonce0;
    size_t batch;
    atomic_uint_fast64_t sent;
    struct tally t;
    double t_end, end_epoch;
};

static void *follow(void *arg)
{
    struct follower *fw = arg;
    double last = mono();
    for (uint64_t b = 0; b < fw->ntx;) {
        hc_receipt r;
        hc_rpc_status st;
        hc_err err = HC_ERR_NOT_FOUND;
        if (atomic_load(&fw->sent) > b)
            err = hc_rpc_get_receipt(fw->rpc, fw->hashes[b], &r, &st);
        if (err == HC_ERR_NOT_FOUND) {
            if (mono() - last > STALL_S) {
                fprintf(stderr,
                        "STALLED nonce=%" PRIu64 ": no receipt for %d s\n",
                        fw->nonce0 + b, STALL_S);
                exit(3);
            }
            sleep_ms(2);
            continue;
        }
        if (err)
            fail("eth_getTransactionReceipt", err, &st);
        size_t want =
            b + 1 < fw->ntx ? fw->batch : (size_t)(fw->count - b * fw->batch);
        check(&r, fw->contract, b, fw->nonce0, want, &fw->t);
        hc_receipt_free(&r);
        last = mono();
        b++;
    }
    fw->t_end = mono();
    fw->end_epoch = epoch();
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"rpc", required_argument, NULL, 'u'},
        {"contract", required_argument, NULL, 'a'},
        {"key-env", required_argument, NULL, 'k'},
        {"count", required_argument, NULL, 'n'},
        {"batch", required_argument, NULL, 'b'},
        {"run-nonce", required_argument, NULL, 'r'},
        {"owners", required_argument, NULL, 'o'},
        {"royalty", required_argument, NULL, 'y'},
        {"confirm", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *url = NULL, *contract_s = NULL, *key_env = NULL;
    struct job j = {.nonce = "0", .royalty = 250, .nowners = 4};
    uint64_t count = 0;
    size_t batch = 0;
    int c, each = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'u':
            url = optarg;
            break;
        case 'a':
            contract_s = optarg;
            break;
        case 'k':
            key_env = optarg;
            break;
        case 'n':
            count = num(optarg, 100000000);
            break;
        case 'b':
            batch = (size_t)num(optarg, MAX_BATCH);
            break;
        case 'r':
            j.nonce = optarg;
            break;
        case 'o':
            j.nowners = (size_t)num(optarg, MAX_OWNERS);
            break;
        case 'y':
            j.royalty = (unsigned)num(optarg, 10000);
            break;
        case 'c':
            if (!strcmp(optarg, "each"))
                each = 1;
            else if (strcmp(optarg, "last"))
                usage();
            break;
        default:
            usage();
        }
    }
    if (optind != argc || !url || !contract_s || !key_env || !count || !batch ||
        !j.nowners || strlen(j.nonce) > 100)
        usage();

    hc_address contract, me;
    uint8_t sk[32];
    hc_err err = hc_address_parse(&contract, contract_s);
    if (err)
        fail("--contract", err, NULL);
    err = hc_key_from_env(sk, key_env);
    hc_key_env_scrub(key_env);
    if (err)
        fail(key_env, err, NULL);
    if ((err = hc_key_address(&me, sk)))
        fail("signer address", err, NULL);
    for (size_t k = 0; k < j.nowners; k++) {
        char label[160];
        uint8_t h[32];
        int n = snprintf(label, sizeof label, "bare owner %s %zu", j.nonce, k);
        if ((err = hc_sha256(h, label, (size_t)n)))
            fail("sha256", err, NULL);
        memcpy(j.owners[k].b, h, 20);
    }

    hc_rpc *rpc;
    hc_rpc_status st;
    hc_rpc_opts ro = {.timeout_ms = 60000};
    if ((err = hc_rpc_open(&rpc, url, &ro)))
        fail("rpc", err, NULL);
    uint64_t chain_id, nonce0;
    if ((err = hc_rpc_chain_id(rpc, &chain_id, &st)))
        fail("eth_chainId", err, &st);
    if ((err = hc_rpc_get_transaction_count(rpc, &me, "pending", &nonce0, &st)))
        fail("eth_getTransactionCount", err, &st);

    uint64_t ntx = (count + batch - 1) / batch;
    hc_nft_item *items = calloc(batch, sizeof *items);
    uint8_t(*hashes)[32] = calloc((size_t)ntx, 32);
    hc_buf cd, raw;
    hc_buf_init(&cd, 1 << 22, 0);
    hc_buf_init(&raw, HC_TX_MAX_SIZE, 0);
    if (!items || !hashes)
        fail("memory", HC_ERR_NOMEM, NULL);

    /* gas limit and fees, once */
    uint64_t est;
    calldata(&j, 0, batch, count, items, &cd);
    double t_est = mono();
    if ((err = hc_rpc_estimate_gas(rpc, &me, &contract, cd.data, cd.len, NULL,
                                   &est, &st)))
        fail("eth_estimateGas", err, &st);
    t_est = mono() - t_est;
    uint64_t gas_limit = est + est / 2;
    hc_block blk;
    hc_u256 prio, max_fee, two = hc_u256_from_u64(2);
    if ((err = hc_rpc_get_block(rpc, "latest", &blk, &st)))
        fail("eth_getBlockByNumber", err, &st);
    if (!blk.has_base_fee)
        fail("the latest block has no base fee", HC_ERR_RPC_MALFORMED, NULL);
    err = hc_rpc_max_priority_fee(rpc, &prio, &st);
    if (err == HC_ERR_RPC && st.cls == HC_RPC_METHOD_NOT_FOUND) {
        prio = hc_u256_from_u64(1000000000);
        err = HC_OK;
    }
    if (err)
        fail("eth_maxPriorityFeePerGas", err, &st);
    if ((err = hc_u256_mul(&max_fee, &blk.base_fee, &two)) ||
        (err = hc_u256_add(&max_fee, &max_fee, &prio)))
        fail("fees", err, NULL);

    /* --confirm each: the follower's connection is opened before the clock
     * starts, like everything else the loop needs */
    struct follower fw = {.contract = &contract,
                          .hashes = hashes,
                          .ntx = ntx,
                          .count = count,
                          .nonce0 = nonce0,
                          .batch = batch};
    pthread_t th;
    atomic_init(&fw.sent, 0);
    if (each) {
        if ((err = hc_rpc_open(&fw.rpc, url, &ro)))
            fail("rpc", err, NULL);
        if (pthread_create(&th, NULL, follow, &fw))
            fail("thread", HC_ERR_NOMEM, NULL);
    }

    /* timed: build, sign, send every batch; then the receipts */
    double t0 = mono();
    for (uint64_t b = 0; b < ntx; b++) {
        hc_tx tx;
        uint8_t node_hash[32];
        if (b)
            calldata(&j, b, batch, count, items, &cd);
        hc_tx_init(&tx);
        tx.type = HC_TX_EIP1559;
        tx.chain_id = hc_u256_from_u64(chain_id);
        tx.nonce = nonce0 + b;
        tx.max_priority_fee_per_gas = prio;
        tx.max_fee_per_gas = max_fee;
        tx.gas_limit = gas_limit;
        tx.has_to = 1;
        tx.to = contract;
        hc_buf_reset(&raw);
        if ((err = hc_tx_set_data(&tx, cd.data, cd.len)) ||
            (err = hc_tx_sign(&tx, sk)) || (err = hc_tx_serialize(&raw, &tx)) ||
            (err = hc_tx_hash(hashes[b], &tx)))
            fail("signing", err, NULL);
        hc_tx_free(&tx);
        if ((err = hc_rpc_send_raw_transaction(rpc, raw.data, raw.len,
                                               node_hash, &st)))
            fail("eth_sendRawTransaction", err, &st);
        atomic_store(&fw.sent, b + 1);
    }
    double t_sent = mono(), t_end, end_epoch, t_check = 0;
    hc_memzero(sk, sizeof sk);
    struct tally t = {0};
    if (each) {
        pthread_join(th, NULL);
        hc_rpc_close(fw.rpc);
        t_end = fw.t_end;
        end_epoch = fw.end_epoch;
        t = fw.t;
    } else {
        hc_receipt r;
        for (;;) {
            err = hc_rpc_get_receipt(rpc, hashes[ntx - 1], &r, &st);
            if (err != HC_ERR_NOT_FOUND)
                break;
            sleep_ms(2);
        }
        t_end = mono();
        end_epoch = epoch();
        if (err)
            fail("eth_getTransactionReceipt", err, &st);
        hc_receipt_free(&r);
        /* untimed: every receipt succeeded and minted its whole batch */
        for (uint64_t b = 0; b < ntx; b++) {
            size_t want = b + 1 < ntx ? batch : (size_t)(count - b * batch);
            if ((err = hc_rpc_get_receipt(rpc, hashes[b], &r, &st)))
                fail("eth_getTransactionReceipt (check)", err, &st);
            check(&r, &contract, b, nonce0, want, &t);
            hc_receipt_free(&r);
        }
        t_check = mono() - t_end;
    }

    printf("RESULT tokens=%" PRIu64 " txs=%" PRIu64
           " seconds=%.6f tokens_per_s=%.1f send_seconds=%.6f"
           " estimate_ms=%.3f gas_limit=%" PRIu64 " gas_used=%" PRIu64
           " blocks=%" PRIu64 " end_epoch=%.6f check_seconds=%.6f owners=",
           count, ntx, t_end - t0, (double)count / (t_end - t0), t_sent - t0,
           t_est * 1000, gas_limit, t.gas_used,
           t.last_block - t.first_block + 1, end_epoch, t_check);
    for (size_t k = 0; k < j.nowners; k++) {
        char a[HC_ADDRESS_STR];
        printf("%s%s", k ? "," : "", hc_address_to_str(a, &j.owners[k]));
    }
    printf("\n");
    free(items);
    free(hashes);
    hc_buf_free(&cd);
    hc_buf_free(&raw);
    hc_rpc_close(rpc);
    return 0;
}
