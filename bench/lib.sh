# bench/lib.sh: what the benchmark scripts share (sourced, not run). They set TMP (a
# folder nginx's workers can read), HZ-based CPU accounting and the knobs QUIET_WAIT and
# DURATION before using these.

PATH=$PATH:/usr/sbin:/sbin # nginx is in /usr/sbin on Debian
HZ=$(getconf CLK_TCK)

# require TOOL...: exit 2 naming the first missing tool.
require() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || { echo "$(basename "$0"): $tool is missing (apt-get install -y --no-install-recommends nginx wrk curl)" >&2; exit 2; }
	done
}

# bench_tmp NAME: make TMP, a temp folder nginx's workers (nobody) can read, and on exit
# stop the vetted server ($VPID) and nginx and remove TMP (KEEP=1 keeps it).
bench_tmp() {
	TMP=$(mktemp -d "/tmp/vetted-$1-bench.XXXXXX")
	chmod 755 "$TMP"
	trap bench_cleanup EXIT
}
bench_cleanup() {
	[[ -n ${VPID:-} ]] && kill "$VPID" 2>/dev/null
	stop_nginx
	if [[ ${KEEP:-0} == 1 ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $9}' /proc/stat; }

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

# rss PID: the process's peak resident set size (VmHWM), in MiB.
rss() { awk '/^VmHWM:/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

# cpu_ticks PID: CPU time of a process and its children (nginx's workers), in ticks.
cpu_ticks() {
	local total=0 pid
	for pid in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null || true); do
		[[ -r /proc/$pid/stat ]] && total=$((total + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$pid/stat")))
	done
	echo "$total"
}

# start_nginx ROOT TYPES: Debian's nginx with a private configuration serving ROOT
# (sendfile on, an access log, as in production); TYPES is an nginx types block body
# ("application/zstd zst;"). Sets NPORT and NPID.
start_nginx() {
	mkdir -p "$TMP/nginx/tmp"
	NPORT=$(free_port)
	cat >"$TMP/nginx/nginx.conf" <<CONF
worker_processes $(nproc);
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log $TMP/nginx/access.log;
	client_body_temp_path $TMP/nginx/tmp; proxy_temp_path $TMP/nginx/tmp; fastcgi_temp_path $TMP/nginx/tmp; uwsgi_temp_path $TMP/nginx/tmp; scgi_temp_path $TMP/nginx/tmp;
	sendfile on; keepalive_requests 1000000;
	types { $2 }
	server { listen 127.0.0.1:$NPORT; root $1; }
}
CONF
	nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
	sleep 0.5
	NPID=$(cat "$TMP/nginx/nginx.pid")
}

stop_nginx() { [[ -f $TMP/nginx/nginx.pid ]] && kill "$(cat "$TMP/nginx/nginx.pid")" 2>/dev/null; true; }

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

# compare_rounds NGINX_URL VETTED_URL VPID: ROUNDS interleaved wrk runs of nginx and
# vetted; prints each round and the medians, and sets RATIO (median of the rounds'
# vetted/nginx), CLEAN_RATIO (the same over the rounds other jobs left alone), NRPS, VRPS.
compare_rounds() {
	local r n ns nw no nq v vs vw vo vq ratio
	: >"$TMP/runs"
	echo "wrk -t2 -c64 -d$DURATION, $ROUNDS rounds (req/s; CPU seconds of the server, of wrk, of other jobs):"
	for r in $(seq "$ROUNDS"); do
		read -r n ns nw no nq < <(rate "nginx-$r" "$NPID" "$1")
		read -r v vs vw vo vq < <(rate "vetted-$r" "$3" "$2")
		ratio=$(awk -v a="$v" -v b="$n" 'BEGIN {printf "%.2f", a/b}')
		echo "  round $r: nginx $n req/s (cpu $ns, wrk $nw, other $no; $nq), vetted $v req/s (cpu $vs, wrk $vw, other $vo; $vq): vetted/nginx $ratio"
		echo "$n $v $ratio $no $vo" >>"$TMP/runs"
	done
	NRPS=$(awk '{print $1}' "$TMP/runs" | median)
	VRPS=$(awk '{print $2}' "$TMP/runs" | median)
	RATIO=$(awk '{print $3}' "$TMP/runs" | median)
	CLEAN_RATIO=$(awk '$4 < 2 && $5 < 2 {print $3}' "$TMP/runs" | median)
	echo "medians: nginx $NRPS req/s, vetted $VRPS req/s; median of the rounds' ratios $RATIO"
	echo "median ratio of the clean rounds (other jobs used < 2 CPU seconds in both runs): ${CLEAN_RATIO:-none}"
}

verdict() { if awk "BEGIN {exit !($1)}"; then echo met; else echo MISSED; fi; }
