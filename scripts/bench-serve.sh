#!/usr/bin/env bash
# Serving speed, side by side with nginx, in one run: the 2,000-feed benchmark workload
# (../shared/bench/gen_feeds.py) is polled into a database, `feedsift serve` keeps polling it
# (every feed every minute, its feeds served by nginx), and wrk (2 threads, 32 connections,
# loopback) asks for:
#   1. nginx: the topic's Atom page saved as a static file (the same bytes)
#   2. feedsift: /topics/korea-russia.atom, full 200 responses
#   3. feedsift: the same with the ETag in If-None-Match (304s)
#   4. feedsift: /topics/korea-russia (the HTML page)
# Usage: scripts/bench-serve.sh [SECONDS]   (needs wrk and nginx; BENCH_WORK as serve.sh uses)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/../shared/bench"
W="${BENCH_WORK:-/tmp/feedsift-bench}"
SECS="${1:-10}"
PORT=18091
export BENCH_WORK="$W"
command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN="$ROOT/target/release/feedsift"

if [ ! -f "$W/n2000/urls.txt" ]; then
  python3 "$BENCH/gen_feeds.py" gen --out "$W/n2000" --n 2000 --seed 42 >/dev/null
fi
"$BENCH/serve.sh" stop >/dev/null 2>&1 || true
"$BENCH/serve.sh" reset "$W/n2000" >/dev/null
"$BENCH/serve.sh" start >/dev/null

RUN="$W/serve-bench"
rm -rf "$RUN"; mkdir -p "$RUN"
{
  printf '[daemon]\ndatabase = "bench.db"\nlisten = "127.0.0.1:%s"\npublic_url = "http://127.0.0.1:%s"\n' "$PORT" "$PORT"
  printf 'poll_interval = "15s"\nmin_interval = "15s"\nmax_interval = "30s"\nconcurrency = 16\nper_host = 16\n\n'
  # The example config's aliases and topic.
  sed -n '/^\[aliases\]/,$p' "$ROOT/config/feedsift.toml"
  sed 's|^\(.*\)$|\n[[feed]]\nurl = "\1"|' "$W/data/www/urls.txt"
} > "$RUN/feedsift.toml"

"$BIN" poll --config "$RUN/feedsift.toml" >/dev/null
"$BIN" serve --config "$RUN/feedsift.toml" > "$RUN/serve.log" 2>&1 &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null || true; "$BENCH/serve.sh" stop >/dev/null 2>&1 || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

URL="http://127.0.0.1:$PORT/topics/korea-russia.atom"
curl -fs "$URL" -o "$W/data/www/korea-russia.atom"
ETAG=$(curl -fsI "$URL" | tr -d '\r' | sed -n 's/^etag: //Ip')
BYTES=$(stat -c %s "$W/data/www/korea-russia.atom")
ENTRIES=$(grep -o '<entry>' "$W/data/www/korea-russia.atom" | wc -l)
echo "page: $ENTRIES entries, $BYTES bytes; database: $(grep -c '^\[\[feed\]\]' "$RUN/feedsift.toml") feeds, each polled every 15-30 s during the runs"

run() {
  local name="$1"; shift
  local out; out=$(wrk -t2 -c32 -d"${SECS}s" --latency "$@")
  local rps p99
  rps=$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
  p99=$(echo "$out" | sed -n 's/^ *99% *\([0-9.]*[a-z]*\).*/\1/p')
  printf '%-44s %12s req/s   p99 %s\n' "$name" "$rps" "$p99"
}
run "nginx, the same bytes as a static file" "http://127.0.0.1:18080/korea-russia.atom"
run "feedsift, /topics/korea-russia.atom (200)" "$URL"
run "feedsift, the same with If-None-Match (304)" -H "If-None-Match: $ETAG" "$URL"
run "feedsift, /topics/korea-russia (HTML page)" "http://127.0.0.1:$PORT/topics/korea-russia"
echo "polls during the runs: $(curl -fs "http://127.0.0.1:$PORT/metrics" | sed -n 's/^feedsift_polls_total{outcome="\([a-z_]*\)"} \([0-9]*\).*/\1=\2/p' | tr '\n' ' ')"
