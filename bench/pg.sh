#!/usr/bin/env bash
# The PostgreSQL import benchmark of bangfu (contract §7 and §9, issue 17
# item 3: "the 1M reference file within 3× of `psql \copy` of it into a
# table without indexes").
#
#   bench/pg.sh [ROWS]        ROWS deliveries, default 1000000
#
# Environment:
#   PG       an administrator's URL of a running server (default:
#            $BANGFU_TEST_PG, else the URL in /tmp/pgurl; see .ci/postgres);
#            the benchmark makes and drops its own databases there
#   ROUNDS   rounds of each case (default 3)
#   PROFILE  the cargo profile to build (default release; dev tries the
#            script quickly, its figures meaning nothing)
#   SETTLE   1: also time the bulk path alone (staging and settle, the
#            ignored unit test store::pg::deliveries::tests::
#            measure_a_reference_file), which builds the library's tests
#            (in the same profile) as well
#
# Builds bangfu and examples/bench_data.rs in release mode, generates the
# reference data under bench/out/data-ROWS (the same deterministic files
# bench/run.sh makes), then, round by round:
#   - the baseline: `psql \copy` of deliveries.csv into a table of its seven
#     columns as text, without indexes, in a new database;
#   - bangfu: the households, members and pairings imported into a new
#     database (not timed), then deliveries.csv (timed: the first import,
#     every row new), then deliveries.csv again (timed: every row
#     unchanged); after the first round the database's figures
#     (`summary --format json`) must equal those of the same files imported
#     into a SQLite file, or the run stops (MISMATCH, exit 1).
# Reports the medians, bangfu's peak memory and the machine's load, and
# writes the table to bench/pg-results.md. Without a bangfu that imports
# into PostgreSQL the bangfu rows say so and the rest still runs.
set -euo pipefail
export LC_ALL=C.UTF-8

