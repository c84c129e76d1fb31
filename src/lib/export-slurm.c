/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memcage export --to slurm: #SBATCH lines for the job script, and the
 * cgroup.conf settings a site needs for them to bite, as comments.
 *
 * Slurm's task/cgroup plugin writes memory.max from --mem (MiB) under
 * ConstrainRAMSpace=yes, and memory.swap.max as AllowedSwapSpace percent of
 * the job's memory under ConstrainSwapSpace=yes; cgroup.conf is site-wide,
 * so the swap setting holds for every job of the site, not this one alone.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "export.h"
#include "size.h"
#include "util.h"

#define E MC_EXPORT_SLURM

#define SBATCH_WORD "it must be one line of printable text without blanks, quotes or backslashes"

/*
 * sbatch reads an #SBATCH line as words: a blank ends the option, quotes
 * and backslashes are its own syntax, and a line break ends the line. A
 * value is written only when it is one word as it stands.
 */
static bool sbatch_word_ok(const char *s)
{
        return mc_export_text_ok(s) && !strpbrk(s, " \t\"'\\");
}

static int warn_unmapped(const struct mc_export_input *in, struct mc_export_result *r)
{
        const struct mc_profile *p = in->profile;
        static const struct {
                enum mc_key key;
                const char *why;
        } unmapped[] = {
                { MC_KEY_MEMORY_HIGH, "Slurm sets no memory.high per job" },
                { MC_KEY_MEMORY_LOW, "Slurm sets no memory.low per job" },
                { MC_KEY_MEMORY_MIN, "Slurm sets no memory.min per job" },
                { MC_KEY_MEMORY_SWAP_HIGH, "Slurm sets no memory.swap.high" },
                { MC_KEY_MEMORY_ZSWAP_MAX, "Slurm sets no memory.zswap.max" },
                { MC_KEY_MEMORY_OOM_GROUP,
                  "Slurm leaves memory.oom.group to the kernel's default per step" },
                { MC_KEY_RUN_USER, "a Slurm job runs as the user who submits it" },
                { MC_KEY_RUN_GROUP,
                  "a Slurm job runs with the submitting user's group (sbatch --gid is root's)" },
                { MC_KEY_RUN_GROUPS, "a Slurm job runs with the submitting user's groups" },
                { MC_KEY_RUN_CAPABILITIES, "Slurm grants no capabilities to a job" },
                { MC_KEY_RUN_NO_NEW_PRIVS, "Slurm has no per-job no_new_privs option" },
                { MC_KEY_RUN_UMASK, "sbatch takes the umask of the submitting shell" },
                { MC_KEY_RUN_ENV_KEEP,
                  "sbatch --export names variables of the submitting shell; set them there" },
                { MC_KEY_RUN_NICE, "sbatch --nice is a scheduling priority, not the process's nice value" },
                { MC_KEY_RUN_OOM_SCORE_ADJ, "Slurm has no per-job oom_score_adj" },
                { MC_KEY_RUN_RLIMIT_MEMLOCK,
                  "sbatch --propagate passes the submitting shell's limits; set RLIMIT_MEMLOCK there" },
                { MC_KEY_RUN_RLIMIT_AS,
                  "sbatch --propagate passes the submitting shell's limits; set RLIMIT_AS there" },
                { MC_KEY_RUN_RLIMIT_DATA,
                  "sbatch --propagate passes the submitting shell's limits; set RLIMIT_DATA there" },
        };
        int ret;

        for (size_t i = 0; i < ELEMENTSOF(unmapped); i++)
                if (p->settings[unmapped[i].key].value) {
                        ret = mc_export_warn(r, unmapped[i].key, E, "%s", unmapped[i].why);
                        if (ret < 0)
                                return ret;
                }
        /* Set without the key: said on the key that implies it. */
        if (!p->settings[MC_KEY_RUN_NO_NEW_PRIVS].value &&
            (ret = mc_export_warn_no_new_privs(p, E, "Slurm has no per-job no_new_privs option", r)) < 0)
                return ret;
        for (enum mc_limit l = 0; l < _MC_LIMIT_COUNT; l++) {
                enum mc_key k = mc_export_limit_key(l);
                if (mc_limit_hugetlb_page(l) == 0 || !in->limits.v[l].set)
                        continue;
                ret = mc_export_warn(r, k, E, "Slurm has no per-job %s limit", mc_limit_file(l));
                if (ret < 0)
                        return ret;
        }
        return 0;
}

int mc_export_slurm(const struct mc_export_input *in, FILE *out, struct mc_export_result *r,
                    struct mc_error *err)
{
        const struct mc_profile *p = in->profile;
        const struct mc_limit_value *max = &in->limits.v[MC_LIMIT_MAX];
        const struct mc_limit_value *swap = &in->limits.v[MC_LIMIT_SWAP_MAX];
        bool mem = max->set && max->value != MC_SIZE_MAX;
        char note[256];
        int ret;

