/* diag_names.c: the names of outcomes and stages in the JSON and text output. */
#include "tlswhy/verdict.h"

#include <stddef.h>

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
