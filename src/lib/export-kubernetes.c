/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memcage export --to kubernetes: a container's resources and
 * securityContext (JSON, which kubectl takes as it takes YAML), or with a
 * command a complete batch/v1 Job running it.
 *
 * The kubelet writes memory.max from limits.memory and, with the MemoryQoS
 * feature, memory.min from requests.memory and memory.high from a factor of
 * the limit; huge pages are a resource whose requests must equal its limits.
 * Quantities are exact: bytes, or Mi/Gi when exact (never rounded up).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "export.h"
#include "json-util.h"
#include "size.h"
#include "util.h"

#define E MC_EXPORT_KUBERNETES

/* "64Mi" when exact, else the bytes: a Kubernetes quantity equal to the value. */
static json_t *quantity(uint64_t bytes)
{
        char buf[32];
        if (bytes != 0 && bytes % (UINT64_C(1) << 30) == 0)
                snprintf(buf, sizeof(buf), "%" PRIu64 "Gi", bytes >> 30);
        else if (bytes != 0 && bytes % (UINT64_C(1) << 20) == 0)
                snprintf(buf, sizeof(buf), "%" PRIu64 "Mi", bytes >> 20);
        else
                snprintf(buf, sizeof(buf), "%" PRIu64, bytes);
        return json_string(buf);
}

/* The resource name of a huge page size: "hugepages-2Mi", "hugepages-1Gi", "hugepages-64Ki". */
static void hugepages_name(uint64_t page, char *buf, size_t n)
{
        if (page % (UINT64_C(1) << 30) == 0)
                snprintf(buf, n, "hugepages-%" PRIu64 "Gi", page >> 30);
        else if (page % (UINT64_C(1) << 20) == 0)
                snprintf(buf, n, "hugepages-%" PRIu64 "Mi", page >> 20);
        else
                snprintf(buf, n, "hugepages-%" PRIu64 "Ki", page >> 10);
}

static int export_resources(const struct mc_export_input *in, json_t *container, struct mc_export_result *r)
{
        const struct mc_limits *l = &in->limits;
        const struct mc_limit_value *max = &l->v[MC_LIMIT_MAX], *min = &l->v[MC_LIMIT_MIN],
                                    *low = &l->v[MC_LIMIT_LOW];
        json_t *res = mc_json_child(container, "resources"), *limits = NULL, *requests = NULL;
        int ret;

        if (!res)
                return -ENOMEM;
#define LIMITS()   (limits ? limits : (limits = mc_json_child(res, "limits")))
#define REQUESTS() (requests ? requests : (requests = mc_json_child(res, "requests")))
        if (max->set && max->value != MC_SIZE_MAX) {
                if (!LIMITS() || mc_json_set_new(limits, "memory", quantity(max->value)) < 0)
                        return -ENOMEM;
        }
        /* requests.memory is memory.min under MemoryQoS: min first, else low. */
        const struct mc_limit_value *req = min->set && min->value > 0 ? min : low->set ? low : NULL;
        enum mc_key req_key = req == min ? MC_KEY_MEMORY_MIN : MC_KEY_MEMORY_LOW;
        if (req == min && low->set) {
                ret = mc_export_warn(
                        r, MC_KEY_MEMORY_LOW, E,
                        "requests.memory is taken by [memory] min; Kubernetes has no memory.low");
                if (ret < 0)
                        return ret;
        }
        if (req && req->value == MC_SIZE_MAX) {
                ret = mc_export_warn(r, req_key, E, "requests.memory cannot be unlimited");
                if (ret < 0)
                        return ret;
        } else if (req && max->set && max->value != MC_SIZE_MAX && req->value > max->value) {
                ret = mc_export_warn(r, req_key, E,
                                     "Kubernetes refuses requests.memory above limits.memory");
                if (ret < 0)
                        return ret;
        } else if (req && req->value > 0) {
                if (!REQUESTS() || mc_json_set_new(requests, "memory", quantity(req->value)) < 0)
                        return -ENOMEM;
        }

        static const struct {
                enum mc_limit limit;
                const char *why;
        } unmapped[] = {
                { MC_LIMIT_HIGH,
                  "Kubernetes has no memory.high (it derives it from limits under MemoryQoS)" },
                { MC_LIMIT_SWAP_MAX,
                  "Kubernetes sets swap per node (NodeSwap; LimitedSwap derives it from requests)" },
                { MC_LIMIT_SWAP_HIGH, "Kubernetes has no memory.swap.high" },
                { MC_LIMIT_ZSWAP_MAX, "Kubernetes has no memory.zswap.max" },
        };
        for (size_t i = 0; i < ELEMENTSOF(unmapped); i++)
                if (l->v[unmapped[i].limit].set) {
                        ret = mc_export_warn(r, mc_export_limit_key(unmapped[i].limit), E, "%s",
                                             unmapped[i].why);
                        if (ret < 0)
                                return ret;
                }
        if (l->v[MC_LIMIT_OOM_GROUP].set && l->v[MC_LIMIT_OOM_GROUP].value == 0) {
                ret = mc_export_warn(r, MC_KEY_MEMORY_OOM_GROUP, E,
                                     "the kubelet sets memory.oom.group=1 on cgroup v2 (since 1.28); only a "
                                     "node's singleProcessOOMKill turns it off");
                if (ret < 0)
                        return ret;
        }

        for (enum mc_limit h = 0; h < _MC_LIMIT_COUNT; h++) {
                uint64_t page = mc_limit_hugetlb_page(h);
                char name[48];
                if (page == 0 || !l->v[h].set)
                        continue;
                if (strstr(mc_limit_file(h), ".rsvd.max")) {
                        ret = mc_export_warn(
                                r, mc_export_limit_key(h), E,
                                "Kubernetes derives the reservation limit from the hugepages limit");
                        if (ret < 0)
                                return ret;
                        continue;
                }
                if (l->v[h].value == MC_SIZE_MAX) {
                        ret = mc_export_warn(
                                r, mc_export_limit_key(h), E,
                                "a container gets only the huge pages it requests: unlimited cannot "
                                "be said");
                        if (ret < 0)
                                return ret;
                        continue;
                }
                /* Huge pages are not overcommitted: requests equal limits. */
                hugepages_name(page, name, sizeof(name));
                if (!LIMITS() || !REQUESTS() || mc_json_set_new(limits, name, quantity(l->v[h].value)) < 0 ||
                    mc_json_set_new(requests, name, quantity(l->v[h].value)) < 0)
                        return -ENOMEM;
        }
#undef LIMITS
#undef REQUESTS
        return 0;
}

