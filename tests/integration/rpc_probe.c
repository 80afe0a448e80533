/* rpc_probe — calls one typed function of the RPC client (rpc.h) and prints
 * what it parsed as JSON, with the node's own field names and encodings
 * (quantities as minimal 0x-hex, hashes and data as 0x-hex), so that
 * tests/integration/rpc_anvil.sh can compare it with cast's output.
 *
 *   rpc_probe URL chain-id | block-number | priority-fee
 *   rpc_probe URL nonce ADDR [BLOCK]
 *   rpc_probe URL balance ADDR
 *   rpc_probe URL code ADDR
 *   rpc_probe URL block BLOCK
 *   rpc_probe URL fee-history COUNT [NEWEST]
 *   rpc_probe URL receipt HASH
 *   rpc_probe URL tx HASH
 *   rpc_probe URL logs ADDR FROM TO
 *   rpc_probe URL send RAWHEX
 *   rpc_probe URL call TO DATA
 *   rpc_probe URL estimate FROM TO DATA
 *   rpc_probe URL raw METHOD
 *
 * Exit 0 with the result; on an error, prints
 *   {"error":{"class":…,"code":…,"http":…,"message":…,"revert":"0x…"}}
 * and exits 2 (3 for "not found"; 1 for a usage error).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/hex.h"
#include "haechi/rpc.h"

static void usage(void)
{
    fprintf(stderr, "usage: rpc_probe URL COMMAND [ARGS…] (see the source)\n");
    exit(1);
}

static void print_json(cJSON *j)
{
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    if (!s) {
        fprintf(stderr, "rpc_probe: out of memory\n");
        exit(1);
    }
    printf("%s\n", s);
    free(s);
    cJSON_Delete(j);
}

static cJSON *hex_json(const uint8_t *p, size_t n)
{
    char *h = hc_hex_encode_alloc(p, n, 1);
    cJSON *j = cJSON_CreateString(h ? h : "");
    free(h);
    return j;
}

static cJSON *qty_json(const hc_u256 *v)
{
    char h[HC_U256_HEX_MAX];
    return cJSON_CreateString(hc_u256_to_hex(h, v));
}

static cJSON *u64_json(uint64_t v)
{
    hc_u256 u = hc_u256_from_u64(v);
    return qty_json(&u);
}

/* Exits on any failure of the call, printing the status as JSON. */
static void done(hc_err err, const hc_rpc_status *st)
{
    if (err == HC_OK)
        return;
    if (err == HC_ERR_NOT_FOUND) {
        printf("{\"not_found\":true}\n");
        exit(3);
    }
    cJSON *e = cJSON_CreateObject(), *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "class", hc_rpc_class_name(st->cls));
    cJSON_AddNumberToObject(o, "code", (double)st->code);
    cJSON_AddNumberToObject(o, "http", (double)st->http_status);
    cJSON_AddStringToObject(o, "message", st->message);
    cJSON_AddItemToObject(o, "revert", hex_json(st->revert, st->revert_len));
    cJSON_AddStringToObject(o, "err", hc_strerror(err));
    cJSON_AddItemToObject(e, "error", o);
    print_json(e);
    exit(2);
}

static void parse_fixed(uint8_t *out, size_t n, const char *s)
{
    if (hc_hex_decode_fixed(out, n, s, HC_HEX_PREFIX_REQUIRED)) {
        fprintf(stderr, "rpc_probe: not %zu bytes of 0x-hex: %s\n", n, s);
        exit(1);
    }
}

static void parse_data(hc_buf *b, const char *s)
{
    hc_buf_init(b, (size_t)1 << 20, 0);
    if (hc_hex_decode_buf(b, s, HC_HEX_PREFIX_REQUIRED)) {
        fprintf(stderr, "rpc_probe: not 0x-hex data: %s\n", s);
        exit(1);
    }
}

