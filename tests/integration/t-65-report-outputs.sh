#!/bin/bash
# Where the report goes is settled before the command runs, and nothing is
# clobbered on the way: as root, --report /dev/stdout writes to memcage's
# stdout and leaves the /dev/stdout symlink alone; --report >(jq) and a FIFO
# with a reader get the report as a stream; a symbolic link at the path is
# refused before the command runs, its target untouched (also for
# `report -o`); a directory of the path swapped for a symlink while the
# command runs does not redirect the report; under sudo the report belongs
# to the invoking user where they could have made it.
. "$(dirname "$0")/lib.sh"
require_file "$cg_root/cgroup.controllers"
[ "$(id -u)" = 0 ] || skip "needs root"

# /dev/stdout as root: the VM's devtmpfs may have none; make the usual one for the test.
if [ ! -e /dev/stdout ] && [ ! -L /dev/stdout ]; then
        ln -s /proc/self/fd/1 /dev/stdout
        on_exit "rm -f /dev/stdout"
fi
[ -L /dev/stdout ] || skip "/dev/stdout is not a symbolic link here"
stdout_target=$(readlink /dev/stdout)
# Put back by each case that needs it, so that one case's damage does not fail the next.
restore_stdout() {
        [ -L /dev/stdout ] && return 0
        rm -f /dev/stdout
        ln -s "$stdout_target" /dev/stdout
}
on_exit restore_stdout

case_dev_stdout() {
        restore_stdout
        run_memcage run -q --name t65a --report /dev/stdout -- true
        assert_eq "$rc" 0 "exit status with --report /dev/stdout ($err)"
        [ -L /dev/stdout ] || fail "/dev/stdout is no longer a symbolic link"
        assert_eq "$(readlink /dev/stdout)" "$stdout_target" "/dev/stdout's target"
        [ -n "$out" ] || fail "--report /dev/stdout printed nothing"
        assert_eq "$(jq -r .exit.code <<<"$out")" 0 "exit.code of the report on stdout"
}

# bash's >(cmd) names /dev/fd/63, which this VM's /dev does not have: the name is enough.
case_process_substitution() {
        "$MEMCAGE" run -q --name t65p --report >(jq -r .exit.code >"$tmpdir/procsub") -- true ||
                fail "memcage with --report >(jq) exited $?"
        for _ in $(seq 100); do
                [ -s "$tmpdir/procsub" ] && break
                sleep 0.1
        done
        [ -s "$tmpdir/procsub" ] || fail "nothing reached the reader of --report >(jq)"
        assert_eq "$(cat "$tmpdir/procsub")" 0 "exit.code read through >(jq)"
}

# A FIFO with a reader: the report comes through, the FIFO stays a FIFO.
case_fifo() {
        local fifo=$tmpdir/fifo reader
        mkfifo "$fifo"
        timeout 30 cat "$fifo" >"$tmpdir/from-fifo" &
        reader=$!
        # The reader counts once its open() has begun: until then memcage rightly sees none.
        for _ in $(seq 50); do
                run_memcage run -q --name t65f --report "$fifo" -- true
                [ "$rc" -eq 125 ] && [[ $err == *"a FIFO without a reader"* ]] || break
                sleep 0.1
        done
        assert_eq "$rc" 0 "exit status with --report to a FIFO ($err)"
        for _ in $(seq 100); do
                kill -0 "$reader" 2>/dev/null || break
                sleep 0.1
        done
        if kill -0 "$reader" 2>/dev/null; then
                kill "$reader"
                fail "the FIFO's reader never saw the end of the report"
        fi
        [ -p "$fifo" ] || fail "the FIFO was replaced"
        [ -s "$tmpdir/from-fifo" ] || fail "nothing came through the FIFO"
        assert_eq "$(jq -r .exit.code "$tmpdir/from-fifo")" 0 "exit.code read through the FIFO"
}

