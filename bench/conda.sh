#!/usr/bin/env bash
# bench/conda.sh: vetted serving a 300,000-record conda subdir (issue 4's targets).
#   1. time for vetted (a separate process) to sync and filter the repodata with 50 rules,
#      and its peak RSS (VmHWM); targets < 10 s and < 1 GB;
#   2. the cost of the refresh after one new upstream record, against the full one
#      (target < 5%), three times;
#   3. the cached filtered repodata.json.zst under wrk -c64 against nginx serving the same
#      bytes from disk (target >= 0.7x).
# UPSTREAM=shards (the default) makes the upstream publish CEP 16 shards beside
# repodata.json, as conda-forge does: vetted follows them, and the sync and the refresh
# are timed on vetted's shard index (what rattler/pixi ask for first), then the whole
# repodata.json.zst is timed as well. UPSTREAM=json offers repodata.json only.
# Loopback only; every run bounded. Needs go, curl, wrk, nginx
# (apt-get install -y --no-install-recommends nginx wrk curl).
# Knobs: N=300000, UPSTREAM=shards|json, DURATION=15s ROUNDS=3 (wrk runs, nginx and
# vetted interleaved; medians), QUIET_WAIT=60 (wait up to this long for an idle machine
# before each measure; 0: no wait), MEMORY_LIMIT=900MiB (vetted's memory_limit; default
# none), KEEP=1 (keep the temp folder).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-300000}
DURATION=${DURATION:-15s}
ROUNDS=${ROUNDS:-3}
QUIET_WAIT=${QUIET_WAIT:-60}
KEEP=${KEEP:-0}
UPSTREAM=${UPSTREAM:-shards}
case $UPSTREAM in
shards) FIXTURE_FLAGS=-shards ;;
json) FIXTURE_FLAGS= ;;
*) echo "bench/conda.sh: UPSTREAM is shards or json" >&2; exit 2 ;;
esac
. bench/lib.sh
require go curl wrk nginx
bench_tmp conda
go build -o "$TMP/vetted" ./cmd/vetted
go run ./bench/condafixture -n "$N" $FIXTURE_FLAGS "$TMP/channel"
ls -l "$TMP/channel/linux-64/repodata.json" | awk '{printf "upstream linux-64/repodata.json: %.0f MiB\n", $5/1048576}'
VPORT=$(free_port)
{
	echo "listen: 127.0.0.1:$VPORT"
	echo "data_dir: $TMP/data"
	echo "memory_limit: \"${MEMORY_LIMIT:-}\""
	echo "log: {level: warn, access: true}"
	echo "upstream: {index_ttl: 0s}"
	echo "repositories:"
	echo "  - {name: cf, ecosystem: conda, kind: proxy, upstream: $TMP/channel, policy: fifty}"
	echo "policies:"
	echo "  fifty:"
	echo "    rules:"
	for i in $(seq 0 49); do printf '      - block: {project: "pkg-%05d", versions: ">=1.0"}\n' $((i * 37)); done
} >"$TMP/vetted.yaml"
"$TMP/vetted" serve --config "$TMP/vetted.yaml" 2>"$TMP/vetted.log" &
VPID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$VPORT/healthz" >/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$VPORT/conda/cf/linux-64/repodata.json.zst"
FIRST=$URL
[[ $UPSTREAM == shards ]] && FIRST="http://127.0.0.1:$VPORT/conda/cf/linux-64/repodata_shards.msgpack.zst"
timed() { timeout 120 curl -sf -o /dev/null -w '%{time_total}' "$1"; }

# 1. The first request syncs, filters and renders.
wait_quiet
full=$(timed "$FIRST")
full_rss=$(rss "$VPID")
echo "upstream: $UPSTREAM; full sync + filter + render, first request of $(basename "$FIRST"): ${full}s ($QUIET)"
echo "vetted peak RSS after it: $full_rss MiB"
if [[ $UPSTREAM == shards ]]; then
	echo "then repodata.json.zst (the whole document rendered and compressed from the records in memory): $(timed "$URL")s"
fi

# 2. One new upstream record at a time: the next request revalidates and refreshes.
: >"$TMP/refreshes"
for extra in 1 2 3; do
	go run ./bench/condafixture -n "$N" -extra $extra $FIXTURE_FLAGS "$TMP/channel"
	wait_quiet
	incr=$(timed "$FIRST")
	echo "$incr" >>"$TMP/refreshes"
	echo "refresh after one new record (#$extra), $(basename "$FIRST"): ${incr}s ($(awk -v a="$incr" -v b="$full" 'BEGIN {printf "%.1f%%", 100*a/b}') of the full one; $QUIET)"
	if [[ $UPSTREAM == shards ]]; then
		echo "  then repodata.json.zst: $(timed "$URL")s"
	fi
done
incr=$(median <"$TMP/refreshes")
refresh_rss=$(rss "$VPID")
echo "vetted peak RSS after the refreshes: $refresh_rss MiB"

# 3. The cached repodata.json.zst under load, against nginx serving the same bytes.
curl -sf -o "$TMP/repodata.json.zst" "$URL"
mkdir -p "$TMP/nginx/root/linux-64"
cp "$TMP/repodata.json.zst" "$TMP/nginx/root/linux-64/repodata.json.zst"
start_nginx "$TMP/nginx/root" "application/zstd zst;"
NURL="http://127.0.0.1:$NPORT/linux-64/repodata.json.zst"
cmp -s <(curl -sf "$NURL") "$TMP/repodata.json.zst" || { echo "nginx does not serve the same bytes" >&2; exit 1; }
echo "cached repodata.json.zst: $(stat -c %s "$TMP/repodata.json.zst") bytes"
compare_rounds "$NURL" "$URL" "$VPID"
end_rss=$(rss "$VPID")
echo
echo "| measure ($UPSTREAM upstream) | value | target | verdict |"
echo "|---|---:|---|---|"
echo "| first request of $(basename "$FIRST"): sync, filter, render | ${full} s | < 10 s | $(verdict "$full < 10") |"
echo "| vetted peak RSS after it | ${full_rss} MiB | < 1 GB | $(verdict "$full_rss * 1048576 < 1000000000") |"
echo "| refresh after one new upstream record (median of 3) | ${incr} s, $(awk -v a="$incr" -v b="$full" 'BEGIN {printf "%.1f%%", 100*a/b}') of the full one | < 5% | $(verdict "$incr < 0.05 * $full") |"
echo "| vetted peak RSS after the refreshes | ${refresh_rss} MiB | < 1 GB | $(verdict "$refresh_rss * 1048576 < 1000000000") |"
echo "| cached repodata.json.zst, wrk -c64 -d$DURATION, median of $ROUNDS rounds' vetted/nginx | ${RATIO}× (medians: vetted $VRPS, nginx $NRPS req/s; clean rounds ${CLEAN_RATIO:-none}) | ≥ 0.7× | $(verdict "$RATIO >= 0.7") |"
echo "| vetted peak RSS at the end | ${end_rss} MiB | | |"
