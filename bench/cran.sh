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
PATH=$PATH:/usr/sbin:/sbin # nginx is in /usr/sbin on Debian
for tool in go curl wrk nginx; do
	command -v "$tool" >/dev/null || { echo "bench/cran.sh: $tool is missing (apt-get install -y --no-install-recommends nginx wrk curl)" >&2; exit 2; }
done
TMP=$(mktemp -d /tmp/vetted-cran-bench.XXXXXX)
chmod 755 "$TMP" # nginx workers run as nobody
cleanup() {
	[[ -n ${VPID:-} ]] && kill "$VPID" 2>/dev/null
	[[ -f $TMP/nginx/nginx.pid ]] && kill "$(cat "$TMP/nginx/nginx.pid")" 2>/dev/null
	if [[ $KEEP == 1 ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $9}' /proc/stat; }
HZ=$(getconf CLK_TCK)
# wait_quiet: wait (at most QUIET_WAIT seconds) until less than 10% of one core is busy
# over a second; sets QUIET to "quiet" or "busy" (what the run started in).
wait_quiet() {
	local deadline=$((SECONDS + QUIET_WAIT)) a b
	QUIET=unchecked
	while ((QUIET_WAIT > 0)); do
		a=$(busy_ticks)
		sleep 1
		b=$(busy_ticks)
		if (((b - a) * 10 < HZ)); then
			QUIET=quiet
			return 0
		fi
		if ((SECONDS >= deadline)); then
			echo "  (machine still busy, $(((b - a) * 100 / HZ))% of a core, after ${QUIET_WAIT}s: running anyway)" >&2
			QUIET=busy
			return 0
		fi
	done
}
rss() { awk '/^VmHWM:/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
# cpu_ticks PID: CPU time of a process and its children (nginx's workers), in ticks.
cpu_ticks() {
	local total=0 pid
	for pid in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null || true); do
		[[ -r /proc/$pid/stat ]] && total=$((total + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$pid/stat")))
	done
	echo "$total"
}

go build -o "$TMP/vetted" ./cmd/vetted
UPSTREAM=${FIXTURE:-$TMP/mirror}
if [[ ! -f $UPSTREAM/src/contrib/PACKAGES ]]; then
	echo "writing the fixture ($N packages, $ARCHIVED archived versions each) to $UPSTREAM ..."
	go run ./bench/cranfixture -n "$N" -archived "$ARCHIVED" "$UPSTREAM"
fi
echo "upstream src/contrib/PACKAGES: $(grep -c '^Package:' "$UPSTREAM/src/contrib/PACKAGES") packages, $(stat -c %s "$UPSTREAM/src/contrib/PACKAGES") bytes; $(find "$UPSTREAM/src/contrib/Archive" -name '*.tar.gz' | wc -l) archived tarballs"

# The policy: the 50 rules of bench/cranpolicy.yaml (allow rules, name blocks, version
# blocks that send PACKAGES to Archive/, a licence rule).
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
VPORT=$(port)
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
mkdir -p "$TMP/nginx/root/src/contrib" "$TMP/nginx/tmp"
cp "$TMP/PACKAGES.gz" "$TMP/nginx/root/src/contrib/PACKAGES.gz"
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
	types { application/x-gzip gz; }
	server { listen 127.0.0.1:$NPORT; root $TMP/nginx/root; }
}
CONF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
sleep 0.5
NURL="http://127.0.0.1:$NPORT/src/contrib/PACKAGES.gz"
cmp -s <(curl -sf "$NURL") "$TMP/PACKAGES.gz" || { echo "nginx does not serve the same bytes" >&2; exit 1; }
# rate NAME PID URL: one wrk run after waiting for an idle machine; prints
#   requests/s  server CPU s  wrk CPU s  other CPU s  quiet|busy
# "other" is the machine's busy time less the server's and wrk's: other jobs on the
# machine (a run with a lot of it is noisy).
rate() {
	local out=$TMP/wrk.$1 t0 t1 b0 b1 TIMEFORMAT='%U %S'
	wait_quiet
	t0=$(cpu_ticks "$2")
	b0=$(busy_ticks)
	{ time timeout 120 wrk -t2 -c64 -d"$DURATION" "$3" >"$out"; } 2>"$out.time"
	t1=$(cpu_ticks "$2")
	b1=$(busy_ticks)
	awk -v srv="$((t1 - t0))" -v busy="$((b1 - b0))" -v hz="$HZ" -v wrkcpu="$(awk '{print $1 + $2}' "$out.time")" -v q="$QUIET" '
		/Requests\/sec/ {rps = $2}
		END {other = busy / hz - srv / hz - wrkcpu; if (other < 0) other = 0; printf "%s %.1f %.1f %.1f %s\n", rps, srv / hz, wrkcpu, other, q}' "$out"
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
: >"$TMP/runs"
NPID=$(cat "$TMP/nginx/nginx.pid")
echo "wrk -t2 -c64 -d$DURATION, $ROUNDS rounds (req/s; CPU seconds of the server, of wrk, of other jobs):"
for r in $(seq "$ROUNDS"); do
	read -r n ns nw no nq < <(rate "nginx-$r" "$NPID" "$NURL")
	read -r v vs vw vo vq < <(rate "vetted-$r" "$VPID" "$URL")
	ratio=$(awk -v a="$v" -v b="$n" 'BEGIN {printf "%.2f", a/b}')
	echo "  round $r: nginx $n req/s (cpu $ns, wrk $nw, other $no; $nq), vetted $v req/s (cpu $vs, wrk $vw, other $vo; $vq): vetted/nginx $ratio"
	echo "$n $v $ratio $no $vo" >>"$TMP/runs"
done
n=$(awk '{print $1}' "$TMP/runs" | median)
v=$(awk '{print $2}' "$TMP/runs" | median)
ratio=$(awk '{print $3}' "$TMP/runs" | median)
echo "medians: nginx $n req/s, vetted $v req/s; median of the rounds' ratios $ratio"
clean=$(awk '$4 < 2 && $5 < 2 {print $3}' "$TMP/runs" | median)
echo "median ratio of the clean rounds (other jobs used < 2 CPU seconds in both runs): ${clean:-none}"
end_rss=$(rss "$VPID")
verdict() { if awk "BEGIN {exit !($1)}"; then echo met; else echo MISSED; fi; }
echo
echo "| measure | value | target | verdict |"
echo "|---|---:|---|---|"
echo "| first filtered PACKAGES.gz (25,000 packages, 50 rules) | ${first} s | < 3 s | $(verdict "$first < 3") |"
echo "| vetted peak RSS after it | ${first_rss} MiB | < 300 MB | $(verdict "$first_rss * 1048576 < 300000000") |"
echo "| cached PACKAGES.gz, wrk -c64 -d$DURATION, median of $ROUNDS rounds' vetted/nginx | ${ratio}× (medians: vetted $v, nginx $n req/s) | ≥ 0.7× | $(verdict "$ratio >= 0.7") |"
echo "| vetted peak RSS at the end | ${end_rss} MiB | | |"
