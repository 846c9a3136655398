/* causes.c: names, meanings and kinds of the causes, expanded from causes.def. */
#include "tlswhy/causes.h"

#include <string.h>

struct cause_row {
    const char *name, *text;
    char kind;
};

static const struct cause_row rows[] = {
#define TW_CAUSE(id, name, kind, text) {name, text, #kind[0]},
#include "tlswhy/causes.def"
#undef TW_CAUSE
};

const char *tw_cause_name(int cause)
{
    if (cause < 0 || cause >= TW_CAUSE_COUNT)
        return "unknown";
    return rows[cause].name;
}

const char *tw_cause_text(int cause)
{
    if (cause < 0 || cause >= TW_CAUSE_COUNT)
        return "unknown";
    return rows[cause].text;
}

char tw_cause_kind(int cause)
{
    if (cause < 0 || cause >= TW_CAUSE_COUNT)
        return '?';
    return rows[cause].kind;
}

int tw_cause_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < TW_CAUSE_COUNT; i++)
        if (strcmp(rows[i].name, name) == 0)
            return i;
    return -1;
}
