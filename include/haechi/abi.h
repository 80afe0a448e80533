/* abi.h — Ethereum contract ABI encoding and decoding (Solidity ABI spec),
 * function selectors and event topics.
 *
 * Supported types: uintN (N = 8, 16, …, 256), address, bool, bytesN
 * (N = 1..32), bytes, string and dynamic arrays T[] of any of these
 * (not arrays of arrays).
 *
 * Encoding: describe each argument with an hc_abi_value (use the
 * constructors below) and append the standard head/tail encoding of the
 * tuple to an hc_buf with hc_abi_encode, or a whole call (selector first,
 * checked against the arguments' types) with hc_abi_encode_call.
 *
 * Decoding never allocates: an hc_abi_dec is a view of a tuple, and each
 * accessor decodes one head slot (argument i) of it, checking the type's
 * rules strictly (unused high bits of integers, addresses and booleans must
 * be zero, and so must the unused low bytes of a bytesN) and every offset,
 * length and count against the end of the data. Malformed or hostile data
 * gives HC_ERR_ABI. Padding after the contents of a bytes or string is
 * neither required nor checked (as in Solidity's decoder). Pointers returned
 * by the decoder point into the decoded data.
 *
 * Indexed event parameters: a topic is one 32-byte head slot, so
 * hc_abi_dec_init(&d, topic, 32) and hc_abi_get_address(&d, 0, …) read it.
 */
#ifndef HAECHI_ABI_H
#define HAECHI_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/u256.h"
#include "haechi/util.h"

#define HC_ABI_SELECTOR_LEN 4
#define HC_ABI_WORD         32

typedef enum hc_abi_kind {
    HC_ABI_UINT = 1, /* uintN: size = N bits, value in u */
    HC_ABI_ADDRESS,  /* value in addr */
    HC_ABI_BOOL,     /* value in u (0 or 1) */
    HC_ABI_FIXED,    /* bytesN: size = N bytes, value in fixed[0..N) */
    HC_ABI_BYTES,    /* bytes: p, len */
    HC_ABI_STRING, /* string: p, len (not NUL-terminated, no encoding check) */
    HC_ABI_ARRAY   /* T[]: T is (elem, size); items[0..count) */
} hc_abi_kind;

/* One value to encode. It does not own what p and items point to. */
typedef struct hc_abi_value {
    hc_abi_kind kind;
    unsigned size;    /* UINT: bits; FIXED: bytes; ARRAY: the element's size */
    hc_abi_kind elem; /* ARRAY: the element kind (not HC_ABI_ARRAY) */
    union {
        hc_u256 u;         /* UINT, BOOL */
        hc_address addr;   /* ADDRESS */
        uint8_t fixed[32]; /* FIXED: the first size bytes are used */
        struct {           /* BYTES, STRING (p may be NULL if len is 0) */
            const uint8_t *p;
            size_t len;
        };
        struct { /* ARRAY: every item must have kind elem and size size */
            const struct hc_abi_value *items;
            size_t count;
        };
    };
} hc_abi_value;

/* ---- constructors */

static inline hc_abi_value hc_abi_uint(unsigned bits, const hc_u256 *u)
{
    hc_abi_value v = {.kind = HC_ABI_UINT, .size = bits, .u = *u};
    return v;
}

static inline hc_abi_value hc_abi_uint64(unsigned bits, uint64_t u)
{
    hc_abi_value v = {.kind = HC_ABI_UINT, .size = bits};
    v.u = hc_u256_from_u64(u);
    return v;
}

static inline hc_abi_value hc_abi_address(const hc_address *a)
{
    hc_abi_value v = {.kind = HC_ABI_ADDRESS, .addr = *a};
    return v;
}

static inline hc_abi_value hc_abi_bool(int b)
{
    hc_abi_value v = {.kind = HC_ABI_BOOL};
    v.u = hc_u256_from_u64(b != 0);
    return v;
}