static int export_security(const struct mc_export_input *in, json_t *container, json_t *pod_security,
                           struct mc_export_result *r)
{
        const struct mc_setting *s = in->profile->settings;
        json_t *sc = NULL;
        uint64_t uid = UINT64_MAX, gid;
        int ret;

#define SC() (sc ? sc : (sc = mc_json_child(container, "securityContext")))
        if (s[MC_KEY_RUN_USER].value) {
                uint64_t u;
                int by_name = mc_export_resolve_user(s[MC_KEY_RUN_USER].value, &u, &gid);
                if (by_name < 0) {
                        ret = mc_export_warn(r, MC_KEY_RUN_USER, E,
                                             "runAsUser takes a uid, and this host has no user '%s'",
                                             s[MC_KEY_RUN_USER].value);
                        if (ret < 0)
                                return ret;
                } else {
                        /* Only a uid written as runAsUser: the capabilities warning reads it. */
                        uid = u;
                        if (!SC() || mc_json_set_new(sc, "runAsUser", json_integer((json_int_t)uid)) < 0)
                                return -ENOMEM;
                        bool own_gid = gid != UINT64_MAX && !s[MC_KEY_RUN_GROUP].value;
                        if (by_name > 0 &&
                            (ret = mc_export_warn_host_id(r, MC_KEY_RUN_USER, E, "runAsUser",
                                                          s[MC_KEY_RUN_USER].value, uid,
                                                          own_gid ? "runAsGroup" : NULL, gid)) < 0)
                                return ret;
                        if (gid != UINT64_MAX && !s[MC_KEY_RUN_GROUP].value &&
                            mc_json_set_new(sc, "runAsGroup", json_integer((json_int_t)gid)) < 0)
                                return -ENOMEM;
                }
        }
        if (s[MC_KEY_RUN_GROUP].value) {
                int by_name = mc_export_resolve_group(s[MC_KEY_RUN_GROUP].value, &gid);
                if (by_name < 0) {
                        ret = mc_export_warn(r, MC_KEY_RUN_GROUP, E,
                                             "runAsGroup takes a gid, and this host has no group '%s'",
                                             s[MC_KEY_RUN_GROUP].value);
                        if (ret < 0)
                                return ret;
                } else {
                        if (!SC() || mc_json_set_new(sc, "runAsGroup", json_integer((json_int_t)gid)) < 0)
                                return -ENOMEM;
                        if (by_name > 0 &&
                            (ret = mc_export_warn_host_id(r, MC_KEY_RUN_GROUP, E, "runAsGroup",
                                                          s[MC_KEY_RUN_GROUP].value, gid, NULL, 0)) < 0)
                                return ret;
                }
        }
        if (s[MC_KEY_RUN_GROUPS].value) {
                if (!pod_security) {
                        ret = mc_export_warn(
                                r, MC_KEY_RUN_GROUPS, E,
                                "supplementalGroups belong to the pod's securityContext: export a "
                                "Job (--command) to have them");
                        if (ret < 0)
                                return ret;
                } else {
                        json_t *gids;
                        ret = mc_export_gid_array(s[MC_KEY_RUN_GROUPS].value, E, "supplementalGroups", r,
                                                  &gids);
                        if (ret < 0)
                                return ret;
                        if (mc_json_set_new(pod_security, "supplementalGroups", gids) < 0)
                                return -ENOMEM;
                }
        }
        if (s[MC_KEY_RUN_CAPABILITIES].value) {
                _cleanup_strv_free_ char **caps = NULL;
                json_t *c, *add, *drop;
                if (mc_export_cap_names(s[MC_KEY_RUN_CAPABILITIES].value, &caps) < 0 || !SC() ||
                    !(c = mc_json_child(sc, "capabilities")))
                        return -ENOMEM;
                add = json_array();
                drop = json_pack("[s]", "ALL");
                if (mc_json_set_new(c, "add", add) < 0 || mc_json_set_new(c, "drop", drop) < 0)
                        return -ENOMEM;
                /* Kubernetes names them without the CAP_ prefix. */
                for (char **n = caps; *n; n++)
                        if (json_array_append_new(add, json_string(*n + strlen("CAP_"))) < 0)
                                return -ENOMEM;
                if (caps[0] && uid != 0 && uid != UINT64_MAX) {
                        ret = mc_export_warn(
                                r, MC_KEY_RUN_CAPABILITIES, E,
                                "Kubernetes sets no ambient capabilities: a non-root runAsUser gets "
                                "the added ones only through file capabilities");
                        if (ret < 0)
                                return ret;
                }
        }
        /* no_new_privs, implied by a user or capabilities as memcage run implies it. */
        enum mc_key nnp_cause;
        bool nnp = mc_export_no_new_privs(in->profile, &nnp_cause);
        if (nnp_cause != _MC_KEY_COUNT &&
            (!SC() || mc_json_set_new(sc, "allowPrivilegeEscalation", json_boolean(!nnp)) < 0))
                return -ENOMEM;
#undef SC
        if (s[MC_KEY_RUN_CWD].value &&
            mc_json_set_new(container, "workingDir", json_string(s[MC_KEY_RUN_CWD].value)) < 0)
                return -ENOMEM;
        if (s[MC_KEY_RUN_ENV].value) {
                json_t *env = json_array();
                if (mc_json_set_new(container, "env", env) < 0)
                        return -ENOMEM;
                for (const struct mc_setting *e = &s[MC_KEY_RUN_ENV]; e && e->value; e = e->next) {
                        const char *eq = strchr(e->value, '=');
                        json_t *o = eq ? json_pack("{s:s%, s:s}", "name", e->value, (size_t)(eq - e->value),
                                                   "value", eq + 1)
                                       : NULL;
                        if (!o || json_array_append_new(env, o) < 0)
                                return -ENOMEM;
                }
        }