        mc_export_print_header(out, p);
        if (mc_export_percent_note(in, MC_KEY_MEMORY_MAX, note, sizeof(note)))
                fprintf(out, "# %s\n", note);
        if (mem) {
                uint64_t mib = mc_export_mib_down(max->value);
                if (mib == 0) {
                        /* --mem=0 is all of the node's memory to Slurm: the opposite of the limit. */
                        ret = mc_export_warn(r, MC_KEY_MEMORY_MAX, E,
                                             "below 1 MiB, and --mem=0 means all of a node's memory");
                        if (ret < 0)
                                goto oom;
                        mem = false;
                } else {
                        if (mib << 20 != max->value)
                                fprintf(out, "# max = %" PRIu64 " bytes, rounded down to whole MiB\n",
                                        max->value);
                        fprintf(out, "#SBATCH --mem=%" PRIuMAX "M\n", (uintmax_t)mib);
                }
        }
        if (p->settings[MC_KEY_RUN_CWD].value) {
                const char *cwd = p->settings[MC_KEY_RUN_CWD].value;
                if (sbatch_word_ok(cwd))
                        fprintf(out, "#SBATCH --chdir=%s\n", cwd);
                else if (mc_export_warn(r, MC_KEY_RUN_CWD, E, "an #SBATCH line cannot carry '%s': %s", cwd,
                                        SBATCH_WORD) < 0)
                        goto oom;
        }
        if (p->settings[MC_KEY_RUN_ENV].value) {
                /* --export splits on commas: a value holding one cannot be passed. */
                bool first = true;
                for (const struct mc_setting *s = &p->settings[MC_KEY_RUN_ENV]; s && s->value; s = s->next) {
                        if (!sbatch_word_ok(s->value)) {
                                ret = mc_export_warn(r, MC_KEY_RUN_ENV, E,
                                                     "an #SBATCH line cannot carry '%s': %s", s->value,
                                                     SBATCH_WORD);
                                if (ret < 0)
                                        goto oom;
                                continue;
                        }
                        if (strchr(s->value, ',')) {
                                ret = mc_export_warn(r, MC_KEY_RUN_ENV, E,
                                                     "sbatch --export cannot pass '%s': it splits on commas",
                                                     s->value);
                                if (ret < 0)
                                        goto oom;
                                continue;
                        }
                        fprintf(out, "%s%s", first ? "#SBATCH --export=ALL," : ",", s->value);
                        first = false;
                }
                if (!first)
                        fputc('\n', out);
        }

        /* What the site's cgroup.conf needs for the limits to be enforced at all. */
        if (mem) {
                fprintf(out, "# cgroup.conf: ConstrainRAMSpace=yes\n");
                fprintf(out, "# cgroup.conf: AllowedRAMSpace=100\n");
        }
        if (swap->set) {
                if (swap->value == MC_SIZE_MAX) {
                        fprintf(out, "# cgroup.conf: ConstrainSwapSpace=no\n");
                } else if (!mem) {
                        ret = mc_export_warn(r, MC_KEY_MEMORY_SWAP_MAX, E,
                                             "Slurm limits swap as a percentage of --mem, and there is no "
                                             "[memory] max to take it of");
                        if (ret < 0)
                                goto oom;
                } else {
                        /*
                         * AllowedSwapSpace is a percentage (a float) of the job's
                         * memory: two decimals, rounded down, never more swap
                         * than the profile allows.
                         */
                        uint64_t mem_bytes = mc_export_mib_down(max->value) << 20;
                        uint64_t hundredths = (uint64_t)((unsigned __int128)swap->value * 10000 / mem_bytes);
                        uint64_t allowed = (uint64_t)((unsigned __int128)mem_bytes * hundredths / 10000);
                        if (allowed != swap->value)
                                fprintf(out,
                                        "# swap.max = %" PRIu64 " bytes; AllowedSwapSpace gives %" PRIu64
                                        " (hundredths of a percent of --mem, rounded down)\n",
                                        swap->value, allowed);
                        fprintf(out, "# cgroup.conf: ConstrainSwapSpace=yes\n");
                        fprintf(out, "# cgroup.conf: AllowedSwapSpace=%" PRIu64 ".%02" PRIu64 "\n",
                                hundredths / 100, hundredths % 100);
                        /*
                         * Seen on 22.05 (s-30): its cgroup/v2 plugin writes the
                         * v1 memory+swap sum into memory.swap.max, which v2
                         * counts as swap alone.
                         */
                        ret = mc_export_warn(r, MC_KEY_MEMORY_SWAP_MAX, E,
                                             "Slurm 22.05's cgroup/v2 writes --mem plus AllowedSwapSpace "
                                             "into memory.swap.max (cgroup v1's memory+swap), so a job may "
                                             "swap out %" PRIu64 " MiB more than swap.max allows; no "
                                             "cgroup.conf setting gives the profile's limit",
                                             mem_bytes >> 20);
                        if (ret < 0)
                                goto oom;
                }
        }
        if (warn_unmapped(in, r) < 0)
                goto oom;
        return 0;
oom:
        return mc_error_set(err, ENOMEM, "out of memory");
}
