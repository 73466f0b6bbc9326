#!/usr/bin/env bash
# bench/http.sh: HTTP throughput of vetted against nginx serving the same bytes.
#
# Builds vetted and a fixture upstream folder (bench/fixture), starts vetted on a free
# loopback port, warms its caches, copies the exact bytes vetted serves into a private
# nginx root, then runs wrk against both, interleaved:
#
#   round 1..ROUNDS:  nginx (a)  vetted (a)  [go (a)]  nginx (b)  vetted (b)  [go (b)]
#
#   (a) a cached ~1 MB wheel           GET /pypi/bench/files/bigwheel/bigwheel-1.0-py3-none-any.whl
#   (b) a cached PEP 691 project page  GET /pypi/bench/simple/pagetest/  (Accept: ...v1+json)
#
# "go" is bench/gobaseline: a bare net/http server answering the same bytes (no routing,
# policy or log) with net/http's defaults, which write a page over 4 KB in two write(2)
# calls where vetted makes one writev(2) (BASELINE=0 leaves it out).
# It prints a markdown table: median requests/s per server, the ratio vetted/nginx,
# vetted's peak RSS (VmHWM) and whether the targets are met. Only 127.0.0.1 is used;
# every run is bounded in time; everything started is stopped on exit.
#
# Usage: bench/http.sh            (from anywhere in the repository)
# Knobs (environment):
#   DURATION=15s  CONNS=64  THREADS=2  ROUNDS=3   wrk settings and rounds
#   OUT=FILE      also write the markdown report to FILE
#   BASELINE=1    also run bench/gobaseline (bare net/http) in every round; 0: do not
#   QUIET_WAIT=60 before each run, wait up to this many seconds for the machine to be idle
#                 (other jobs on a shared machine skew the runs); 0: do not wait
#   REV=HEAD      build vetted as committed at that revision (git archive; bench/ from the
#                 work tree) instead of the work tree
#   GZIP=1        (b) as pip asks for it: every run sends Accept-Encoding: gzip, vetted answers
#                 its gzipped page, nginx the same bytes with gzip_static (the table's bytes
#                 are the gzipped size)
#   PERF=1        then profile vetted under each load with perf (top functions to stderr)
#   KEEP=1        keep the temp folder (logs, configs, wrk outputs) and print its path
# Needs: go, wrk, nginx, curl  (Debian: apt-get install -y --no-install-recommends nginx wrk curl)
set -euo pipefail