        static const struct {
                enum mc_key key;
                const char *why;
        } unmapped[] = {
                { MC_KEY_RUN_ENV_KEEP,
                  "a container's environment is env alone; the caller's is not passed" },
                { MC_KEY_RUN_UMASK, "a container has no umask setting (the image's entrypoint sets it)" },
                { MC_KEY_RUN_NICE, "a container has no nice setting" },
                { MC_KEY_RUN_OOM_SCORE_ADJ, "the kubelet derives oom_score_adj from the pod's QoS class" },
                { MC_KEY_RUN_RLIMIT_MEMLOCK, "a container has no rlimits (the runtime's defaults apply)" },
                { MC_KEY_RUN_RLIMIT_AS, "a container has no rlimits (the runtime's defaults apply)" },
                { MC_KEY_RUN_RLIMIT_DATA, "a container has no rlimits (the runtime's defaults apply)" },
        };
        for (size_t i = 0; i < ELEMENTSOF(unmapped); i++)
                if (s[unmapped[i].key].value) {
                        ret = mc_export_warn(r, unmapped[i].key, E, "%s", unmapped[i].why);
                        if (ret < 0)
                                return ret;
                }
        return 0;
}

/* A DNS-1123 name from the profile's: "./db-test.ini" -> "db-test", "My_Job" -> "my-job". */
static void job_name(const struct mc_export_input *in, char *buf, size_t n)
{
        const char *src = in->job_name ? in->job_name : in->profile->name ? in->profile->name : "memcage";
        const char *base = in->job_name ? src : strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
        size_t len = strlen(base), o = 0;

        if (!in->job_name && len > 4 && streq(base + len - 4, ".ini"))
                len -= 4;
        for (size_t i = 0; i < len && o + 1 < n && o < 63; i++) {
                char c = (char)tolower((unsigned char)base[i]);
                buf[o++] = isalnum((unsigned char)c) ? c : '-';
        }
        while (o > 0 && buf[o - 1] == '-')
                o--;
        buf[o] = '\0';
        size_t lead = strspn(buf, "-");
        memmove(buf, buf + lead, strlen(buf + lead) + 1);
        if (!buf[0])
                snprintf(buf, n, "memcage");
}

