#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"

int cli_korean(void)
{
    static int cached = -1;
    if (cached < 0) {
        const char *vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
        cached = 0;
        for (size_t i = 0; i < 3; i++) {
            const char *v = getenv(vars[i]);
            if (v && *v) {
                cached = strncmp(v, "ko", 2) == 0;
                break;
            }
        }
    }
    return cached;
}

const char *cli_tr(const char *en, const char *ko)
{
    return cli_korean() ? ko : en;
}

static const char *const korean[HC_ERR__COUNT] = {
    [HC_OK] = "성공",
    [HC_ERR_ARG] = "잘못된 인자",
    [HC_ERR_NOMEM] = "메모리 부족",
    [HC_ERR_BUFFER] = "크기 제한 초과",
    [HC_ERR_HEX_PREFIX] = "16진수 문자열은 0x로 시작해야 합니다",
    [HC_ERR_HEX_ODD] = "16진수 자릿수가 홀수입니다",
    [HC_ERR_HEX_DIGIT] = "잘못된 16진수 문자",
    [HC_ERR_LENGTH] = "길이가 맞지 않습니다",
    [HC_ERR_NUMBER] = "잘못된 숫자",
    [HC_ERR_OVERFLOW] = "숫자가 범위를 벗어났습니다",
    [HC_ERR_RLP_TRUNCATED] = "RLP: 입력이 중간에 끝났습니다",
    [HC_ERR_RLP_NONCANONICAL] = "RLP: 표준이 아닌 길이 인코딩",
    [HC_ERR_RLP_LEADING_ZERO] = "RLP: 정수 앞에 0 바이트가 있습니다",
    [HC_ERR_RLP_TRAILING] = "RLP: 항목 뒤에 남는 바이트가 있습니다",
    [HC_ERR_RLP_TYPE] = "RLP: 리스트와 문자열이 뒤바뀌었습니다",
    [HC_ERR_RLP_DEPTH] = "RLP: 중첩이 너무 깊습니다",
    [HC_ERR_RLP_SHAPE] = "RLP: 리스트 원소 개수가 맞지 않습니다",
    [HC_ERR_KEY] = "잘못된 개인 키",
    [HC_ERR_SIGNATURE] = "잘못된 서명",
    [HC_ERR_RECOVER] = "서명에서 공개 키를 복구할 수 없습니다",
    [HC_ERR_CHECKSUM] = "주소 체크섬(EIP-55)이 맞지 않습니다",
    [HC_ERR_ADDRESS] = "잘못된 주소",
    [HC_ERR_ABI] = "잘못된 ABI 데이터",
    [HC_ERR_TX_TYPE] = "지원하지 않는 트랜잭션 유형",
    [HC_ERR_TX_FIELD] = "잘못된 트랜잭션 필드",
    [HC_ERR_TX_CHAIN_ID] = "잘못된 체인 ID 또는 v 값",
    [HC_ERR_TX_GAS] = "가스 한도나 수수료가 규칙에 맞지 않습니다",
    [HC_ERR_JSON] = "잘못된 JSON",
    [HC_ERR_IO] = "입출력 오류",
    [HC_ERR_CRYPTO] = "암호 라이브러리 오류",
    [HC_ERR_NOT_FOUND] = "찾을 수 없습니다",
    [HC_ERR_INTERNAL] = "내부 오류",
    [HC_ERR_CORRUPT] = "저장된 데이터가 손상되었습니다",
    [HC_ERR_DB] = "데이터베이스 오류",
    [HC_ERR_LOCKED] = "다른 프로세스가 원장을 쓰고 있습니다",
    [HC_ERR_VERSION] = "더 새로운 버전이 만든 원장입니다",
    [HC_ERR_EXISTS] = "이미 있습니다",
    [HC_ERR_CONFLICT] = "기존 데이터와 충돌합니다",
    [HC_ERR_CLOSED] = "원장이 닫혀 있습니다",
    [HC_ERR_RPC_UNREACHABLE] = "체인 노드에 연결할 수 없습니다",
    [HC_ERR_RPC_TIMEOUT] = "체인 노드가 제때 응답하지 않았습니다",
    [HC_ERR_RPC_HTTP] = "체인 노드가 HTTP 오류로 응답했습니다",
    [HC_ERR_RPC_MALFORMED] = "체인 노드의 응답이 잘못되었습니다",
    [HC_ERR_RPC] = "체인 노드가 오류를 돌려주었습니다",
    [HC_ERR_MULTIPART] = "잘못된 multipart/form-data 본문",
    [HC_ERR_ABORTED] = "호출자가 중단했습니다",
    [HC_ERR_INVALID] = "잘못된 입력",
};

const char *cli_strerror(hc_err err)
{
    if (cli_korean() && (unsigned)err < HC_ERR__COUNT && korean[err])
        return korean[err];
    return hc_strerror(err);
}

