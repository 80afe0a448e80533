/* follow.h — keeps the ledger's token owners true after the mint by
 * following the contract's ERC-721 Transfer events.
 *
 * One call is one step: it reads the cursor (the last block applied), asks
 * the node for the contract's Transfer logs of the next blocks, applies them
 * in (block, log index) order to the ledger's tokens and stores the new
 * cursor, all in ONE ledger commit. It has no thread: the minting worker
 * calls it from its loop. A step that fails changes nothing; calling again
 * retries it. Applying a log sets the token's state absolutely (owner = to,
 * or burned when to is zero), so applying a block range twice, or from an
 * older cursor, ends in the same state.
 *
 * The cursor is the KV record "follow:" ‖ contract address (20 bytes), value
 * the block number (u64 big-endian), journaled as kind "kv"; token changes
 * are journaled as "owner_changed" (a burn too: the body says burned).
 *
 * What the caller must hold to:
 * - upto is a block deep enough not to be reorganised (head minus the
 *   confirmations): logs are not re-read once the cursor has passed them,
 *   and a node behind the caller's head by more than that margin would
 *   answer for fewer blocks than asked.
 * - Tokens not in the ledger are ignored (minted by others, or not
 *   confirmed yet). So the follower must not pass the block of a mint that
 *   is mined but not yet recorded as a token: cap upto below the mined
 *   block of the batch in flight, else a transfer in between is lost.
 */
#ifndef HAECHI_FOLLOW_H
#define HAECHI_FOLLOW_H

#include <stdint.h>

#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/ledger.h"
#include "haechi/rpc.h"

#define HC_FOLLOW_KEY_PREFIX "follow:"
#define HC_FOLLOW_KEY_LEN    (7 + 20)
#define HC_FOLLOW_BLOCKS     2000  /* blocks per step when max_blocks is 0 */
#define HC_FOLLOW_MAX_LOGS   10000 /* logs accepted per eth_getLogs */

/* The KV key of a contract's cursor. */
void hc_follow_key(uint8_t out[HC_FOLLOW_KEY_LEN], const hc_address *contract);

/* The stored cursor: HC_ERR_NOT_FOUND if none, HC_ERR_CORRUPT if it is not
 * 8 bytes. */
HC_WUR hc_err hc_follow_cursor(hc_ledger *l, const hc_address *contract,
                               uint64_t *block);

/* Applies the contract's Transfer logs in blocks (cursor, upto] to the
 * ledger's tokens, in order, and advances the cursor in the same commit. A
 * cursor not yet stored starts at `start` (the caller passes head -
 * confirmations on a fresh ledger) and is stored even if there is nothing
 * to read yet. At most max_blocks blocks per call (0 = HC_FOLLOW_BLOCKS).
 *
 * For each Transfer(from, to, tokenId) log (removed logs ignored) whose
 * token is in the ledger: to == 0 is a burn (burned = 1, owner = zero),
 * otherwise owner = to (and burned = 0; a mint, from == 0, normally finds
 * the owner set already). A token is rewritten only if this changes it.
 *
 * When the node refuses the range (more than HC_FOLLOW_MAX_LOGS logs, a
 * "too many results" / block range / response size error) the range is
 * halved and asked again, down to one block.
 *
 * *done_to receives the block reached (the cursor now stored; on error the
 * cursor as it was). st (may be NULL) details an RPC error; a node answer
 * that is not plausible (a log of another address, outside the range, a
 * malformed Transfer) is HC_ERR_RPC_MALFORMED. HC_ERR_CONFLICT if the
 * cursor moved meanwhile (another follower on the same ledger). */
HC_WUR hc_err hc_follow_step(hc_ledger *l, hc_rpc *rpc,
                             const hc_address *contract, uint64_t start,
                             uint64_t upto, unsigned max_blocks,
                             uint64_t *done_to, hc_rpc_status *st);

#endif
