/* apikey.h — API keys for the mint service's clients.
 *
 * A key is "hck_" + 16 hex digits (the public key id) + "_" + 64 hex digits
 * (a 32-byte random secret). The ledger stores the key id and the SHA-256
 * of the secret, never the secret; checking a key looks the client up by
 * its id and compares the hashes in constant time.
 */
#ifndef HAECHI_APIKEY_H
#define HAECHI_APIKEY_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/records.h"

#define HC_APIKEY_LEN (4 + 16 + 1 + 64) /* characters, without NUL */

/* Makes a new key: out (HC_APIKEY_LEN + 1 bytes) receives the key to hand
 * to the client once; key_id and secret_hash are what the ledger keeps.
 * The caller wipes out after use. */
HC_WUR hc_err hc_apikey_new(char out[HC_APIKEY_LEN + 1],
                            uint8_t key_id[HC_KEY_ID_LEN],
                            uint8_t secret_hash[32]);

/* Splits a presented key into its id and the SHA-256 of its secret.
 * HC_ERR_INVALID if it is not shaped like a key. */
HC_WUR hc_err hc_apikey_parse(const char *key, size_t len,
                              uint8_t key_id[HC_KEY_ID_LEN],
                              uint8_t secret_hash[32]);

/* Parses "minter,auditor,admin" (any order, no spaces) into HC_ROLE_*. */
HC_WUR hc_err hc_roles_parse(const char *s, uint32_t *roles);
/* Writes "minter,auditor" etc. into out. */
char *hc_roles_str(char *out, size_t cap, uint32_t roles);

#endif
