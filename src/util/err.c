#include "haechi/err.h"

static const char *const messages[HC_ERR__COUNT] = {
    [HC_OK] = "success",
    [HC_ERR_ARG] = "invalid argument",
    [HC_ERR_NOMEM] = "out of memory",
    [HC_ERR_BUFFER] = "buffer too small or size limit reached",
    [HC_ERR_HEX_PREFIX] = "hex string must start with 0x",
    [HC_ERR_HEX_ODD] = "hex string has an odd number of digits",
    [HC_ERR_HEX_DIGIT] = "invalid hex digit",
    [HC_ERR_LENGTH] = "wrong length",
    [HC_ERR_NUMBER] = "malformed number",
    [HC_ERR_OVERFLOW] = "number out of range",
    [HC_ERR_RLP_TRUNCATED] = "RLP: item runs past the end of the input",
    [HC_ERR_RLP_NONCANONICAL] = "RLP: non-canonical length encoding",
    [HC_ERR_RLP_LEADING_ZERO] = "RLP: integer with leading zero bytes",
    [HC_ERR_RLP_TRAILING] = "RLP: trailing bytes after the item",
    [HC_ERR_RLP_TYPE] = "RLP: list and string confused",
    [HC_ERR_RLP_DEPTH] = "RLP: nesting too deep",
    [HC_ERR_RLP_SHAPE] = "RLP: wrong number of list elements",
    [HC_ERR_KEY] = "invalid private key",
    [HC_ERR_SIGNATURE] = "invalid signature",
    [HC_ERR_RECOVER] = "public key recovery failed",
    [HC_ERR_CHECKSUM] = "address checksum (EIP-55) mismatch",
    [HC_ERR_ADDRESS] = "malformed address",
    [HC_ERR_ABI] = "malformed ABI data",
    [HC_ERR_TX_TYPE] = "unsupported transaction type",
    [HC_ERR_TX_FIELD] = "invalid transaction field",
    [HC_ERR_TX_CHAIN_ID] = "invalid chain id or v value",
    [HC_ERR_TX_GAS] = "gas limit or fees violate the protocol rules",
    [HC_ERR_JSON] = "malformed JSON",
    [HC_ERR_IO] = "input/output error",
    [HC_ERR_CRYPTO] = "cryptographic backend failure",
    [HC_ERR_NOT_FOUND] = "not found",
    [HC_ERR_INTERNAL] = "internal error",
    [HC_ERR_CORRUPT] = "stored data is corrupt",
    [HC_ERR_DB] = "database error",
    [HC_ERR_LOCKED] = "the ledger is in use by another process",
    [HC_ERR_VERSION] = "the ledger was written by a newer version",
    [HC_ERR_EXISTS] = "already exists",
    [HC_ERR_CONFLICT] = "conflicts with existing data",
    [HC_ERR_CLOSED] = "the ledger is closed",
    [HC_ERR_RPC_UNREACHABLE] = "the chain node cannot be reached",
    [HC_ERR_RPC_TIMEOUT] = "the chain node did not answer in time",
    [HC_ERR_RPC_HTTP] = "the chain node answered with an HTTP error",
    [HC_ERR_RPC_MALFORMED] = "the chain node's answer is malformed",
    [HC_ERR_RPC] = "the chain node returned an error",
    [HC_ERR_MULTIPART] = "malformed multipart/form-data body",
    [HC_ERR_ABORTED] = "stopped by the caller",
    [HC_ERR_INVALID] = "invalid input",
};

const char *hc_strerror(hc_err err)
{
    if ((unsigned)err >= HC_ERR__COUNT || messages[err] == 0)
        return "unknown error";
    return messages[err];
}
