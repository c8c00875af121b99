#!/usr/bin/env bash
# The speed benchmark of bangfu (contract §7: "in any row order and as the
# database grows"; issues 5 and 16).
#
#   bench/run.sh [ROWS]        ROWS deliveries, default 1000000
#
# Environment: ROUNDS (default 5); ONCE_AFTER (default 180): a case whose
# first round took longer than this many seconds runs one round only.
#
# Builds bangfu and the two benchmark examples in release mode, generates
# the data under bench/out/ (examples/bench_data.rs, deterministic), then
# times bangfu against a baseline, case by case:
#   - the ROWS-row file in four orders (by date; by household, then date;
#     by township, village, household, date; shuffled), each against the
#     plain import of the same file (examples/plain_import.rs), and the
#     date-ordered file against the sqlite3 shell's .import; the same rows
#     with record ids, by date and shuffled, and the shuffled ones again;
#   - a fifth ROWS imported into a database of four times ROWS: shuffled
#     over the same dates (the worst case) and of later dates in date order
#     (the monthly case), against the plain import of the same file into a
#     plain database of the same four;
#   - a re-import of the unchanged file (by date, shuffled) against its
#     first import; with `import --replace`, the same shuffled file and one
#     with 1% of its amounts corrected as the ledger's new version; with
#     `undo`, taking the shuffled import back;
#   - files of 100,000 and 50,000 identical rows (linear time);
#   - 100,000 rows as .xlsx against the same rows as CSV, and 50,000 as
#     .xlsx (linear time);
#   - the reports on the database built from the shuffled file, against
#     plain SQL over tables of text columns in the sqlite3 shell;
#   - peak memory (max RSS) of every bangfu command.
# Every case runs ROUNDS rounds, bangfu and its baseline one after the
# other within a round, and reports the medians. After each import the
# database's figures (`summary --format json`) are compared with those of
# the same rows imported otherwise: any difference prints MISMATCH and
# stops the run (exit 1). Prints the table and writes it to bench/results.md.
set -euo pipefail
export LC_ALL=C.UTF-8

