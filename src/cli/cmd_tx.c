/* haechi sign-tx / decode-tx */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "haechi/hex.h"
#include "haechi/tx.h"
#include "haechi/txjson.h"

static const char sign_help_en[] =
    "Usage: haechi sign-tx --key-env NAME [--json] < tx.json\n"
    "\n"
    "Signs one transaction, given as a JSON object on standard input, with "
    "the\n"
    "private key held (as 0x-hex) in the environment variable NAME, and "
    "prints\n"
    "the raw signed transaction as 0x-hex, ready for eth_sendRawTransaction.\n"
    "Works offline (air-gapped signing).\n"
    "\n"
    "JSON fields (snake_case or JSON-RPC camelCase):\n"
    "  type                     0 legacy (EIP-155), 1 EIP-2930, 2 EIP-1559 "
    "(default 2)\n"
    "  chain_id, chainId        required\n"
    "  nonce                    required, below 2^64-1\n"
    "  gas_limit, gas           required\n"
    "  gas_price, gasPrice      types 0 and 1\n"
    "  max_fee_per_gas, maxFeePerGas                     type 2\n"
    "  max_priority_fee_per_gas, maxPriorityFeePerGas    type 2\n"
    "  access_list, accessList  types 1 and 2: [{\"address\", "
    "\"storage_keys\"}]\n"
    "  to                       address; absent or null creates a contract\n"
    "  value                    wei (default 0)\n"
    "  data, input              0x-hex calldata or init code (default empty)\n"
    "  from                     optional; must match the key's address\n"
    "Integers: decimal strings, 0x-hex strings, or JSON numbers below 2^53.\n"
    "\n"
    "Options:\n"
    "  --key-env NAME  environment variable holding the private key\n"
    "  --json          print {\"raw\", \"hash\", \"from\"}\n"
    "  -h, --help      this help\n"
    "\n"
    "Exit: 0 signed; 2 bad input (the message names the field) or bad key.\n";
static const char sign_help_ko[] =
    "사용법: haechi sign-tx --key-env NAME [--json] < tx.json\n"
    "\n"
    "표준 입력의 JSON 객체 트랜잭션 하나를 환경 변수 NAME에 든 개인 키(0x "
    "16진수)로\n"
    "서명하고, eth_sendRawTransaction에 바로 쓸 수 있는 원시 트랜잭션을 0x "
    "16진수로\n"
    "출력합니다. 네트워크 없이 동작합니다.\n"
    "\n"
    "JSON 필드 (snake_case 또는 camelCase): type (0, 1, 2; 기본 2), chain_id "
    "(필수),\n"
    "nonce (필수), gas_limit/gas (필수), gas_price (유형 0, 1), "
    "max_fee_per_gas와\n"
    "max_priority_fee_per_gas (유형 2), access_list (유형 1, 2), to (없거나 "
    "null이면\n"
    "컨트랙트 생성), value, data/input, from (선택; 키의 주소와 같아야 함).\n"
    "정수: 10진 문자열, 0x 16진 문자열, 2^53 미만의 JSON 숫자.\n"
    "\n"
    "옵션:\n"
    "  --key-env NAME  개인 키를 담은 환경 변수\n"
    "  --json          {\"raw\", \"hash\", \"from\"} 출력\n"
    "  -h, --help      도움말\n"
    "\n"
    "종료 코드: 0 서명함, 2 잘못된 입력(필드 이름을 알려 줌)이나 잘못된 키.\n";

static const char decode_help_en[] =
    "Usage: haechi decode-tx [--compact] RAW\n"
    "\n"
    "Decodes a raw signed transaction (0x-hex; '-' reads it from standard\n"
    "input) of type 0, 1 or 2, strictly, and prints its fields, hash and\n"
    "recovered sender as JSON. Integers are decimal strings.\n"
    "\n"
    "Options:\n"
    "  --compact   one-line JSON\n"
    "  -h, --help  this help\n"
    "\n"
    "Exit: 0 decoded; 2 malformed transaction (the message names the field).\n";
static const char decode_help_ko[] =
    "사용법: haechi decode-tx [--compact] RAW\n"
    "\n"
    "서명된 원시 트랜잭션(0x 16진수; '-'이면 표준 입력)을 엄격하게 해석해 "
    "필드,\n"
    "해시, 복구한 보낸 사람을 JSON으로 출력합니다. 정수는 10진 문자열입니다.\n"
    "\n"
    "옵션:\n"
    "  --compact   한 줄 JSON\n"
    "  -h, --help  도움말\n"
    "\n"
    "종료 코드: 0 해석함, 2 잘못된 트랜잭션(필드 이름을 알려 줌).\n";