/* bytesN from n bytes at p (n = 1..32; anything else fails when encoded). */
static inline hc_abi_value hc_abi_fixed(const uint8_t *p, unsigned n)
{
    hc_abi_value v = {.kind = HC_ABI_FIXED, .size = n};
    if (p && n && n <= sizeof v.fixed)
        memcpy(v.fixed, p, n);
    return v;
}

static inline hc_abi_value hc_abi_bytes(const uint8_t *p, size_t len)
{
    hc_abi_value v = {.kind = HC_ABI_BYTES, .p = p, .len = len};
    return v;
}

/* A string from a NUL-terminated C string (the NUL is not encoded). */
static inline hc_abi_value hc_abi_string(const char *s)
{
    hc_abi_value v = {.kind = HC_ABI_STRING,
                      .p = (const uint8_t *)s,
                      .len = s ? strlen(s) : 0};
    return v;
}

/* T[] where T is (elem, size), e.g. (HC_ABI_UINT, 16) for uint16[],
 * (HC_ABI_FIXED, 32) for bytes32[], (HC_ABI_ADDRESS, 0) for address[]. */
static inline hc_abi_value hc_abi_array(hc_abi_kind elem, unsigned size,
                                        const hc_abi_value *items, size_t count)
{
    hc_abi_value v = {.kind = HC_ABI_ARRAY,
                      .size = size,
                      .elem = elem,
                      .items = items,
                      .count = count};
    return v;
}

/* ---- selectors and topics */

/* The function selector: the first 4 bytes of keccak256(sig).
 *
 * Returns: HC_OK, HC_ERR_ARG for NULL, or HC_ERR_ABI if sig is not a
 *          canonical signature (whitespace, aliases such as "uint" for
 *          "uint256", unbalanced parentheses, empty types).
 * Args:    out: receives the selector.
 *          sig: NUL-terminated canonical signature, e.g.
 *               "transfer(address,uint256)".
 */
HC_WUR hc_err hc_abi_selector(uint8_t out[HC_ABI_SELECTOR_LEN],
                              const char *sig);

/* The event topic 0: keccak256(sig) of an event's canonical signature.
 *
 * Returns: as hc_abi_selector.
 * Args:    out: receives the 32-byte topic.
 *          sig: e.g. "Transfer(address,address,uint256)".
 */
HC_WUR hc_err hc_abi_event_topic(uint8_t out[32], const char *sig);

/* ---- encoding */

/* Appends the ABI encoding of the tuple (v[0], …, v[n-1]) to b. On failure
 * b keeps its previous length.
 *
 * Returns: HC_OK;
 *          HC_ERR_ARG for NULL pointers;
 *          HC_ERR_ABI for an invalid or unsupported type (kind, size, an
 *          array item that does not match the element type, arrays of
 *          arrays);
 *          HC_ERR_OVERFLOW for a value that does not fit its type (uint16
 *          above 65535, bool other than 0 or 1);
 *          HC_ERR_BUFFER if b would grow past its maximum; HC_ERR_NOMEM.
 * Args:    b: the buffer to append to.
 *          v: the values (may be NULL if n is 0).
 *          n: the number of values.
 */
HC_WUR hc_err hc_abi_encode(hc_buf *b, const hc_abi_value *v, size_t n);

/* Appends calldata for a call: the selector of sig, then the encoding of the
 * arguments. The types in sig must be exactly the canonical types of the
 * arguments ("uint16", "bytes32[]", …), so a signature and its arguments
 * cannot disagree. On failure b keeps its previous length.
 *
 * Returns: as hc_abi_encode; HC_ERR_ABI also if sig is malformed or does not
 *          match the arguments.
 * Args:    b:   the buffer to append to.
 *          sig: NUL-terminated signature, e.g.
 *               "mint(address,bytes32,bytes32,uint16)".
 *          v:   the arguments (may be NULL if n is 0).
 *          n:   the number of arguments.
 */
HC_WUR hc_err hc_abi_encode_call(hc_buf *b, const char *sig,
                                 const hc_abi_value *v, size_t n);

