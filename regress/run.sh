#!/bin/sh
# The regression suite: run by "make regress" (after mk/deps.sh).
#
#   1. build everything (obj/), unit tests, tools
#   2. unit tests
#   3. the same unit tests built with ASan+UBSan (obj-asan/)
#   4. each libFuzzer target for a short time (obj-fuzz/), when clang works
#   5. integration tests: regress/t/*.sh, one behaviour per script
#
# Ends with "N passed, N failed[, N skipped]"; exits 1 when anything failed.
# Environment: REGRESS_ONLY="pattern" runs only matching t/ scripts;
# REGRESS_SKIP_ASAN=1, REGRESS_SKIP_FUZZ=1 skip those stages;
# FUZZ_SECONDS (default 10) per fuzz target.

set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
JOBS=$(nproc 2>/dev/null || echo 2)
OBJ="$TOP/obj"
WALKS=$(cd "$TOP/../shared/walks" 2>/dev/null && pwd || echo "$TOP/../shared/walks")
RUNDIR=$(mktemp -d /tmp/callhome-regress.XXXXXX)
RESULTS="$RUNDIR/results"
COUNTS="$RUNDIR/counts"		# one line per stage or script: name ok not skip
: >"$RESULTS"
: >"$COUNTS"
export TOP OBJ WALKS RESULTS

say() { echo "$*" | tee -a "$RESULTS"; }

stage() { echo; echo "==> $*"; }

# count NAME FIRSTLINE: the results of lines FIRSTLINE.. as one table row
count() {
	tail -n +"$2" "$RESULTS" | awk -v n="$1" '
	    /^ok / { o++ } /^not ok / { f++ } /^skip / { s++ }
	    END { printf "%s %d %d %d\n", n, o, f, s }' >>"$COUNTS"
}

# run_unit DIR LABEL: every unit test binary of a build directory
run_unit() {
	for t in "$1"/regress/unit/test_*; do
		[ -x "$t" ] || continue
		case "$t" in *.o|*.d) continue ;; esac
		name=$(basename "$t")
		out="$RUNDIR/$2-$name.out"
		(cd "$TOP" && timeout 300 "$t") >"$out" 2>"$out.err"
		rc=$?
		grep -E '^(ok|not ok) ' "$out" | sed "s/^ok /ok $2:/;s/^not ok /not ok $2:/" \
		    | tee -a "$RESULTS"
		if ! grep -q "^# done" "$out"; then
			say "not ok $2:$name: died (status $rc) before finishing"
			tail -n 20 "$out.err" | sed 's/^/#   /'
		elif [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
			say "not ok $2:$name: exit status $rc"
		fi
	done
}

stage "build"
if ! make --no-print-directory -j"$JOBS" build unit >"$RUNDIR/build.log" 2>&1; then
	tail -n 40 "$RUNDIR/build.log"
	say "not ok build: make build unit failed"
	echo "0 passed, 1 failed"
	exit 1
fi
say "ok build"

stage "unit tests"
first=$(($(wc -l <"$RESULTS") + 1))
run_unit "$OBJ" unit
count "unit tests" $first

if [ "${REGRESS_SKIP_ASAN:-0}" != 1 ]; then
	stage "unit tests with AddressSanitizer and UndefinedBehaviorSanitizer"
	first=$(($(wc -l <"$RESULTS") + 1))
	if make --no-print-directory -j"$JOBS" BUILD=obj-asan SANITIZE=1 unit \
	    >"$RUNDIR/build-asan.log" 2>&1; then
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		    run_unit "$TOP/obj-asan" asan
	else
		tail -n 40 "$RUNDIR/build-asan.log"
		say "not ok asan: build failed"
	fi
	count "unit tests, ASan+UBSan" $first
fi