int mc_export_kubernetes(const struct mc_export_input *in, FILE *out, struct mc_export_result *r,
                         struct mc_error *err)
{
        json_t *root = NULL, *container = json_object(), *pod_security = NULL;
        char name[64];
        int ret = -ENOMEM;

        if (!container)
                goto out;
        job_name(in, name, sizeof(name));
        if (in->command) {
                if (!in->image) {
                        json_decref(container);
                        return mc_error_set(err, EINVAL, "a Job needs an image (--image)");
                }
                json_t *cmd = json_array();
                for (char *const *a = in->command; cmd && *a; a++)
                        if (json_array_append_new(cmd, json_string(*a)) < 0)
                                json_decref(TAKE_PTR(cmd));
                pod_security = json_object();
                root = json_pack("{s:s, s:s, s:{s:s}, s:{s:i, s:{s:{s:s, s:o, s:[o]}}}}", "apiVersion",
                                 "batch/v1", "kind", "Job", "metadata", "name", name, "spec", "backoffLimit",
                                 0, "template", "spec", "restartPolicy", "Never", "securityContext",
                                 pod_security, "containers", container);
                if (!root || !cmd || mc_json_set_new(container, "name", json_string(name)) < 0 ||
                    mc_json_set_new(container, "image", json_string(in->image)) < 0 ||
                    mc_json_set_new(container, "command", cmd) < 0)
                        goto out;
        } else {
                /* The container's own fields, to paste into a pod spec. */
                root = container;
                if (mc_json_set_new(container, "name", json_string(name)) < 0)
                        goto out;
        }
        ret = export_resources(in, container, r);
        if (ret >= 0)
                ret = export_security(in, container, pod_security, r);
        if (ret < 0)
                goto out;
        if (in->command) {
                /* Percentages resolved here are said where a manifest can say it: annotations. */
                json_t *annotations = NULL;
                char note[256], key[128];
                for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++) {
                        if (!mc_export_percent_note(in, k, note, sizeof(note)))
                                continue;
                        if (!annotations &&
                            !(annotations = mc_json_child(json_object_get(root, "metadata"), "annotations")))
                                goto out;
                        snprintf(key, sizeof(key), "memcage.org/resolved-%s.%s", mc_key_info(k)->section,
                                 mc_key_info(k)->name);
                        if (mc_json_set_new(annotations, key, json_string(note)) < 0)
                                goto out;
                }
                if (json_object_size(pod_security) == 0)
                        json_object_del(
                                json_object_get(json_object_get(json_object_get(root, "spec"), "template"),
                                                "spec"),
                                "securityContext");
        } else {
                ret = mc_export_note_percentages(in, r);
                if (ret < 0)
                        goto out;
        }
        ret = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 || fputc('\n', out) == EOF
                      ? -EIO
                      : 0;
out:
        if (!root)
                json_decref(container);
        json_decref(root);
        if (ret == -ENOMEM)
                return mc_error_set(err, ENOMEM, "out of memory");
        if (ret < 0)
                return mc_error_errno(err, -ret, "cannot write the Kubernetes manifest");
        return 0;
}
