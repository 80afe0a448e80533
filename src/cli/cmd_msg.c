/* haechi sign-message / verify-message (EIP-191 personal messages) */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "haechi/hex.h"
#include "haechi/key.h"

static const char sign_help_en[] =
    "Usage: haechi sign-message --key-env NAME [--hex] [--json] < message\n"
    "\n"
    "Signs the bytes on standard input as an EIP-191 personal message\n"
    "(\"\\x19Ethereum Signed Message:\\n\" + length + message), as eth_sign,\n"
    "personal_sign and 'cast wallet sign' do, and prints the 65-byte\n"
    "signature r || s || v (v = 27 or 28) as 0x-hex. Every byte counts: a\n"
    "trailing newline is part of the message.\n"
    "\n"
    "Options:\n"
    "  --key-env NAME  environment variable holding the 0x-hex private key\n"
    "  --hex           standard input holds the message as 0x-hex\n"
    "  --json          print {\"signature\", \"address\", \"hash\"}\n"
    "  -h, --help      this help\n"
    "\n"
    "Exit: 0 signed; 2 bad input or key.\n";
static const char sign_help_ko[] =
    "사용법: haechi sign-message --key-env NAME [--hex] [--json] < 메시지\n"
    "\n"
    "표준 입력의 바이트를 EIP-191 개인 메시지로 서명하고(eth_sign, "
    "personal_sign,\n"
    "'cast wallet sign'과 같음) 65바이트 서명 r || s || v (v = 27 또는 28)를\n"
    "0x 16진수로 출력합니다. 마지막 줄바꿈도 메시지에 포함됩니다.\n"
    "\n"
    "옵션:\n"
    "  --key-env NAME  0x 16진수 개인 키를 담은 환경 변수\n"
    "  --hex           표준 입력이 0x 16진수 메시지임\n"
    "  --json          {\"signature\", \"address\", \"hash\"} 출력\n"
    "  -h, --help      도움말\n"
    "\n"
    "종료 코드: 0 서명함, 2 잘못된 입력이나 키.\n";

static const char verify_help_en[] =
    "Usage: haechi verify-message --address ADDR --signature SIG [--hex] "
    "[--json] < message\n"
    "\n"
    "Checks that SIG (65 bytes r || s || v as 0x-hex, v = 27/28 or 0/1) is an\n"
    "EIP-191 signature by ADDR of the bytes on standard input. High-s\n"
    "signatures (EIP-2) are not accepted.\n"
    "\n"
    "Options:\n"
    "  --address ADDR   the expected signer (EIP-55 checksum checked when "
    "mixed case)\n"
    "  --signature SIG  the signature\n"
    "  --hex            standard input holds the message as 0x-hex\n"
    "  --json           print {\"valid\", \"signer\", \"address\"}\n"
    "  -h, --help       this help\n"
    "\n"
    "Exit: 0 valid; 1 not signed by ADDR; 2 malformed address, signature or\n"
    "input.\n";
static const char verify_help_ko[] =
    "사용법: haechi verify-message --address ADDR --signature SIG [--hex] "
    "[--json] < 메시지\n"
    "\n"
    "SIG(65바이트 r || s || v, 0x 16진수, v = 27/28 또는 0/1)가 표준 입력 "
    "바이트에\n"
    "대한 ADDR의 EIP-191 서명인지 확인합니다. high-s 서명(EIP-2)은 받지 "
    "않습니다.\n"
    "\n"
    "옵션:\n"
    "  --address ADDR   기대하는 서명자 주소\n"
    "  --signature SIG  서명\n"
    "  --hex            표준 입력이 0x 16진수 메시지임\n"
    "  --json           {\"valid\", \"signer\", \"address\"} 출력\n"
    "  -h, --help       도움말\n"
    "\n"
    "종료 코드: 0 유효함, 1 ADDR의 서명이 아님, 2 잘못된 주소·서명·입력.\n";

/* Reads the message from stdin; with hex, decodes 0x-hex (whitespace around
 * it is ignored). Prints the error and returns an exit code. */
static int read_message(const char *cmd, int hex, uint8_t **msg, size_t *len)
{
    uint8_t *in;
    size_t n;
    hc_err err = cli_read_stdin(&in, &n);
    if (err)
        return cli_fail(EXIT_USAGE, "stdin: %s", cli_strerror(err));
    if (!hex) {
        *msg = in;
        *len = n;
        return EXIT_OK;
    }
    while (n && strchr(" \t\r\n", in[n - 1]))
        in[--n] = 0;
    size_t skip = strspn((char *)in, " \t\r\n");
    hc_buf b;
    hc_buf_init(&b, CLI_STDIN_MAX, 0);
    err = hc_hex_decode_buf(&b, (char *)in + skip, HC_HEX_PREFIX_REQUIRED);
    free(in);
    if (err) {
        hc_buf_free(&b);
        return cli_usage_error(cmd, "%s: %s",
                               cli_tr("--hex: standard input is not 0x-hex",
                                      "--hex: 표준 입력이 0x 16진수가 "
                                      "아닙니다"),
                               cli_strerror(err));
    }
    if (!b.data) {
        /* empty message: hand back an empty, freeable buffer */
        b.data = malloc(1);
        if (!b.data)
            return cli_fail(EXIT_USAGE, "%s", cli_strerror(HC_ERR_NOMEM));
    }
    *msg = b.data;
    *len = b.len;
    return EXIT_OK;
}

