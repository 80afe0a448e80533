/* cli.h — shared pieces of the haechi command-line program. */
#ifndef HAECHI_CLI_H
#define HAECHI_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/ledger.h"

/* Stable exit codes (documented in --help and docs/cli.md). */
enum {
    EXIT_OK = 0,           /* done, verified */
    EXIT_NOT_VERIFIED = 1, /* not verified / not found */
    EXIT_USAGE = 2,        /* usage or input error */
    EXIT_UNREACHABLE = 3   /* chain or service unreachable */
};

#define CLI_STDIN_MAX (64u << 20) /* largest stdin we read whole */

/* 1 when messages should be Korean (LANG/LC_ALL/LC_MESSAGES start "ko"). */
int cli_korean(void);
/* Picks the Korean or English text. */
const char *cli_tr(const char *en, const char *ko)
    __attribute__((format_arg(1))) __attribute__((format_arg(2)));
/* Library error text in the user's language. */
const char *cli_strerror(hc_err err);

/* "haechi: <message>\n" on stderr; returns code. */
int cli_fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Usage error: message, then "see 'haechi CMD --help'"; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reads all of stdin (at most CLI_STDIN_MAX bytes) into a malloc'ed,
 * NUL-terminated buffer. Returns HC_ERR_BUFFER if larger. */
hc_err cli_read_stdin(uint8_t **out, size_t *len);

/* Loads the private key named by --key-env into sk, with core dumps off.
 * Prints the error and returns an exit code (EXIT_OK on success). */
int cli_load_key(uint8_t sk[32], const char *env_name, const char *cmd);

/* An option as typed, without any "=value" (which may be a secret). */
const char *cli_opt_name(const char *arg);

/* Usage errors of cmd: an unknown option or one missing its value (arg as
 * typed, its value left out); an argument it does not take. Return
 * EXIT_USAGE. */
int cli_bad_option(const char *cmd, const char *arg);
int cli_extra_arg(const char *cmd, const char *arg);

/* Turns off core dumps and ptrace attachment for this process. */
void cli_protect_secrets(void);

/* Opens the ledger in dir read-only (beside a running haechid). Prints the
 * error and returns an exit code (EXIT_OK on success). */
int cli_ledger_open_ro(hc_ledger **l, const char *dir);

int cmd_hash(int argc, char **argv);
int cmd_sign_tx(int argc, char **argv);
int cmd_decode_tx(int argc, char **argv);
int cmd_sign_message(int argc, char **argv);
int cmd_verify_message(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_deploy(int argc, char **argv);
int cmd_owner(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_mint(int argc, char **argv);
int cmd_keys(int argc, char **argv);

#endif
