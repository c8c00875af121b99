#!/usr/bin/env bash
# The speed benchmark of bangfu (contract §7, issue 5).
#
#   bench/run.sh [ROWS]        ROWS deliveries, default 1000000
#
# Builds bangfu and the two benchmark examples in release mode, generates
# the reference data under bench/out/ (examples/bench_data.rs), then times
# side by side:
#   - bangfu's import of the deliveries against the plainest Rust import
#     (examples/plain_import.rs) and the sqlite3 shell's .import;
#   - bangfu's peak memory importing 100,000 and ROWS deliveries;
#   - bangfu totals against the same grouping in plain SQL over tables of
#     text columns in the sqlite3 shell;
#   - bangfu summary, overdue and show household.
# The large file's three imports take turns for three rounds (best of each
# reported); other imports run once; all with the CSV already in the page
# cache. Queries are the best of 3. Prints the results and writes them to
# bench/results.md.
set -euo pipefail
export LC_ALL=C.UTF-8

ROWS="${1:-1000000}"
if ! [[ "$ROWS" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: bench/run.sh [ROWS]   (ROWS: number of deliveries, default 1000000)" >&2
    exit 2
fi
SMALL=100000

cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=bench/out
LOG="$OUT/log"
RESULTS=bench/results.md
mkdir -p "$LOG"

say() { printf '\n== %s\n' "$*" >&2; }

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
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- data --------------------------------------------------------------------

DATA="$OUT/data-$ROWS"
DATA_SMALL="$OUT/data-$SMALL"
say "generating $ROWS deliveries in $DATA"
"$GEN" "$DATA" "$ROWS"
if [ "$ROWS" -ne "$SMALL" ]; then
    say "generating $SMALL deliveries in $DATA_SMALL"
    "$GEN" "$DATA_SMALL" "$SMALL"
fi

# --- measuring ---------------------------------------------------------------

now() { date +%s.%N; }

# timed NAME CMD...: run CMD once, stdout to $LOG/NAME.out, stderr to
# $LOG/NAME.err; print the wall-clock seconds. A failing CMD stops the run.
timed() {
    local name="$1" t0 t1
    shift
    t0=$(now)
    if ! "$@" >"$LOG/$name.out" 2>"$LOG/$name.err"; then
        {
            echo "FAILED: $*"
            tail -n 20 "$LOG/$name.err"
        } >&2
        return 1
    fi
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

# best3 NAME CMD...: the best wall-clock seconds of 3 runs.
best3() {
    local best="" t
    for _ in 1 2 3; do
        t=$(timed "$@")
        best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
    done
    echo "$best"
}

# timed_rss NAME CMD...: like timed, and the peak RSS in KiB to $LOG/NAME.rss.
timed_rss() {
    local name="$1"
    shift
    timed "$name" /usr/bin/time -f %M -o "$LOG/$name.rss" "$@"
}

fresh_db() { rm -f "$1" "$1-wal" "$1-shm" "$1-journal"; }
warm() { cat "$@" >/dev/null; }
json_field() { grep -o "\"$2\": *\"\\?[0-9.]*" "$1" | head -n 1 | sed 's/.*: *"\{0,1\}//'; }

# --- imports -----------------------------------------------------------------

DB="$OUT/bangfu.db"
DB_SMALL="$OUT/bangfu-small.db"
DB_LONG="$OUT/bangfu-long.db"
PLAIN_DB="$OUT/plain.db"
SQL_DB="$OUT/sqlite3.db"
RECORDS=("households.csv" "members.csv" "pairings.csv")

SETUP_DB="$OUT/bangfu-setup.db"
say "bangfu: households, members, pairings (setup)"
fresh_db "$SETUP_DB"
warm "${RECORDS[@]/#/$DATA/}"
T_SETUP=$(timed setup "$BANGFU" --db "$SETUP_DB" import "${RECORDS[@]/#/$DATA/}")

# min VALUE...: the smallest; max VALUE...: the largest.
min() { printf '%s\n' "$@" | sort -g | head -n 1; }
max() { printf '%s\n' "$@" | sort -g | tail -n 1; }

# The three imports of the large file take turns, three rounds, each into
# a fresh database: this machine's speed drifts by 15-20% within minutes,
# and one run of each compared runs made at different moments.
IMPORT_RUNS=()
PLAIN_RUNS=()
SQLITE_RUNS=()
RSS_RUNS=()
for round in 1 2 3; do
    say "round $round: bangfu, plain Rust and sqlite3 .import of $ROWS deliveries"
    warm "$DATA/deliveries.csv"
    fresh_db "$DB"
    cp "$SETUP_DB" "$DB"
    IMPORT_RUNS+=("$(timed_rss "import-$round" "$BANGFU" --db "$DB" import --quiet "$DATA/deliveries.csv")")
    RSS_RUNS+=("$(tail -n 1 "$LOG/import-$round.rss")")
    fresh_db "$PLAIN_DB"
    PLAIN_RUNS+=("$(timed "plain-$round" "$PLAIN" "$PLAIN_DB" "$DATA/deliveries.csv")")
    fresh_db "$SQL_DB"
    SQLITE_RUNS+=("$(timed "sqlite3-import-$round" sqlite3 "$SQL_DB" ".mode csv" ".import $DATA/deliveries.csv deliveries")")
done
T_IMPORT=$(min "${IMPORT_RUNS[@]}")
T_PLAIN=$(min "${PLAIN_RUNS[@]}")
T_SQLITE=$(min "${SQLITE_RUNS[@]}")
RSS_BIG=$(max "${RSS_RUNS[@]}")

say "bangfu: $SMALL deliveries (peak memory)"
fresh_db "$DB_SMALL"
timed setup-small "$BANGFU" --db "$DB_SMALL" import "${RECORDS[@]/#/$DATA/}" >/dev/null
warm "$DATA_SMALL/deliveries.csv"
T_IMPORT_SMALL=$(timed_rss import-small "$BANGFU" --db "$DB_SMALL" import --quiet "$DATA_SMALL/deliveries.csv")
RSS_SMALL=$(tail -n 1 "$LOG/import-small.rss")

# Flat means it stops growing: SQLite's page cache (16 MiB) fills as the
# database grows to about 200,000 rows, and nothing else should grow after.
# So the peak is also taken at half the rows: the first half of the file.
HALF=$((ROWS / 2))
say "bangfu: $HALF deliveries (peak memory)"
DB_HALF="$OUT/bangfu-half.db"
HALF_CSV="$OUT/half.csv"
head -n $((HALF + 1)) "$DATA/deliveries.csv" >"$HALF_CSV"
fresh_db "$DB_HALF"
timed setup-half "$BANGFU" --db "$DB_HALF" import "${RECORDS[@]/#/$DATA/}" >/dev/null
warm "$HALF_CSV"
timed_rss import-half "$BANGFU" --db "$DB_HALF" import --quiet "$HALF_CSV" >/dev/null
RSS_HALF=$(tail -n 1 "$LOG/import-half.rss")

# Memory must stay flat whatever the rows hold, too: 40,000 deliveries of
# the small file, every 40th with a note of 20,000 characters (60 KB).
say "bangfu: 40,000 deliveries with a long note every 40th row (peak memory)"
LONG_CSV="$OUT/long-notes.csv"
LONG_NOTE=$(printf '长%.0s' $(seq 20000))
awk -F, -v OFS=, -v note="$LONG_NOTE" \
    'NR == 1 { print; next } NR > 40001 { exit } NR % 40 == 0 { $7 = note } { print }' \
    "$DATA_SMALL/deliveries.csv" >"$LONG_CSV"
fresh_db "$DB_LONG"
timed setup-long "$BANGFU" --db "$DB_LONG" import "${RECORDS[@]/#/$DATA/}" >/dev/null
warm "$LONG_CSV"
timed_rss import-long "$BANGFU" --db "$DB_LONG" import --quiet "$LONG_CSV" >/dev/null
RSS_LONG=$(tail -n 1 "$LOG/import-long.rss")

# The records the SQL joins need, also as text columns (not timed).
sqlite3 "$SQL_DB" ".mode csv" ".import $DATA/households.csv households" \
    ".import $DATA/members.csv members"

# --- sanity: every import holds every row, and the same money ----------------

"$BANGFU" --db "$DB" summary --format json >"$LOG/summary.json"
N_BANGFU=$(json_field "$LOG/summary.json" deliveries)
MONEY_BANGFU=$(json_field "$LOG/summary.json" total)
N_PLAIN=$(sqlite3 "$PLAIN_DB" "SELECT count(*) FROM deliveries;")
N_SQLITE=$(sqlite3 "$SQL_DB" "SELECT count(*) FROM deliveries;")
MONEY_SQL=$(sqlite3 "$SQL_DB" "SELECT printf('%.2f', sum(goods) + sum(cash)) FROM deliveries;")

# --- reports -----------------------------------------------------------------

SUMS="count(*), count(DISTINCT d.household), sum(d.goods), sum(d.cash), sum(d.goods) + sum(d.cash)"
SQL_CAT="SELECT d.category, substr(d.date, 1, 7), $SUMS FROM deliveries d GROUP BY 1, 2;"
SQL_UNIT="SELECT m.unit, $SUMS FROM deliveries d JOIN members m ON m.id = d.member GROUP BY 1;"
SQL_TOWN="SELECT h.township, substr(d.date, 1, 7), $SUMS FROM deliveries d JOIN households h ON h.id = d.household GROUP BY 1, 2;"

say "totals by category across month"
Q_CAT=$(best3 totals-cat "$BANGFU" --db "$DB" totals --by category --across month --format csv)
S_CAT=$(best3 sql-cat sqlite3 "$SQL_DB" "$SQL_CAT")
say "totals by unit"
Q_UNIT=$(best3 totals-unit "$BANGFU" --db "$DB" totals --by unit --format csv)
S_UNIT=$(best3 sql-unit sqlite3 "$SQL_DB" "$SQL_UNIT")
say "totals by township,month"
Q_TOWN=$(best3 totals-town "$BANGFU" --db "$DB" totals --by township,month --format csv)
S_TOWN=$(best3 sql-town sqlite3 "$SQL_DB" "$SQL_TOWN")

SHOW_ID=$(awk -F, 'NR == 10001 { print $1 }' "$DATA/households.csv")
say "summary, overdue, show household $SHOW_ID"
Q_SUMMARY=$(best3 summary "$BANGFU" --db "$DB" summary)
Q_OVERDUE=$(best3 overdue "$BANGFU" --db "$DB" overdue --as-of 2024-12-31)
Q_SHOW=$(best3 show "$BANGFU" --db "$DB" show household "$SHOW_ID")

# --- results -----------------------------------------------------------------

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
# verdict VALUE OP LIMIT: PASS or MISS
verdict() {
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        ok = (op == "<") ? (v + 0 < l + 0) : (v + 0 <= l + 0)
        print ok ? "PASS" : "MISS" }'
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

thousands() { echo "$1" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'; }
ROWS_TXT=$(thousands "$ROWS")
SMALL_TXT=$(thousands "$SMALL")
HALF_TXT=$(thousands "$HALF")

# pad TEXT WIDTH [r]: TEXT padded with spaces to WIDTH characters, on the
# right (or on the left with r).
pad() {
    local n=$(($2 - ${#1})) sp
    if [ "$n" -lt 0 ]; then n=0; fi
    printf -v sp '%*s' "$n" ''
    if [ "${3:-}" = r ]; then printf '%s%s' "$sp" "$1"; else printf '%s%s' "$1" "$sp"; fi
}
TABLE=()
row() {
    TABLE+=("| $(pad "$1" 50) | $(pad "$2" 8 r) | $(pad "$3" 8 r) | $(pad "$4" 6 r) | $(pad "$5" 8) | $(pad "$6" 6) |")
}

row "measure" "bangfu" "baseline" "ratio" "target" "result"
TABLE+=("|$(printf -- '-%.0s' {1..52})|---------:|---------:|-------:|----------|--------|")
R=$(ratio "$T_IMPORT" "$T_PLAIN")
row "import $ROWS_TXT deliveries vs plain Rust (s)" "$T_IMPORT" "$T_PLAIN" "${R}×" "≤ 1.5×" "$(verdict "$R" "<=" 1.5)"
R=$(ratio "$T_IMPORT" "$T_SQLITE")
row "import $ROWS_TXT deliveries vs sqlite3 .import (s)" "$T_IMPORT" "$T_SQLITE" "${R}×" "< 1×" "$(verdict "$R" "<" 1)"
row "peak RSS, import $SMALL_TXT deliveries (MiB)" "$(mib "$RSS_SMALL")" "" "" "< 64 MiB" "$(verdict "$(mib "$RSS_SMALL")" "<" 64)"
row "peak RSS, import $HALF_TXT deliveries (MiB)" "$(mib "$RSS_HALF")" "" "" "< 64 MiB" "$(verdict "$(mib "$RSS_HALF")" "<" 64)"
row "peak RSS, import $ROWS_TXT deliveries (MiB)" "$(mib "$RSS_BIG")" "" "" "< 64 MiB" "$(verdict "$(mib "$RSS_BIG")" "<" 64)"
G=$(awk -v a="$RSS_BIG" -v b="$RSS_SMALL" 'BEGIN { printf "%.1f", (a - b) / 1024 }')
row "peak RSS growth, $SMALL_TXT → $ROWS_TXT rows (MiB)" "$G" "" "" "≤ 16 MiB" "$(verdict "$G" "<=" 16)"
R=$(ratio "$RSS_BIG" "$RSS_HALF")
row "peak RSS flat: $ROWS_TXT / $HALF_TXT rows" "$(mib "$RSS_BIG")" "$(mib "$RSS_HALF")" "${R}×" "≤ 1.1×" "$(verdict "$R" "<=" 1.1)"
row "peak RSS, 40,000 rows, 60 KB note every 40th (MiB)" "$(mib "$RSS_LONG")" "" "" "< 64 MiB" "$(verdict "$(mib "$RSS_LONG")" "<" 64)"
R=$(ratio "$Q_CAT" "$S_CAT")
row "totals --by category --across month (s)" "$Q_CAT" "$S_CAT" "${R}×" "≤ 0.4×" "$(verdict "$R" "<=" 0.4)"
R=$(ratio "$Q_UNIT" "$S_UNIT")
row "totals --by unit (s)" "$Q_UNIT" "$S_UNIT" "${R}×" "≤ 0.8×" "$(verdict "$R" "<=" 0.8)"
R=$(ratio "$Q_TOWN" "$S_TOWN")
row "totals --by township,month (s)" "$Q_TOWN" "$S_TOWN" "${R}×" "≤ 0.8×" "$(verdict "$R" "<=" 0.8)"
row "summary (s)" "$Q_SUMMARY" "" "" "< 0.3 s" "$(verdict "$Q_SUMMARY" "<" 0.3)"
row "overdue --as-of 2024-12-31 (s)" "$Q_OVERDUE" "" "" "< 0.3 s" "$(verdict "$Q_OVERDUE" "<" 0.3)"
row "show household $SHOW_ID (s)" "$Q_SHOW" "" "" "< 0.3 s" "$(verdict "$Q_SHOW" "<" 0.3)"
row "setup: import households, members, pairings (s)" "$T_SETUP" "" "" "" ""
row "import $SMALL_TXT deliveries (s)" "$T_IMPORT_SMALL" "" "" "" ""
row "database size after import (MB)" "$(mb "$DB" | cut -d' ' -f1)" "$(mb "$PLAIN_DB" | cut -d' ' -f1)" "" "" ""

CPU=$(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
CPU=${CPU:-unknown}
MEM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src Cargo.toml Cargo.lock 2>/dev/null)" ]; then
    COMMIT="$COMMIT (with uncommitted changes to src)"
fi
N_PAIRINGS=$(($(wc -l <"$DATA/pairings.csv") - 1))

{
    echo "# bangfu speed benchmark"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/run.sh $ROWS\`, bangfu commit $COMMIT."
    echo
    echo "- Machine: $CPU, $(nproc) cores, $MEM memory, Linux $(uname -r)"
    echo "- Load average (1, 5, 15 min) before the measurements: $LOAD_START; after: $LOAD_END"
    echo "- Tools: $(rustc --version), sqlite3 $(sqlite3 --version | cut -d' ' -f1)"
    echo "- Data: $ROWS_TXT deliveries ($(mb "$DATA/deliveries.csv") of UTF-8 CSV) over 20,000 households," \
        "10,000 members and $N_PAIRINGS pairings, generated by \`examples/bench_data.rs\`"
    echo
    printf '%s\n' "${TABLE[@]}"
    echo
    echo "Ratios are bangfu / baseline; targets from contract §7 and issue 5."
    echo "The three imports of the $ROWS_TXT-row file take turns, three rounds, each into a fresh database"
    echo "with the CSV in the page cache; the table gives the best of the three (seconds, in round order:"
    echo "bangfu ${IMPORT_RUNS[*]}; plain ${PLAIN_RUNS[*]}; .import ${SQLITE_RUNS[*]}) and the highest peak"
    echo "memory. Other imports run once;"
    echo "the bangfu import is \`import --quiet deliveries.csv\` into a database already holding"
    echo "the households, members and pairings. The plain Rust import is \`examples/plain_import.rs\`"
    echo "(csv crate, one prepared INSERT of text columns, one transaction, WAL + synchronous=NORMAL"
    echo "as bangfu). The sqlite3 baseline is \`sqlite3 DB .mode csv '.import deliveries.csv deliveries'\`"
    echo "into a fresh database with the shell's defaults. Peak RSS is \`/usr/bin/time -f %M\`;"
    echo "\"flat\" means that the peak stops growing once SQLite's 16 MiB page cache is full (at about"
    echo "200,000 rows): the $ROWS_TXT-row peak is at most 16 MiB above the $SMALL_TXT-row one and at most"
    echo "1.1× the peak for the file's first $HALF_TXT rows; the long-note"
    echo "file is the first 40,000 rows of the $SMALL_TXT-row file with every 40th note replaced by 20,000 characters."
    echo "Reports are the best of 3 wall-clock runs, bangfu with \`--format csv\` (summary, overdue"
    echo "and show with their default table output); the SQL baselines run in the sqlite3 shell over"
    echo "the \`.import\`ed tables of text columns, joined to households and members also \`.import\`ed:"
    echo
    echo '```sql'
    echo "$SQL_CAT"
    echo "$SQL_UNIT"
    echo "$SQL_TOWN"
    echo '```'
    echo
    echo "Sanity: deliveries held by bangfu $N_BANGFU, plain import $N_PLAIN, sqlite3 $N_SQLITE;"
    echo "goods + cash: bangfu $MONEY_BANGFU, SQL over text $MONEY_SQL."
} >"$RESULTS"

echo
cat "$RESULTS"
if [ "$N_BANGFU" != "$ROWS" ] || [ "$MONEY_BANGFU" != "$MONEY_SQL" ]; then
    echo >&2
    echo "WARNING: bangfu holds $N_BANGFU deliveries totalling $MONEY_BANGFU;" \
        "expected $ROWS totalling $MONEY_SQL" >&2
fi
