/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcage show: a profile as run would apply it, with where every value comes from. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "cli.h"
#include "escape.h"
#include "profile.h"
#include "size.h"
#include "util.h"

static void usage(void)
{
        printf("Usage: memcage show [OPTIONS] [-p] NAME\n"
               "\n"
               "Show the profile NAME as 'memcage run -p NAME' applies it: inheritance\n"
               "applied, percentages resolved against this host's memory, and the file:line\n"
               "every value comes from, after the chain of files loaded.\n"
               "\n"
               "Options:\n"
               "  -p, --profile NAME  the profile: NAME.ini on the search path, or a file\n"
               "                      when NAME contains '/'\n"
               "      --json          print a JSON object instead\n"
               "  -h, --help          show this help and exit\n"
               "\n"
               "Exit status: 0 when shown, 125 when the profile cannot be loaded or on bad usage.\n");
}

/* The resolved form of a size: "4G (4294967296 bytes)", "50% = 7.8G (8388608000 bytes)", "max". */
static void format_size(const char *value, uint64_t bytes, char *buf, size_t n)
{
        char sb[MC_SIZE_STR_MAX];

        if (bytes == MC_SIZE_MAX)
                snprintf(buf, n, "max");
        else if (mc_size_is_percent(value))
                snprintf(buf, n, "%s = %s (%" PRIu64 " bytes)", value, mc_size_format(bytes, sb, sizeof(sb)),
                         bytes);
        else
                snprintf(buf, n, "%s (%" PRIu64 " bytes)", mc_size_format(bytes, sb, sizeof(sb)), bytes);
}

/* Sizes resolve here as in run: the profile loaded, so only a broken host (RAM unknown) fails. */
static int resolve_sizes(const struct mc_profile *p, uint64_t ram, uint64_t bytes[_MC_KEY_COUNT])
{
        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++) {
                const struct mc_setting *s = &p->settings[k];
                struct mc_error err = { 0 };
                if (!s->value || mc_key_info(k)->type != MC_VALUE_SIZE)
                        continue;
                if (mc_size_parse(s->value, ram, &bytes[k], &err) < 0) {
                        cli_error("%s:%u: %s: %s", s->file, s->line, mc_key_info(k)->name, err.msg);
                        return -EINVAL;
                }
        }
        return 0;
}

/* "section.key = value" of one value, sizes with their bytes. */
static int format_line(const struct mc_key_info *ki, const struct mc_setting *s, uint64_t bytes, char *buf,
                       size_t n)
{
        char vb[128];
        if (ki->type == MC_VALUE_SIZE)
                format_size(s->value, bytes, vb, sizeof(vb));
        else
                mc_escape_text(s->value, vb, sizeof(vb)); /* the reader refuses control characters; still */
        return snprintf(buf, n, "%s.%s = %s", ki->section, ki->name, vb);
}

static void print_text(const struct mc_profile *p, const uint64_t bytes[_MC_KEY_COUNT])
{
        char line[256];
        int width = 0;

        /* Names and paths are as typed or found: escaped, like everything a terminal is shown. */
        _cleanup_free_ char *name = mc_escape_text_dup(p->name), *path = mc_escape_text_dup(p->path);
        printf("profile %s\nfile    %s\nchain   ", name ? name : "?", path ? path : "?");
        for (char **c = p->chain; c && *c; c++) {
                _cleanup_free_ char *shown = mc_escape_text_dup(*c);
                printf("%s%s", c == p->chain ? "" : " -> ", shown ? shown : "?");
        }
        printf("\n\n");

        /* A repeatable key (run.env) shows one line a value. */
        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++)
                for (const struct mc_setting *s = &p->settings[k]; s && s->value; s = s->next) {
                        int len = format_line(mc_key_info(k), s, bytes[k], line, sizeof(line));
                        if (len > width)
                                width = len < (int)sizeof(line) ? len : (int)sizeof(line) - 1;
                }
        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++)
                for (const struct mc_setting *s = &p->settings[k]; s && s->value; s = s->next) {
                        format_line(mc_key_info(k), s, bytes[k], line, sizeof(line));
                        _cleanup_free_ char *file = mc_escape_text_dup(s->file);
                        printf("%-*s  %s:%u\n", width, line, file ? file : "?", s->line);
                }
}

