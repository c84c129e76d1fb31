#!/bin/bash
# tests/render/t-svg-chromium.sh: the SVG chart of `memcage report --format svg`
# is well-formed XML and renders in a real browser (headless chromium) as a
# 1000x600 picture with the curves drawn, its summary line (peak, OOM kills,
# duration) as visible text, one OOM mark a victim (memory.oom.group counts
# the one victim twice), high, max and swap.max events as marks of their own
# colours, and the limit labels right of the plot, clear of the PSI lines. Prints TAP; run on the host by
# tests/run-suite after the unit tests. Needs $MEMCAGE_BUILDDIR/memcage and
# python3; the browser points skip, with the reason, without chromium.
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
srcdir=${MEMCAGE_SRCDIR:-$here/../..}
memcage=${MEMCAGE:-${MEMCAGE_BUILDDIR:-.}/memcage}
fixture=$srcdir/tests/unit/data/report-full.json
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memcage-svg.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }

echo "1..13"

# 1-3: well-formed XML, for a full report, one without a timeline, and a command full of markup.
"$memcage" report --format svg -o "$tmp/full.svg" "$fixture"
python3 - "$fixture" "$tmp/old.json" "$tmp/esc.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
old = {k: doc[k] for k in ("schema", "version", "command", "profile", "profile_path", "cgroup", "launch",
                           "limits", "exit", "events", "events_local", "leftovers_killed", "duration_s",
                           "error", "status")}
old["memory"] = {"peak": doc["memory"]["peak"]}
json.dump(old, open(sys.argv[2], "w"))
doc["command"] = ["sh", "-c", "a <b & \"c\" > 'd' ]]> <!-- x"]
json.dump(doc, open(sys.argv[3], "w"))
PY
"$memcage" report --format svg -o "$tmp/old.svg" "$tmp/old.json"
"$memcage" report --format svg -o "$tmp/esc.svg" "$tmp/esc.json"
for f in full old esc; do
        if msg=$(python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); print(d.documentElement.tagName)' "$tmp/$f.svg" 2>&1) &&
                [ "$msg" = svg ]; then
                ok "$f.svg is well-formed XML with an <svg> root"
        else
                not_ok "$f.svg is well-formed XML with an <svg> root: $msg"
        fi
done

# 4: the title of the escaped one reads back as the command, quoted for the shell.
title=$(python3 -c 'import sys, xml.dom.minidom as m; print(m.parse(sys.argv[1]).getElementsByTagName("title")[0].firstChild.data)' "$tmp/esc.svg")
if [ "$title" = "memcage: sh -c 'a <b & \"c\" > '\\''d'\\'' ]]> <!-- x'" ]; then
        ok "the command reads back from the SVG title: $title"
else
        not_ok "the command reads back from the SVG title: got $title"
fi

# 5: no timeline: the chart says so.
if grep -q 'no timeline (sampling was off)' "$tmp/old.svg" && ! grep -q '<polyline' "$tmp/old.svg"; then
        ok "a report without a timeline gives a chart saying so"
else
        not_ok "a report without a timeline gives a chart saying so"
fi

# 6-9: what the chart says, read back with XPath.
xp() { # FILE EXPR
        xmllint --xpath "$2" "$1" 2>/dev/null || true
}
svgel() { printf '//*[local-name()="%s"]' "$1"; }
"$memcage" report --format svg -o "$tmp/group.svg" "$srcdir/tests/unit/data/report-oom-group.json"
summary=$(xp "$tmp/full.svg" "string($(svgel text)[@id=\"summary\"])")
want="peak 64M (100% of memory.max 64M), 1 OOM kill: hog (pid 4251), duration 4.14 s"
if [ "$summary" = "$want" ]; then
        ok "the chart's summary line: $summary"
else
        not_ok "the chart's summary line: got '$summary', want '$want'"
fi
oom_marks=$(xp "$tmp/group.svg" "count($(svgel g)[contains(concat(' ', @class, ' '), ' oom ')])")
group_summary=$(xp "$tmp/group.svg" "string($(svgel text)[@id=\"summary\"])")
if [ "$oom_marks" = 1 ] && [[ $group_summary == *", 1 OOM kill: hog (pid 4251),"* ]]; then
        ok "memory.oom.group: one OOM mark and one kill in the summary for the victim counted twice"
else
        not_ok "memory.oom.group: $oom_marks OOM marks (want 1), summary '$group_summary'"
fi
mark_fill() { xp "$tmp/full.svg" "string(($(svgel g)[contains(concat(' ', @class, ' '), ' $1 ')]/*[local-name()=\"circle\"])[1]/@fill)"; }
high=$(mark_fill high) max=$(mark_fill max) swapmax=$(mark_fill swap-max)
if [ -n "$high" ] && [ -n "$max" ] && [ -n "$swapmax" ] && [ "$high" != "$max" ] && [ "$swapmax" != "$max" ] &&
        [ "$swapmax" != "$high" ]; then
        ok "high, max and swap.max events are marks of their own colours ($high, $max, $swapmax)"
