#!/bin/sh
# A fuzzing campaign ("make fuzz-campaign"): every libFuzzer target of
# regress/fuzz/ for RUNS executions (10 million by default), one after the
# other, each on its corpus in regress/fuzz/corpus/<name>/.  What a run
# finds that covers more is merged into that corpus (libFuzzer -merge=1,
# so it grows in coverage, not in files that add nothing), and the
# figures of the campaign -- executions, coverage, corpus, findings, the
# commit, the command -- are written to docs/fuzz-campaign.md.
#
# Environment:
#	RUNS		executions per target (default 10000000)
#	MAX_TIME	seconds per target at most (default 0: no limit)
#	TARGETS		names to run ("prescan upload"), default all
#	FUZZ_RSS_MB	libFuzzer's -rss_limit_mb (default 2048)
#
# A finding (crash, leak, timeout, out of memory) is kept in the
# campaign's directory, named in the figures, and makes the exit status 1.

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
RUNS=${RUNS:-10000000}
MAX_TIME=${MAX_TIME:-0}
RSS=${FUZZ_RSS_MB:-2048}
OUT=$(mktemp -d /tmp/callhome-campaign.XXXXXX)
DOC="$TOP/docs/fuzz-campaign.md"

if ! command -v clang >/dev/null 2>&1; then
	echo "clang is not installed: no fuzzing (apt-get install clang)" >&2
	exit 1
fi
echo "==> building the fuzz targets (obj-fuzz/)"
if ! make --no-print-directory -j2 BUILD=obj-fuzz FUZZ=1 fuzz \
    >"$OUT/build.log" 2>&1; then
	tail -n 30 "$OUT/build.log"
	exit 1
fi

commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain 2>/dev/null | grep -v '^??' | grep -c .)
[ "$dirty" -gt 0 ] && commit="$commit (with uncommitted changes)"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
: >"$OUT/figures"
found=0

# stat NAME LOG: a "stat::NAME: value" of libFuzzer's final statistics
stat() {
	sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

for f in obj-fuzz/regress/fuzz/fuzz_*; do
	case "$f" in *.o|*.d) continue ;; esac
	[ -x "$f" ] || continue
	name=$(basename "$f"); short=${name#fuzz_}
	if [ -n "${TARGETS:-}" ]; then
		case " $TARGETS " in *" $short "*) ;; *) continue ;; esac
	fi
	corpus="$TOP/regress/fuzz/corpus/$short"
	new="$OUT/new-$short"
	mkdir -p "$corpus" "$new"
	before=$(find "$corpus" -type f | wc -l)
	# a target may capture real seeds first (e.g. from snmpsim)
	if [ -x "$TOP/regress/fuzz/corpus-$short.sh" ]; then
		OBJ="$TOP/obj" timeout 300 "$TOP/regress/fuzz/corpus-$short.sh" \
		    "$new" >"$OUT/corpus-$short.log" 2>&1 ||
		    echo "# corpus script for $short failed" >&2
	fi
	if [ "$MAX_TIME" = 0 ]; then
		echo "==> $name: $RUNS runs"
	else
		echo "==> $name: $RUNS runs, at most $MAX_TIME s"
	fi
	t0=$(date +%s)
	# new inputs go to $new; the kept corpus is only read
	"$f" -runs="$RUNS" -max_total_time="$MAX_TIME" -timeout=10 \
	    -rss_limit_mb="$RSS" -print_final_stats=1 \
	    -artifact_prefix="$OUT/$short-" "$new" "$corpus" \
	    >"$OUT/$short.log" 2>&1
	rc=$?
	t1=$(date +%s)
	runs=$(stat number_of_executed_units "$OUT/$short.log")
	# libFuzzer says 0 within the first second: counted here
	secs=$((t1 - t0))
	speed=$(( ${runs:-0} / (secs > 0 ? secs : 1) ))
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$OUT/$short.log" | tail -n 1)
	# what covers more joins the corpus
	"$f" -merge=1 -rss_limit_mb="$RSS" -timeout=10 "$corpus" "$new" \
	    >"$OUT/merge-$short.log" 2>&1
	after=$(find "$corpus" -type f | wc -l)
	arts=$(ls "$OUT" | grep -E "^$short-(crash|leak|timeout|oom|slow-unit)-" |
	    tr '\n' ' ')
	if [ $rc -ne 0 ] || [ -n "$arts" ]; then
		found=1
		finding="${arts:-exit status $rc (see $OUT/$short.log)}"
		tail -n 30 "$OUT/$short.log"
	else
		finding=none
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "${runs:-?}" \
	    "${speed:-?}" "$((t1 - t0))" "${cov:-?}" "$before" "$after" \
	    "$finding" >>"$OUT/figures"
	echo "    ${runs:-?} runs, ${cov:-?}, corpus $before -> $after, findings: $finding"
done

{
	echo "# The last fuzzing campaign"
	echo
	echo "Written by \`regress/fuzz/campaign.sh\` (\`make fuzz-campaign\`);"
	echo "see [fuzzing.md](fuzzing.md) for what the campaign is and how"
	echo "to read this."
	echo
	echo "- commit: $commit"
	echo "- started: $started, finished: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- command: \`make fuzz-campaign RUNS=$RUNS MAX_TIME=$MAX_TIME${TARGETS:+ TARGETS=\"$TARGETS\"}\`"
	echo "- machine: $(nproc) CPUs, $(uname -sr), $(clang --version | head -n 1)"
	echo
	echo "| target | executions | exec/s | seconds | coverage (edges, features) | corpus before | corpus after | findings |"
	echo "|---|---:|---:|---:|---|---:|---:|---|"
	while IFS="$(printf '\t')" read -r n r s t c b a fi; do
		echo "| $n | $r | $s | $t | $c | $b | $a | $fi |"
	done <"$OUT/figures"
	echo
	if [ $found -eq 0 ]; then
		echo "No finding."
	else
		echo "Findings are kept in \`$OUT\` on the machine that ran it."
	fi
} >"$DOC"
echo "==> figures in $DOC; logs in $OUT"
exit $found
