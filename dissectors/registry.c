/* registry.c: expands dissectors.def into the dispatch table (STYLE.md section 5). */
#include "tlswhy/dissector.h"

#include "tls_int.h"

static const struct tw_dissector table[] = {
#define TW_DISSECTOR(name, ct, hs, fn) {#name, (uint8_t)(ct), (hs), fn},
#include "dissectors.def"
#undef TW_DISSECTOR
};

#define TABLE_LEN (sizeof table / sizeof table[0])

const struct tw_dissector *tw_tls_lookup(uint8_t content_type, uint8_t hs_type)
{
    for (size_t i = 0; i < TABLE_LEN; i++) {
        if (table[i].content_type != content_type)
            continue;
        if (table[i].hs_type < 0 || table[i].hs_type == (int)hs_type)
            return &table[i];
    }
    return NULL;
}

size_t tw_tls_dissector_count(void)
{
    return TABLE_LEN;
}

const struct tw_dissector *tw_tls_dissector_at(size_t i)
{
    return i < TABLE_LEN ? &table[i] : NULL;
}
