/* libFuzzer target: the RLP decoder never crashes, and anything it accepts
 * re-encodes to the same bytes (the decoder accepts canonical forms only). */
#include <stdlib.h>
#include <string.h>

#include "haechi/rlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reencode(hc_buf *b, const hc_rlp_item *it)
{
    if (!it->is_list) {
        if (hc_rlp_put_bytes(b, it->p, it->len))
            abort();
        return;
    }
    hc_rlp_iter iter;
    hc_rlp_item sub;
    size_t mark = hc_rlp_list_begin(b);
    if (hc_rlp_iter_init(&iter, it))
        abort();
    while (hc_rlp_iter_next(&iter, &sub) == HC_OK)
        reencode(b, &sub);
    if (hc_rlp_list_end(b, mark))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hc_rlp_item item;
    if (hc_rlp_decode(&item, data, size) != HC_OK)
        return 0;
    hc_buf b;
    hc_buf_init(&b, size + 64, 0);
    reencode(&b, &item);
    if (b.len != size || memcmp(b.data, data, size) != 0)
        abort();
    hc_buf_free(&b);
    return 0;
}
