/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * memcage export: a profile, resolved for this host, in the format of another
 * engine (systemd, OCI, Kubernetes, Slurm, Nomad). Every key the engine
 * cannot express becomes a warning (key, engine, reason) handed back as data:
 * nothing is dropped silently, and the CLI decides what --strict makes of it.
 *
 * Rounding never exports a limit larger than the profile's: byte limits are
 * rounded down to whole pages, as the kernel rounds what it is written (so
 * the engine's group reads back what memcage's own group does), and down to
 * whole MiB for the engines that count in MiB.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "error.h"
#include "group-limits.h"
#include "profile.h"

enum mc_export_engine {
        MC_EXPORT_SYSTEMD,
        MC_EXPORT_OCI,
        MC_EXPORT_KUBERNETES,
        MC_EXPORT_SLURM,
        MC_EXPORT_NOMAD,
        _MC_EXPORT_ENGINE_COUNT,
};

/* "systemd", "oci", "kubernetes" (also "k8s"), "slurm", "nomad"; -EINVAL for anything else. */
int mc_export_engine_parse(const char *s, enum mc_export_engine *ret);
/* The engine's name as users spell it: "systemd", "OCI", "Kubernetes", "Slurm", "Nomad". */
const char *mc_export_engine_name(enum mc_export_engine e);

/* One key that did not carry over, and why (the reason names the engine's own terms). */
struct mc_export_warning {
        enum mc_key key;
        enum mc_export_engine engine;
        char *reason;
};

struct mc_export_result {
        struct mc_export_warning *warnings;
        size_t n_warnings;
        /* What a format without comments could not say itself (percentages resolved), for the CLI to. */
        char **notes;
        size_t n_notes;
};