# A symbolic link at the path: refused before the command runs; the target is left whole.
case_symlink() {
        echo keep >"$tmpdir/target"
        ln -sf "$tmpdir/target" "$tmpdir/link"
        run_memcage run -q --name t65l --report "$tmpdir/link" -- touch "$tmpdir/ran"
        assert_eq "$rc" 125 "exit status with --report to a symbolic link"
        assert_contains "$err" "cannot open the report $tmpdir/link: a symbolic link (name the file itself)" "stderr"
        [ ! -e "$tmpdir/ran" ] || fail "the command ran although the report could not be written"
        assert_eq "$(cat "$tmpdir/target")" keep "the symlink's target"
        [ -L "$tmpdir/link" ] || fail "the symbolic link was replaced"
}

# A directory of the path swapped for a symbolic link while the command runs: the report
# lands in the directory memcage opened, nothing where the link points.
case_directory_swapped() {
        mkdir "$tmpdir/out" "$tmpdir/elsewhere"
        run_memcage run -q --name t65s --report "$tmpdir/out/r.json" -- \
                sh -c 'mv "$0" "$0.old" && ln -s "$1" "$0"' "$tmpdir/out" "$tmpdir/elsewhere"
        assert_eq "$rc" 0 "exit status with the directory swapped ($err)"
        [ -L "$tmpdir/out" ] || fail "the command did not swap the directory"
        assert_eq "$(ls -A "$tmpdir/elsewhere")" "" "what landed where the link points"
        [ -s "$tmpdir/out.old/r.json" ] || fail "no report in the directory memcage opened"
        assert_report_valid "$tmpdir/out.old/r.json"
        assert_eq "$(ls -A "$tmpdir/out.old")" r.json "files in the directory (no temporary file left)"
}

# Under sudo: a directory of the invoking user's gets a report of theirs; root's stays root's.
case_sudo_owner() {
        mkdir "$tmpdir/user" "$tmpdir/root-only"
        chown 4242:4242 "$tmpdir/user"
        chmod 755 "$tmpdir/root-only"
        SUDO_UID=4242 SUDO_GID=4242 run_memcage run -q --name t65u --report "$tmpdir/user/r.json" \
                --text "$tmpdir/root-only/r.txt" -- true
        assert_eq "$rc" 0 "exit status under sudo ($err)"
        assert_eq "$(stat -c %u:%g "$tmpdir/user/r.json")" 4242:4242 "owner of the report in the user's directory"
        assert_eq "$(stat -c %u:%g "$tmpdir/root-only/r.txt")" 0:0 "owner of the text report in root's directory"
}

# memcage report -o: the same outputs, refused before the report is read.
case_report_output() {
        restore_stdout
        run_memcage run -q --name t65r --report "$tmpdir/base.json" -- true
        assert_eq "$rc" 0 "exit status of the run making a report ($err)"
        echo keep >"$tmpdir/target-o"
        ln -sf "$tmpdir/target-o" "$tmpdir/link-o"
        run_memcage report -f json -o "$tmpdir/link-o" "$tmpdir/base.json"
        assert_eq "$rc" 125 "exit status of report -o to a symbolic link"
        assert_contains "$err" "cannot open the output $tmpdir/link-o: a symbolic link" "stderr of report -o"
        assert_eq "$(cat "$tmpdir/target-o")" keep "the symlink's target after report -o"
        [ -L "$tmpdir/link-o" ] || fail "report -o replaced the symbolic link"
        run_memcage report -f json -o /dev/stdout "$tmpdir/base.json"
        assert_eq "$rc" 0 "exit status of report -o /dev/stdout ($err)"
        [ -L /dev/stdout ] || fail "report -o replaced /dev/stdout"
        [ -n "$out" ] || fail "report -o /dev/stdout printed nothing"
        assert_eq "$(jq -r .exit.code <<<"$out")" 0 "exit.code of report -o /dev/stdout"
}

# Each case in a subshell of its own: all of them run, and the failures are named together.
failed=()
for c in dev_stdout process_substitution fifo symlink directory_swapped sudo_owner report_output; do
        ("case_$c") || failed+=("$c")
done
for g in t65a t65p t65f t65l t65s t65u t65r; do
        [ ! -e "$cg_root/memcage/$g" ] || failed+=("group $g left behind")
done
[ ${#failed[@]} -eq 0 ] || fail "failed: ${failed[*]}"