__attribute__((format(printf, 1, 0))) static void vmsg(const char *fmt,
                                                       va_list ap)
{
    fputs("haechi: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(fmt, ap);
    va_end(ap);
    return code;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(fmt, ap);
    va_end(ap);
    fprintf(stderr,
            cli_tr("Try 'haechi %s --help' for more information.\n",
                   "자세한 사용법은 'haechi %s --help'를 보세요.\n"),
            cmd);
    return EXIT_USAGE;
}

hc_err cli_read_stdin(uint8_t **out, size_t *len)
{
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap + 1);
    if (!buf)
        return HC_ERR_NOMEM;
    for (;;) {
        if (n == cap) {
            if (cap >= CLI_STDIN_MAX) {
                free(buf);
                return HC_ERR_BUFFER;
            }
            cap *= 2;
            uint8_t *p = realloc(buf, cap + 1);
            if (!p) {
                free(buf);
                return HC_ERR_NOMEM;
            }
            buf = p;
        }
        ssize_t r = read(STDIN_FILENO, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            free(buf);
            return HC_ERR_IO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return HC_OK;
}

const char *cli_opt_name(const char *arg)
{
    static char buf[64];
    size_t n = strcspn(arg, "=");
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, arg, n);
    buf[n] = 0;
    return buf;
}

void cli_protect_secrets(void)
{
    struct rlimit no_core = {0, 0};
    (void)setrlimit(RLIMIT_CORE, &no_core);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int cli_load_key(uint8_t sk[32], const char *env_name, const char *cmd)
{
    if (!env_name)
        return cli_usage_error(
            cmd, "%s",
            cli_tr("--key-env NAME is required (the name of an environment "
                   "variable holding the 0x-hex private key; keys are never "
                   "taken from the command line)",
                   "--key-env NAME 옵션이 필요합니다 (0x 16진수 개인 키를 담은 "
                   "환경 변수 이름; 키는 명령줄로 받지 않습니다)"));
    int valid_name =
        (env_name[0] == '_' || (env_name[0] >= 'A' && env_name[0] <= 'Z') ||
         (env_name[0] >= 'a' && env_name[0] <= 'z'));
    for (const char *c = env_name; valid_name && *c; c++)
        valid_name = *c == '_' || (*c >= 'A' && *c <= 'Z') ||
                     (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9');
    if (!valid_name) /* not echoed: it may be a key pasted by mistake */
        return cli_usage_error(
            cmd, "%s",
            cli_tr("--key-env takes the NAME of an environment variable "
                   "holding the key, not the key itself",
                   "--key-env에는 키가 아니라 키를 담은 환경 변수의 이름을 "
                   "줍니다"));
    cli_protect_secrets();
    hc_err err = hc_key_from_env(sk, env_name);
    /* the key is in our memory now; wipe and drop the copy in our
     * environment, which /proc/PID/environ shows and child processes would
     * inherit (the caller's shell keeps its own) */
    if (err != HC_ERR_NOT_FOUND)
        hc_key_env_scrub(env_name);
    if (err == HC_ERR_NOT_FOUND)
        return cli_fail(EXIT_USAGE,
                        cli_tr("environment variable %s is not set or empty",
                               "환경 변수 %s가 없거나 비어 있습니다"),
                        env_name);
    if (err)
        return cli_fail(EXIT_USAGE,
                        cli_tr("environment variable %s: not a valid private "
                               "key: %s",
                               "환경 변수 %s: 올바른 개인 키가 아닙니다: %s"),
                        env_name, cli_strerror(err));
    return EXIT_OK;
}

int cli_ledger_open_ro(hc_ledger **l, const char *dir)
{
    hc_ledger_opts o = {0};
    o.read_only = 1;
    hc_err err = hc_ledger_open(l, dir, &o);
    if (err == HC_ERR_NOT_FOUND)
        return cli_fail(EXIT_USAGE,
                        cli_tr("%s: no ledger here", "%s: 원장이 없습니다"),
                        dir);
    if (err == HC_ERR_VERSION)
        return cli_fail(
            EXIT_USAGE,
            cli_tr("%s: the ledger's schema is not this version's: a newer "
                   "version wrote it, or it is older and must first be "
                   "upgraded by opening it for writing once (start haechid)",
                   "%s: 원장의 스키마가 이 버전과 다릅니다: 더 새로운 버전이 "
                   "만들었거나, 이전 원장이라 먼저 쓰기로 한 번 열어 "
                   "갱신해야 합니다 (haechid를 시작하십시오)"),
            dir);
    if (err)
        return cli_fail(EXIT_USAGE, "%s: %s", dir, cli_strerror(err));
    return EXIT_OK;
}

int cli_bad_option(const char *cmd, const char *arg)
{
    return cli_usage_error(cmd,
                           cli_tr("unknown option or missing value: '%s'",
                                  "알 수 없는 옵션이거나 값이 없음: '%s'"),
                           cli_opt_name(arg));
}

int cli_extra_arg(const char *cmd, const char *arg)
{
    return cli_usage_error(
        cmd, cli_tr("unexpected argument '%s'", "예상하지 못한 인자 '%s'"),
        arg);
}