else
        not_ok "high, max and swap.max events are marks of their own colours: '$high' '$max' '$swapmax'"
fi
plot_right=$(xp "$tmp/full.svg" "number(($(svgel rect)[@stroke='#333333'])[1]/@x) + number(($(svgel rect)[@stroke='#333333'])[1]/@width)")
labels=$(xp "$tmp/full.svg" "$(svgel text)[starts-with(., 'memory.max 6') or starts-with(., 'memory.high 4') or starts-with(., 'memory.swap.max 3')]/@x" |
        grep -o '[0-9.]*' || true)
if [ "$(printf '%s\n' "$labels" | grep -c .)" = 3 ] &&
        awk -v r="$plot_right" '$1 <= r { bad = 1 } END { exit bad }' <<<"$labels"; then
        ok "the three limit labels sit right of the plot (x > $plot_right), clear of the PSI lines"
else
        not_ok "the limit labels sit right of the plot (x > $plot_right): $(echo $labels)"
fi

# 10-13: chromium renders them.
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
        for i in 1 2 3 4; do skip "chromium not found (install the chromium package)"; done
        exit 0
fi
shot() { # SVG PNG
        # --no-sandbox: the suite may run as root, where chromium's sandbox refuses to start.
        timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
                --user-data-dir="$tmp/profile" --screenshot="$2" --window-size=1000,600 "file://$1" \
                >"$tmp/chromium.log" 2>&1 || { sed 's/^/# /' "$tmp/chromium.log"; return 1; }
}
# memory.current blue, OOM marker red, memory.max dark red.
if shot "$tmp/full.svg" "$tmp/full.png" &&
        read -r w h distinct nonwhite blue red maxred < <(python3 "$here/pngstat.py" "$tmp/full.png" 1f77b4 d62728 b22222); then
        echo "# full.png: ${w}x$h, $distinct colours, $nonwhite non-white, blue $blue, red $red, dark red $maxred"
        if [ "$w" = 1000 ] && [ "$h" = 600 ] && [ "$distinct" -ge 50 ] && [ "$nonwhite" -ge 30000 ] &&
                [ "$blue" -ge 1000 ] && [ "$red" -ge 20 ] && [ "$maxred" -ge 40 ]; then
                ok "chromium draws the chart: the curve, the OOM marker, the memory.max line"
        else
                not_ok "chromium draws the chart: the curve, the OOM marker, the memory.max line"
        fi
else
        not_ok "chromium renders full.svg"
fi
if shot "$tmp/old.svg" "$tmp/old.png" &&
        read -r w h distinct nonwhite blue < <(python3 "$here/pngstat.py" "$tmp/old.png" 1f77b4); then
        echo "# old.png: ${w}x$h, $distinct colours, $nonwhite non-white, blue $blue"
        # The grey panel and its text, but no curve.
        if [ "$w" = 1000 ] && [ "$h" = 600 ] && [ "$distinct" -ge 10 ] && [ "$nonwhite" -ge 30000 ] && [ "$blue" -lt 50 ]; then
                ok "chromium draws the no-timeline chart"
        else
                not_ok "chromium draws the no-timeline chart"
        fi
else
        not_ok "chromium renders old.svg"
fi
if shot "$tmp/esc.svg" "$tmp/esc.png" &&
        read -r w h distinct nonwhite blue < <(python3 "$here/pngstat.py" "$tmp/esc.png" 1f77b4) &&
        [ "$blue" -ge 1000 ]; then
        ok "chromium draws the chart of a command full of markup"
else
        not_ok "chromium draws the chart of a command full of markup"
fi
# The summary line is drawn: the same chart without it has fewer dark pixels.
python3 - "$tmp/full.svg" "$tmp/nosummary.svg" <<'PY'
import re, sys
svg = open(sys.argv[1]).read()
out, n = re.subn(r'<text id="summary"[^>]*>[^<]*</text>\n', "", svg)
assert n == 1, n
open(sys.argv[2], "w").write(out)
PY
if [ -s "$tmp/full.png" ] && shot "$tmp/nosummary.svg" "$tmp/nosummary.png" &&
        read -r _ _ _ with < <(python3 "$here/pngstat.py" "$tmp/full.png") &&
        read -r _ _ _ without < <(python3 "$here/pngstat.py" "$tmp/nosummary.png"); then
        echo "# non-white pixels: $with with the summary, $without without"
        if [ "$((with - without))" -ge 1000 ]; then
                ok "chromium draws the summary line"
        else
                not_ok "chromium draws the summary line: $((with - without)) more non-white pixels"
        fi
else
        not_ok "chromium renders nosummary.svg"
fi
