/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor CGROUP_DIR COMMAND [ARGS...]: the least any launcher must do to run
 * a command in a fresh memory-limited group: mkdir, write memory.max,
 * clone3(CLONE_INTO_CGROUP) + exec, wait, rmdir. No profile, no checks, no
 * report: the benchmark's lower bound for `memcage run`.
 */

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct clone_args_v2 {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
                set_tid_size, cgroup;
};

int main(int argc, char **argv)
{
        if (argc < 3) {
                fprintf(stderr, "usage: floor CGROUP_DIR COMMAND [ARGS...]\n");
                return 2;
        }
        if (mkdir(argv[1], 0755) < 0)
                return perror("mkdir"), 1;
        int dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int fd = openat(dfd, "memory.max", O_WRONLY | O_CLOEXEC);
        if (dfd < 0 || fd < 0 || write(fd, "67108864", 8) != 8)
                return perror("memory.max"), 1;
        close(fd);
        struct clone_args_v2 args = { .flags = 0x200000000ULL /* CLONE_INTO_CGROUP */,
                                      .exit_signal = SIGCHLD,
                                      .cgroup = (uint64_t)dfd };
        pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (pid == 0) {
                execvp(argv[2], argv + 2);
                _exit(127);
        }
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) < 0)
                return perror("clone3"), 1;
        close(dfd);
        if (rmdir(argv[1]) < 0)
                return perror("rmdir"), 1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
