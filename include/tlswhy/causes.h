/* causes.h: the diagnosis vocabulary (causes.def) as an enum, with its names. It depends on
 * nothing, so the certificate layer can name its findings with the same codes the diagnosis
 * reports (src/causes.c sits in the base layer for the same reason). */
#ifndef TLSWHY_CAUSES_H
#define TLSWHY_CAUSES_H

enum tw_cause {
#define TW_CAUSE(id, name, kind, text) TW_CAUSE_##id,
#include "tlswhy/causes.def"
#undef TW_CAUSE
    TW_CAUSE_COUNT
};

/* Static JSON name and meaning of a cause; "unknown" for out-of-range values. */
const char *tw_cause_name(int cause);
const char *tw_cause_text(int cause);
/* The kind column of causes.def: 'F' failure only, 'W' warning only, 'B' both; '?' when out of
 * range. */
char tw_cause_kind(int cause);
/* The cause whose JSON name is name, or -1 (NULL or unknown name). */
int tw_cause_from_name(const char *name);

#endif
