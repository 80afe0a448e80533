/* libFuzzer target: the transaction decoder never crashes, and a decoded
 * transaction re-serializes to exactly the input bytes. */
#include <stdlib.h>
#include <string.h>

#include "haechi/tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hc_tx tx;
    const char *field;
    hc_address from;
    if (hc_tx_decode(&tx, &field, data, size) == HC_OK) {
        hc_buf b;
        hc_buf_init(&b, HC_TX_MAX_SIZE + 1024, 0);
        if (hc_tx_serialize(&b, &tx) != HC_OK || b.len != size ||
            memcmp(b.data, data, size) != 0)
            abort();
        hc_buf_free(&b);
        (void)hc_tx_intrinsic_gas(&tx);
        if (hc_tx_sender(&from, &tx) == HC_OK)
            (void)from;
    } else if (field == NULL) {
        abort(); /* every failure names a field */
    }
    hc_tx_free(&tx);
    return 0;
}