DURATION=${DURATION:-15s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
KEEP=${KEEP:-0}
QUIET_WAIT=${QUIET_WAIT:-60}
BASELINE=${BASELINE:-1}
OUT=${OUT:-}
TARGET_WHEEL=0.9   # (a) vetted/nginx
TARGET_PAGE=0.6    # (b) vetted/nginx
TARGET_RSS_MB=150  # VmHWM under load

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

say() { printf '%s\n' "$*" >&2; }
die() { say "http.sh: $*"; exit 1; }

# --- tools -------------------------------------------------------------------------------
PATH=$PATH:/usr/sbin:/sbin # nginx is in /usr/sbin on Debian
missing=()
for t in go wrk nginx curl timeout awk git; do
	command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
if ((${#missing[@]})); then
	say "http.sh: missing tools: ${missing[*]}"
	say "  on Debian/Ubuntu: apt-get update && apt-get install -y --no-install-recommends nginx wrk curl"
	say "  (go: https://go.dev/dl/, the version in go.mod)"
	exit 2
fi
NGINX=$(command -v nginx)

# Seconds in a wrk duration (15s, 1m, 2): bounds the outer timeout.
dur_seconds() {
	local d=$1
	case $d in
	*m) echo $((${d%m} * 60)) ;;
	*s) echo "${d%s}" ;;
	*) echo "$d" ;;
	esac
}
WRK_LIMIT=$(($(dur_seconds "$DURATION") + 30))

# --- temp folder and cleanup ---------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vetted-bench.XXXXXX")
chmod 755 "$TMP" # nginx workers may run as another user (nobody) and must read the root
VETTED_PID=""
NGINX_PID=""
GOBASE_PID=""
cleanup() {
	local rc=$?
	for pid in $VETTED_PID $NGINX_PID $GOBASE_PID; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
		fi
	done
	for pid in $VETTED_PID $NGINX_PID $GOBASE_PID; do
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [[ $KEEP == 1 ]]; then
		say "http.sh: kept $TMP"
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A loopback port nobody listens on (a connect is refused).
free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

wait_http() { # URL SECONDS
	local deadline=$((SECONDS + $2))
	while ((SECONDS < deadline)); do
		curl -sf --max-time 1 -o /dev/null "$1" && return 0
		sleep 0.1
	done
	return 1
}

# utime+stime (clock ticks) of a process and its children processes (nginx workers).
cpu_ticks() {
	local total=0 pid
	for pid in "$@" $(ps -o pid= --ppid "$1" 2>/dev/null || true); do
		if [[ -r /proc/$pid/stat ]]; then
			total=$((total + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$pid/stat")))
		fi
	done
	echo "$total"
}

# --- build ---------------------------------------------------------------------------------
say "building vetted, the fixture generator and the baseline into $TMP"
SRC=$ROOT
if [[ -n ${REV:-} ]]; then
	# The code as committed at REV (the work tree is not touched), with bench/ from the
	# work tree, so that others' edits in progress neither break nor skew the build.
	SRC=$TMP/src
	mkdir -p "$SRC"
	git -C "$ROOT" archive "$REV" | tar -x -C "$SRC"
	rm -rf "$SRC/bench"
	cp -r "$ROOT/bench" "$SRC/bench"
	BUILT_FROM="revision $(git -C "$ROOT" rev-parse --short "$REV")"
else
	BUILT_FROM="work tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?') ($({ git -C "$ROOT" status --porcelain -- ':!bench' 2>/dev/null || true; } | wc -l) paths changed outside bench/)"
fi
(
	cd "$SRC"
	go build -o "$TMP/vetted" ./cmd/vetted
	go build -o "$TMP/fixture" ./bench/fixture
	go build -o "$TMP/gobaseline" ./bench/gobaseline
)

say "writing the fixture upstream folder"
"$TMP/fixture" -out "$TMP/upstream"
WHEEL=bigwheel-1.0-py3-none-any.whl
[[ -f $TMP/upstream/bigwheel/$WHEEL ]] || die "fixture did not write $WHEEL"

# --- vetted --------------------------------------------------------------------------------
VPORT=$(free_port) || die "no free loopback port"
cat >"$TMP/vetted.yaml" <<YAML
listen: 127.0.0.1:$VPORT
data_dir: $TMP/data
log:
  level: info
  format: text
  access: true
upstream:
  timeout: 30s
  # Longer than the whole run: every request below is served from the caches.
  index_ttl: 1h
repositories:
  - name: bench
    ecosystem: pypi
    kind: proxy
    upstream: $TMP/upstream
    policy: default
policies:
  default:
    mode: default
    rules:
      - block: {project: "alpha", versions: ">=2.0"}
        reason: "a rule that matches nothing benchmarked, so policy is evaluated"
YAML
"$TMP/vetted" serve --config "$TMP/vetted.yaml" >"$TMP/vetted.stdout" 2>"$TMP/vetted.stderr" &
VETTED_PID=$!
VBASE=http://127.0.0.1:$VPORT
wait_http "$VBASE/healthz" 30 || {
	tail -n 20 "$TMP/vetted.stderr" >&2
	die "vetted did not answer /healthz within 30 s"
}

JSON_TYPE=application/vnd.pypi.simple.v1+json
V_PAGE=$VBASE/pypi/bench/simple/pagetest/
V_WHEEL=$VBASE/pypi/bench/files/bigwheel/$WHEEL

# --- nginx root with the exact bytes vetted serves -----------------------------------------
NG=$TMP/nginx
mkdir -p "$NG/root" "$NG/temp"
say "warming vetted's caches"
curl -sf --max-time 30 -H "Accept: $JSON_TYPE" -D "$TMP/page.headers" -o "$NG/root/page.json" "$V_PAGE" ||
	die "GET $V_PAGE failed"
curl -sf --max-time 30 -H "Accept: $JSON_TYPE" -o /dev/null "$VBASE/pypi/bench/simple/bigwheel/" ||
	die "GET bigwheel's page failed"
curl -sf --max-time 30 -D "$TMP/wheel.headers" -o "$NG/root/$WHEEL" "$V_WHEEL" || die "GET $V_WHEEL failed"
GZIP=${GZIP:-0}
ENCODING=()
if [[ $GZIP == 1 ]]; then
	# The raw gzipped bytes vetted sends (curl without --compressed keeps them).
	ENCODING=(-H "Accept-Encoding: gzip")
	curl -sf --max-time 30 -H "Accept: $JSON_TYPE" "${ENCODING[@]}" -D "$TMP/page.gz.headers" -o "$NG/root/page.json.gz" "$V_PAGE" ||
		die "GET $V_PAGE (gzip) failed"
	grep -qi '^content-encoding: gzip' "$TMP/page.gz.headers" || die "vetted did not gzip the page"
fi
cmp -s "$NG/root/$WHEEL" "$TMP/upstream/bigwheel/$WHEEL" || die "vetted served other bytes than upstream's wheel"
grep -qi "^content-type: $JSON_TYPE" "$TMP/page.headers" || die "vetted's page is not $JSON_TYPE"
grep -qi '^content-type: application/octet-stream' "$TMP/wheel.headers" || die "vetted's wheel is not application/octet-stream"
chmod -R a+rX "$NG"

NCPU=$(nproc)
NPORT=$(free_port) || die "no free loopback port"
cat >"$NG/nginx.conf" <<CONF
# Private nginx for bench/http.sh: every path is inside $NG.
worker_processes $NCPU;
pid $NG/nginx.pid;
error_log $NG/error.log warn;
events { worker_connections 1024; }
http {
    # The Content-Types vetted sends for the same bytes.
    types {
        application/octet-stream whl;
        $JSON_TYPE json;
    }
    default_type application/octet-stream;
    sendfile on;
    gzip_static on; # page.json.gz, when GZIP=1
    keepalive_timeout 65;
    # nginx closes a keep-alive connection after 1000 requests by default; Go never does.
    # Lifting the limit makes nginx the stronger (fairer) baseline.
    keepalive_requests 1000000;
    access_log $NG/access.log combined;
    client_body_temp_path $NG/temp/client_body;
    proxy_temp_path $NG/temp/proxy;
    fastcgi_temp_path $NG/temp/fastcgi;
    uwsgi_temp_path $NG/temp/uwsgi;
    scgi_temp_path $NG/temp/scgi;
    server {
        listen 127.0.0.1:$NPORT;
        root $NG/root;
        location / { }
    }
}
CONF
"$NGINX" -t -q -p "$NG/" -e "$NG/error.log" -c "$NG/nginx.conf" || die "nginx rejected $NG/nginx.conf"
"$NGINX" -p "$NG/" -e "$NG/error.log" -c "$NG/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
NBASE=http://127.0.0.1:$NPORT
wait_http "$NBASE/page.json" 30 || {
	cat "$NG/error.log" >&2 || true
	die "nginx did not answer within 30 s"
}
N_PAGE=$NBASE/page.json
N_WHEEL=$NBASE/$WHEEL
curl -sf --max-time 30 -o "$TMP/n.page" "$N_PAGE" && cmp -s "$TMP/n.page" "$NG/root/page.json" || die "nginx serves other page bytes"
if [[ $GZIP == 1 ]]; then
	curl -sf --max-time 30 "${ENCODING[@]}" -o "$TMP/n.page.gz" "$N_PAGE" && cmp -s "$TMP/n.page.gz" "$NG/root/page.json.gz" ||
		die "nginx does not serve vetted's gzipped page bytes (gzip_static)"
fi
curl -sf --max-time 30 -o "$TMP/n.wheel" "$N_WHEEL" && cmp -s "$TMP/n.wheel" "$NG/root/$WHEEL" || die "nginx serves other wheel bytes"
curl -sf --max-time 5 -D - -o /dev/null "$N_PAGE" | grep -qi "^content-type: $JSON_TYPE" || die "nginx's page is not $JSON_TYPE"

if [[ $BASELINE == 1 ]]; then
	GPORT=$(free_port) || die "no free loopback port"
	"$TMP/gobaseline" -listen "127.0.0.1:$GPORT" -root "$NG/root" >"$TMP/gobaseline.log" 2>&1 &
	GOBASE_PID=$!
	GBASE=http://127.0.0.1:$GPORT
	wait_http "$GBASE/page.json" 30 || die "gobaseline did not answer within 30 s: $(cat "$TMP/gobaseline.log")"
	curl -sf --max-time 30 -o "$TMP/g.page" "$GBASE/page.json" && cmp -s "$TMP/g.page" "$NG/root/page.json" || die "gobaseline serves other page bytes"
	if [[ $GZIP == 1 ]]; then
		curl -sf --max-time 30 "${ENCODING[@]}" -o "$TMP/g.page.gz" "$GBASE/page.json" && cmp -s "$TMP/g.page.gz" "$NG/root/page.json.gz" ||
			die "gobaseline does not serve vetted's gzipped page bytes"
	fi
	curl -sf --max-time 30 -o "$TMP/g.wheel" "$GBASE/$WHEEL" && cmp -s "$TMP/g.wheel" "$NG/root/$WHEEL" || die "gobaseline serves other wheel bytes"
fi

PAGE_BYTES=$(wc -c <"$NG/root/page.json")
[[ $GZIP == 1 ]] && PAGE_BYTES="$(wc -c <"$NG/root/page.json.gz") gzip"
WHEEL_BYTES=$(wc -c <"$NG/root/$WHEEL")
RSS_WARM_KB=$(awk '/^VmRSS:/ {print $2}' "/proc/$VETTED_PID/status")

# --- wrk rounds ----------------------------------------------------------------------------
# Clock ticks the machine spent in processes (user, nice, system, steal) and in
# interrupts (irq, softirq: loopback TCP is processed there).
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $9}' /proc/stat; }
irq_ticks() { awk '/^cpu / {print $7 + $8}' /proc/stat; }

# wait_quiet: before a run, wait (at most QUIET_WAIT seconds) until the machine is
# nearly idle (< 10% of one core busy over a second), so other jobs skew runs less.
# Records in $TMP/quiet whether each run started quiet.
wait_quiet() {
	local deadline=$((SECONDS + QUIET_WAIT)) a b
	while :; do
		a=$(busy_ticks)
		sleep 1
		b=$(busy_ticks)
		if (((b - a) * 10 < HZ)); then
			echo "$1 quiet" >>"$TMP/quiet"
			return 0
		fi
		if ((SECONDS >= deadline)); then
			say "  machine still busy ($(((b - a) * 100 / HZ))% of a core) after ${QUIET_WAIT}s: running anyway"
			echo "$1 busy" >>"$TMP/quiet"
			return 0
		fi
	done
}
HZ=$(getconf CLK_TCK)

# run_wrk NAME SERVER_PID URL: writes $TMP/wrk.NAME and appends a line to $TMP/runs:
#   name rps p50 p99 non2xx socket_errors server_cpu_s wrk_cpu_s other_cpu_s
# other_cpu_s is the machine's busy time (processes and interrupts) less the server's and
# wrk's (which include the loopback TCP work done in their context): other jobs on the
# machine, plus interrupt time charged to no process. It shows how noisy a run was.
run_wrk() {
	local name=$1 pid=$2 url=$3 out=$TMP/wrk.$1 t0 t1 b0 b1 i0 i1 TIMEFORMAT='%U %S'
	wait_quiet "$name"
	say "wrk $name: $url"
	t0=$(cpu_ticks "$pid")
	b0=$(busy_ticks)
	i0=$(irq_ticks)
	if ! { time timeout "$WRK_LIMIT" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency \
		-H "Accept: $JSON_TYPE" "${ENCODING[@]}" "$url" >"$out" 2>&1; } 2>"$out.time"; then
		die "wrk $name failed: $(cat "$out")"
	fi
	t1=$(cpu_ticks "$pid")
	b1=$(busy_ticks)
	i1=$(irq_ticks)
	kill -0 "$pid" 2>/dev/null || die "the server died during $name"
	awk -v name="$name" -v srv="$((t1 - t0))" -v busy="$((b1 - b0))" -v irq="$((i1 - i0))" -v hz="$HZ" -v wrkcpu="$(awk '{print $1 + $2}' "$out.time")" '
		/Requests\/sec:/ {rps = $2}
		/^ +50%/ {p50 = $2}
		/^ +99%/ {p99 = $2}
		/Non-2xx or 3xx responses:/ {bad = $NF}
		/Socket errors:/ {sock = $0; sub(/.*errors: /, "", sock); gsub(/ /, "", sock)}
		END {
			other = (busy + irq) / hz - srv / hz - wrkcpu
			if (other < 0) other = 0
			printf "%s %s %s %s %d %s %.1f %.1f %.1f\n", name, rps, p50, p99, bad + 0, (sock == "" ? "-" : sock), srv / hz, wrkcpu, other
		}
	' "$out" >>"$TMP/runs"
	tail -n 1 "$TMP/runs" >&2
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$TMP/runs"
: >"$TMP/quiet"
for r in $(seq 1 "$ROUNDS"); do
	run_wrk "nginx-a-$r" "$NGINX_PID" "$N_WHEEL"
	run_wrk "vetted-a-$r" "$VETTED_PID" "$V_WHEEL"
	[[ $BASELINE == 1 ]] && run_wrk "go-a-$r" "$GOBASE_PID" "$GBASE/$WHEEL"
	run_wrk "nginx-b-$r" "$NGINX_PID" "$N_PAGE"
	run_wrk "vetted-b-$r" "$VETTED_PID" "$V_PAGE"
	[[ $BASELINE == 1 ]] && run_wrk "go-b-$r" "$GOBASE_PID" "$GBASE/page.json"
done

RSS_PEAK_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$VETTED_PID/status")
RSS_END_KB=$(awk '/^VmRSS:/ {print $2}' "/proc/$VETTED_PID/status")
VETTED_LOG_LINES=$(grep -c 'msg=http' "$TMP/vetted.stderr" || true)
NGINX_LOG_LINES=$(wc -l <"$NG/access.log")

# --- optional: where vetted's time goes (perf) ----------------------------------------------
# PERF=1: one more wrk run per case against vetted under `perf record -g`; the reports go to
# $TMP/perf-{a,b}.txt (KEEP=1 keeps them) and their top lines to stderr.
if [[ ${PERF:-0} == 1 ]]; then
	if ! command -v perf >/dev/null 2>&1; then
		say "PERF=1: perf is not installed (Debian: apt-get install -y linux-perf); skipped"
	else
		for c in a b; do
			url=$V_WHEEL
			[[ $c == b ]] && url=$V_PAGE
			wait_quiet "perf-$c"
			say "perf: vetted ($c) under wrk for $DURATION"
			timeout "$WRK_LIMIT" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -H "Accept: $JSON_TYPE" "${ENCODING[@]}" "$url" >"$TMP/wrk.perf-$c" 2>&1 &
			wrkpid=$!
			sleep 1
			timeout $(($(dur_seconds "$DURATION") + 10)) perf record -q -F 999 -g -p "$VETTED_PID" -o "$TMP/perf-$c.data" -- sleep "$(($(dur_seconds "$DURATION") > 3 ? $(dur_seconds "$DURATION") - 2 : 1))" >/dev/null 2>&1 || true
			wait "$wrkpid" || true
			perf report -i "$TMP/perf-$c.data" --children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | cut -c1-140 >"$TMP/perf-$c.txt" || true
			perf report -i "$TMP/perf-$c.data" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' >"$TMP/perf-$c.dso.txt" || true
			say "perf ($c): $(awk '/Requests\/sec/ {print $2}' "$TMP/wrk.perf-$c") req/s; time by binary:"
			sed -n 1,3p "$TMP/perf-$c.dso.txt" >&2
			say "top functions (inclusive):"
			grep -E 'vetted/|net/http|log/slog|runtime\.(mallocgc|gcBgMarkWorker|schedule|findRunnable)|syscall\.write|\[k\] (tcp_sendmsg|schedule|sendfile)' "$TMP/perf-$c.txt" | head -30 >&2 || true
		done
	fi
fi

median() { # prefix: median req/s of the runs whose name starts with prefix
	awk -v p="$1" 'index($1, p) == 1 {print $2}' "$TMP/runs" | sort -g |
		awk '{v[NR] = $1} END {if (NR == 0) {print 0} else if (NR % 2) {print v[(NR + 1) / 2]} else {print (v[NR / 2] + v[NR / 2 + 1]) / 2}}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
met() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {ok = (op == ">=" ? v >= t : v < t); print (ok ? "**met**" : "**missed**")}'; }

NA=$(median nginx-a-)
VA=$(median vetted-a-)
NB=$(median nginx-b-)
VB=$(median vetted-b-)
RA=$(ratio "$VA" "$NA")
RB=$(ratio "$VB" "$NB")
GA=$(median go-a-)
GB=$(median go-b-)
RSS_PEAK_MB=$(awk -v k="$RSS_PEAK_KB" 'BEGIN {printf "%.1f", k / 1024}')

NOISY_CPU=$(awk -v d="$(dur_seconds "$DURATION")" -v n="$NCPU" 'BEGIN {print d * n / 10}')

report() {
	echo "### HTTP throughput: vetted vs nginx (same bytes, same Content-Type)"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%M:%SZ); $NCPU cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)); $(go version | awk '{print $3}'); $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'); wrk $(wrk -v 2>&1 | awk 'NR == 1 {print $2}')"
	echo "vetted built from the $BUILT_FROM."
	echo "wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS interleaved rounds (nginx a, vetted a,$([[ $BASELINE == 1 ]] && echo " go a,") nginx b, vetted b$([[ $BASELINE == 1 ]] && echo ", go b")); medians.$([[ $GZIP == 1 ]] && echo " Every run sends Accept-Encoding: gzip (GZIP=1).")"
	echo
	echo "| case | bytes | nginx req/s | vetted req/s | vetted/nginx | target | verdict |"
	echo "|---|---:|---:|---:|---:|---|---|"
	echo "| (a) cached wheel | $WHEEL_BYTES | $NA | $VA | $RA | ≥ $TARGET_WHEEL | $(met "$RA" "$TARGET_WHEEL" ">=") |"
	echo "| (b) cached PEP 691 page | $PAGE_BYTES | $NB | $VB | $RB | ≥ $TARGET_PAGE | $(met "$RB" "$TARGET_PAGE" ">=") |"
	if [[ $BASELINE == 1 ]]; then
		echo
		echo "Reference: bench/gobaseline, a bare Go net/http server answering the same bytes (no routing,"
		echo "policy, metrics or access log) with net/http's defaults: it writes a page over 4 KB in two"
		echo "write(2) calls, where vetted's listener makes one writev(2)."
		echo
		echo "| case | nginx req/s | bare net/http req/s | bare/nginx | vetted/bare |"
		echo "|---|---:|---:|---:|---:|"
		echo "| (a) cached wheel | $NA | $GA | $(ratio "$GA" "$NA") | $(ratio "$VA" "$GA") |"
		echo "| (b) cached PEP 691 page | $NB | $GB | $(ratio "$GB" "$NB") | $(ratio "$VB" "$GB") |"
	fi
	echo
	echo "| vetted memory | value | target | verdict |"
	echo "|---|---:|---|---|"
	echo "| peak RSS (VmHWM) over the whole run | $RSS_PEAK_MB MB | < $TARGET_RSS_MB MB | $(met "$RSS_PEAK_MB" "$TARGET_RSS_MB" "<") |"
	echo "| RSS after warm-up / at the end | $(awk -v k="$RSS_WARM_KB" 'BEGIN {printf "%.1f", k / 1024}') / $(awk -v k="$RSS_END_KB" 'BEGIN {printf "%.1f", k / 1024}') MB | | |"
	echo
	echo "Every run. CPU s = user+system seconds during the run: of the server's processes, of wrk, and"
	echo "the rest of the machine's busy time (other jobs and stray interrupt time: the noise). The"
	echo "$NCPU cores give $(awk -v d="$(dur_seconds "$DURATION")" -v n="$NCPU" 'BEGIN {print d * n}') CPU s per run. Load average before the rounds: $LOAD_BEFORE."
	echo "Runs that started on a busy machine (QUIET_WAIT=${QUIET_WAIT}s ran out): $(grep -c busy "$TMP/quiet" || true) of $(wc -l <"$TMP/quiet")."
	echo
	echo "Runs where other jobs took more than 10% of the machine are marked noisy: $(awk -v c="$NOISY_CPU" '$9 > c' "$TMP/runs" | wc -l) of $(wc -l <"$TMP/runs")."
	echo
	echo "| run | req/s | p50 | p99 | non-2xx | socket errors | server CPU s | wrk CPU s | other CPU s | |"
	echo "|---|---:|---:|---:|---:|---|---:|---:|---:|---|"
	awk -v c="$NOISY_CPU" '{printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, ($9 > c ? "noisy" : "")}' "$TMP/runs"
	echo
	echo "Access log lines written: vetted $VETTED_LOG_LINES, nginx $NGINX_LOG_LINES."
}

report | tee "$TMP/report.md"
if [[ -n $OUT ]]; then
	cp "$TMP/report.md" "$OUT"
fi
