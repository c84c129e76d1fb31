/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: a profile exported to every engine. The input's first
 * line is the profile's name as a caller would type it (the exports' header
 * names it), the rest main.ini. A profile that loads is exported to systemd
 * (service and scope), OCI, Kubernetes (container and Job), Slurm and Nomad,
 * and no line of any output may hold a control character (a CR or an ESC
 * there would be a line or a sequence the profile put into the reader's
 * file), nor may a systemd line end in a backslash (a continuation).
 */
#include "config.h"

#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "profile.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/memcage-fuzz-export.XXXXXX";
static int dir_fd = -EBADF;

static void remove_dir(void)
{
        (void)unlinkat(dir_fd, "main.ini", 0);
        (void)rmdir(dir);
}

/* Aborts on a C0 control but the newline, DEL or a C1 control (U+0080..U+009F) in text. */
static void assert_no_controls(const char *text, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)text[i];
                if ((c < 0x20 && c != '\n') || c == 0x7f ||
                    (c == 0xc2 && i + 1 < len && (unsigned char)text[i + 1] >= 0x80 &&
                     (unsigned char)text[i + 1] <= 0x9f)) {
                        fprintf(stderr, "control character 0x%02x at offset %zu of:\n%s\n", c, i, text);
                        abort();
                }
        }
}

static void export_to(const struct mc_export_input *in, enum mc_export_engine e)
{
        struct mc_export_result r = { 0 };
        struct mc_error err = { 0 };
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        assert(f);
        int ret = mc_export_render(in, e, f, &r, &err);
        assert(fclose(f) == 0);
        if (ret < 0)
                assert(err.msg[0] != '\0');
        else
                assert_no_controls(text, len);
        /* systemd joins a line ending in a backslash with the next: a setting of the profile's making. */
        for (char *l = text; ret >= 0 && e == MC_EXPORT_SYSTEMD && l && *l;
             l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                size_t n = strcspn(l, "\n");
                if (n > 0 && l[n - 1] == '\\') {
                        fprintf(stderr, "a systemd line ends in a backslash:\n%s\n", text);
                        abort();
                }
        }
        for (size_t i = 0; i < r.n_warnings; i++)
                assert(r.warnings[i].reason && r.warnings[i].reason[0] != '\0');
        mc_export_result_free(&r);
        free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const uint64_t ram = 8ull << 30;
        struct mc_profile_env env = { .profile_path = dir, .ram_bytes = ram };
        struct mc_profile p;
        struct mc_error err = { 0 };

        if (dir_fd < 0) {
                assert(mkdtemp(dir));
                dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                assert(dir_fd >= 0);
                atexit(remove_dir);
        }
        const uint8_t *nl = memchr(data, '\n', size);
        size_t name_len = nl ? (size_t)(nl - data) : 0;
        const uint8_t *body = nl ? nl + 1 : data;
        size_t body_len = size - (size_t)(body - data);

        int fd = openat(dir_fd, "main.ini", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        assert(fd >= 0);
        assert(body_len == 0 || write(fd, body, body_len) == (ssize_t)body_len);
        close(fd);

        if (mc_profile_load("main", &env, &p, &err) < 0) {
                assert(err.code > 0 && err.msg[0] != '\0');
                return 0;
        }
        /* The name as typed: any bytes but NUL. */
        if (name_len > 0 && !memchr(data, '\0', name_len)) {
                char *name = strndup((const char *)data, name_len);
                assert(name);
                free(p.name);
                p.name = name;
        }

        struct mc_export_input in;
        if (mc_export_input_init(&p, ram, 4096, &in, &err) < 0) {
                assert(err.msg[0] != '\0');
                mc_profile_free(&p);
                return 0;
        }
        char *const command[] = { "sh", "-c", "exec \"$0\"", NULL };
        for (enum mc_export_engine e = 0; e < _MC_EXPORT_ENGINE_COUNT; e++)
                export_to(&in, e);
        in.systemd_scope = true;
        export_to(&in, MC_EXPORT_SYSTEMD);
        in.command = command;
        in.image = "busybox";
        export_to(&in, MC_EXPORT_KUBERNETES);
        mc_profile_free(&p);
        return 0;
}