ROWS="${1:-1000000}"
if ! [[ "$ROWS" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: bench/pg.sh [ROWS]   (ROWS: number of deliveries, default 1000000)" >&2
    exit 2
fi
ROUNDS="${ROUNDS:-3}"
PG="${PG:-${BANGFU_TEST_PG:-$(cat /tmp/pgurl 2>/dev/null || true)}}"
if [[ -z "$PG" ]]; then
    echo 'bench/pg.sh: no server: set PG to an administrator URL (eval "$(.ci/postgres start)" makes one)' >&2
    exit 2
fi
SERVER="${PG%/*}"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=bench/out
LOG="$OUT/pg-log"
RESULTS=bench/pg-results.md
rm -rf "$LOG"
mkdir -p "$LOG"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

say() { printf '\n== %s\n' "$*" >&2; }
fail() {
    echo "$*" >&2
    exit 1
}
command -v psql >/dev/null || fail "bench/pg.sh: psql is missing (apt-get install postgresql-client)"
[ -x /usr/bin/time ] || fail "bench/pg.sh: /usr/bin/time is missing (apt-get install time)"

PROFILE="${PROFILE:-release}"
TARGET_DIR=${CARGO_TARGET_DIR:-target}/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
say "building ($PROFILE)"
cargo build --profile "$PROFILE" --bin bangfu --example bench_data >&2
mkdir -p "$OUT/pg-bin"
cp "$TARGET_DIR/bangfu" "$TARGET_DIR/examples/bench_data" "$OUT/pg-bin/"
BANGFU="$OUT/pg-bin/bangfu"
GEN="$OUT/pg-bin/bench_data"

D="$OUT/data-$ROWS"
if [ ! -s "$D/deliveries.csv" ]; then
    say "generating $ROWS deliveries in $D"
    "$GEN" "$D" "$ROWS"
fi
RECORDS=("$D/households.csv" "$D/members.csv" "$D/pairings.csv")
FILE="$D/deliveries.csv"

# --- measuring ---------------------------------------------------------------

sql() { psql "$PG" -X -q -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' "$@" >/dev/null; }
# fresh NAME: an empty database NAME on the server; its URL.
fresh() {
    sql -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
    echo "$SERVER/$1"
}
drop_all() {
    for db in bangfu_bench_copy bangfu_bench_import; do
        psql "$PG" -X -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
}
trap drop_all EXIT

now() { date +%s.%N; }
declare -A RUNS=() PEAK=() COUNT=()
# measure KEY CMD...: run CMD under /usr/bin/time; its seconds to RUNS[KEY],
# its peak memory (KiB) to PEAK[KEY]. Fails (status 1) as CMD fails.
measure() {
    local key="$1" n t0 t1 rss log
    shift
    n=$((${COUNT[$key]:-0} + 1))
    COUNT[$key]=$n
    log="$LOG/$key-$n"
    t0=$(now)
    if ! /usr/bin/time -f %M -o "$log.rss" "$@" >"$log.out" 2>"$log.err"; then
        return 1
    fi
    t1=$(now)
    t1=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    RUNS[$key]+="$t1 "
    rss=$(tail -n 1 "$log.rss")
    if [ "$rss" -gt "${PEAK[$key]:-0}" ]; then PEAK[$key]=$rss; fi
    printf '   %s: %s s, %s KiB\n' "$key" "$t1" "$rss" >&2
}
median() { tr ' ' '\n' <<<"${RUNS[$1]:-}" | awk NF | sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
warm() { cat "$@" >/dev/null; }

COPY_TABLE="CREATE TABLE deliveries (date text, member text, household text, category text,
    goods text, cash text, note text)"
NO_PG=""
FIGURES="not compared"
SQLITE_FIGURES="$LOG/figures-sqlite.json"

say "the same files into a SQLite file (the figures to compare with)"
rm -f "$OUT/pg-compare.db"*
"$BANGFU" --db "$OUT/pg-compare.db" import --quiet --ledger bench "${RECORDS[@]}" >"$LOG/compare.out" 2>&1
"$BANGFU" --db "$OUT/pg-compare.db" import --quiet --ledger bench "$FILE" >>"$LOG/compare.out" 2>&1
"$BANGFU" --db "$OUT/pg-compare.db" summary --format json >"$SQLITE_FIGURES"
rm -f "$OUT/pg-compare.db"*

for round in $(seq "$ROUNDS"); do
    say "round $round of $ROUNDS"
    warm "$FILE" "${RECORDS[@]}"
    url=$(fresh bangfu_bench_copy)
    psql "$url" -X -q -v ON_ERROR_STOP=1 -c "$COPY_TABLE" >/dev/null
    measure copy psql "$url" -X -q -v ON_ERROR_STOP=1 \
        -c "\\copy deliveries FROM '$FILE' (FORMAT csv, HEADER true)" ||
        fail "FAILED: psql \\copy (see $LOG)"
    n=$(psql "$url" -X -A -t -c "SELECT count(*) FROM deliveries")
    [ "$n" = "$ROWS" ] || fail "MISMATCH: \\copy stored $n rows, expected $ROWS"
    sql -c "DROP DATABASE bangfu_bench_copy WITH (FORCE)"

    [ -n "$NO_PG" ] && continue
    url=$(fresh bangfu_bench_import)
    if ! "$BANGFU" --db "$url" import --quiet --ledger bench "${RECORDS[@]}" >"$LOG/setup.out" 2>"$LOG/setup.err"; then
        NO_PG="not run: $(grep -m 1 . "$LOG/setup.err" || echo "the import failed")"
        say "this bangfu does not import into PostgreSQL: $NO_PG"
        continue
    fi
    measure import "$BANGFU" --db "$url" import --quiet --ledger bench "$FILE" ||
        fail "FAILED: bangfu import (see $LOG)"
    if [ "$round" -eq 1 ]; then
        if ! "$BANGFU" --db "$url" summary --format json >"$LOG/figures-pg.json" 2>"$LOG/figures-pg.err"; then
            FIGURES="not compared: summary failed on PostgreSQL ($(grep -m 1 . "$LOG/figures-pg.err" || true))"
            say "$FIGURES"
        elif cmp -s "$SQLITE_FIGURES" "$LOG/figures-pg.json"; then
            FIGURES="equal to those of the same files in a SQLite file"
        else
            diff "$SQLITE_FIGURES" "$LOG/figures-pg.json" >&2 || true
            fail "MISMATCH: the figures on PostgreSQL differ from those of the same files in a SQLite file"
        fi
    fi
    measure reimport "$BANGFU" --db "$url" import --quiet --ledger bench "$FILE" ||
        fail "FAILED: bangfu import again (see $LOG)"
    sql -c "DROP DATABASE bangfu_bench_import WITH (FORCE)"
done

SETTLE_LINES=""
if [ "${SETTLE:-}" = 1 ]; then
    say "the bulk path alone (the library's tests, $PROFILE)"
    SETTLE_LINES=$(BANGFU_TEST_PG="$PG" BANGFU_BENCH_ROWS="$ROWS" cargo test --profile "$PROFILE" --lib \
        store::pg::deliveries::tests::measure_a_reference_file -- --ignored --nocapture 2>&1 |
        grep '^import ' || true)
fi

# --- the table -----------------------------------------------------------------

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
COPY_S=$(median copy)
ratio() { awk -v a="$1" -v b="$COPY_S" 'BEGIN { if (a != "" && b > 0) printf "%.1f×", a / b; else print "—" }'; }
row() {
    local what="$1" key="$2" s
    s=$(median "$key")
    if [ -z "$s" ]; then
        printf '| %s | %s | | |\n' "$what" "${NO_PG:-not run}"
    else
        printf '| %s | %s s | %s | %s MiB |\n' "$what" "$s" "$(ratio "$s")" $((${PEAK[$key]:-0} / 1024))
    fi
}
{
    echo "# PostgreSQL import: $ROWS deliveries"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(psql "$PG" -X -A -t -c 'SHOW server_version'),"
    echo "load average $LOAD_START at the start, $LOAD_END at the end; medians of $ROUNDS rounds."
    echo "Target (contract §7): bangfu's first import within 3× of \\copy."
    echo
    echo "| case | time | against \\copy | peak memory |"
    echo "|---|---|---|---|"
    printf '| psql \\copy into a table without indexes | %s s | 1× | |\n' "$COPY_S"
    row "bangfu import (every row new)" import
    row "bangfu import again (every row unchanged)" reimport
    echo
    echo "The figures (\`summary --format json\`) after bangfu's import: $FIGURES."
    if [ -n "$SETTLE_LINES" ]; then
        echo
        echo "The bulk path alone (staging by COPY, then the settle):"
        echo
        sed 's/^/    /' <<<"$SETTLE_LINES"
    fi
} | tee "$RESULTS"
