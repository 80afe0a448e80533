/* key.h — secp256k1 keys, Ethereum addresses (EIP-55) and signatures,
 * over libsecp256k1 with its recovery module.
 *
 * Signing is deterministic (RFC 6979) and always yields low-s signatures.
 * All functions are thread-safe. Secret keys are 32 bytes, big-endian; the
 * caller owns them and should wipe them with hc_memzero when done.
 */
#ifndef HAECHI_KEY_H
#define HAECHI_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/util.h"

#define HC_ADDRESS_LEN 20
#define HC_ADDRESS_STR 43 /* "0x" + 40 + NUL */
#define HC_SECKEY_LEN  32

typedef struct hc_address {
    uint8_t b[HC_ADDRESS_LEN];
} hc_address;

/* A recoverable signature: r, s big-endian and the recovery id (0 or 1). */
typedef struct hc_sig {
    uint8_t r[32];
    uint8_t s[32];
    uint8_t recid;
} hc_sig;

/* HC_OK if sk is a valid secret key (1 <= sk < n), HC_ERR_KEY otherwise. */
HC_WUR hc_err hc_key_check(const uint8_t sk[32]);

/* Parses a 0x-prefixed 64-digit hex secret key. HC_ERR_KEY for a zero or
 * out-of-range scalar. out is wiped on failure. */
HC_WUR hc_err hc_key_parse(uint8_t out[32], const char *hex);

/* Reads a 0x-hex secret key from the environment variable name.
 * HC_ERR_NOT_FOUND if unset or empty. */
HC_WUR hc_err hc_key_from_env(uint8_t out[32], const char *name);

/* Removes the environment variable name (if set) after overwriting its value
 * in place with zero bytes: a process's initial environment stays in its
 * memory, and /proc/PID/environ shows that copy even after unsetenv. Call it
 * once a secret has been read from the variable; children do not inherit
 * it either. The value must be writable (it is, unless set with putenv
 * from a string literal). */
void hc_key_env_scrub(const char *name);

/* The uncompressed public key X‖Y (64 bytes, no 0x04 prefix). */
/* Reads the key named `name` from a keys file: lines NAME=0xHEX, blank
 * lines and lines starting with '#' ignored (see keys.example). The file
 * must be a regular file that neither group nor others may read or write
 * (HC_ERR_IO with why saying so otherwise); the buffer holding it is wiped.
 * HC_ERR_NOT_FOUND if no line names the key; HC_ERR_KEY if its value is not
 * a valid key; why (may be NULL) names the problem and the line, never the
 * value. */
HC_WUR hc_err hc_key_from_file(uint8_t out[32], const char *path,
                               const char *name, char *why, size_t cap);

HC_WUR hc_err hc_key_pubkey(uint8_t pub[64], const uint8_t sk[32]);
/* The address: the last 20 bytes of keccak256(X‖Y). */
HC_WUR hc_err hc_key_address(hc_address *out, const uint8_t sk[32]);
void hc_pubkey_address(hc_address *out, const uint8_t pub[64]);

/* Signs a 32-byte digest. */
HC_WUR hc_err hc_sign_hash(hc_sig *out, const uint8_t sk[32],
                           const uint8_t hash[32]);

/* Recovers the signer's address. Rejects r or s outside [1, n-1] and, when
 * require_low_s, s > n/2 (EIP-2) with HC_ERR_SIGNATURE; HC_ERR_RECOVER if no
 * key matches. */
HC_WUR hc_err hc_recover(hc_address *out, const uint8_t hash[32],
                         const hc_sig *sig, int require_low_s);

/* EIP-55 mixed-case checksum form, "0x…", NUL-terminated. */
char *hc_address_to_str(char out[HC_ADDRESS_STR], const hc_address *a);

/* Parses "0x" + 40 hex digits. All-lowercase and all-uppercase are accepted
 * without a checksum; mixed case must match EIP-55 (HC_ERR_CHECKSUM). */
HC_WUR hc_err hc_address_parse(hc_address *out, const char *s);

/* --- EIP-191 personal messages ("\x19Ethereum Signed Message:\n" + len) */

/* The digest that personal_sign signs. */
void hc_eip191_hash(uint8_t out[32], const uint8_t *msg, size_t len);
/* 65-byte signature r‖s‖v with v = 27 or 28, as eth_sign and cast produce. */
HC_WUR hc_err hc_eip191_sign(uint8_t sig[65], const uint8_t sk[32],
                             const uint8_t *msg, size_t len);
/* Recovers the signer of a 65-byte signature (v = 27/28, or 0/1). Returns
 * HC_ERR_SIGNATURE for a malformed signature, HC_ERR_RECOVER if none. */
HC_WUR hc_err hc_eip191_recover(hc_address *out, const uint8_t *msg, size_t len,
                                const uint8_t sig[65]);

#endif