ROWS="${1:-1000000}"
if ! [[ "$ROWS" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: bench/run.sh [ROWS]   (ROWS: number of deliveries, default 1000000)" >&2
    exit 2
fi
ROUNDS="${ROUNDS:-5}"
ONCE_AFTER="${ONCE_AFTER:-180}"
SMALL=100000
HALF_SMALL=50000

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=bench/out
LOG="$OUT/log"
RESULTS=bench/results.md
rm -rf "$LOG"
mkdir -p "$LOG"
T_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

say() { printf '\n== %s\n' "$*" >&2; }
fail() {
    echo "$*" >&2
    exit 1
}

# --- tools -------------------------------------------------------------------

apt_install() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
    say "installing $1"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$1" >&2 ||
        { DEBIAN_FRONTEND=noninteractive $sudo apt-get update >&2 &&
              DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$1" >&2; }
}
command -v sqlite3 >/dev/null 2>&1 || apt_install sqlite3
[ -x /usr/bin/time ] || apt_install time

say "building (release)"
cargo build --release --bin bangfu --example bench_data --example plain_import >&2
# Copies, so that a rebuild in the working tree during the run changes nothing.
mkdir -p "$OUT/bin"
cp target/release/bangfu target/release/examples/bench_data target/release/examples/plain_import "$OUT/bin/"
BANGFU="$OUT/bin/bangfu"
GEN="$OUT/bin/bench_data"
PLAIN="$OUT/bin/plain_import"

# What this build can do: the ledger work adds --ledger, --replace and undo.
HAS_LEDGER=""
HAS_REPLACE=""
HAS_UNDO=""
IMPORT_HELP=$("$BANGFU" --lang en import --help)
if grep -q -- '--ledger' <<<"$IMPORT_HELP"; then HAS_LEDGER=1; fi
if grep -q -- '--replace' <<<"$IMPORT_HELP"; then HAS_REPLACE=1; fi
if "$BANGFU" --lang en --help | grep -Eq '^ +undo( |$)'; then HAS_UNDO=1; fi
LEDGER=()
if [ -n "$HAS_LEDGER" ]; then LEDGER=(--ledger bench); fi

# --- data --------------------------------------------------------------------

D="$OUT/data-$ROWS"                # the reference file in every order
D_SMALL="$OUT/data-$SMALL"         # 100k rows, CSV and .xlsx
D_HALF_SMALL="$OUT/data-$HALF_SMALL"
D_FIFTH="$OUT/data-$ROWS-fifth"    # a fifth ROWS, same dates, shuffled
D_LATER="$OUT/data-$ROWS-later"    # a fifth ROWS of the next year
say "generating $ROWS deliveries in four orders in $D"
"$GEN" "$D" "$ROWS" --orders --changed --ids
say "generating $SMALL and $HALF_SMALL deliveries as CSV and .xlsx"
"$GEN" "$D_SMALL" "$SMALL" --xlsx
"$GEN" "$D_HALF_SMALL" "$HALF_SMALL" --xlsx
say "generating a fifth $ROWS, shuffled, and a fifth of 2025"
"$GEN" "$D_FIFTH" "$ROWS" --seed 15 --orders
rm -f "$D_FIFTH/deliveries.csv" "$D_FIFTH/deliveries-household.csv" "$D_FIFTH/deliveries-township.csv"
"$GEN" "$D_LATER" "$ROWS" --seed 16 --from 2025-01-01 --to 2025-12-31

# Files of identical rows: the reference file's first delivery, again and again.
IDENT="$OUT/identical-$SMALL.csv"
IDENT_HALF="$OUT/identical-$HALF_SMALL.csv"
FIRST_ROW=$(sed -n 2p "$D/deliveries.csv")
identical() {
    head -n 1 "$D/deliveries.csv"
    awk -v row="$FIRST_ROW" -v n="$1" 'BEGIN { for (i = 0; i < n; i++) print row }'
}
identical "$SMALL" >"$IDENT"
identical "$HALF_SMALL" >"$IDENT_HALF"

# Memory must stay flat whatever the rows hold: 40,000 deliveries of the
# small file, every 40th with a note of 20,000 characters (60 KB).
LONG_CSV="$OUT/long-notes.csv"
LONG_NOTE=$(printf '长%.0s' $(seq 20000))
awk -F, -v OFS=, -v note="$LONG_NOTE" \
    'NR == 1 { print; next } NR > 40001 { exit } NR % 40 == 0 { $7 = note } { print }' \
    "$D_SMALL/deliveries.csv" >"$LONG_CSV"

ORDERS=(date household township shuffled)
declare -A ORDER_FILE=(
    [date]="$D/deliveries.csv"
    [household]="$D/deliveries-household.csv"
    [township]="$D/deliveries-township.csv"
    [shuffled]="$D/deliveries-shuffled.csv"
)
declare -A ORDER_TEXT=(
    [date]="by date"
    [household]="by household, date"
    [township]="by township, village, household, date"
    [shuffled]="shuffled"
)

# --- measuring ---------------------------------------------------------------

now() { date +%s.%N; }
fresh_db() { rm -f "$1" "$1-wal" "$1-shm" "$1-journal"; }
# copy_db FROM TO: TO a copy of the (closed) database FROM, on disk (as a
# clerk's database is: else the import's first sync would also write the copy).
copy_db() {
    fresh_db "$2"
    cp "$1" "$2"
    sync "$2"
}
warm() { cat "$@" >/dev/null; }

# The runs of each case: RUNS[KEY] its wall-clock seconds, in round order;
# PEAK[KEY] the highest max RSS (KiB); ONCE[CASE] set when the case's
# first round took longer than ONCE_AFTER seconds.
declare -A RUNS=() PEAK=() COUNT=() ONCE=()

# measure KEY CMD...: run CMD once under /usr/bin/time, its output to
# $LOG/KEY-N.{out,err}; add its seconds to RUNS[KEY], its peak memory to
# PEAK[KEY]. A failing CMD stops the benchmark. Every command starts with
# nothing of the commands before it still to be written to disk (`sync`,
# not timed): a database just copied or built would otherwise be written
# back while the next command runs and fsyncs, and be timed as part of it.
measure() {
    local key="$1" n t0 t1 rss log
    shift
    n=$((${COUNT[$key]:-0} + 1))
    COUNT[$key]=$n
    log="$LOG/$key-$n"
    sync
    t0=$(now)
    if ! /usr/bin/time -f %M -o "$log.rss" "$@" >"$log.out" 2>"$log.err"; then
        echo "FAILED: $*" >&2
        tail -n 20 "$log.err" >&2
        exit 1
    fi
    t1=$(now)
    t1=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    RUNS[$key]+="$t1 "
    rss=$(tail -n 1 "$log.rss")
    if [ "$rss" -gt "${PEAK[$key]:-0}" ]; then PEAK[$key]=$rss; fi
    printf '   %s: %s s, %s KiB\n' "$key" "$t1" "$rss" >&2
}

# last KEY: the seconds of KEY's latest run.
last() { awk '{ print $NF }' <<<"${RUNS[$1]}"; }

# due CASE ROUND: whether CASE runs in ROUND (not when its first round was slow).
due() { [ "$2" -eq 1 ] || [ -z "${ONCE[$1]:-}" ]; }
# slow_once CASE KEY: after round 1, mark CASE as run once if KEY took too long.
slow_once() {
    if awk -v t="$(last "$2")" -v l="$ONCE_AFTER" 'BEGIN { exit !(t + 0 > l + 0) }'; then
        ONCE[$1]=1
    fi
}

# figures LABEL DB REF: `summary --format json` of DB must be REF's (a file
# under $LOG, written by the first call with that REF). A benchmark that
# could be silently wrong would be worse than none.
figures() {
    local label="$1" db="$2" ref="$LOG/figures-$3.json" got="$LOG/figures-now.json"
    "$BANGFU" --db "$db" summary --format json >"$got"
    if [ ! -e "$ref" ]; then
        mv "$got" "$ref"
    elif ! cmp -s "$ref" "$got"; then
        echo "MISMATCH: $label: the database's figures differ from those of the same rows imported before" >&2
        diff "$ref" "$got" >&2 || true
        exit 1
    fi
}
json_field() { grep -o "\"$2\": *\"\\?[0-9.]*" "$1" | head -n 1 | sed 's/.*: *"\{0,1\}//'; }
# plain_count DB N: the plain import's table holds N rows.
plain_count() {
    local n
    n=$(sqlite3 "$1" "SELECT count(*) FROM deliveries;")
    if [ "$n" != "$2" ]; then fail "MISMATCH: the plain import $1 holds $n rows, expected $2"; fi
}

# An import of deliveries: "${IMPORT[@]}" --db DB FILE.
IMPORT=("$BANGFU" import --quiet "${LEDGER[@]}")

# --- the records, and four times ROWS (not timed against anything) ------------

RECORDS=("$D/households.csv" "$D/members.csv" "$D/pairings.csv")
SETUP_DB="$OUT/setup.db"
say "bangfu: households, members, pairings (setup)"
fresh_db "$SETUP_DB"
warm "${RECORDS[@]}"
measure setup "$BANGFU" --db "$SETUP_DB" import --quiet "${RECORDS[@]}"
figures "the records alone" "$SETUP_DB" setup
# Import commands in a database: the setup is number 1 (for `undo N`).
SETUP_IMPORTS=1

BASE_DB="$OUT/base-4x.db"
PLAIN_BASE_DB="$OUT/plain-base-4x.db"
copy_db "$SETUP_DB" "$BASE_DB"
fresh_db "$PLAIN_BASE_DB"
for k in 1 2 3 4; do
    say "building the base: deliveries part $k of 4 ($ROWS rows, seed $((10 + k)), by date)"
    part="$OUT/data-$ROWS-base$k"
    "$GEN" "$part" "$ROWS" --seed $((10 + k))
    warm "$part/deliveries.csv"
    measure "base-$k" "${IMPORT[@]}" --db "$BASE_DB" "$part/deliveries.csv"
    measure "plain-base-$k" "$PLAIN" "$PLAIN_BASE_DB" "$part/deliveries.csv" deliveries
    rm -rf "$part"
done
plain_count "$PLAIN_BASE_DB" $((4 * ROWS))
figures "four times $ROWS" "$BASE_DB" base
BASE_IMPORTS=$((SETUP_IMPORTS + 4))

# --- the rounds ----------------------------------------------------------------

DB_PLAIN="$OUT/plain.db"
DB_SQLITE="$OUT/sqlite3.db"
DB_WORK="$OUT/work.db"
DB_PLAIN_WORK="$OUT/plain-work.db"
DB_SMALL="$OUT/small.db"

ROUND_LOADS=()
for round in $(seq "$ROUNDS"); do
    ROUND_LOADS+=("$(cut -d' ' -f1 /proc/loadavg)")
    for order in "${ORDERS[@]}"; do
        file="${ORDER_FILE[$order]}"
        db="$OUT/order-$order.db"
        say "round $round: $ROWS deliveries ${ORDER_TEXT[$order]}: bangfu, then the plain import"
        warm "$file"
        copy_db "$SETUP_DB" "$db"
        measure "import-$order" "${IMPORT[@]}" --db "$db" "$file"
        figures "$ROWS deliveries ${ORDER_TEXT[$order]}, round $round" "$db" orders
        fresh_db "$DB_PLAIN"
        measure "plain-$order" "$PLAIN" "$DB_PLAIN" "$file" deliveries
        plain_count "$DB_PLAIN" "$ROWS"
        if [ "$order" = date ]; then
            fresh_db "$DB_SQLITE"
            measure sqlite-date sqlite3 "$DB_SQLITE" ".mode csv" ".import $file deliveries"
        fi
    done
    fresh_db "$DB_PLAIN"
    fresh_db "$DB_SQLITE"

    # The same rows with record ids (a sheet numbered as it was entered),
    # by date and shuffled, and the shuffled one again unchanged: a ledger
    # with ids takes another path in the writer, which this benchmark did
    # not time before 2026-12-04 (it took 3-9x the plain import).
    for order in date shuffled; do
        if [ "$order" = date ]; then file="$D/deliveries-ids.csv"; else file="$D/deliveries-ids-shuffled.csv"; fi
        db="$OUT/ids-$order.db"
        say "round $round: $ROWS deliveries with ids ${ORDER_TEXT[$order]}: bangfu, then the plain import"
        warm "$file"
        copy_db "$SETUP_DB" "$db"
        measure "import-ids-$order" "${IMPORT[@]}" --db "$db" "$file"
        figures "$ROWS deliveries with ids ${ORDER_TEXT[$order]}, round $round" "$db" orders
        fresh_db "$DB_PLAIN"
        measure "plain-ids-$order" "$PLAIN" "$DB_PLAIN" "$file" deliveries
        plain_count "$DB_PLAIN" "$ROWS"
        if [ "$order" = shuffled ] && due reimport-ids "$round"; then
            copy_db "$db" "$DB_WORK"
            measure reimport-ids-shuffled "${IMPORT[@]}" --db "$DB_WORK" "$file"
            figures "re-import with ids shuffled, round $round" "$DB_WORK" orders
            if [ "$round" -eq 1 ]; then slow_once reimport-ids reimport-ids-shuffled; fi
        fi
    done
    fresh_db "$DB_PLAIN"

    for order in date shuffled; do
        say "round $round: re-import of the unchanged file ${ORDER_TEXT[$order]}"
        copy_db "$OUT/order-$order.db" "$DB_WORK"
        measure "reimport-$order" "${IMPORT[@]}" --db "$DB_WORK" "${ORDER_FILE[$order]}"
        figures "re-import ${ORDER_TEXT[$order]}, round $round" "$DB_WORK" orders
    done

    if [ -n "$HAS_REPLACE" ]; then
        say "round $round: --replace with the unchanged shuffled file, then with 1% corrected"
        copy_db "$OUT/order-shuffled.db" "$DB_WORK"
        measure replace-same "$BANGFU" --db "$DB_WORK" import --quiet --replace --ledger bench "${ORDER_FILE[shuffled]}"
        figures "--replace with the unchanged file, round $round" "$DB_WORK" orders
        copy_db "$OUT/order-shuffled.db" "$DB_WORK"
        measure replace-changed "$BANGFU" --db "$DB_WORK" import --quiet --replace --ledger bench "$D/deliveries-shuffled-changed.csv"
        figures "--replace with 1% corrected, round $round" "$DB_WORK" replace-changed
        n=$(json_field "$LOG/figures-replace-changed.json" deliveries)
        if [ "$n" != "$ROWS" ]; then fail "MISMATCH: after --replace with 1% corrected the database holds $n deliveries, expected $ROWS"; fi
    fi

    if [ -n "$HAS_UNDO" ]; then
        say "round $round: undo of the shuffled import"
        copy_db "$OUT/order-shuffled.db" "$DB_WORK"
        measure undo-shuffled "$BANGFU" --db "$DB_WORK" undo $((SETUP_IMPORTS + 1))
        figures "undo of the shuffled import, round $round" "$DB_WORK" setup
    fi

    for fifth in fifth later; do
        if [ "$fifth" = fifth ]; then file="$D_FIFTH/deliveries-shuffled.csv"; else file="$D_LATER/deliveries.csv"; fi
        if ! due "$fifth" "$round"; then continue; fi
        say "round $round: a fifth $ROWS ($fifth) into four times $ROWS: bangfu, then the plain import"
        warm "$file"
        copy_db "$BASE_DB" "$DB_WORK"
        measure "import-$fifth" "${IMPORT[@]}" --db "$DB_WORK" "$file"
        figures "the fifth $ROWS ($fifth), round $round" "$DB_WORK" "$fifth"
        copy_db "$PLAIN_BASE_DB" "$DB_PLAIN_WORK"
        measure "plain-$fifth" "$PLAIN" "$DB_PLAIN_WORK" "$file" deliveries
        plain_count "$DB_PLAIN_WORK" $((5 * ROWS))
        if [ "$round" -eq 1 ]; then slow_once "$fifth" "import-$fifth"; fi
        if [ "$fifth" = later ] && [ -n "$HAS_UNDO" ]; then
            say "round $round: undo of the fifth $ROWS (later)"
            measure undo-later "$BANGFU" --db "$DB_WORK" undo $((BASE_IMPORTS + 1))
            figures "undo of the fifth $ROWS (later), round $round" "$DB_WORK" base
        fi
    done
    fresh_db "$DB_WORK"
    fresh_db "$DB_PLAIN_WORK"

    say "round $round: identical rows, .xlsx against CSV, memory"
    for f in "$IDENT" "$IDENT_HALF" "$D_SMALL/deliveries.csv" "$D_SMALL/deliveries.xlsx" \
        "$D_HALF_SMALL/deliveries.xlsx" "$LONG_CSV"; do warm "$f"; done
    copy_db "$SETUP_DB" "$DB_SMALL"
    measure identical-full "${IMPORT[@]}" --db "$DB_SMALL" "$IDENT"
    figures "$SMALL identical rows, round $round" "$DB_SMALL" identical
    fresh_db "$DB_PLAIN"
    measure plain-identical "$PLAIN" "$DB_PLAIN" "$IDENT" deliveries
    copy_db "$SETUP_DB" "$DB_SMALL"
    measure identical-half "${IMPORT[@]}" --db "$DB_SMALL" "$IDENT_HALF"

    copy_db "$SETUP_DB" "$DB_SMALL"
    measure xlsx-full "${IMPORT[@]}" --db "$DB_SMALL" "$D_SMALL/deliveries.xlsx"
    figures "$SMALL rows as .xlsx, round $round" "$DB_SMALL" small
    copy_db "$SETUP_DB" "$DB_SMALL"
    measure csv-full "${IMPORT[@]}" --db "$DB_SMALL" "$D_SMALL/deliveries.csv"
    figures "$SMALL rows as CSV, round $round" "$DB_SMALL" small
    copy_db "$SETUP_DB" "$DB_SMALL"
    measure xlsx-half "${IMPORT[@]}" --db "$DB_SMALL" "$D_HALF_SMALL/deliveries.xlsx"
    figures "$HALF_SMALL rows as .xlsx, round $round" "$DB_SMALL" xlsx-half
    copy_db "$SETUP_DB" "$DB_SMALL"
    measure csv-half "${IMPORT[@]}" --db "$DB_SMALL" "$D_HALF_SMALL/deliveries.csv"
    figures "$HALF_SMALL rows as CSV, round $round" "$DB_SMALL" xlsx-half

    copy_db "$SETUP_DB" "$DB_SMALL"
    measure long-notes "${IMPORT[@]}" --db "$DB_SMALL" "$LONG_CSV"
    fresh_db "$DB_SMALL"
    fresh_db "$DB_PLAIN"
done

# The figures themselves: every row held, and the money of the rows as
# text summed in whole fen by SQL.
N_BANGFU=$(json_field "$LOG/figures-orders.json" deliveries)
MONEY_BANGFU=$(json_field "$LOG/figures-orders.json" total)
if [ "$N_BANGFU" != "$ROWS" ]; then fail "MISMATCH: bangfu holds $N_BANGFU deliveries, expected $ROWS"; fi

# --- reports -------------------------------------------------------------------

# On the database built from the shuffled file; the SQL over the shuffled
# file .imported as text, with households and members also .imported.
DB="$OUT/order-shuffled.db"
say "the plain SQL tables (not timed)"
fresh_db "$DB_SQLITE"
sqlite3 "$DB_SQLITE" ".mode csv" ".import ${ORDER_FILE[shuffled]} deliveries" \
    ".import $D/households.csv households" ".import $D/members.csv members"
FEN="sum(CAST(round(goods * 100) AS INTEGER)) + sum(CAST(round(cash * 100) AS INTEGER))"
MONEY_SQL=$(sqlite3 "$DB_SQLITE" "SELECT printf('%d.%02d', ($FEN) / 100, ($FEN) % 100) FROM deliveries;")
if [ "$MONEY_BANGFU" != "$MONEY_SQL" ]; then
    fail "MISMATCH: bangfu's deliveries total $MONEY_BANGFU yuan, the file's rows $MONEY_SQL"
fi

SUMS="count(*), count(DISTINCT d.household), sum(d.goods), sum(d.cash), sum(d.goods) + sum(d.cash)"
declare -A SQL=(
    [category]="SELECT d.category, substr(d.date, 1, 7), $SUMS FROM deliveries d GROUP BY 1, 2;"
    [unit]="SELECT m.unit, $SUMS FROM deliveries d JOIN members m ON m.id = d.member GROUP BY 1;"
    [township]="SELECT h.township, $SUMS FROM deliveries d JOIN households h ON h.id = d.household GROUP BY 1;"
    [village]="SELECT h.township, h.village, $SUMS FROM deliveries d JOIN households h ON h.id = d.household GROUP BY 1, 2;"
    [month]="SELECT substr(d.date, 1, 7), $SUMS FROM deliveries d GROUP BY 1;"
)
declare -A TOTALS=(
    [category]="--by category --across month"
    [unit]="--by unit"
    [township]="--by township"
    [village]="--by village"
    [month]="--by month"
)
GROUPINGS=(category unit township village month)
SHOW_ID=$(awk -F, 'NR == 10001 { print $1 }' "$D/households.csv")
for round in $(seq "$ROUNDS"); do
    say "round $round: reports, each against its plain SQL"
    for g in "${GROUPINGS[@]}"; do
        # shellcheck disable=SC2086 # TOTALS holds several arguments
        measure "totals-$g" "$BANGFU" --db "$DB" totals ${TOTALS[$g]} --format csv
        measure "sql-$g" sqlite3 "$DB_SQLITE" "${SQL[$g]}"
    done
    measure summary "$BANGFU" --db "$DB" summary
    measure overdue "$BANGFU" --db "$DB" overdue --as-of 2024-12-31
    measure show "$BANGFU" --db "$DB" show household "$SHOW_ID"
done

# --- results -------------------------------------------------------------------

median() {
    tr ' ' '\n' <<<"$1" | grep . | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
thousands() { echo "$1" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'; }
R_TXT=$(thousands "$ROWS")
R4_TXT=$(thousands $((4 * ROWS)))
S_TXT=$(thousands "$SMALL")
HS_TXT=$(thousands "$HALF_SMALL")

# pad TEXT WIDTH [r]: TEXT padded with spaces to WIDTH characters (on the
# left with r).
pad() {
    local n=$(($2 - ${#1})) sp
    if [ "$n" -lt 0 ]; then n=0; fi
    printf -v sp '%*s' "$n" ''
    if [ "${3:-}" = r ]; then printf '%s%s' "$sp" "$1"; else printf '%s%s' "$1" "$sp"; fi
}
# The table's rows, cells separated by the unit separator (0x1f); drawn by table() with each
# column as wide as its widest cell, numbers to the right.
CELLS=()
NOT_MET=0
line() {
    local IFS=$'\x1f'
    CELLS+=("$*")
}
table() {
    local -a width=(0 0 0 0 0 0 0) align=("" r r r "" "" r) cell
    local row i out rule
    for row in "${CELLS[@]}"; do
        IFS=$'\x1f' read -r -a cell <<<"$row"
        for i in "${!width[@]}"; do
            if [ "${#cell[i]}" -gt "${width[i]}" ]; then width[i]=${#cell[i]}; fi
        done
    done
    for row in "${CELLS[@]}"; do
        IFS=$'\x1f' read -r -a cell <<<"$row"
        out="|"
        for i in "${!width[@]}"; do out+=" $(pad "${cell[i]:-}" "${width[i]}" "${align[i]}") |"; done
        echo "$out"
        if [ "$row" = "${CELLS[0]}" ]; then
            rule="|"
            for i in "${!width[@]}"; do
                rule+=$(printf -- '-%.0s' $(seq $((width[i] + 1))))
                if [ "${align[i]}" = r ]; then rule+=":|"; else rule+="-|"; fi
            done
            echo "$rule"
        fi
    done
}
# verdict VALUE OP LIMIT: met or NOT MET (OP is < or <=).
verdict() {
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        ok = (op == "<") ? (v + 0 < l + 0) : (v + 0 <= l + 0)
        print ok ? "met" : "NOT MET" }'
}
# case TEXT KEY BASE OP LIMIT [MEMORY]: one row, bangfu's KEY against the
# baseline BASE (a key, or "" for a bound in seconds); OP LIMIT the target
# on the ratio (or on the seconds); MEMORY "mem" where the peak must also
# stay under 64 MiB (imports).
case_row() {
    local text="$1" key="$2" base="$3" op="$4" limit="$5" mem="${6:-}"
    local t b r target result peak n
    t=$(median "${RUNS[$key]:-}")
    n=$(wc -w <<<"${RUNS[$key]:-}")
    if [ "$n" -lt "$ROUNDS" ]; then text+=" ($n round)"; fi
    peak=$(mib "${PEAK[$key]:-0}")
    if [ -n "$base" ]; then
        b=$(median "${RUNS[$base]:-}")
        r=$(ratio "$t" "$b")
        target="${op/<=/≤} ${limit}×"
        result=$(verdict "$r" "$op" "$limit")
        r="${r}×"
    else
        b=""
        r=""
        target="${op/<=/≤} $limit s"
        result=$(verdict "$t" "$op" "$limit")
    fi
    if [ "$op" = "" ]; then
        target=""
        result=""
    fi
    if [ -n "$mem" ]; then
        target="${target:+$target, }< 64 MiB"
        if [ -z "$result" ]; then result=met; fi
        if [ "$(verdict "$peak" "<" 64)" != met ]; then result="NOT MET"; fi
    fi
    if [ "$result" = "NOT MET" ]; then NOT_MET=$((NOT_MET + 1)); fi
    line "$text" "$t" "$b" "$r" "$target" "$result" "$peak"
}
absent() { line "$1" "" "" "" "" "not available in this build" ""; }

line "case" "bangfu s" "baseline s" "ratio" "target" "result" "peak MiB"
for order in "${ORDERS[@]}"; do
    case_row "import $R_TXT ${ORDER_TEXT[$order]} vs plain import" "import-$order" "plain-$order" "<=" 1.5 mem
done
case_row "import $R_TXT by date vs sqlite3 .import" import-date sqlite-date "<" 1 mem
case_row "a fifth $R_TXT shuffled, same dates, into $R4_TXT vs plain" import-fifth plain-fifth "<=" 1.5 mem
case_row "a fifth $R_TXT of later dates, by date, into $R4_TXT vs plain" import-later plain-later "<=" 1.5 mem
for order in date shuffled; do
    case_row "import $R_TXT with ids ${ORDER_TEXT[$order]} vs plain import" "import-ids-$order" "plain-ids-$order" "<=" 1.5 mem
done
case_row "re-import unchanged, with ids shuffled vs its first import" reimport-ids-shuffled import-ids-shuffled "<" 1 mem
case_row "re-import unchanged, by date vs its first import" reimport-date import-date "<" 1 mem
case_row "re-import unchanged, shuffled vs its first import" reimport-shuffled import-shuffled "<" 1 mem
if [ -n "$HAS_REPLACE" ]; then
    case_row "--replace, unchanged shuffled vs its first import" replace-same import-shuffled "<" 1 mem
    case_row "--replace, 1% amounts corrected vs first import" replace-changed import-shuffled "" "" mem
else
    absent "--replace, unchanged shuffled vs its first import"
    absent "--replace, 1% amounts corrected vs first import"
fi
if [ -n "$HAS_UNDO" ]; then
    case_row "undo the shuffled $R_TXT vs that import" undo-shuffled import-shuffled "<=" 1
    case_row "undo the fifth $R_TXT (later) vs that import" undo-later import-later "<=" 1
else
    absent "undo the shuffled $R_TXT vs that import"
    absent "undo the fifth $R_TXT (later) vs that import"
fi
case_row "$S_TXT identical rows vs $HS_TXT identical rows (linear)" identical-full identical-half "<=" 2.5 mem
case_row "$S_TXT identical rows vs plain import" identical-full plain-identical "" "" mem
case_row "$S_TXT rows .xlsx vs the same rows as CSV" xlsx-full csv-full "<=" 3 mem
case_row "$S_TXT rows .xlsx vs $HS_TXT rows .xlsx (linear)" xlsx-full xlsx-half "<=" 2.5 mem
case_row "$S_TXT rows CSV vs $HS_TXT rows CSV" csv-full csv-half "" "" mem
case_row "40,000 rows, a 60 KB note every 40th" long-notes "" "" "" mem
for g in "${GROUPINGS[@]}"; do
    if [ "$g" = category ]; then limit=0.4; else limit=0.8; fi
    case_row "totals ${TOTALS[$g]} vs plain SQL" "totals-$g" "sql-$g" "<=" "$limit"
done
case_row "summary" summary "" "<" 0.3
case_row "overdue --as-of 2024-12-31" overdue "" "<" 0.3
case_row "show household $SHOW_ID" show "" "<" 0.3
case_row "setup: households, members, pairings" setup "" "" ""
for k in 1 2 3 4; do
    case_row "base: part $k of 4 ($R_TXT by date, same dates) vs plain" "base-$k" "plain-base-$k" "" "" mem
done

# The rounds of every case, for the record.
RUN_LINES=()
for key in $(printf '%s\n' "${!RUNS[@]}" | sort); do
    RUN_LINES+=("- \`$key\`: ${RUNS[$key]% }")
done
ONCE_TEXT="none"
if [ "${#ONCE[@]}" -gt 0 ]; then ONCE_TEXT="${!ONCE[*]}"; fi

CPU=$(lscpu 2>/dev/null | grep 'Model name' | head -n 1 | cut -d: -f2- | sed 's/^ *//')
CPU=${CPU:-unknown}
MEM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
AVAIL=$(awk '/^MemAvailable/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null)" ]; then
    COMMIT="$COMMIT (with uncommitted changes to src)"
fi
ELAPSED=$(($(date +%s) - T_START))
N_PAIRINGS=$(($(wc -l <"$D/pairings.csv") - 1))
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
yesno() { if [ -n "$1" ]; then echo yes; else echo no; fi; }

{
    echo "# bangfu speed benchmark"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/run.sh $ROWS\` (ROUNDS=$ROUNDS), bangfu commit $COMMIT;"
    echo "the whole run took $((ELAPSED / 60)) min $((ELAPSED % 60)) s."
    echo
    echo "- Machine: $CPU, $(nproc) cores, $MEM memory ($AVAIL available at the end), Linux $(uname -r);"
    echo "  load average (1, 5, 15 min) at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg);"
    echo "  1-minute load at the start of each import round: ${ROUND_LOADS[*]}"
    echo "- Tools: $(rustc --version), sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
    echo "- Data: $R_TXT deliveries ($(mb "$D/deliveries.csv") of UTF-8 CSV) over 20,000 households," \
        "10,000 members and $N_PAIRINGS pairings, generated by \`examples/bench_data.rs\`"
    echo "- This build: --ledger $(yesno "$HAS_LEDGER"), import --replace $(yesno "$HAS_REPLACE"), undo $(yesno "$HAS_UNDO")"
    echo
    table
    echo
    echo "Seconds are wall-clock medians of $ROUNDS rounds (cases run fewer say so); ratio is"
    echo "bangfu / baseline; peak is bangfu's highest max RSS (\`/usr/bin/time -f %M\`) over the rounds."
    echo "Targets from contract §7 (imports ≤ 1.5× the plain import in any order and as the database"
    echo "grows, faster than \`.import\`, a re-import faster than the first, linear in N, .xlsx within 3×"
    echo "of CSV, peak memory under 64 MiB; reports under 0.4× / 0.8× of plain SQL or 0.3 s) and issue 14"
    echo "(undo no slower than the import). Cases run once because their first round took more than"
    echo "$ONCE_AFTER s: $ONCE_TEXT."
    echo
    echo "Every import is \`bangfu import --quiet${LEDGER[*]:+ ${LEDGER[*]}} FILE\` into a copy of a database"
    echo "already holding the households, members and pairings (the fifth million: a copy of one holding"
    echo "those and four times $R_TXT deliveries, four files of other seeds over the same dates, by date),"
    echo "with the file in the page cache. The four orders are permutations of the same rows; after each"
    echo "import \`summary --format json\` is compared with the first order's and must be the same (so for"
    echo "re-imports, .xlsx against CSV, and every round). The plain import is \`examples/plain_import.rs\`"
    echo "(csv crate, one prepared INSERT of text columns, one transaction, WAL + synchronous=NORMAL as"
    echo "bangfu) into a fresh database, or for the fifth million into a copy of a plain database of the"
    echo "same four times $R_TXT rows. \`.import\` is \`sqlite3 DB .mode csv '.import FILE deliveries'\`"
    echo "with the shell's defaults. The identical rows are the reference file's first delivery repeated;"
    echo "the .xlsx holds dates as date cells and amounts as numbers."
    echo
    echo "Reports run on the database built from the shuffled file, bangfu with \`--format csv\` (summary,"
    echo "overdue and show with their default tables); the SQL baselines run in the sqlite3 shell over the"
    echo "shuffled file \`.import\`ed as text, joined to households and members also \`.import\`ed:"
    echo
    echo '```sql'
    for g in "${GROUPINGS[@]}"; do echo "${SQL[$g]}"; done
    echo '```'
    echo
    echo "Checked: every order's database holds $(thousands "$N_BANGFU") deliveries, $MONEY_BANGFU yuan, as SQL sums the"
    echo "file's rows in whole fen; the figures were the same after every import of the same rows."
    echo
    echo "Every run, in round order (seconds):"
    echo
    printf '%s\n' "${RUN_LINES[@]}"
} >"$RESULTS"

echo
cat "$RESULTS"
if [ "$NOT_MET" -gt 0 ]; then
    echo >&2
    echo "$NOT_MET targets NOT MET" >&2
fi
