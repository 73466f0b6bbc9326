#!/usr/bin/env bash
# bench/go.sh: vetted's Go micro-benchmarks, COUNT samples each, as a markdown table of
# the median and the fastest ns/op (plus B/op, allocs/op), with the render target.
#
#   internal/ecosystem/pypi  BenchmarkRenderProjectJSON, BenchmarkRenderProjectHTML
#                            (a 2,000-file project page; target < 2 ms)
#   bench                    BenchmarkPageReady2000JSON/HTML: render + gzip + ETag of the
#                            same page, what the first request after a change pays;
#                            BenchmarkServe*: vetted's whole handler in process on the
#                            fixture of bench/http.sh (no network), BenchmarkAccessLogLine;
#                            these run on one P (-cpu 1): ns/op is the CPU time of a request;
#                            BenchmarkServePageJSONConn[Bare]: the page through net/http's
#                            server on one loopback connection, vetted's handler and the
#                            bare one (ns/op is a round trip, client included)
#
# Each sample is a separate run of the test binary, started after waiting (at most
# QUIET_WAIT seconds) for the machine to be idle, so that other jobs skew fewer samples.
#
# Usage: bench/go.sh      Knobs: COUNT=7  BENCHTIME=1s  QUIET_WAIT=30  OUT=FILE
#                         REV=HEAD (build the code as committed there; bench/ from the work tree)
set -euo pipefail

COUNT=${COUNT:-7}
BENCHTIME=${BENCHTIME:-1s}
QUIET_WAIT=${QUIET_WAIT:-30}
OUT=${OUT:-}
RENDER_TARGET_NS=2000000

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
command -v go >/dev/null || { echo "go.sh: go is not on PATH" >&2; exit 2; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vetted-gobench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

HZ=$(getconf CLK_TCK)
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $9}' /proc/stat; }
QUIET=0
BUSY=0
wait_quiet() {
	local deadline=$((SECONDS + QUIET_WAIT)) a b
	while :; do
		a=$(busy_ticks)
		sleep 1
		b=$(busy_ticks)
		if (((b - a) * 10 < HZ)); then
			QUIET=$((QUIET + 1))
			return 0
		fi
		if ((SECONDS >= deadline)); then
			BUSY=$((BUSY + 1))
			return 0
		fi
	done
}

echo "building the test binaries" >&2
SRC=$ROOT
BUILT_FROM="the work tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
if [[ -n ${REV:-} ]]; then
	# The code as committed at REV, with bench/ from the work tree (see http.sh).
	SRC=$TMP/src
	mkdir -p "$SRC"
	git -C "$ROOT" archive "$REV" | tar -x -C "$SRC"
	rm -rf "$SRC/bench"
	cp -r "$ROOT/bench" "$SRC/bench"
	BUILT_FROM="revision $(git -C "$ROOT" rev-parse --short "$REV")"
fi
(cd "$SRC" && go test -c -o "$TMP/pypi.test" ./internal/ecosystem/pypi/ && go test -c -o "$TMP/bench.test" ./bench/)

# package;binary;bench regexp;GOMAXPROCS. The handler benchmarks run on one P, so their
# ns/op is the CPU time of one request.
suites=(
	"internal/ecosystem/pypi;$TMP/pypi.test;^BenchmarkRenderProject(JSON|HTML)$;$(nproc)"
	"bench;$TMP/bench.test;^BenchmarkPageReady;$(nproc)"
	"bench;$TMP/bench.test;^Benchmark(Serve|AccessLog);1"
)
: >"$TMP/samples"
for i in $(seq 1 "$COUNT"); do
	for s in "${suites[@]}"; do
		IFS=';' read -r pkg bin re procs <<<"$s"
		wait_quiet
		echo "sample $i/$COUNT: $pkg" >&2
		(cd "$SRC/$pkg" && timeout 600 "$bin" -test.run '^$' -test.bench "$re" -test.benchtime "$BENCHTIME" -test.benchmem -test.count 1 -test.cpu "$procs") |
			awk -v pkg="$pkg" '/^Benchmark/ {
				ns = ""; bop = ""; allocs = ""
				for (i = 2; i <= NF; i++) {
					if ($i == "ns/op") ns = $(i - 1)
					if ($i == "B/op") bop = $(i - 1)
					if ($i == "allocs/op") allocs = $(i - 1)
				}
				print pkg, $1, ns, bop, allocs
			}' >>"$TMP/samples"
	done
done

fmt_ns() { awk -v n="$1" 'BEGIN {if (n >= 1e6) printf "%.2f ms", n / 1e6; else if (n >= 1e3) printf "%.1f µs", n / 1e3; else printf "%d ns", n}'; }

report() {
	echo "### Go benchmarks"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)); $(go version | awk '{print $3}'); built from $BUILT_FROM."
	echo "$COUNT samples of -benchtime $BENCHTIME each (separate runs; $QUIET started on an idle machine, $BUSY on a busy one)."
	echo
	echo "| package | benchmark | median | fastest | B/op | allocs/op | target | verdict |"
	echo "|---|---|---:|---:|---:|---:|---|---|"
	awk '{print $1, $2}' "$TMP/samples" | awk '!seen[$0]++' | while read -r pkg name; do
		vals=$(awk -v p="$pkg" -v n="$name" '$1 == p && $2 == n {print $3}' "$TMP/samples" | sort -g)
		med=$(echo "$vals" | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}')
		min=$(echo "$vals" | head -n 1)
		read -r bop allocs < <(awk -v p="$pkg" -v n="$name" '$1 == p && $2 == n {print $4, $5; exit}' "$TMP/samples")
		target="" verdict=""
		case $name in
		BenchmarkRenderProjectJSON* | BenchmarkRenderProjectHTML*)
			target="< 2 ms"
			verdict=$(awk -v m="$med" -v t="$RENDER_TARGET_NS" 'BEGIN {print (m < t ? "**met**" : "**missed**")}')
			;;
		esac
		echo "| $pkg | ${name} | $(fmt_ns "$med") | $(fmt_ns "$min") | $bop | $allocs | $target | $verdict |"
	done
}

report | tee "$TMP/report.md"
if [[ -n $OUT ]]; then
	cp "$TMP/report.md" "$OUT"
fi