static cJSON *log_json(const hc_log *l)
{
    cJSON *o = cJSON_CreateObject(), *t = cJSON_CreateArray();
    cJSON_AddItemToObject(o, "address", hex_json(l->address.b, 20));
    for (size_t i = 0; i < l->ntopics; i++)
        cJSON_AddItemToArray(t, hex_json(l->topics[i], 32));
    cJSON_AddItemToObject(o, "topics", t);
    cJSON_AddItemToObject(o, "data", hex_json(l->data, l->data_len));
    cJSON_AddItemToObject(o, "blockNumber", u64_json(l->block_number));
    cJSON_AddItemToObject(o, "blockHash", hex_json(l->block_hash, 32));
    cJSON_AddItemToObject(o, "transactionHash", hex_json(l->tx_hash, 32));
    cJSON_AddItemToObject(o, "transactionIndex", u64_json(l->tx_index));
    cJSON_AddItemToObject(o, "logIndex", u64_json(l->log_index));
    cJSON_AddBoolToObject(o, "removed", l->removed);
    return o;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        usage();
    const char *cmd = argv[2];
    hc_rpc *c;
    hc_rpc_status st;
    hc_rpc_opts o = {.timeout_ms = 10000};
    if (hc_rpc_open(&c, argv[1], &o)) {
        fprintf(stderr, "rpc_probe: bad URL %s\n", argv[1]);
        return 1;
    }
    hc_err err;
    char dec[HC_U256_DEC_MAX];

    if (!strcmp(cmd, "chain-id") || !strcmp(cmd, "block-number")) {
        uint64_t v;
        err = !strcmp(cmd, "chain-id") ? hc_rpc_chain_id(c, &v, &st)
                                       : hc_rpc_block_number(c, &v, &st);
        done(err, &st);
        printf("%" PRIu64 "\n", v);
    } else if (!strcmp(cmd, "priority-fee")) {
        hc_u256 v;
        done(hc_rpc_max_priority_fee(c, &v, &st), &st);
        printf("%s\n", hc_u256_to_dec(dec, &v));
    } else if (!strcmp(cmd, "nonce") && argc >= 4) {
        hc_address a;
        uint64_t v;
        parse_fixed(a.b, 20, argv[3]);
        done(hc_rpc_get_transaction_count(c, &a, argc > 4 ? argv[4] : NULL, &v,
                                          &st),
             &st);
        printf("%" PRIu64 "\n", v);
    } else if (!strcmp(cmd, "balance") && argc == 4) {
        hc_address a;
        hc_u256 v;
        parse_fixed(a.b, 20, argv[3]);
        done(hc_rpc_get_balance(c, &a, NULL, &v, &st), &st);
        printf("%s\n", hc_u256_to_dec(dec, &v));
    } else if (!strcmp(cmd, "code") && argc == 4) {
        hc_address a;
        hc_buf b;
        hc_buf_init(&b, (size_t)1 << 20, 0);
        parse_fixed(a.b, 20, argv[3]);
        done(hc_rpc_get_code(c, &a, NULL, &b, &st), &st);
        print_json(hex_json(b.data, b.len));
        hc_buf_free(&b);
    } else if (!strcmp(cmd, "block") && argc == 4) {
        hc_block b;
        done(hc_rpc_get_block(c, argv[3], &b, &st), &st);
        cJSON *j = cJSON_CreateObject();
        cJSON_AddItemToObject(j, "number", u64_json(b.number));
        cJSON_AddItemToObject(j, "hash", hex_json(b.hash, 32));
        cJSON_AddItemToObject(j, "parentHash", hex_json(b.parent_hash, 32));
        cJSON_AddItemToObject(j, "timestamp", u64_json(b.timestamp));
        cJSON_AddItemToObject(j, "gasLimit", u64_json(b.gas_limit));
        cJSON_AddItemToObject(j, "gasUsed", u64_json(b.gas_used));
        cJSON_AddItemToObject(j, "baseFeePerGas",
                              b.has_base_fee ? qty_json(&b.base_fee)
                                             : cJSON_CreateNull());
        print_json(j);
    } else if (!strcmp(cmd, "fee-history") && argc >= 4) {
        hc_fee_history *fh = malloc(sizeof *fh);
        if (!fh)
            return 1;
        done(hc_rpc_fee_history(c, (unsigned)strtoul(argv[3], NULL, 10),
                                argc > 4 ? argv[4] : NULL, 50, fh, &st),
             &st);
        cJSON *j = cJSON_CreateObject(), *base = cJSON_CreateArray(),
              *rw = cJSON_CreateArray(), *ratio = cJSON_CreateArray();
        cJSON_AddItemToObject(j, "oldestBlock", u64_json(fh->oldest_block));
        for (size_t i = 0; i <= fh->n; i++)
            cJSON_AddItemToArray(base, qty_json(&fh->base_fee[i]));
        for (size_t i = 0; i < fh->n; i++) {
            cJSON *r = cJSON_CreateArray();
            cJSON_AddItemToArray(r, qty_json(&fh->reward[i]));
            cJSON_AddItemToArray(rw, r);
            cJSON_AddItemToArray(ratio,
                                 cJSON_CreateNumber(fh->gas_used_ratio[i]));
        }
        cJSON_AddItemToObject(j, "baseFeePerGas", base);
        cJSON_AddItemToObject(j, "gasUsedRatio", ratio);
        cJSON_AddItemToObject(j, "reward", rw);
        print_json(j);
        free(fh);
    } else if (!strcmp(cmd, "receipt") && argc == 4) {
        uint8_t h[32];
        hc_receipt r;
        parse_fixed(h, 32, argv[3]);
        done(hc_rpc_get_receipt(c, h, &r, &st), &st);
        cJSON *j = cJSON_CreateObject(), *logs = cJSON_CreateArray();
        cJSON_AddItemToObject(j, "transactionHash", hex_json(r.tx_hash, 32));
        cJSON_AddItemToObject(j, "status", u64_json((uint64_t)r.status));
        cJSON_AddItemToObject(j, "blockNumber", u64_json(r.block_number));
        cJSON_AddItemToObject(j, "blockHash", hex_json(r.block_hash, 32));
        cJSON_AddItemToObject(j, "transactionIndex", u64_json(r.tx_index));
        cJSON_AddItemToObject(j, "gasUsed", u64_json(r.gas_used));
        cJSON_AddItemToObject(j, "cumulativeGasUsed",
                              u64_json(r.cumulative_gas_used));
        cJSON_AddItemToObject(j, "effectiveGasPrice",
                              qty_json(&r.effective_gas_price));
        cJSON_AddItemToObject(j, "from", hex_json(r.from.b, 20));
        cJSON_AddItemToObject(
            j, "to", r.has_to ? hex_json(r.to.b, 20) : cJSON_CreateNull());
        cJSON_AddItemToObject(j, "contractAddress",
                              r.has_contract_address
                                  ? hex_json(r.contract_address.b, 20)
                                  : cJSON_CreateNull());
        for (size_t i = 0; i < r.nlogs; i++)
            cJSON_AddItemToArray(logs, log_json(&r.logs[i]));
        cJSON_AddItemToObject(j, "logs", logs);
        print_json(j);
        hc_receipt_free(&r);
    } else if (!strcmp(cmd, "tx") && argc == 4) {
        uint8_t h[32];
        hc_txinfo t;
        parse_fixed(h, 32, argv[3]);
        done(hc_rpc_get_transaction(c, h, &t, &st), &st);
        cJSON *j = cJSON_CreateObject();
        cJSON_AddItemToObject(j, "hash", hex_json(t.hash, 32));
        cJSON_AddItemToObject(j, "from", hex_json(t.from.b, 20));
        cJSON_AddItemToObject(j, "nonce", u64_json(t.nonce));
        cJSON_AddItemToObject(j, "blockNumber",
                              t.mined ? u64_json(t.block_number)
                                      : cJSON_CreateNull());
        print_json(j);
    } else if (!strcmp(cmd, "logs") && argc == 6) {
        hc_address a;
        parse_fixed(a.b, 20, argv[3]);
        hc_log_filter f = {
            .address = &a, .from_block = argv[4], .to_block = argv[5]};
        hc_log *logs;
        size_t n;
        done(hc_rpc_get_logs(c, &f, 10000, &logs, &n, &st), &st);
        cJSON *j = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++)
            cJSON_AddItemToArray(j, log_json(&logs[i]));
        print_json(j);
        hc_logs_free(logs, n);
    } else if (!strcmp(cmd, "send") && argc == 4) {
        hc_buf raw;
        uint8_t h[32];
        parse_data(&raw, argv[3]);
        err = hc_rpc_send_raw_transaction(c, raw.data, raw.len, h, &st);
        hc_buf_free(&raw);
        done(err, &st);
        print_json(hex_json(h, 32));
    } else if (!strcmp(cmd, "call") && argc == 5) {
        hc_address to;
        hc_buf data, out;
        parse_fixed(to.b, 20, argv[3]);
        parse_data(&data, argv[4]);
        hc_buf_init(&out, (size_t)1 << 20, 0);
        err = hc_rpc_call(c, NULL, &to, data.data, data.len, NULL, &out, &st);
        hc_buf_free(&data);
        done(err, &st);
        print_json(hex_json(out.data, out.len));
        hc_buf_free(&out);
    } else if (!strcmp(cmd, "estimate") && argc == 6) {
        hc_address from, to;
        hc_buf data;
        uint64_t gas;
        parse_fixed(from.b, 20, argv[3]);
        parse_fixed(to.b, 20, argv[4]);
        parse_data(&data, argv[5]);
        err = hc_rpc_estimate_gas(c, &from, &to, data.data, data.len, NULL,
                                  &gas, &st);
        hc_buf_free(&data);
        done(err, &st);
        printf("%" PRIu64 "\n", gas);
    } else if (!strcmp(cmd, "raw") && argc == 4) {
        cJSON *res = NULL;
        done(hc_rpc_request(c, argv[3], NULL, &res, &st), &st);
        print_json(res);
    } else {
        usage();
    }
    hc_rpc_close(c);
    return 0;
}
