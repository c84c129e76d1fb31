/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>

#include "json-util.h"

json_t *mc_json_u64(uint64_t v)
{
        return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

json_t *mc_json_u64_or_null(bool has, uint64_t v)
{
        return has ? mc_json_u64(v) : json_null();
}

int mc_json_set_new(json_t *o, const char *key, json_t *v)
{
        return v && json_object_set_new(o, key, v) == 0 ? 0 : -ENOMEM;
}

json_t *mc_json_child(json_t *o, const char *key)
{
        json_t *c = json_object_get(o, key);
        if (c)
                return c;
        c = json_object();
        if (!c || json_object_set_new(o, key, c) < 0)
                return NULL;
        return c;
}