if [ "${REGRESS_SKIP_FUZZ:-0}" != 1 ]; then
	stage "fuzz targets (${FUZZ_SECONDS:-10} s each)"
	first=$(($(wc -l <"$RESULTS") + 1))
	if ! command -v clang >/dev/null 2>&1; then
		say "skip fuzz: clang not installed"
	elif make --no-print-directory -j"$JOBS" BUILD=obj-fuzz FUZZ=1 fuzz \
	    >"$RUNDIR/build-fuzz.log" 2>&1; then
		for f in obj-fuzz/regress/fuzz/fuzz_*; do
			case "$f" in *.o|*.d) continue ;; esac
			[ -x "$f" ] || continue
			name=$(basename "$f"); short=${name#fuzz_}
			corpus="$RUNDIR/corpus-$short"
			mkdir -p "$corpus"
			seeds="$TOP/regress/fuzz/corpus/$short"
			[ -d "$seeds" ] && cp "$seeds"/* "$corpus"/ 2>/dev/null
			# a target may capture real seeds first (e.g. from snmpsim)
			if [ -x "$TOP/regress/fuzz/corpus-$short.sh" ]; then
				OBJ="$OBJ" timeout 120 \
				    "$TOP/regress/fuzz/corpus-$short.sh" "$corpus" \
				    >"$RUNDIR/corpus-$short.log" 2>&1 || \
				    echo "# corpus script for $short failed (see $RUNDIR/corpus-$short.log)"
			fi
			if timeout $(( ${FUZZ_SECONDS:-10} + 60 )) "$f" \
			    -max_total_time="${FUZZ_SECONDS:-10}" -timeout=10 \
			    -rss_limit_mb=2048 -print_final_stats=1 \
			    -artifact_prefix="$RUNDIR/crash-$short-" "$corpus" \
			    >"$RUNDIR/fuzz-$short.log" 2>&1; then
				runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
				    "$RUNDIR/fuzz-$short.log")
				say "ok fuzz:$name ($runs runs)"
			else
				tail -n 30 "$RUNDIR/fuzz-$short.log"
				say "not ok fuzz:$name: crashed or timed out"
			fi
		done
	else
		tail -n 40 "$RUNDIR/build-fuzz.log"
		say "not ok fuzz: build failed"
	fi
	count "fuzz targets" $first
fi

stage "integration tests"
for s in "$TOP"/regress/t/*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	if [ -n "${REGRESS_ONLY:-}" ]; then
		case "$name" in ${REGRESS_ONLY}) ;; *) continue ;; esac
	fi
	T="$RUNDIR/t-$name"
	mkdir -p "$T"
	before=$(wc -l <"$RESULTS")
	echo "--- $name"
	T="$T" timeout 600 sh "$s" >"$T/log" 2>&1
	rc=$?
	grep -E '^(ok|not ok|skip) ' "$T/log"
	after=$(wc -l <"$RESULTS")
	if [ $rc -ne 0 ] || [ "$after" -eq "$before" ]; then
		if [ $rc -ne 0 ] && ! tail -n +"$((before + 1))" "$RESULTS" | grep -q '^not ok'; then
			say "not ok $name: script exited with status $rc"
		elif [ "$after" -eq "$before" ]; then
			say "not ok $name: script reported nothing"
		fi
	fi
	if tail -n +"$((before + 1))" "$RESULTS" | grep -q '^not ok'; then
		echo "# log of $name (last 30 lines):"
		tail -n 30 "$T/log" | sed 's/^/#   /'
	fi
	count "t/$name" $((before + 1))
done

# what each stage and script checked, so that none hides behind the total
echo
echo "# checks by stage and script"
awk '{ o = $(NF - 2); f = $(NF - 1); s = $NF; $(NF - 2) = $(NF - 1) = $NF = "";
    sub(/ +$/, ""); printf "#   %-36s %6d ok %4d failed %4d skipped\n", $0, o, f, s }' \
    "$COUNTS"

passed=$(grep -c '^ok ' "$RESULTS")
failed=$(grep -c '^not ok ' "$RESULTS")
skipped=$(grep -c '^skip ' "$RESULTS")
echo
echo "# details in $RUNDIR"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
