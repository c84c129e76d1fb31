/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * PSI on a group's memory.pressure: the trigger values of a profile's
 * [pressure] section ("150ms/1s", "10%/2s"), the text of the file
 * ("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull ..."), and the
 * file itself: this is the one module that opens memory.pressure, to read
 * it or to register a trigger on it (contrib/check-layers.sh holds the
 * others to that), so every reader parses it the same way.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* The kernel's bounds for a trigger window (kernel/sched/psi.c). */
#define MC_PSI_WINDOW_MIN_US 500000ull
#define MC_PSI_WINDOW_MAX_US 10000000ull
/* Without CAP_SYS_RESOURCE a window must be a multiple of this (Linux 6.4+). */
#define MC_PSI_UNPRIV_WINDOW_US 2000000ull

enum mc_psi_kind {
        MC_PSI_SOME,
        MC_PSI_FULL,
        _MC_PSI_KIND_COUNT,
};

const char *mc_psi_kind_name(enum mc_psi_kind k);

struct mc_pressure_trigger {
        enum mc_psi_kind kind;
        uint64_t stall_us;
        uint64_t window_us;
        char spec[32];  /* as written ("10%/2s"), for messages */
        unsigned fired; /* times the kernel signalled it */
};

/*
 * Parses "STALL/WINDOW": STALL a duration (us, ms, s; decimals allowed) or
 * a percentage of the window, WINDOW a duration between 500ms and 10s;
 * STALL at most WINDOW. The message says what is wrong and the forms.
 */
int mc_pressure_parse_trigger(const char *value, enum mc_psi_kind kind, struct mc_pressure_trigger *ret,
                              struct mc_error *err);

/*
 * The pressure kill rule ([pressure] kill, --kill-on-pressure): a trigger held
 * for a duration. Parsed here beside the trigger it is made of, so that the
 * profile checks a value without the policy that runs it (pressure-kill.h).
 */
struct mc_pressure_kill_rule {
        struct mc_pressure_trigger trigger; /* kind, stall and window */
        uint64_t duration_us;
        unsigned windows; /* DURATION / WINDOW, rounded up: the windows in a row that end the run */
        char spec[96];    /* "full 50%/2s for 30s", as written (blanks folded) */
};

/*
 * Parses "KIND STALL/WINDOW for DURATION": KIND some or full, STALL/WINDOW
 * as a [pressure] trigger (mc_pressure_parse_trigger), DURATION a duration
 * (us, ms or s) of at least WINDOW. The message says what is wrong and the
 * form.
 */
int mc_pressure_kill_parse_rule(const char *value, struct mc_pressure_kill_rule *ret, struct mc_error *err);

/*
 * Whether the kernel can arm the rule's trigger for a writer of effective
 * uid euid: without root only windows in multiples of 2 s (Linux 6.4+).
 */
int mc_pressure_kill_check_rule(const struct mc_pressure_kill_rule *rule, uid_t euid, struct mc_error *err);

/*
 * What the rule did, beside the rule so that the events and the report
 * describe it without the policy that runs it (pressure-kill.h).
 */
enum mc_pressure_kill_stage {
        MC_PRESSURE_KILL_WATCHING,
        MC_PRESSURE_KILL_GRACE,  /* SIGTERM sent, the grace timer runs */
        MC_PRESSURE_KILL_KILLED, /* cgroup.kill written */
};

/* What the report says of the rule (docs/report-schema.md, pressure.kill). */
struct mc_pressure_kill_result {
        const struct mc_pressure_kill_rule *rule;
        uint64_t grace_us;
        unsigned longest; /* windows in a row the trigger fired, at most */
        bool fired;       /* the rule ended the run */
        double fired_at;  /* seconds since the command started */
        bool has_stall;
        double stall_percent;                  /* measured from the stall total over the counted windows */
        double stall_over_s;                   /* the time that share is of */
        bool frozen;                           /* cgroup.events said frozen 1 before the snapshot */
        bool escalated_to_kill;                /* the grace ran out: cgroup.kill */
        uint64_t total_us[_MC_PSI_KIND_COUNT]; /* stall totals of the group at the kill */
};

/* The line written to memory.pressure to register a trigger: "some 150000 1000000". */
int mc_pressure_trigger_line(const struct mc_pressure_trigger *t, char *buf, size_t n);

/* One line of a PSI file: "some avg10=12.34 avg60=... avg300=... total=N". */
struct mc_pressure_line {
        bool present;
        double avg10;         /* percent of the last 10 s, avg10_centi / 100 */
        uint32_t avg10_centi; /* the same in hundredths of a percent, exact: 0 to 10000 */
        uint64_t total_us;    /* stall time since the group was created */
};

/*
 * Parses the text of a PSI file (memory.pressure) into both kinds. Every
 * line must be "some" or "full" with avg10, avg60, avg300 (0 to 100, one or
 * two decimals) and total, in the kernel's order; a kind twice, or no "some"
 * line, is malformed too (-EINVAL). A missing "full" line is not an error:
 * that kind stays !present. memory.pressure and io.pressure have both lines
 * since PSI came (4.20); cpu.pressure, and /proc/pressure/cpu, only "some"
 * before 5.13.
 */
int mc_pressure_parse(const char *text, struct mc_pressure_line ret[_MC_PSI_KIND_COUNT],
                      struct mc_error *err);

/*
 * Reads and parses memory.pressure of the group at group_fd. Without PSI
 * (CONFIG_PSI off) the file is missing (-ENOENT); with psi=0 on the kernel
 * command line reading it fails with -EOPNOTSUPP.
 */
int mc_pressure_read_at(int group_fd, struct mc_pressure_line ret[_MC_PSI_KIND_COUNT], struct mc_error *err);

/*
 * Opens memory.pressure of the group to be read again and again
 * (mc_pressure_pread(): the sampler's ticks cost no open). *ret_fd is
 * -EBADF when the file is missing (no PSI), which is no error.
 */
int mc_pressure_open_at(int group_fd, int *ret_fd, struct mc_error *err);

/*
 * Reads and parses memory.pressure through fd (mc_pressure_open_at()),
 * from its start, into buf of size n: no allocation, for a caller on a timer.
 */
int mc_pressure_pread(int fd, char *buf, size_t n, struct mc_pressure_line ret[_MC_PSI_KIND_COUNT],
                      struct mc_error *err);

/*
 * Registers trigger t on memory.pressure of the group: an fd of its own
 * (the kernel takes one trigger per open file), open for writing and
 * nonblocking, to be polled for POLLPRI; the trigger lives until it is
 * closed. The message is what failed without the trigger's name, for the
 * caller to prefix: "no PSI on this kernel (memory.pressure is missing)",
 * "open memory.pressure" or "register the trigger 'some 150000 1000000'".
 */
int mc_pressure_trigger_open(int group_fd, const struct mc_pressure_trigger *t, int *ret_fd,
                             struct mc_error *err);
