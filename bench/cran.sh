#!/usr/bin/env bash
# bench/cran.sh: vetted serving a synthetic CRAN mirror of 25,000 packages with 10
# archived versions each (issue 5's targets).
#   1. time for vetted (a separate process) to compute the filtered PACKAGES.gz under a
#      policy of 50 rules (the first request: read and parse upstream's PACKAGES, store
#      it, decide every package, fall back to Archive/ for the packages whose newest
#      version is blocked, reading the older tarball's DESCRIPTION, render, compress), and
#      its peak RSS (VmHWM); target < 3 s and < 300 MB;
#   2. the cached PACKAGES.gz under wrk -c64 against nginx serving the same bytes from
#      disk; target >= 0.7x nginx.
# Loopback only; every run bounded. Needs go, curl, wrk, nginx
# (apt-get install -y --no-install-recommends nginx wrk curl).
# Knobs:
#   N=25000 ARCHIVED=10   size of the fixture
#   FIXTURE=DIR           reuse a fixture folder written earlier by bench/cranfixture
#                         (writing one takes a few minutes); default: a new one in the temp
#                         folder
#   DURATION=15s ROUNDS=3 wrk runs (nginx and vetted interleaved; medians)
#   QUIET_WAIT=60         before each measure, wait up to this many seconds for the machine
#                         to be idle (other jobs on a shared machine skew the runs); 0: no wait
#   KEEP=1                keep the temp folder (config, logs, the served PACKAGES.gz)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-25000}
ARCHIVED=${ARCHIVED:-10}
DURATION=${DURATION:-15s}
ROUNDS=${ROUNDS:-3}
QUIET_WAIT=${QUIET_WAIT:-60}
KEEP=${KEEP:-0}
. bench/lib.sh
require go curl wrk nginx
bench_tmp cran

go build -o "$TMP/vetted" ./cmd/vetted
UPSTREAM=${FIXTURE:-$TMP/mirror}
if [[ ! -f $UPSTREAM/src/contrib/PACKAGES ]]; then
	echo "writing the fixture ($N packages, $ARCHIVED archived versions each) to $UPSTREAM ..."
	go run ./bench/cranfixture -n "$N" -archived "$ARCHIVED" "$UPSTREAM"
fi
echo "upstream src/contrib/PACKAGES: $(grep -c '^Package:' "$UPSTREAM/src/contrib/PACKAGES") packages, $(stat -c %s "$UPSTREAM/src/contrib/PACKAGES") bytes; $(find "$UPSTREAM/src/contrib/Archive" -name '*.tar.gz' | wc -l) archived tarballs"

# The policy: the 50 rules of bench/cranpolicy.yaml (allow rules, name blocks, version
# blocks that send PACKAGES to Archive/, a licence rule).
VPORT=$(free_port)
{
	echo "listen: 127.0.0.1:$VPORT"
	echo "data_dir: $TMP/data"
	echo "log: {level: warn, access: true}"
	echo "upstream: {index_ttl: 1h}"
	echo "repositories:"
	echo "  - {name: cran, ecosystem: cran, kind: proxy, upstream: $UPSTREAM, policy: fifty}"
	cat bench/cranpolicy.yaml
} >"$TMP/vetted.yaml"
rules=$(grep -cE '^      - (allow|block|licenses):' "$TMP/vetted.yaml")
[[ $rules == 50 ]] || { echo "the policy has $rules rules, not 50" >&2; exit 1; }
"$TMP/vetted" serve --config "$TMP/vetted.yaml" 2>"$TMP/vetted.log" &
VPID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$VPORT/healthz" >/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$VPORT/cran/cran/src/contrib/PACKAGES.gz"

# 1. The first request computes the filtered PACKAGES.gz.
wait_quiet
start_rss=$(rss "$VPID")
first=$(timeout 120 curl -sf -o "$TMP/PACKAGES.gz" -w '%{time_total}' "$URL")
first_rss=$(rss "$VPID")
first_quiet=$QUIET
listed=$(gzip -dc "$TMP/PACKAGES.gz" | grep -c '^Package:' || true)
older=$(gzip -dc "$TMP/PACKAGES.gz" | grep -c '^Version: 1\.' || true)
echo "first PACKAGES.gz: ${first}s ($first_quiet); vetted peak RSS ${first_rss} MiB (${start_rss} MiB before it)"
echo "  lists $listed packages, $older of them at an archived version; $(stat -c %s "$TMP/PACKAGES.gz") bytes"
# The same again, served from the cache.
again=$(curl -sf -o /dev/null -w '%{time_total}' "$URL")
echo "second PACKAGES.gz (cached): ${again}s"

# 2. The cached PACKAGES.gz under load, against nginx serving the same bytes.
mkdir -p "$TMP/nginx/root/src/contrib"
cp "$TMP/PACKAGES.gz" "$TMP/nginx/root/src/contrib/PACKAGES.gz"
start_nginx "$TMP/nginx/root" "application/x-gzip gz;"
NURL="http://127.0.0.1:$NPORT/src/contrib/PACKAGES.gz"
cmp -s <(curl -sf "$NURL") "$TMP/PACKAGES.gz" || { echo "nginx does not serve the same bytes" >&2; exit 1; }
compare_rounds "$NURL" "$URL" "$VPID"
n=$NRPS v=$VRPS ratio=$RATIO
end_rss=$(rss "$VPID")
echo
echo "| measure | value | target | verdict |"
echo "|---|---:|---|---|"
echo "| first filtered PACKAGES.gz (25,000 packages, 50 rules) | ${first} s | < 3 s | $(verdict "$first < 3") |"
echo "| vetted peak RSS after it | ${first_rss} MiB | < 300 MB | $(verdict "$first_rss * 1048576 < 300000000") |"
echo "| cached PACKAGES.gz, wrk -c64 -d$DURATION, median of $ROUNDS rounds' vetted/nginx | ${ratio}× (medians: vetted $v, nginx $n req/s) | ≥ 0.7× | $(verdict "$ratio >= 0.7") |"
echo "| vetted peak RSS at the end | ${end_rss} MiB | | |"
