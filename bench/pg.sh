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
#   PREFIX   the names of the databases it makes (default bangfu_bench:
#            bangfu_bench_copy and bangfu_bench_import), so that runs
#            beside each other on one server keep apart
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
#     unchanged), then other rows over the same days, another ledger's
#     (timed last: every row new on days that hold deliveries); after the first round the database's figures
#     (`summary --format json`) must equal those of the same files imported
#     into a SQLite file, or the run stops (MISMATCH, exit 1);
#   - the reports on that database against plain SQL on the server
#     (contract §7: within 0.4×): `totals --by category --across month`
#     against the same grouping over the \copy's table of text columns,
#     and `summary` and `show household` (under 0.3 s).
# Reports the medians, bangfu's peak memory, the CPU time of the client
# (user + system, all its threads: bangfu's or psql's), the CPU time of the
# server's process that did the work (its backend, read from /proc while it runs;
# "—" where the server's processes cannot be read) and the machine's load,
# and writes the table to bench/pg-results.md. Without a bangfu that imports
# into PostgreSQL the bangfu rows say so and the rest still runs.
set -euo pipefail
export LC_ALL=C.UTF-8

ROWS="${1:-1000000}"
if ! [[ "$ROWS" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: bench/pg.sh [ROWS]   (ROWS: number of deliveries, default 1000000)" >&2
    exit 2
fi
ROUNDS="${ROUNDS:-3}"
PREFIX="${PREFIX:-bangfu_bench}"
[[ "$PREFIX" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "bench/pg.sh: PREFIX must be a lower-case SQL name" >&2; exit 2; }
COPY_DB=${PREFIX}_copy
IMPORT_DB=${PREFIX}_import
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
# Other rows of the same shape over the same days (another seed; the same
# households and members): a second ledger's file, as another township's of
# the same months, every row new on days that hold deliveries.
D_OTHER="$OUT/data-$ROWS-other"
if [ ! -s "$D_OTHER/deliveries.csv" ]; then
    say "generating $ROWS other deliveries over the same days in $D_OTHER"
    "$GEN" "$D_OTHER" "$ROWS" --seed 21
fi
OTHER="$D_OTHER/deliveries.csv"

# --- measuring ---------------------------------------------------------------

sql() { psql "$PG" -X -q -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' "$@" >/dev/null; }
# fresh NAME: an empty database NAME on the server; its URL.
fresh() {
    sql -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
    echo "$SERVER/$1"
}
drop_all() {
    for db in "$COPY_DB" "$IMPORT_DB"; do
        psql "$PG" -X -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
}
trap drop_all EXIT

now() { date +%s.%N; }
declare -A RUNS=() PEAK=() COUNT=() CPU=() CLIENT=()
# backends DB: the pids of the server's processes serving database DB.
backends() {
    grep -lsa -- "^postgres: [^ ]* $1 " /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3 || true
}
# watch DB OUT: until killed, write to OUT the CPU seconds the processes
# serving DB have used, summed over those seen (each as last read: a
# backend's last tenth of a second before it ends may be missed).
watch_cpu() {
    local db="$1" out="$2" pid ticks total
    declare -A last=()
    local hz
    hz=$(getconf CLK_TCK)
    while :; do
        for pid in $(backends "$db"); do
            ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) && last[$pid]=$ticks
        done
        total=0
        for pid in "${!last[@]}"; do total=$((total + last[$pid])); done
        echo "$total $hz" >"$out.tmp" && mv "$out.tmp" "$out"
        sleep 0.1
    done
}
# measure KEY CMD...: run CMD under /usr/bin/time; its seconds to RUNS[KEY],
# its peak memory (KiB) to PEAK[KEY], its CPU seconds (user + system) to
# CLIENT[KEY], and, with DB set, the CPU seconds of
# the server's processes serving database DB meanwhile to CPU[KEY]. Fails
# (status 1) as CMD fails.
measure() {
    local key="$1" n t0 t1 rss log watcher=""
    shift
    n=$((${COUNT[$key]:-0} + 1))
    COUNT[$key]=$n
    log="$LOG/$key-$n"
    # Nothing of the commands before still to be written back while this
    # one runs (as bench/run.sh: not timed).
    sync
    if [ -n "${DB:-}" ]; then
        watch_cpu "$DB" "$log.cpu" &
        watcher=$!
    fi
    t0=$(now)
    if ! /usr/bin/time -f '%M %U %S' -o "$log.rss" "$@" >"$log.out" 2>"$log.err"; then
        [ -n "$watcher" ] && kill "$watcher"
        return 1
    fi
    t1=$(now)
    if [ -n "$watcher" ]; then
        sleep 0.2
        kill "$watcher"
        wait "$watcher" 2>/dev/null || true
        if [ -s "$log.cpu" ] && read -r ticks hz <"$log.cpu" && [ "$ticks" -gt 0 ]; then
            CPU[$key]+="$(awk -v t="$ticks" -v h="$hz" 'BEGIN { printf "%.2f", t / h }') "
        fi
    fi
    t1=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    RUNS[$key]+="$t1 "
    read -r rss user system < <(tail -n 1 "$log.rss")
    CLIENT[$key]+="$(awk -v u="$user" -v s="$system" 'BEGIN { printf "%.2f", u + s }') "
    if [ "$rss" -gt "${PEAK[$key]:-0}" ]; then PEAK[$key]=$rss; fi
    printf '   %s: %s s, %s KiB, client CPU %s s, server CPU %s s, load %s\n' "$key" "$t1" "$rss" \
        "$(awk -v u="$user" -v s="$system" 'BEGIN { printf "%.2f", u + s }')" \
        "$(tr ' ' '\n' <<<"${CPU[$key]:-}" | awk NF | tail -n 1)" "$(cut -d' ' -f1 /proc/loadavg)" >&2
}
median() { tr ' ' '\n' <<<"${RUNS[$1]:-}" | awk NF | sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
warm() { cat "$@" >/dev/null; }

COPY_TABLE="CREATE TABLE deliveries (date text, member text, household text, category text,
    goods text, cash text, note text)"
NO_PG=""
# `totals --by category --across month` as plain SQL over the text columns.
TOTALS_SQL="SELECT d.category, substr(d.date, 1, 7), count(*), count(DISTINCT d.household),
    sum(CAST(nullif(d.goods, '') AS numeric)), sum(CAST(nullif(d.cash, '') AS numeric)),
    sum(CAST(nullif(d.goods, '') AS numeric)) + sum(CAST(nullif(d.cash, '') AS numeric))
    FROM deliveries d GROUP BY 1, 2"
SHOW_ID=$(awk -F, 'NR == 10001 { print $1 }' "$D/households.csv")
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
    url=$(fresh "$COPY_DB")
    psql "$url" -X -q -v ON_ERROR_STOP=1 -c "$COPY_TABLE" >/dev/null
    DB=$COPY_DB measure copy psql "$url" -X -q -v ON_ERROR_STOP=1 \
        -c "\\copy deliveries FROM '$FILE' (FORMAT csv, HEADER true)" ||
        fail "FAILED: psql \\copy (see $LOG)"
    n=$(psql "$url" -X -A -t -c "SELECT count(*) FROM deliveries")
    [ "$n" = "$ROWS" ] || fail "MISMATCH: \\copy stored $n rows, expected $ROWS"
    copy_url=$url

    if [ -n "$NO_PG" ]; then
        sql -c "DROP DATABASE $COPY_DB WITH (FORCE)"
        continue
    fi
    url=$(fresh "$IMPORT_DB")
    if ! "$BANGFU" --db "$url" import --quiet --ledger bench "${RECORDS[@]}" >"$LOG/setup.out" 2>"$LOG/setup.err"; then
        NO_PG="not run: $(grep -m 1 . "$LOG/setup.err" || echo "the import failed")"
        say "this bangfu does not import into PostgreSQL: $NO_PG"
        continue
    fi
    DB=$IMPORT_DB measure import "$BANGFU" --db "$url" import --quiet --ledger bench "$FILE" ||
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
    DB=$IMPORT_DB measure reimport "$BANGFU" --db "$url" import --quiet --ledger bench "$FILE" ||
        fail "FAILED: bangfu import again (see $LOG)"
    # The reports, each of its kind against plain SQL on the same server.
    psql "$copy_url" -X -q -c "VACUUM ANALYZE deliveries" >/dev/null
    DB=$IMPORT_DB measure totals "$BANGFU" --db "$url" totals --by category --across month --format csv ||
        fail "FAILED: bangfu totals (see $LOG)"
    DB=$COPY_DB measure sql psql "$copy_url" -X -q -A -t -v ON_ERROR_STOP=1 -c "$TOTALS_SQL" ||
        fail "FAILED: the plain SQL of totals (see $LOG)"
    DB=$IMPORT_DB measure summary "$BANGFU" --db "$url" summary ||
        fail "FAILED: bangfu summary (see $LOG)"
    DB=$IMPORT_DB measure show "$BANGFU" --db "$url" show household "$SHOW_ID" ||
        fail "FAILED: bangfu show (see $LOG)"
    # Last, as it doubles the deliveries the reports above read.
    warm "$OTHER"
    DB=$IMPORT_DB measure other "$BANGFU" --db "$url" import --quiet --ledger other "$OTHER" ||
        fail "FAILED: bangfu import of the other rows (see $LOG)"
    n=$(psql "$url" -X -A -t -c "SELECT count(*) FROM bangfu.deliveries")
    [ "$n" -ge $((2 * ROWS - ROWS / 100)) ] ||
        fail "MISMATCH: $n deliveries after the other file, expected about $((2 * ROWS))"
    sql -c "DROP DATABASE $IMPORT_DB WITH (FORCE)" -c "DROP DATABASE $COPY_DB WITH (FORCE)"
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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f×", a / b; else print "—" }'; }
# seconds_median ARRAY KEY: the median of the seconds ARRAY[KEY] lists.
seconds_median() {
    local -n seconds=$1
    tr ' ' '\n' <<<"${seconds[$2]:-}" | awk NF | sort -g |
        awk '{ a[NR] = $1 } END { if (NR) printf "%s s", a[int((NR + 1) / 2)]; else print "—" }'
}
cpu_median() { seconds_median CPU "$1"; }
client_median() { seconds_median CLIENT "$1"; }
# row WHAT KEY BASE: KEY's median time, against BASE's, its client and
# server CPU and peak memory.
row() {
    local what="$1" key="$2" base="$3" s
    s=$(median "$key")
    if [ -z "$s" ]; then
        printf '| %s | %s | | | | |\n' "$what" "${NO_PG:-not run}"
    else
        printf '| %s | %s s | %s | %s | %s | %s MiB |\n' "$what" "$s" "$(ratio "$s" "${base:+$(median "$base")}")" \
            "$(client_median "$key")" "$(cpu_median "$key")" $((${PEAK[$key]:-0} / 1024))
    fi
}
{
    echo "# PostgreSQL import: $ROWS deliveries"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(psql "$PG" -X -A -t -c 'SHOW server_version'),"
    echo "load average $LOAD_START at the start, $LOAD_END at the end; medians of $ROUNDS rounds."
    echo "Targets (contract §7): bangfu's first import within 3× of \\copy; totals within 0.4× of"
    echo "the plain SQL; summary and show under 0.3 s. Client CPU: user + system of the command"
    echo "(bangfu's threads, or psql); server CPU: the CPU time of the server's processes serving"
    echo "the command's database; medians."
    echo
    echo "| case | time | against | client CPU | server CPU | peak memory |"
    echo "|---|---|---|---|---|---|"
    printf '| psql \\copy into a table without indexes | %s s | 1× | %s | %s | |\n' "$COPY_S" "$(client_median copy)" "$(cpu_median copy)"
    row "bangfu import (every row new), against \\copy" import copy
    row "bangfu import again (every row unchanged), against \\copy" reimport copy
    row "bangfu import of other rows over the same days (every row new, the days held), against \\copy" other copy
    row "plain SQL of totals by category across month, on the server" sql sql
    row "bangfu totals --by category --across month, against the plain SQL" totals sql
    row "bangfu summary" summary ""
    row "bangfu show household $SHOW_ID" show ""
    echo
    echo "The figures (\`summary --format json\`) after bangfu's import: $FIGURES."
    if [ -n "$SETTLE_LINES" ]; then
        echo
        echo "The bulk path alone (staging by COPY, then the settle):"
        echo
        sed 's/^/    /' <<<"$SETTLE_LINES"
    fi
} | tee "$RESULTS"
