/* causes.c: names, meanings and kinds of the causes, expanded from causes.def. */
#include "tlswhy/verdict.h"

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

const char *tw_outcome_name(enum tw_outcome o)
{
    switch (o) {
    case TW_OUTCOME_OK:
        return "ok";
    case TW_OUTCOME_FAILED:
        return "failed";
    case TW_OUTCOME_INCOMPLETE:
        return "incomplete";
    }
    return "unknown";
}

const char *tw_stage_name(enum tw_stage s)
{
    switch (s) {
    case TW_STAGE_NONE:
        return NULL;
    case TW_STAGE_TCP_CONNECT:
        return "tcp_connect";
    case TW_STAGE_CLIENT_HELLO:
        return "client_hello";
    case TW_STAGE_SERVER_FLIGHT:
        return "server_flight";
    case TW_STAGE_CLIENT_FLIGHT:
        return "client_flight";
    case TW_STAGE_AFTER_HANDSHAKE:
        return "after_handshake";
    }
    return NULL;
}
