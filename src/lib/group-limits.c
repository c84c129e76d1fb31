/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hugetlb-pool.h"
#include "group-limits.h"
#include "profile.h"
#include "size.h"
#include "util.h"

/* Names, kernel files and value types come from the profile key table, the one description. */
static const enum mc_key limit_keys[_MC_LIMIT_COUNT] = {
        [MC_LIMIT_MAX] = MC_KEY_MEMORY_MAX,
        [MC_LIMIT_HIGH] = MC_KEY_MEMORY_HIGH,
        [MC_LIMIT_LOW] = MC_KEY_MEMORY_LOW,
        [MC_LIMIT_MIN] = MC_KEY_MEMORY_MIN,
        [MC_LIMIT_SWAP_MAX] = MC_KEY_MEMORY_SWAP_MAX,
        [MC_LIMIT_SWAP_HIGH] = MC_KEY_MEMORY_SWAP_HIGH,
        [MC_LIMIT_ZSWAP_MAX] = MC_KEY_MEMORY_ZSWAP_MAX,
        [MC_LIMIT_OOM_GROUP] = MC_KEY_MEMORY_OOM_GROUP,
        [MC_LIMIT_HUGETLB_64KB_MAX] = MC_KEY_HUGETLB_64KB_MAX,
        [MC_LIMIT_HUGETLB_64KB_RSVD_MAX] = MC_KEY_HUGETLB_64KB_RSVD_MAX,
        [MC_LIMIT_HUGETLB_2MB_MAX] = MC_KEY_HUGETLB_2MB_MAX,
        [MC_LIMIT_HUGETLB_2MB_RSVD_MAX] = MC_KEY_HUGETLB_2MB_RSVD_MAX,
        [MC_LIMIT_HUGETLB_16MB_MAX] = MC_KEY_HUGETLB_16MB_MAX,
        [MC_LIMIT_HUGETLB_16MB_RSVD_MAX] = MC_KEY_HUGETLB_16MB_RSVD_MAX,
        [MC_LIMIT_HUGETLB_32MB_MAX] = MC_KEY_HUGETLB_32MB_MAX,
        [MC_LIMIT_HUGETLB_32MB_RSVD_MAX] = MC_KEY_HUGETLB_32MB_RSVD_MAX,
        [MC_LIMIT_HUGETLB_512MB_MAX] = MC_KEY_HUGETLB_512MB_MAX,
        [MC_LIMIT_HUGETLB_512MB_RSVD_MAX] = MC_KEY_HUGETLB_512MB_RSVD_MAX,
        [MC_LIMIT_HUGETLB_1GB_MAX] = MC_KEY_HUGETLB_1GB_MAX,
        [MC_LIMIT_HUGETLB_1GB_RSVD_MAX] = MC_KEY_HUGETLB_1GB_RSVD_MAX,
};

static const struct mc_key_info *limit_info(enum mc_limit l)
{
        if ((unsigned)l >= _MC_LIMIT_COUNT)
                return NULL;
        return mc_key_info(limit_keys[l]);
}

const char *mc_limit_file(enum mc_limit l)
{
        const struct mc_key_info *ki = limit_info(l);
        return ki ? ki->kernel_file : NULL;
}

const char *mc_limit_name(enum mc_limit l)
{
        const struct mc_key_info *ki = limit_info(l);
        if (ki && streq(ki->section, "hugetlb"))
                return ki->kernel_file; /* "2MB.max" alone would not say which controller */
        return ki ? ki->name : NULL;
}

bool mc_limit_is_size(enum mc_limit l)
{
        const struct mc_key_info *ki = limit_info(l);
        return ki && ki->type == MC_VALUE_SIZE;
}

uint64_t mc_limit_hugetlb_page(enum mc_limit l)
{
        const struct mc_key_info *ki = limit_info(l);
        char size[MC_HUGETLB_NAME_MAX];

        if (!ki || !streq(ki->section, "hugetlb"))
                return 0;
        /* The key's name is "<size>.max" or "<size>.rsvd.max". */
        snprintf(size, sizeof(size), "%.*s", (int)strcspn(ki->name, "."), ki->name);
        return mc_hugetlb_page_bytes(size);
}

/* Names the setting's origin: "db.ini:4: max: ..." or "command line: max: ...". */
static int limit_error(const struct mc_setting *s, const char *name, struct mc_error *err)
{
        if (s->file && s->line > 0)
                return mc_error_prefix(err, "%s:%u: %s", s->file, s->line, name);
        if (s->file)
                return mc_error_prefix(err, "%s: %s", s->file, name);
        return mc_error_prefix(err, "%s", name);
}

int mc_limits_from_profile(const struct mc_profile *p, uint64_t ram_bytes, struct mc_limits *ret,
                           struct mc_error *err)
{
        struct mc_limits limits = {};

        for (enum mc_limit l = 0; l < _MC_LIMIT_COUNT; l++) {
                const struct mc_setting *s = &p->settings[limit_keys[l]];
                uint64_t v;

                if (!s->value)
                        continue;
                if (mc_limit_is_size(l)) {
                        if (mc_size_parse(s->value, ram_bytes, &v, err) < 0)
                                return limit_error(s, mc_limit_name(l), err);
                } else {
                        bool b;
                        if (mc_profile_parse_bool(s->value, &b) < 0) {
                                mc_error_set(err, EINVAL, "invalid boolean '%s'", s->value);
                                return limit_error(s, mc_limit_name(l), err);
                        }
                        v = b;
                }
                uint64_t page = mc_limit_hugetlb_page(l);
                bool rounded = page > 0 && v != MC_SIZE_MAX && v % page != 0;
                if (rounded)
                        v -= v % page;
                limits.v[l] = (struct mc_limit_value){ .set = true, .value = v };
                limits.rounded[l] = rounded;
        }
        *ret = limits;
        return 0;
}

const char *mc_limit_format_kernel(enum mc_limit l, uint64_t value, char *buf, size_t n)
{
        if (mc_limit_is_size(l) && value == MC_SIZE_MAX)
                snprintf(buf, n, "max");
        else
                snprintf(buf, n, "%" PRIu64, value);
        return buf;
}

const char *mc_limits_describe(const struct mc_limits *requested, const struct mc_limits *effective,
                               char *buf, size_t n)
{
        char size[MC_SIZE_STR_MAX];
        size_t len = 0;
        bool any = false;

        buf[0] = '\0';
        for (int i = 0; i < _MC_LIMIT_COUNT; i++) {
                if (!requested->v[i].set)
                        continue;
                const struct mc_limit_value *eff = &effective->v[i];
                const char *val = !eff->set             ? "(not available)"
                                  : mc_limit_is_size(i) ? mc_size_format(eff->value, size, sizeof(size))
                                  : eff->value          ? "1"
                                                        : "0";
                mc_buf_appendf(buf, n, &len, " %s=%s", mc_limit_name(i), val);
                any = true;
        }
        if (!any)
                mc_buf_appendf(buf, n, &len, " no limits set");
        return buf;
}
