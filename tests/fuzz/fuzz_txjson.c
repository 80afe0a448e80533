/* libFuzzer target: transaction JSON parsing never crashes; whatever it
 * accepts can be signed, serialized and decoded back. */
#include <stdlib.h>
#include <string.h>

#include "haechi/txjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t sk[32] = {1};
    hc_tx tx, back;
    char why[256];
    if (hc_tx_from_json(&tx, NULL, NULL, (const char *)data, size, why,
                        sizeof why) == HC_OK) {
        hc_buf b;
        hc_buf_init(&b, HC_TX_MAX_SIZE + 1024, 0);
        if (hc_tx_sign(&tx, sk) != HC_OK || hc_tx_serialize(&b, &tx) != HC_OK)
            abort();
        if (hc_tx_decode(&back, NULL, b.data, b.len) != HC_OK)
            abort();
        hc_tx_free(&back);
        hc_buf_free(&b);
    } else if (why[0] == 0) {
        abort(); /* every failure says why */
    }
    hc_tx_free(&tx);
    return 0;
}