int cmd_sign_message(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key-env", required_argument, NULL, 'k'},
        {"hex", no_argument, NULL, 'x'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *key_env = NULL;
    int hex = 0, json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'k':
            key_env = optarg;
            break;
        case 'x':
            hex = 1;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(cli_tr(sign_help_en, sign_help_ko), stdout);
            return EXIT_OK;
        default:
            return cli_bad_option("sign-message", argv[optind - 1]);
        }
    }
    if (optind < argc) /* not echoed: it might be a pasted key */
        return cli_usage_error(
            "sign-message", "%s",
            cli_tr("unexpected argument (the message is read from standard "
                   "input; keys are never taken from the command line, use "
                   "--key-env)",
                   "예상하지 못한 인자 (메시지는 표준 입력으로 받고, 키는 "
                   "명령줄로 받지 않습니다. --key-env를 쓰세요)"));
    uint8_t sk[32], sig[65], h[32];
    hc_address me;
    int rc = cli_load_key(sk, key_env, "sign-message");
    if (rc)
        return rc;
    uint8_t *msg = NULL;
    size_t len = 0;
    rc = read_message("sign-message", hex, &msg, &len);
    if (rc)
        goto out;
    hc_err err = hc_eip191_sign(sig, sk, msg, len);
    if (!err)
        err = hc_key_address(&me, sk);
    if (err) {
        rc = cli_fail(EXIT_USAGE, "%s", cli_strerror(err));
        goto out;
    }
    char sighex[133], addr[HC_ADDRESS_STR], hh[67];
    hc_hex_encode(sighex, sig, 65, 1);
    if (json) {
        hc_eip191_hash(h, msg, len);
        cJSON *o = cJSON_CreateObject();
        char *s = NULL;
        if (o && cJSON_AddStringToObject(o, "signature", sighex) &&
            cJSON_AddStringToObject(o, "address",
                                    hc_address_to_str(addr, &me)) &&
            cJSON_AddStringToObject(o, "hash", hc_hex_encode(hh, h, 32, 1)))
            s = cJSON_Print(o);
        if (s)
            puts(s);
        else
            rc = cli_fail(EXIT_USAGE, "%s", cli_strerror(HC_ERR_NOMEM));
        free(s);
        cJSON_Delete(o);
    } else {
        puts(sighex);
    }
out:
    hc_memzero(sk, sizeof sk);
    free(msg);
    return rc;
}

int cmd_verify_message(int argc, char **argv)
{
    static const struct option opts[] = {
        {"address", required_argument, NULL, 'a'},
        {"signature", required_argument, NULL, 's'},
        {"hex", no_argument, NULL, 'x'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *addr_s = NULL, *sig_s = NULL;
    int hex = 0, json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'a':
            addr_s = optarg;
            break;
        case 's':
            sig_s = optarg;
            break;
        case 'x':
            hex = 1;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(cli_tr(verify_help_en, verify_help_ko), stdout);
            return EXIT_OK;
        default:
            return cli_bad_option("verify-message", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_extra_arg("verify-message", argv[optind]);
    if (!addr_s || !sig_s)
        return cli_usage_error("verify-message", "%s",
                               cli_tr("--address and --signature are required",
                                      "--address와 --signature가 필요합니다"));
    hc_address want, got;
    uint8_t sig[65];
    hc_err err = hc_address_parse(&want, addr_s);
    if (err)
        return cli_usage_error("verify-message", "--address: %s",
                               cli_strerror(err));
    err = hc_hex_decode_fixed(sig, 65, sig_s, HC_HEX_PREFIX_REQUIRED);
    if (err)
        return cli_usage_error(
            "verify-message", "--signature: %s%s", cli_strerror(err),
            err == HC_ERR_LENGTH
                ? cli_tr(" (65 bytes expected)", " (65바이트여야 합니다)")
                : "");
    uint8_t *msg = NULL;
    size_t len = 0;
    int rc = read_message("verify-message", hex, &msg, &len);
    if (rc)
        return rc;
    err = hc_eip191_recover(&got, msg, len, sig);
    free(msg);
    /* v other than 27/28/0/1, r or s of 0 or >= n, high s: the signature is
     * malformed (exit 2, as documented), not merely someone else's (exit 1).
     * HC_ERR_RECOVER (well-formed, but no public key matches) stays 1. */
    if (err == HC_ERR_SIGNATURE)
        return cli_usage_error(
            "verify-message", "--signature: %s%s", cli_strerror(err),
            cli_tr(" (v must be 27, 28, 0 or 1; r and s in [1, n-1]; "
                   "s <= n/2, EIP-2)",
                   " (v는 27, 28, 0, 1 중 하나; r과 s는 [1, n-1] 범위; "
                   "s <= n/2, EIP-2)"));
    int valid = !err && memcmp(got.b, want.b, 20) == 0;
    char a[HC_ADDRESS_STR], b[HC_ADDRESS_STR];
    hc_address_to_str(a, &want);
    if (!err)
        hc_address_to_str(b, &got);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        char *s = NULL;
        if (o && cJSON_AddBoolToObject(o, "valid", valid) &&
            cJSON_AddStringToObject(o, "address", a) &&
            (err ? cJSON_AddNullToObject(o, "signer")
                 : cJSON_AddStringToObject(o, "signer", b)) &&
            (!err ? 1
                  : cJSON_AddStringToObject(o, "error", hc_strerror(err)) !=
                        NULL))
            s = cJSON_Print(o);
        if (s)
            puts(s);
        free(s);
        cJSON_Delete(o);
    } else if (valid) {
        printf(cli_tr("valid: signed by %s\n", "유효함: %s의 서명\n"), a);
    } else if (err) {
        printf(cli_tr("not verified: %s\n", "검증 실패: %s\n"),
               cli_strerror(err));
    } else {
        printf(cli_tr("not verified: signed by %s, not %s\n",
                      "검증 실패: %s의 서명이며 %s의 서명이 아닙니다\n"),
               b, a);
    }
    return valid ? EXIT_OK : EXIT_NOT_VERIFIED;
}
