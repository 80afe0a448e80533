/* err.h — the one error enum of libhaechi and its messages.
 *
 * Every fallible function of the library returns an hc_err. HC_OK is zero, so
 * `if (err)` tests for failure. Codes are stable: new codes are appended.
 */
#ifndef HAECHI_ERR_H
#define HAECHI_ERR_H

typedef enum hc_err {
    HC_OK = 0,
    HC_ERR_ARG,              /* invalid argument (NULL, out of range) */
    HC_ERR_NOMEM,            /* allocation failed */
    HC_ERR_BUFFER,           /* output buffer too small / size limit hit */
    HC_ERR_HEX_PREFIX,       /* hex string lacks the required 0x prefix */
    HC_ERR_HEX_ODD,          /* hex string has an odd number of digits */
    HC_ERR_HEX_DIGIT,        /* a character is not a hex digit */
    HC_ERR_LENGTH,           /* value has the wrong length */
    HC_ERR_NUMBER,           /* malformed number */
    HC_ERR_OVERFLOW,         /* number does not fit the type */
    HC_ERR_RLP_TRUNCATED,    /* RLP item runs past the end of the input */
    HC_ERR_RLP_NONCANONICAL, /* RLP length/form is not the shortest one */
    HC_ERR_RLP_LEADING_ZERO, /* RLP integer has leading zero bytes */
    HC_ERR_RLP_TRAILING,     /* bytes after the RLP item */
    HC_ERR_RLP_TYPE,         /* a list where a string was expected or reverse */
    HC_ERR_RLP_DEPTH,        /* RLP nesting too deep */
    HC_ERR_RLP_SHAPE,        /* wrong number of list elements */
    HC_ERR_KEY,              /* invalid private key */
    HC_ERR_SIGNATURE,        /* invalid signature (r, s or v out of range) */
    HC_ERR_RECOVER,          /* public key recovery failed */
    HC_ERR_CHECKSUM,         /* EIP-55 checksum mismatch */
    HC_ERR_ADDRESS,          /* malformed address */
    HC_ERR_ABI,              /* malformed ABI data or unsupported type */
    HC_ERR_TX_TYPE,          /* unsupported transaction type */
    HC_ERR_TX_FIELD,         /* a transaction field is invalid */
    HC_ERR_TX_CHAIN_ID,      /* invalid chain id / legacy v value */
    HC_ERR_TX_GAS,           /* gas limit below intrinsic gas or fee rules */
    HC_ERR_JSON,             /* malformed JSON or wrong JSON type */
    HC_ERR_IO,               /* read/write failed (see errno) */
    HC_ERR_CRYPTO,           /* the crypto backend failed */
    HC_ERR_NOT_FOUND,        /* no such item */
    HC_ERR_INTERNAL,         /* a bug: should not happen */
    HC_ERR_CORRUPT,          /* stored data is malformed or fails a check */
    HC_ERR_DB,               /* the database failed (LMDB error) */
    HC_ERR_LOCKED,           /* another process holds the ledger's writer */
    HC_ERR_VERSION,          /* stored data has a newer schema version */
    HC_ERR_EXISTS,           /* the key exists already */
    HC_ERR_CONFLICT,         /* the request conflicts with stored state */
    HC_ERR_CLOSED,           /* the ledger is closing or closed */
    HC_ERR_RPC_UNREACHABLE,  /* the node cannot be reached (connect, DNS) */
    HC_ERR_RPC_TIMEOUT,      /* the node did not answer in time */
    HC_ERR_RPC_HTTP,         /* the node answered with an HTTP error status */
    HC_ERR_RPC_MALFORMED,    /* the answer is not valid JSON-RPC / too large */
    HC_ERR_RPC,              /* the node returned a JSON-RPC error */
    HC_ERR_MULTIPART,        /* malformed multipart/form-data body */
    HC_ERR_ABORTED,          /* stopped by a callback */
    HC_ERR_INVALID,          /* input fails validation (see the details) */
    HC_ERR__COUNT
} hc_err;

/* Returns a static English message for err; never NULL. */
const char *hc_strerror(hc_err err);

#endif