int cmd_sign_tx(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key-env", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *key_env = NULL;
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            key_env = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(cli_tr(sign_help_en, sign_help_ko), stdout);
            return EXIT_OK;
        default:
            return cli_bad_option("sign-tx", argv[optind - 1]);
        }
    }
    if (optind < argc) /* not echoed: it might be a pasted key */
        return cli_usage_error(
            "sign-tx", "%s",
            cli_tr("unexpected argument (the transaction is read from "
                   "standard input; keys are never taken from the command "
                   "line, use --key-env)",
                   "예상하지 못한 인자 (트랜잭션은 표준 입력으로 받고, 키는 "
                   "명령줄로 받지 않습니다. --key-env를 쓰세요)"));

    uint8_t sk[32];
    int rc = cli_load_key(sk, key_env, "sign-tx");
    if (rc)
        return rc;

    uint8_t *input = NULL;
    size_t len = 0;
    hc_tx tx;
    hc_address want_from, me;
    int has_from = 0;
    char why[256];
    hc_buf raw;
    uint8_t hash[32];
    hc_buf_init(&raw, HC_TX_MAX_SIZE + 1024, 0);
    hc_tx_init(&tx);

    hc_err err = cli_read_stdin(&input, &len);
    if (err) {
        rc = cli_fail(EXIT_USAGE, "stdin: %s", cli_strerror(err));
        goto out;
    }
    err = hc_tx_from_json(&tx, &want_from, &has_from, (const char *)input, len,
                          why, sizeof why);
    if (err) {
        rc = cli_fail(EXIT_USAGE, "%s: %s",
                      cli_tr("invalid transaction", "잘못된 트랜잭션"), why);
        goto out;
    }
    err = hc_key_address(&me, sk);
    if (!err && has_from && memcmp(me.b, want_from.b, 20) != 0) {
        char a[HC_ADDRESS_STR], b[HC_ADDRESS_STR];
        rc = cli_fail(EXIT_USAGE,
                      cli_tr("from: %s is not the key's address %s",
                             "from: %s는 키의 주소 %s가 아닙니다"),
                      hc_address_to_str(a, &want_from),
                      hc_address_to_str(b, &me));
        goto out;
    }
    if (!err)
        err = hc_tx_sign(&tx, sk);
    if (!err)
        err = hc_tx_serialize(&raw, &tx);
    if (!err)
        err = hc_tx_hash(hash, &tx);
    if (err) {
        rc = cli_fail(EXIT_USAGE, "%s: %s",
                      cli_tr("cannot sign", "서명할 수 없습니다"),
                      cli_strerror(err));
        goto out;
    }
    char *hex = hc_hex_encode_alloc(raw.data, raw.len, 1);
    if (!hex) {
        rc = cli_fail(EXIT_USAGE, "%s", cli_strerror(HC_ERR_NOMEM));
        goto out;
    }
    if (json) {
        char h[67], a[HC_ADDRESS_STR];
        cJSON *o = cJSON_CreateObject();
        char *s = NULL;
        if (o && cJSON_AddStringToObject(o, "raw", hex) &&
            cJSON_AddStringToObject(o, "hash", hc_hex_encode(h, hash, 32, 1)) &&
            cJSON_AddStringToObject(o, "from", hc_address_to_str(a, &me)))
            s = cJSON_Print(o);
        if (s)
            puts(s);
        else
            rc = cli_fail(EXIT_USAGE, "%s", cli_strerror(HC_ERR_NOMEM));
        free(s);
        cJSON_Delete(o);
    } else {
        puts(hex);
    }
    free(hex);
out:
    hc_memzero(sk, sizeof sk);
    hc_tx_free(&tx);
    hc_buf_free(&raw);
    free(input);
    return rc;
}

int cmd_decode_tx(int argc, char **argv)
{
    static const struct option opts[] = {
        {"compact", no_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int compact = 0, c, rc = EXIT_OK;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            compact = 1;
            break;
        case 'j': /* the output is JSON anyway */
            break;
        case 'h':
            fputs(cli_tr(decode_help_en, decode_help_ko), stdout);
            return EXIT_OK;
        default:
            return cli_usage_error(
                "decode-tx",
                cli_tr("unknown option '%s'", "알 수 없는 옵션 '%s'"),
                cli_opt_name(argv[optind - 1]));
        }
    }
    if (argc - optind != 1)
        return cli_usage_error("decode-tx", "%s",
                               cli_tr("expected one raw transaction (0x-hex)",
                                      "원시 트랜잭션(0x 16진수) 하나가 "
                                      "필요합니다"));
    const char *arg = argv[optind];
    uint8_t *input = NULL;
    if (!strcmp(arg, "-")) {
        size_t n;
        hc_err err = cli_read_stdin(&input, &n);
        if (err)
            return cli_fail(EXIT_USAGE, "stdin: %s", cli_strerror(err));
        /* trim surrounding whitespace */
        while (n && strchr(" \t\r\n", input[n - 1]))
            input[--n] = 0;
        size_t skip = strspn((char *)input, " \t\r\n");
        arg = (const char *)input + skip;
    }
    hc_buf raw;
    hc_tx tx;
    hc_address from;
    uint8_t hash[32];
    const char *field = NULL;
    hc_buf_init(&raw, HC_TX_MAX_SIZE, 0);
    hc_tx_init(&tx);
    hc_err err = hc_hex_decode_buf(&raw, arg, HC_HEX_PREFIX_REQUIRED);
    if (err) {
        rc = cli_fail(
            EXIT_USAGE, "%s: %s",
            cli_tr("not a 0x-hex transaction", "0x 16진수 트랜잭션이 아닙니다"),
            cli_strerror(err));
        goto out;
    }
    err = hc_tx_decode(&tx, &field, raw.data, raw.len);
    if (!err)
        err = hc_tx_hash(hash, &tx);
    if (!err) {
        field = "signature";
        err = hc_tx_sender(&from, &tx);
    }
    if (err) {
        rc = cli_fail(EXIT_USAGE, "%s: %s: %s",
                      cli_tr("invalid transaction", "잘못된 트랜잭션"),
                      field ? field : "rlp", cli_strerror(err));
        goto out;
    }
    char *s = hc_tx_to_json(&tx, hash, &from, !compact);
    if (!s) {
        rc = cli_fail(EXIT_USAGE, "%s", cli_strerror(HC_ERR_NOMEM));
        goto out;
    }
    puts(s);
    free(s);
out:
    hc_tx_free(&tx);
    hc_buf_free(&raw);
    free(input);
    return rc;
}