/* Adds a warning for key (printf format); -ENOMEM. */
int mc_export_warn(struct mc_export_result *r, enum mc_key key, enum mc_export_engine engine,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* True when key has a warning already. */
bool mc_export_warned(const struct mc_export_result *r, enum mc_key key);
/* Safe on a zeroed result; leaves it zeroed. */
void mc_export_result_free(struct mc_export_result *r);

/* What the renderers read: the profile and its limits resolved for this host. */
struct mc_export_input {
        const struct mc_profile *profile;
        struct mc_limits limits; /* memory limits rounded down to pages, hugetlb to huge pages */
        uint64_t ram_bytes;
        uint64_t page_size;
        /* systemd: "Scope" for a scope drop-in, else "Service" */
        bool systemd_scope;
        /* kubernetes: a complete Job running this command (NULL-terminated), else the container's fields */
        char *const *command;
        const char *job_name; /* the Job's and container's name; the profile's name when NULL */
        const char *image;    /* the Job's container image */
};

/*
 * Resolves p for this host: sizes and percentages of ram_bytes to bytes, each
 * byte limit rounded down to a page_size multiple (as the kernel rounds the
 * files of memory.*), hugetlb limits to whole huge pages. The other fields of
 * *ret are zeroed and the caller's to set.
 */
int mc_export_input_init(const struct mc_profile *p, uint64_t ram_bytes, uint64_t page_size,
                         struct mc_export_input *ret, struct mc_error *err);

/* Rounding down, never up: a limit is exported no larger than the profile's. */
uint64_t mc_export_round_page(uint64_t bytes, uint64_t page_size);
uint64_t mc_export_mib_down(uint64_t bytes);

/*
 * True when the key's value was a percentage of RAM; buf then says what it
 * became: "max = 50% of this host's 16G RAM = 8589934592 bytes", for the
 * comment an engine's format can carry.
 */
bool mc_export_percent_note(const struct mc_export_input *in, enum mc_key key, char *buf, size_t n);

/*
 * The capabilities of a [run] capabilities value as the engines spell them,
 * "CAP_IPC_LOCK" (NULL-terminated, mc_strv_free); -EINVAL for an unknown one.
 */
int mc_export_cap_names(const char *value, char ***ret);

/*
 * A [run] user or group as this host resolves it: a number as is (0), a
 * name from the user or group database (1: the number is this host's, and
 * an image may have another). -ENOENT when there is no such name, the
 * outputs then untouched. For the engines that take numbers (OCI, Kubernetes).
 */
int mc_export_resolve_user(const char *s, uint64_t *ret_uid, uint64_t *ret_gid);
int mc_export_resolve_group(const char *s, uint64_t *ret_gid);

/*
 * A warning that field (the engine's, "runAsUser") holds id, the number
 * this host has for name: the image or node the export is for may not.
 * gid_field (or NULL) names the field that took the user's group from this
 * host's passwd entry, gid its value.
 */
int mc_export_warn_host_id(struct mc_export_result *r, enum mc_key key, enum mc_export_engine e,
                           const char *field, const char *name, uint64_t id, const char *gid_field,
                           uint64_t gid);

/*
 * Whether memcage run sets no_new_privs for p, as mc_credentials_prepare()
 * decides: [run] no_new_privs when set, else on as soon as [run] user or
 * [run] capabilities is set. *ret_cause is the key that decided it
 * (_MC_KEY_COUNT when nothing did), for a warning to name.
 */
bool mc_export_no_new_privs(const struct mc_profile *p, enum mc_key *ret_cause);

/*
 * For an engine with no no_new_privs setting: when memcage would set it,
 * a warning on the key that decided it, why saying what the engine lacks.
 */
int mc_export_warn_no_new_privs(const struct mc_profile *p, enum mc_export_engine e, const char *why,
                                struct mc_export_result *r);

/*
 * [run] groups as a JSON array of gids (a new reference in *ret), for the
 * engines that take numbers; a name this host has no group for is warned
 * (what: the engine's field, "OCI's additionalGids") and left out. -ENOMEM.
 */
int mc_export_gid_array(const char *groups, enum mc_export_engine e, const char *what,
                        struct mc_export_result *r, json_t **ret);

/* Adds the notes of mc_export_percent_note() to r->notes, for a format with no place for them; -ENOMEM. */
int mc_export_note_percentages(const struct mc_export_input *in, struct mc_export_result *r);

/*
 * The first line of the line-based exports (systemd, Slurm, Nomad): a
 * comment naming the profile, its name escaped (mc_escape_text()).
 */
void mc_export_print_header(FILE *out, const struct mc_profile *p);

/*
 * True when s can stand in one line of an exported file: no control
 * character (a CR or LF would start a line of the reader's own, which
 * systemd and sbatch then take as a setting) and valid UTF-8. The profile
 * reader refuses such values already; a renderer that writes a value into
 * a line checks again and warns instead of writing it.
 */
bool mc_export_text_ok(const char *s);

/* The profile key behind a limit. */
enum mc_key mc_export_limit_key(enum mc_limit l);

/*
 * The keys no engine takes over because they are memcage's own (placement,
 * observation: [cgroup], [report], [pressure] triggers, [run] allow_root,
 * [hugetlb] reserve): a warning each, with the reason. The renderers call it.
 */
int mc_export_warn_memcage_only(const struct mc_export_input *in, enum mc_export_engine e,
                                struct mc_export_result *r);

/*
 * Renders the export of in for engine e to out, adding a warning to r for
 * every key that does not carry over. -EINVAL with a message when the
 * input cannot be rendered at all; -EIO when out fails.
 */
int mc_export_render(const struct mc_export_input *in, enum mc_export_engine e, FILE *out,
                     struct mc_export_result *r, struct mc_error *err);

/* One module per engine, called by mc_export_render(). */
int mc_export_systemd(const struct mc_export_input *in, FILE *out, struct mc_export_result *r,
                      struct mc_error *err);
int mc_export_oci(const struct mc_export_input *in, FILE *out, struct mc_export_result *r,
                  struct mc_error *err);
int mc_export_kubernetes(const struct mc_export_input *in, FILE *out, struct mc_export_result *r,
                         struct mc_error *err);
int mc_export_slurm(const struct mc_export_input *in, FILE *out, struct mc_export_result *r,
                    struct mc_error *err);
int mc_export_nomad(const struct mc_export_input *in, FILE *out, struct mc_export_result *r,
                    struct mc_error *err);