/* ---- decoding */

/* A view of an encoded tuple. Offsets in its head slots count from base.
 * Fill it with hc_abi_dec_init, hc_abi_dec_init_call or hc_abi_get_array
 * only: the accessors rely on n <= len / 32. */
typedef struct hc_abi_dec {
    const uint8_t *base; /* start of the tuple */
    size_t len;          /* bytes readable from base (to the end of data) */
    size_t n;            /* head slots that may be read */
} hc_abi_dec;

/* Starts decoding a tuple: return data, event data, a topic.
 *
 * Args:    d:    the decoder to initialise.
 *          data: the encoded tuple (len bytes; may be NULL if len is 0).
 *          len:  its length. The decoder reads only data[0..len).
 */
void hc_abi_dec_init(hc_abi_dec *d, const uint8_t *data, size_t len);

/* Starts decoding calldata or revert data (custom errors): checks that it
 * starts with the selector sel and decodes the tuple after it.
 *
 * Returns: HC_OK; HC_ERR_ARG for NULL; HC_ERR_ABI if len < 4;
 *          HC_ERR_NOT_FOUND if the data starts with another selector (so
 *          revert data can be tried against each known error).
 * Args:    d:    the decoder to initialise.
 *          sel:  the expected selector.
 *          data: selector ‖ tuple (len bytes).
 */
HC_WUR hc_err hc_abi_dec_init_call(hc_abi_dec *d,
                                   const uint8_t sel[HC_ABI_SELECTOR_LEN],
                                   const uint8_t *data, size_t len);

/* The accessors below decode head slot i of d. They return HC_OK, HC_ERR_ARG
 * for NULL pointers or an invalid type size, and HC_ERR_ABI if slot i is
 * beyond the data (or the array's count) or the data is malformed. Outputs
 * are written only on success. */

/* uintN (bits = 8, 16, …, 256): the top 256 - bits bits must be zero.
 * Args:  d, i: the tuple and slot; bits: N; out: the value. */
HC_WUR hc_err hc_abi_get_uint(const hc_abi_dec *d, size_t i, unsigned bits,
                              hc_u256 *out);

/* uintN with N <= 64 (bits = 8, 16, …, 64) into a uint64_t. */
HC_WUR hc_err hc_abi_get_u64(const hc_abi_dec *d, size_t i, unsigned bits,
                             uint64_t *out);

/* address: the first 12 bytes of the slot must be zero. */
HC_WUR hc_err hc_abi_get_address(const hc_abi_dec *d, size_t i,
                                 hc_address *out);

/* bool: the slot must be 0 or 1. *out receives 0 or 1. */
HC_WUR hc_err hc_abi_get_bool(const hc_abi_dec *d, size_t i, int *out);

/* bytesN (n = 1..32): copies the first n bytes to out; the other 32 - n
 * bytes of the slot must be zero. */
HC_WUR hc_err hc_abi_get_fixed(const hc_abi_dec *d, size_t i, uint8_t *out,
                               size_t n);

/* bytes or string: follows the offset in slot i and checks that the length
 * word and the contents lie within the data.
 * Args:  *p: receives a pointer to the contents in the data (not
 *            NUL-terminated; the pointer is to the length word's end, so it
 *            is valid even when *len is 0).
 *        *len: receives the length in bytes. */
HC_WUR hc_err hc_abi_get_bytes(const hc_abi_dec *d, size_t i, const uint8_t **p,
                               size_t *len);

/* T[]: follows the offset in slot i and checks that the count word and
 * count head slots lie within the data. Element j is then slot j of *elems,
 * read with the accessor for T (for string[] or bytes[] the element offsets
 * count from the first element, as the ABI specifies).
 * Args:  elems: receives a decoder over the elements.
 *        count: receives the number of elements. */
HC_WUR hc_err hc_abi_get_array(const hc_abi_dec *d, size_t i, hc_abi_dec *elems,
                               size_t *count);

#endif
