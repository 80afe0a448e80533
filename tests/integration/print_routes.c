/* print_routes — prints the mint API's routes (hc_api_routes in api.h), one
 * "METHOD PATH" pair per line, in the server's order, so that
 * tests/integration/openapi.sh can compare them with the paths of
 * docs/openapi.yaml.
 *
 *   print_routes          e.g. "GET /v1/tokens/{id}"
 *
 * Exit 0; 1 if the table is empty or malformed.
 */
#include <stdio.h>
#include <string.h>

#include "haechi/api.h"

int main(void)
{
    size_t i, n = 0;
    for (i = 0; hc_api_routes[i]; i += 2) {
        const char *method = hc_api_routes[i], *path = hc_api_routes[i + 1];
        if (!path || path[0] != '/' || !method[0]) {
            fprintf(stderr, "print_routes: malformed entry %zu\n", i / 2);
            return 1;
        }
        /* the server must answer the route it lists */
        int allowed = 0;
        const char *found = hc_api_route(method, path, &allowed);
        if (!found || strcmp(found, path) != 0 || !allowed) {
            fprintf(stderr, "print_routes: %s %s does not route to itself\n",
                    method, path);
            return 1;
        }
        printf("%s %s\n", method, path);
        n++;
    }
    if (n == 0) {
        fprintf(stderr, "print_routes: no routes\n");
        return 1;
    }
    return 0;
}
