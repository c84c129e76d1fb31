/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memcage export --to nomad: the task's resources block, in MiB.
 *
 * Nomad's memory is what the scheduler reserves, and the task's hard limit
 * unless memory_max (memory oversubscription) raises the limit above it; the
 * drivers then write memory.max from memory_max and memory.low from memory.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "export.h"
#include "size.h"
#include "util.h"

#define E MC_EXPORT_NOMAD

static int warn_unmapped(const struct mc_export_input *in, struct mc_export_result *r)
{
        const struct mc_profile *p = in->profile;
        int ret;

        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++) {
                const struct mc_key_info *ki = mc_key_info(k);
                const char *why = NULL;

                if (!p->settings[k].value || mc_export_warned(r, k))
                        continue;
                if (k == MC_KEY_MEMORY_HIGH)
                        why = "Nomad sets no memory.high";
                else if (k == MC_KEY_MEMORY_SWAP_MAX || k == MC_KEY_MEMORY_SWAP_HIGH ||
                         k == MC_KEY_MEMORY_ZSWAP_MAX)
                        why = "Nomad's resources block has no swap limit";
                else if (k == MC_KEY_MEMORY_OOM_GROUP)
                        why = "Nomad's resources block has no oom.group";
                else if (streq(ki->section, "hugetlb") && !strstr(ki->name, ".reserve"))
                        why = "Nomad's resources block has no hugetlb limit";
                else if (streq(ki->section, "run") && k != MC_KEY_RUN_ALLOW_ROOT &&
                         k != MC_KEY_RUN_NO_NEW_PRIVS /* mc_export_warn_no_new_privs() says it */)
                        why = "a task setting (user, env, ...) outside the resources block this export "
                              "writes";
                if (!why)
                        continue;
                ret = mc_export_warn(r, k, E, "%s", why);
                if (ret < 0)
                        return ret;
        }
        return 0;
}

/* Nomad counts in MiB: rounded down, never more than the profile. */
static void print_mib(FILE *out, const char *field, uint64_t bytes)
{
        uint64_t mib = mc_export_mib_down(bytes);
        fprintf(out, "  %s = %" PRIu64, field, mib);
        if (mib << 20 != bytes)
                fprintf(out, " # %" PRIu64 " bytes, rounded down to whole MiB", bytes);
        fputc('\n', out);
}

int mc_export_nomad(const struct mc_export_input *in, FILE *out, struct mc_export_result *r,
                    struct mc_error *err)
{
        const struct mc_profile *p = in->profile;
        const struct mc_limit_value *max = &in->limits.v[MC_LIMIT_MAX];
        const struct mc_limit_value *min = &in->limits.v[MC_LIMIT_MIN];
        const struct mc_limit_value *low = &in->limits.v[MC_LIMIT_LOW];
        bool limited = max->set && max->value != MC_SIZE_MAX && mc_export_mib_down(max->value) > 0;
        const struct mc_limit_value *reserve = min->set && min->value > 0 ? min : low->set ? low : NULL;
        char note[256];
        int ret;

        mc_export_print_header(out, p);
        for (enum mc_key k = MC_KEY_MEMORY_MAX; k <= MC_KEY_MEMORY_MIN; k++)
                if (mc_export_percent_note(in, k, note, sizeof(note)))
                        fprintf(out, "# %s\n", note);
        fprintf(out, "resources {\n");
        if (!limited) {
                /* memory alone would be a hard limit the profile does not set. */
                if (max->set && max->value != MC_SIZE_MAX) {
                        ret = mc_export_warn(r, MC_KEY_MEMORY_MAX, E, "below 1 MiB, Nomad's unit");
                        if (ret < 0)
                                goto oom;
                }
                for (enum mc_key k = MC_KEY_MEMORY_LOW; k <= MC_KEY_MEMORY_MIN; k++)
                        if (p->settings[k].value) {
                                ret = mc_export_warn(
                                        r, k, E,
                                        "without [memory] max, Nomad's memory would be a hard limit");
                                if (ret < 0)
                                        goto oom;
                        }
        } else if (reserve && reserve->value > 0 && mc_export_mib_down(reserve->value) > 0 &&
                   reserve->value < max->value) {
                /*
                 * With oversubscription off (the default) Nomad accepts memory_max
                 * and ignores it: memory, the reservation, becomes the hard limit.
                 */
                fprintf(out, "  # memory_max takes effect only with memory oversubscription enabled on "
                             "the cluster\n"
                             "  # (MemoryOversubscriptionEnabled of the scheduler configuration); "
                             "without it memory is the limit\n");
                print_mib(out, "memory", reserve->value);
                print_mib(out, "memory_max", max->value);
                /* Both set: memory takes min, and low has no field of its own. */
                if (reserve == min && low->set) {
                        ret = mc_export_warn(r, MC_KEY_MEMORY_LOW, E,
                                             "Nomad's memory is taken by [memory] min; low has no field");
                        if (ret < 0)
                                goto oom;
                }
        } else {
                print_mib(out, "memory", max->value);
                for (enum mc_key k = MC_KEY_MEMORY_LOW; k <= MC_KEY_MEMORY_MIN; k++)
                        if (p->settings[k].value &&
                            !(in->limits.v[k == MC_KEY_MEMORY_LOW ? MC_LIMIT_LOW : MC_LIMIT_MIN].value ==
                              0)) {
                                ret = mc_export_warn(r, k, E,
                                                     "Nomad's memory reservation must be at least 1 MiB and "
                                                     "below memory_max");
                                if (ret < 0)
                                        goto oom;
                        }
        }
        fprintf(out, "}\n");
        if (warn_unmapped(in, r) < 0)
                goto oom;
        if (mc_export_warn_no_new_privs(p, E,
                                        "this export writes the resources block only: the docker "
                                        "driver's task config takes security_opt = "
                                        "[\"no-new-privileges\"], the exec driver has no such option",
                                        r) < 0)
                goto oom;
        return 0;
oom:
        return mc_error_set(err, ENOMEM, "out of memory");
}
