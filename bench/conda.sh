#!/usr/bin/env bash
# bench/conda.sh: vetted serving a 300,000-record conda subdir (issue 4's targets).
#   1. time for vetted (a separate process) to sync and filter the repodata with 50 rules,
#      and its peak RSS (VmHWM);
#   2. the cached filtered repodata.json.zst under wrk -c64 against nginx serving the same
#      bytes from disk;
#   3. the cost of the refresh after one new upstream record, against the full one.
# UPSTREAM=shards (the default) makes the upstream publish CEP 16 shards beside
# repodata.json, as conda-forge does: vetted follows them, and the sync and the refresh
# are timed on vetted's shard index (what rattler/pixi ask for first), then the whole
# repodata.json.zst is timed as well. UPSTREAM=json offers repodata.json only.
# Loopback only; every run bounded. Needs go, curl, wrk, nginx
# (apt-get install -y --no-install-recommends nginx wrk curl).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-300000}
DURATION=${DURATION:-15s}
UPSTREAM=${UPSTREAM:-shards}
case $UPSTREAM in
shards) FIXTURE_FLAGS=-shards ;;
json) FIXTURE_FLAGS= ;;
*) echo "bench/conda.sh: UPSTREAM is shards or json" >&2; exit 2 ;;
esac
for tool in go curl wrk nginx; do
	command -v "$tool" >/dev/null || { echo "bench/conda.sh: $tool is missing (apt-get install -y --no-install-recommends nginx wrk curl)" >&2; exit 2; }
done
TMP=$(mktemp -d /tmp/vetted-conda-bench.XXXXXX)
chmod 755 "$TMP" # nginx workers run as nobody
cleanup() { [[ -n ${VPID:-} ]] && kill "$VPID" 2>/dev/null; [[ -f $TMP/nginx/nginx.pid ]] && kill "$(cat "$TMP/nginx/nginx.pid")" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
go build -o "$TMP/vetted" ./cmd/vetted
go run ./bench/condafixture -n "$N" $FIXTURE_FLAGS "$TMP/channel"
ls -l "$TMP/channel/linux-64/repodata.json" | awk '{printf "upstream linux-64/repodata.json: %.0f MiB\n", $5/1048576}'
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
VPORT=$(port)
{
	echo "listen: 127.0.0.1:$VPORT"
	echo "data_dir: $TMP/data"
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
rss() { awk '/^VmHWM:/ {printf "%.0f MiB", $2/1024}' /proc/$VPID/status; }
full=$(curl -sf -o /dev/null -w '%{time_total}' "$FIRST")
echo "upstream: $UPSTREAM; full sync + filter + render, first request of $(basename "$FIRST"): ${full}s"
echo "vetted peak RSS after it: $(rss)"
if [[ $UPSTREAM == shards ]]; then
	zst=$(curl -sf -o /dev/null -w '%{time_total}' "$URL")
	echo "then repodata.json.zst (whole document rendered and compressed from the records in memory): ${zst}s"
fi
# One new upstream record: the next request revalidates and refreshes.
for extra in 1 2 3; do
	go run ./bench/condafixture -n "$N" -extra $extra $FIXTURE_FLAGS "$TMP/channel"
	incr=$(curl -sf -o /dev/null -w '%{time_total}' "$FIRST")
	echo "refresh after one new record (#$extra), $(basename "$FIRST"): ${incr}s ($(awk -v a="$incr" -v b="$full" 'BEGIN {printf "%.1f%%", 100*a/b}') of the full one)"
	if [[ $UPSTREAM == shards ]]; then
		zst=$(curl -sf -o /dev/null -w '%{time_total}' "$URL")
		echo "  then repodata.json.zst: ${zst}s"
	fi
done
echo "vetted peak RSS after the refreshes: $(rss)"
curl -sf -o "$TMP/repodata.json.zst" "$URL"
# nginx serving the same bytes.
mkdir -p "$TMP/nginx/root/linux-64" "$TMP/nginx/tmp"
cp "$TMP/repodata.json.zst" "$TMP/nginx/root/linux-64/repodata.json.zst"
NPORT=$(port)
cat >"$TMP/nginx/nginx.conf" <<CONF
worker_processes $(nproc);
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log $TMP/nginx/access.log;
	client_body_temp_path $TMP/nginx/tmp; proxy_temp_path $TMP/nginx/tmp; fastcgi_temp_path $TMP/nginx/tmp; uwsgi_temp_path $TMP/nginx/tmp; scgi_temp_path $TMP/nginx/tmp;
	sendfile on; keepalive_requests 1000000;
	types { application/zstd zst; }
	server { listen 127.0.0.1:$NPORT; root $TMP/nginx/root; }
}
CONF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
sleep 0.5
curl -sf -o /dev/null "http://127.0.0.1:$NPORT/linux-64/repodata.json.zst" || { echo "nginx does not serve the file" >&2; exit 1; }
rate() { timeout 60 wrk -t2 -c64 -d"$DURATION" "$1" | awk '/Requests\/sec/ {print $2}'; }
n=$(rate "http://127.0.0.1:$NPORT/linux-64/repodata.json.zst")
v=$(rate "$URL")
echo "cached repodata.json.zst ($(stat -c %s "$TMP/repodata.json.zst") bytes), wrk -c64 -d$DURATION: nginx $n req/s, vetted $v req/s, vetted/nginx $(awk -v a="$v" -v b="$n" 'BEGIN {printf "%.2f", a/b}')"
echo "vetted peak RSS at the end: $(awk '/^VmHWM:/ {printf "%.0f MiB", $2/1024}' /proc/$VPID/status)"