static int print_json(const struct mc_profile *p, const uint64_t bytes[_MC_KEY_COUNT])
{
        json_t *root = json_object(), *chain = json_array(), *settings = json_object();
        int r = -ENOMEM;

        if (!root || !chain || !settings) {
                json_decref(chain);
                json_decref(settings);
                goto out;
        }
        json_object_set_new(root, "profile", cli_json_text(p->name));
        json_object_set_new(root, "path", cli_json_text(p->path));
        json_object_set_new(root, "chain", chain);
        json_object_set_new(root, "settings", settings);
        for (char **c = p->chain; c && *c; c++)
                json_array_append_new(chain, cli_json_text(*c));
        for (enum mc_key k = 0; k < _MC_KEY_COUNT; k++) {
                const struct mc_key_info *ki = mc_key_info(k);
                const struct mc_setting *s = &p->settings[k];
                _cleanup_free_ char *key = NULL;
                if (!s->value)
                        continue;
                if (asprintf(&key, "%s.%s", ki->section, ki->name) < 0)
                        goto out;
                if (ki->repeatable) {
                        /* One object a value, in order. */
                        json_t *a = json_array();
                        if (!a || json_object_set_new(settings, key, a) < 0)
                                goto out;
                        for (; s && s->value; s = s->next) {
                                json_t *o = json_pack("{s:s, s:n, s:o, s:I}", "value", s->value, "bytes",
                                                      "file", cli_json_text(s->file ? s->file : ""), "line",
                                                      (json_int_t)s->line);
                                if (!o || json_array_append_new(a, o) < 0)
                                        goto out;
                        }
                        continue;
                }
                bool has_bytes = ki->type == MC_VALUE_SIZE && bytes[k] != MC_SIZE_MAX;
                json_t *o = json_pack("{s:s, s:o, s:o, s:I}", "value", s->value, "bytes",
                                      has_bytes ? json_integer((json_int_t)bytes[k]) : json_null(), "file",
                                      cli_json_text(s->file ? s->file : ""), "line", (json_int_t)s->line);
                if (!o || json_object_set_new(settings, key, o) < 0)
                        goto out;
        }
        r = cli_print_json(root, "show");
out:
        if (r == -ENOMEM)
                cli_error("show: out of memory");
        json_decref(root);
        return r;
}

int cmd_show(int argc, char **argv)
{
        const char *name = NULL;
        bool json = false;
        const struct cli_option options[] = {
                { "profile", 'p', NULL, &name },
                { "json", 0, &json, NULL },
                {},
        };
        int r = cli_parse_options("show", argc, argv, options, usage);

        if (r >= 0)
                return r;
        if (!name && optind < argc)
                name = argv[optind++];
        if (!name || optind < argc) {
                if (!name)
                        cli_error("show: no profile given");
                else
                        cli_error("show: one profile at a time, got '%s' too", argv[optind]);
                cli_usage_hint("show");
                return MC_EXIT_USAGE;
        }

        struct mc_profile_env env;
        _cleanup_(mc_profile_free) struct mc_profile p = {};
        struct mc_error err = { 0 };
        uint64_t bytes[_MC_KEY_COUNT] = { 0 };

        cli_profile_env(&env);
        if (mc_profile_load(name, &env, &p, &err) < 0) {
                cli_error("%s", err.msg);
                return MC_EXIT_MEMCAGE;
        }
        if (resolve_sizes(&p, env.ram_bytes, bytes) < 0)
                return MC_EXIT_MEMCAGE;
        if (json)
                return print_json(&p, bytes) < 0 ? MC_EXIT_MEMCAGE : MC_EXIT_OK;
        print_text(&p, bytes);
        if (fflush(stdout) != 0) {
                cli_error("show: cannot write the profile: %s", strerror(errno));
                return MC_EXIT_MEMCAGE;
        }
        return MC_EXIT_OK;
}
