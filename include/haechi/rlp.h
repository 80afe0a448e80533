/* rlp.h — Recursive Length Prefix encoding (Ethereum yellow paper, app. B).
 *
 * The encoder appends to an hc_buf. A list is opened with hc_rlp_list_begin,
 * which returns a mark, and closed with hc_rlp_list_end(mark); the header is
 * inserted when the list is closed, so lists nest freely.
 *
 * The decoder is strict and never allocates: items point into the input.
 * It rejects non-canonical forms (a single byte < 0x80 wrapped in a string
 * header, long forms for short payloads, length fields with leading zeros),
 * items that run past their enclosing list or the input, and trailing bytes.
 * Integers must be minimal (no leading zero bytes; zero is the empty string).
 */
#ifndef HAECHI_RLP_H
#define HAECHI_RLP_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/u256.h"
#include "haechi/util.h"

#define HC_RLP_MAX_DEPTH 64

/* ---- encoding */
HC_WUR hc_err hc_rlp_put_bytes(hc_buf *b, const uint8_t *p, size_t n);
HC_WUR hc_err hc_rlp_put_u64(hc_buf *b, uint64_t v);
HC_WUR hc_err hc_rlp_put_u256(hc_buf *b, const hc_u256 *v);
/* Appends already-encoded RLP verbatim (e.g. a nested item). */
HC_WUR hc_err hc_rlp_put_raw(hc_buf *b, const uint8_t *p, size_t n);
/* Starts a list; returns the mark to pass to hc_rlp_list_end. */
size_t hc_rlp_list_begin(const hc_buf *b);
HC_WUR hc_err hc_rlp_list_end(hc_buf *b, size_t mark);

/* ---- decoding */
typedef struct hc_rlp_item {
    const uint8_t *p;   /* payload (points into the input) */
    size_t len;         /* payload length */
    int is_list;        /* 1 for a list, 0 for a byte string */
    const uint8_t *raw; /* the whole item, header included */
    size_t raw_len;
} hc_rlp_item;

/* Reads one item's header at in[0..len). *used receives the item's full
 * size. Checks the header only (not a list's contents). */
HC_WUR hc_err hc_rlp_next(hc_rlp_item *out, size_t *used, const uint8_t *in,
                          size_t len);

/* Decodes exactly one item spanning all of in (HC_ERR_RLP_TRAILING
 * otherwise) and validates every nested item recursively. */
HC_WUR hc_err hc_rlp_decode(hc_rlp_item *out, const uint8_t *in, size_t len);

/* Iterates over the elements of a list item. */
typedef struct hc_rlp_iter {
    const uint8_t *p;
    size_t left;
} hc_rlp_iter;

HC_WUR hc_err hc_rlp_iter_init(hc_rlp_iter *it, const hc_rlp_item *list);
/* Returns HC_OK and the next element, or HC_ERR_NOT_FOUND at the end. */
HC_WUR hc_err hc_rlp_iter_next(hc_rlp_iter *it, hc_rlp_item *out);
/* Counts a list's elements. */
HC_WUR hc_err hc_rlp_list_count(const hc_rlp_item *list, size_t *count);

/* Integer views of a string item: minimal big-endian, else
 * HC_ERR_RLP_LEADING_ZERO; too large is HC_ERR_OVERFLOW; a list is
 * HC_ERR_RLP_TYPE. */
HC_WUR hc_err hc_rlp_get_u64(const hc_rlp_item *it, uint64_t *out);
HC_WUR hc_err hc_rlp_get_u256(const hc_rlp_item *it, hc_u256 *out);
/* A string of exactly n bytes (HC_ERR_LENGTH otherwise). */
HC_WUR hc_err hc_rlp_get_fixed(const hc_rlp_item *it, uint8_t *out, size_t n);

#endif
