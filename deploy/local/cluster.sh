#!/usr/bin/env bash
# Researchflow's local cluster: real engines as separate processes, on
# loopback only.
#
#   PostgreSQL 15 (Debian)     persistence and visibility of the Temporal server
#   temporal-server            the official Temporal server (go.temporal.io/server/cmd/server)
#   temporal-ui                the official Web UI server (github.com/temporalio/ui-server/v2/cmd/server)
#   qdrant                     the Qdrant STAND-IN (cmd/qdrant-standin; not Qdrant: in memory,
#                              nothing persisted) unless QDRANT_URL names a real Qdrant
#   search-1, search-2         search pool       (workers -pool search)
#   inference-1, inference-2   inference pool    (workers -pool inference)
#   workflow-1                 workflow pool     (workers -pool workflow)
#   notify-1                   notify pool       (workers -pool notify)
#   api                        the HTTP gateway and web app (api)
#
# Usage: deploy/local/cluster.sh up|down [--purge]|status|env|settings|who WORKFLOW_ID|start NAME|stop NAME|kill NAME|restart NAME|pid NAME|logs NAME
#
# Settings (environment):
#   RESEARCHFLOW_CLUSTER_DIR        state: bin/, logs/NAME.log, run/NAME.pid, pg/, data/ (default <repo>/.researchflow-cluster)
#   RESEARCHFLOW_CLUSTER_PORT_BASE  B (default 17200): PostgreSQL B+1, Temporal frontend B+2, Web UI B+3,
#                                   Qdrant stand-in B+4, HTTP gateway B+5, Temporal's own services B+20..B+29
#   QDRANT_URL                      a real Qdrant (>= 1.10.0) instead of the stand-in
#   RESEARCHFLOW_PG_BIN             PostgreSQL's bin directory (default /usr/lib/postgresql/15/bin)
# At `up`, the caller's RESEARCHFLOW_*, OPENAI_*, OLLAMA_*, ANTHROPIC_* and OTEL_* variables are
# saved to $RESEARCHFLOW_CLUSTER_DIR/app.env (mode 0600) and given to every Researchflow process,
# also when one is started again later (start/restart), so a model server, webhook or codec key
# set before `up` applies to the whole cluster. Addresses, ports and the data dir are the cluster's.
set -euo pipefail
umask 022

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=${RESEARCHFLOW_CLUSTER_DIR:-$REPO/.researchflow-cluster}
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac
# The port base given at `up` is remembered, like QDRANT_URL.
B=${RESEARCHFLOW_CLUSTER_PORT_BASE:-}
if [[ -z $B && -f $DIR/port-base ]]; then B=$(cat "$DIR/port-base"); fi
B=${B:-17200}
if ! [[ $B =~ ^[0-9]+$ ]] || ((B < 1024 || B > 65000)); then
	echo "cluster: RESEARCHFLOW_CLUSTER_PORT_BASE=$B: want a number from 1024 to 65000 (the cluster uses B+1 … B+29)" >&2
	exit 2
fi
BIN=$DIR/bin LOGS=$DIR/logs RUN=$DIR/run PGDIR=$DIR/pg
PG_PORT=$((B + 1)) TEMPORAL_PORT=$((B + 2)) UI_PORT=$((B + 3)) QDRANT_PORT=$((B + 4)) API_PORT=$((B + 5))
PG_BIN=${RESEARCHFLOW_PG_BIN:-/usr/lib/postgresql/15/bin}
# QDRANT_URL given at `up` is remembered for later commands.
if [[ -z ${QDRANT_URL:-} && -f $DIR/qdrant-url ]]; then QDRANT_URL=$(cat "$DIR/qdrant-url"); fi
# The stand-in's own URL (exported by `cluster.sh env`) is not a real Qdrant.
EXTERNAL_QDRANT=${QDRANT_URL:-}
[[ $EXTERNAL_QDRANT == "http://127.0.0.1:$((B + 4))" ]] && EXTERNAL_QDRANT=
QDRANT=${EXTERNAL_QDRANT:-http://127.0.0.1:$QDRANT_PORT}

POOLS=(search-1 search-2 inference-1 inference-2 workflow-1 notify-1)
ALL=(postgres temporal ui qdrant "${POOLS[@]}" api)

die() { echo "cluster: $*" >&2; exit 1; }
say() { echo "cluster: $*"; }
valid_name() {
	local n
	for n in "${ALL[@]}"; do [[ $n == "$1" ]] && return 0; done
	die "unknown component $1 (one of: ${ALL[*]})"
}

# As root, PostgreSQL runs as the postgres user (it refuses to run as root).
pg() {
	if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

temporal_cli() {
	if command -v temporal >/dev/null; then
		temporal "$@"
	else
		[[ -x $BIN/temporal ]] || { say "installing the Temporal CLI v1.5.1 into $BIN"; GOBIN=$BIN go install github.com/temporalio/cli/cmd/temporal@v1.5.1; }
		"$BIN/temporal" "$@"
	fi
}

pidof_() { [[ -f $RUN/$1.pid ]] && cat "$RUN/$1.pid" || true; }
# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
	[[ -n $1 ]] && kill -0 "$1" 2>/dev/null || return 1
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}
alive() { pid_alive "$(pidof_ "$1")"; }
# wait_gone NAME: wait until NAME's process has exited (at most 30 s).
wait_gone() {
	local p
	p=$(pidof_ "$1")
	for _ in $(seq 1 300); do
		pid_alive "$p" || return 0
		sleep 0.1
	done
	die "$1 (pid $p) is still running"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # wait_for SECONDS COMMAND...: run COMMAND until it succeeds
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.5
	done
}

address_of() {
	case $1 in
	postgres) echo "127.0.0.1:$PG_PORT" ;;
	temporal) echo "127.0.0.1:$TEMPORAL_PORT" ;;
	ui) echo "http://127.0.0.1:$UI_PORT" ;;
	qdrant) echo "$QDRANT" ;;
	api) echo "http://127.0.0.1:$API_PORT" ;;
	*) echo "-" ;;
	esac
}

# port_of NAME: the port NAME listens on ("" for the pools).
port_of() {
	case $1 in
	postgres) echo "$PG_PORT" ;;
	temporal) echo "$TEMPORAL_PORT" ;;
	ui) echo "$UI_PORT" ;;
	qdrant) [[ -n $EXTERNAL_QDRANT ]] || echo "$QDRANT_PORT" ;;
	api) echo "$API_PORT" ;;
	esac
}

# check_port_free NAME: refuse to start NAME on a port another program holds.
check_port_free() {
	local port who=""
	port=$(port_of "$1")
	[[ -z $port ]] && return 0
	if port_open "$port"; then
		command -v ss >/dev/null && who=$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'users:(([^)]*))' | head -1)
		die "port $port (for $1) is taken by another program${who:+ ($who)}: stop it, or move the cluster with RESEARCHFLOW_CLUSTER_PORT_BASE"
	fi
}

# started NAME: NAME's process is still alive after start (else show its log).
started() {
	alive "$1" && return 0
	echo "cluster: $1 exited at start; the end of $LOGS/$1.log:" >&2
	tail -n 5 "$LOGS/$1.log" >&2 || true
	exit 1
}

pg_password() { cat "$PGDIR/password" 2>/dev/null || echo "(set-at-first-up)"; }

# The environment of the cluster's own settings (templates of
# deploy/local/temporal.yaml and ui/local.yaml, and the app processes).
cluster_env() {
	local p=$((B + 20))
	echo "RF_CLUSTER_PG_PORT=$PG_PORT"
	echo "RF_CLUSTER_PG_PASSWORD=$(pg_password)"
	echo "RF_CLUSTER_TEMPORAL_PORT=$TEMPORAL_PORT"
	echo "RF_CLUSTER_UI_PORT=$UI_PORT"
	echo "RF_CLUSTER_PORT_FRONTEND_MEMBERSHIP=$p"
	echo "RF_CLUSTER_PORT_FRONTEND_HTTP=$((p + 1))"
	echo "RF_CLUSTER_PORT_HISTORY=$((p + 2))"
	echo "RF_CLUSTER_PORT_HISTORY_MEMBERSHIP=$((p + 3))"
	echo "RF_CLUSTER_PORT_MATCHING=$((p + 4))"
	echo "RF_CLUSTER_PORT_MATCHING_MEMBERSHIP=$((p + 5))"
	echo "RF_CLUSTER_PORT_WORKER=$((p + 6))"
	echo "RF_CLUSTER_PORT_WORKER_MEMBERSHIP=$((p + 7))"
	echo "RF_CLUSTER_TEMPORAL_METRICS_PORT=$((p + 8))"
	echo "RF_CLUSTER_DYNAMIC_CONFIG=$REPO/deploy/local/dynamicconfig.yaml"
	if grep -q '^RESEARCHFLOW_CODEC_KEYS=' "$DIR/app.env" 2>/dev/null; then
		echo "RF_CLUSTER_CODEC_ENDPOINT=http://127.0.0.1:$API_PORT/codec"
	fi
}

# What every Researchflow process gets on top of app.env.
app_env() {
	echo "TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT"
	echo "TEMPORAL_NAMESPACE=default"
	echo "QDRANT_URL=$QDRANT"
	echo "RESEARCHFLOW_DATA_DIR=$DIR/data"
	echo "RESEARCHFLOW_UI_URL=http://127.0.0.1:$UI_PORT"
	echo "RESEARCHFLOW_HTTP_ADDR=127.0.0.1:$API_PORT"
}

save_app_env() {
	umask 077
	env | grep -E '^(RESEARCHFLOW_|OPENAI_|OLLAMA_|ANTHROPIC_|OTEL_)' |
		grep -vE '^RESEARCHFLOW_(CLUSTER_|DATA_DIR=|HTTP_ADDR=|TEMPORAL_PORT=|UI_PORT=|UI_URL=|METRICS_ADDR=|PG_BIN=)' >"$DIR/app.env.new" || true
	# The codec server must accept the cluster's Web UI as an origin.
	if grep -q '^RESEARCHFLOW_CODEC_KEYS=' "$DIR/app.env.new" && ! grep -q '^RESEARCHFLOW_CODEC_CORS_ORIGINS=' "$DIR/app.env.new"; then
		echo "RESEARCHFLOW_CODEC_CORS_ORIGINS=http://127.0.0.1:$UI_PORT,http://localhost:$UI_PORT" >>"$DIR/app.env.new"
	fi
	umask 022
	if [[ -f $DIR/app.env ]] && ! cmp -s "$DIR/app.env" "$DIR/app.env.new"; then
		local was now
		was=$(cut -d= -f1 "$DIR/app.env" | sort | tr '\n' ' ')
		now=$(cut -d= -f1 "$DIR/app.env.new" | sort | tr '\n' ' ')
		was=${was% } now=${now% }
		if [[ ! -s $DIR/app.env.new ]]; then
			# Nothing set now: keep what the cluster was started with.
			say "keeping the settings saved at an earlier up (${was}); set new ones to replace them"
			rm -f "$DIR/app.env.new"
			return
		fi
		if any_running; then
			rm -f "$DIR/app.env.new"
			die "the cluster runs with other settings (saved: ${was:-none}; now: ${now:-none}): run down first to change them"
		fi
		say "settings replaced (were: ${was:-none}; now: ${now:-none})"
	fi
	mv "$DIR/app.env.new" "$DIR/app.env"
}

# spawn NAME ENVFILE... -- COMMAND...: run COMMAND detached, its output
# appended to logs/NAME.log, its PID in run/NAME.pid.
spawn() {
	local name=$1
	shift
	local envs=()
	while [[ $1 != -- ]]; do
		envs+=("$1")
		shift
	done
	shift
	mkdir -p "$LOGS" "$RUN"
	echo "=== $(date -u +%FT%TZ) start $name: $*" >>"$LOGS/$name.log"
	# The child writes its own PID, then execs: the PID file names the
	# process itself, so kill NAME reaches it and nothing else.
	(
		set -a
		for f in "${envs[@]}"; do
			# shellcheck disable=SC1090
			[[ -f $f ]] && . "$f"
		done
		set +a
		exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$RUN/$name.pid" "$@"
	) >>"$LOGS/$name.log" 2>&1 </dev/null &
	local deadline=$((SECONDS + 5))
	until [[ -s $RUN/$name.pid ]]; do
		((SECONDS < deadline)) || die "$name did not start (see $LOGS/$name.log)"
		sleep 0.1
	done
	# Every PID a component ever had, for `who` after restarts.
	echo "$name $(cat "$RUN/$name.pid")" >>"$RUN/pids.log"
}

write_env_files() {
	cluster_env >"$RUN/cluster.env"
	app_env >"$RUN/app-overrides.env"
	chmod 600 "$RUN/cluster.env"
}

build() {
	mkdir -p "$BIN"
	say "building the binaries into $BIN (the first build takes several minutes)"
	(
		cd "$REPO"
		go build -o "$BIN/temporal-server" go.temporal.io/server/cmd/server
		go build -o "$BIN/temporal-sql-tool" go.temporal.io/server/cmd/tools/sql
		go build -o "$BIN/temporal-ui" github.com/temporalio/ui-server/v2/cmd/server
		go build -o "$BIN/qdrant-standin" ./cmd/qdrant-standin
		go build -o "$BIN/workers" ./workers
		go build -o "$BIN/api" ./api
	)
}

init_postgres() {
	[[ -x $PG_BIN/initdb ]] || die "PostgreSQL 15 is not installed ($PG_BIN/initdb missing): sudo apt-get install -y postgresql-15 (or set RESEARCHFLOW_PG_BIN)"
	if [[ -f $PGDIR/data/PG_VERSION ]]; then return; fi
	say "initialising PostgreSQL in $PGDIR/data"
	mkdir -p "$PGDIR/data"
	umask 077
	[[ -f $PGDIR/password ]] || head -c 18 /dev/urandom | base64 | tr -d '+/=' >"$PGDIR/password"
	umask 022
	mkdir -p "$PGDIR/log"
	# PostgreSQL writes its own log (as the postgres user when run by root).
	ln -sf "$PGDIR/log/postgres.log" "$LOGS/postgres.log"
	if [[ $(id -u) == 0 ]]; then chown -R postgres "$PGDIR"; fi
	pg "$PG_BIN/initdb" -D "$PGDIR/data" -U temporal --pwfile="$PGDIR/password" --auth=scram-sha-256 -E UTF8 --locale=C >"$LOGS/initdb.log" 2>&1 ||
		die "initdb failed (see $LOGS/initdb.log)"
	cat >>"$PGDIR/data/postgresql.conf" <<-EOF
		# deploy/local/cluster.sh: loopback TCP only, no Unix socket
		listen_addresses = '127.0.0.1'
		unix_socket_directories = ''
		max_connections = 200
	EOF
}

start_postgres() {
	pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log/postgres.log" -o "-p $PG_PORT" -w -t 60 start >/dev/null ||
		die "PostgreSQL did not start (see $LOGS/postgres.log)"
	pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" status | sed -n 's/.*PID: \([0-9]*\).*/\1/p' >"$RUN/postgres.pid"
}

stop_postgres() { # stop_postgres MODE
	[[ -f $PGDIR/data/postmaster.pid ]] || return 0
	pg "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m "$1" -w -t 60 stop >/dev/null || true
}

setup_schema() {
	local schema pw
	schema=$(cd "$REPO" && go list -m -f '{{.Dir}}' go.temporal.io/server)/schema/postgresql/v12
	pw=$(pg_password)
	for db in temporal temporal_visibility; do
		local dir=temporal
		[[ $db == temporal_visibility ]] && dir=visibility
		local sql=("$BIN/temporal-sql-tool" --plugin postgres12 --ep 127.0.0.1 -p "$PG_PORT" -u temporal --pw "$pw" --db "$db")
		if [[ ! -f $PGDIR/$db.created ]]; then
			"${sql[@]}" create-database >>"$LOGS/schema.log" 2>&1 || die "create database $db failed (see $LOGS/schema.log)"
			"${sql[@]}" setup-schema -v 0.0 >>"$LOGS/schema.log" 2>&1 || die "set up schema of $db failed (see $LOGS/schema.log)"
			touch "$PGDIR/$db.created"
		fi
		"${sql[@]}" update-schema -d "$schema/$dir/versioned" >>"$LOGS/schema.log" 2>&1 || die "update schema of $db failed (see $LOGS/schema.log)"
	done
}

gateway_healthy() { alive api && curl -fsS -o /dev/null "http://127.0.0.1:$API_PORT/healthz" 2>/dev/null; }

temporal_healthy() { temporal_cli operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" >/dev/null 2>&1; }

# ensure_namespace creates namespace default and waits until the frontend
# serves it (its namespace cache lags a fresh namespace by seconds; a worker
# registering search attributes before then gets "Namespace default is not
# found").
ensure_namespace() {
	local out="" addr=127.0.0.1:$TEMPORAL_PORT
	for _ in $(seq 1 60); do
		if temporal_cli operator search-attribute list --namespace default --address "$addr" >/dev/null 2>&1; then return 0; fi
		if ! temporal_cli operator namespace describe --namespace default --address "$addr" >/dev/null 2>&1; then
			out=$(temporal_cli operator namespace create --namespace default --retention 72h --address "$addr" 2>&1) || true
		fi
		sleep 1
	done
	die "namespace default is not served after 60 s: ${out:-see $LOGS/temporal.log}"
}

start_one() {
	local name=$1
	if alive "$name"; then
		say "$name already runs (pid $(pidof_ "$name"))"
		return
	fi
	check_port_free "$name"
	case $name in
	postgres)
		init_postgres
		start_postgres
		;;
	temporal)
		spawn temporal "$RUN/cluster.env" -- "$BIN/temporal-server" --config-file "$REPO/deploy/local/temporal.yaml" --allow-no-auth start
		wait_for 90 temporal_healthy || { started temporal; die "Temporal server not healthy after 90 s (see $LOGS/temporal.log)"; }
		started temporal
		;;
	ui)
		spawn ui "$RUN/cluster.env" -- "$BIN/temporal-ui" --root "$REPO/deploy/local" --config ui --env local start
		wait_for 30 port_open "$UI_PORT" || { started ui; die "Web UI not up after 30 s (see $LOGS/ui.log)"; }
		sleep 0.5
		started ui
		;;
	qdrant)
		if [[ -n $EXTERNAL_QDRANT ]]; then
			say "qdrant: using $EXTERNAL_QDRANT (QDRANT_URL); no stand-in started"
			return
		fi
		spawn qdrant -- "$BIN/qdrant-standin" -addr "127.0.0.1:$QDRANT_PORT"
		wait_for 30 port_open "$QDRANT_PORT" || { started qdrant; die "Qdrant stand-in not up (see $LOGS/qdrant.log)"; }
		started qdrant
		# The stand-in keeps nothing: the processes that opened the memory
		# before hold a collection that is gone; they open it again.
		local users=() n
		for n in "${POOLS[@]}" api; do
			[[ $n == workflow-* || $n == notify-* ]] && continue
			if alive "$n"; then users+=("$n"); fi
		done
		if ((${#users[@]} > 0)); then
			say "the Qdrant stand-in started empty: restarting ${users[*]}, which use the memory (the Go docs are ingested again on first use; upload folders again)"
			for n in "${users[@]}"; do
				stop_one "$n"
				start_one "$n"
			done
		fi
		;;
	search-* | inference-* | workflow-* | notify-*)
		spawn "$name" "$DIR/app.env" "$RUN/app-overrides.env" -- "$BIN/workers" -pool "${name%-*}"
		sleep 1
		started "$name"
		;;
	api)
		spawn api "$DIR/app.env" "$RUN/app-overrides.env" -- "$BIN/api"
		wait_for 30 gateway_healthy || { started api; die "HTTP gateway not up after 30 s (see $LOGS/api.log)"; }
		started api
		;;
	*) die "unknown component $name (one of: ${ALL[*]})" ;;
	esac
	say "$name started (pid $(pidof_ "$name"))"
}

signal_one() { # signal_one NAME SIGNAL
	local name=$1 sig=$2 p
	p=$(pidof_ "$name")
	pid_alive "$p" || { say "$name is not running"; return 0; }
	kill "-$sig" "$p" 2>/dev/null || true
}

stop_one() {
	local name=$1 p
	if [[ $name == postgres ]]; then
		stop_postgres fast
		wait_gone postgres
		return
	fi
	p=$(pidof_ "$name")
	signal_one "$name" TERM
	for _ in $(seq 1 80); do
		pid_alive "$p" || break
		sleep 0.5
	done
	if pid_alive "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
	wait_gone "$name"
	rm -f "$RUN/$name.pid"
	return 0
}

kill_one() {
	local name=$1
	if [[ $name == postgres ]]; then
		# What a crash looks like to PostgreSQL: no shutdown checkpoint.
		if ! alive postgres; then
			say "postgres is not running"
			return 0
		fi
		stop_postgres immediate
		wait_gone postgres
		rm -f "$RUN/postgres.pid"
		say "postgres stopped in immediate mode (no shutdown checkpoint, as in a crash)"
		return
	fi
	if ! alive "$name"; then
		say "$name is not running"
		return 0
	fi
	signal_one "$name" KILL
	wait_gone "$name"
	rm -f "$RUN/$name.pid"
	say "$name killed (SIGKILL)"
}

status() {
	printf '%-12s %-8s %-8s %-32s %s\n' NAME PID STATE ADDRESS LOG
	for name in "${ALL[@]}"; do
		local state=stopped p addr
		p=$(pidof_ "$name")
		alive "$name" && state=running
		addr=$(address_of "$name")
		if [[ $name == qdrant && -n $EXTERNAL_QDRANT ]]; then
			state=external p=-
		elif [[ $name == qdrant ]]; then
			addr="$addr (STAND-IN, not Qdrant)"
		fi
		printf '%-12s %-8s %-8s %-32s %s\n' "$name" "${p:--}" "$state" "$addr" "$LOGS/$name.log"
	done
	echo "state: $DIR"
}

print_env() {
	echo "export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT"
	echo "export TEMPORAL_NAMESPACE=default"
	echo "export QDRANT_URL=$QDRANT"
	echo "export RESEARCHFLOW_HTTP_ADDR=127.0.0.1:$API_PORT"
	echo "export RESEARCHFLOW_UI_URL=http://127.0.0.1:$UI_PORT"
	echo "export RESEARCHFLOW_DATA_DIR=$DIR/data"
	grep -E '^RESEARCHFLOW_CODEC_(KEYS|KEY_ID)=' "$DIR/app.env" 2>/dev/null | sed 's/^/export /' || true
}

any_running() {
	local n
	for n in "${ALL[@]}"; do alive "$n" && return 0; done
	return 1
}

up() {
	command -v go >/dev/null || die "Go is needed to build the cluster's binaries"
	mkdir -p "$LOGS" "$RUN" "$DIR/data"
	if [[ -f $DIR/port-base && $(cat "$DIR/port-base") != "$B" ]] && any_running; then
		die "the cluster in $DIR runs on port base $(cat "$DIR/port-base"), not $B: run down first"
	fi
	echo "$B" >"$DIR/port-base"
	save_app_env
	if [[ -n $EXTERNAL_QDRANT ]]; then echo "$EXTERNAL_QDRANT" >"$DIR/qdrant-url"; else rm -f "$DIR/qdrant-url"; fi
	build
	init_postgres
	write_env_files
	start_one postgres
	setup_schema
	start_one temporal
	ensure_namespace
	start_one ui
	start_one qdrant
	for name in "${POOLS[@]}"; do start_one "$name"; done
	start_one api
	status
	echo
	say "up. Point a command at it with: eval \"\$(deploy/local/cluster.sh env)\""
	say "Web UI http://127.0.0.1:$UI_PORT  HTTP API http://127.0.0.1:$API_PORT"
}

down() {
	for ((i = ${#ALL[@]} - 1; i >= 0; i--)); do
		local name=${ALL[i]}
		if [[ $name == postgres ]] || alive "$name"; then stop_one "$name"; fi
	done
	if [[ ${1:-} == --purge ]]; then
		rm -rf "$DIR"
		say "down; state purged ($DIR removed)"
	else
		say "down (PostgreSQL with Temporal's histories, logs and reports kept in $DIR; the Qdrant stand-in keeps nothing)"
	fi
}

cmd=${1:-}
shift || true
case $cmd in
up) up ;;
down) down "$@" ;;
status) status ;;
env) print_env ;;
start)
	[[ $# == 1 ]] || die "usage: start NAME"
	valid_name "$1"
	[[ -f $DIR/app.env ]] || die "no cluster in $DIR: run up first"
	write_env_files
	start_one "$1"
	;;
stop)
	[[ $# == 1 ]] || die "usage: stop NAME"
	valid_name "$1"
	if alive "$1"; then
		stop_one "$1"
		say "$1 stopped"
	else
		say "$1 is not running"
	fi
	;;
kill)
	[[ $# == 1 ]] || die "usage: kill NAME"
	valid_name "$1"
	kill_one "$1"
	;;
restart)
	[[ $# == 1 ]] || die "usage: restart NAME"
	valid_name "$1"
	[[ -f $DIR/app.env ]] || die "no cluster in $DIR: run up first"
	stop_one "$1"
	write_env_files
	start_one "$1"
	;;
pid)
	valid_name "${1:?usage: pid NAME}"
	pidof_ "$1"
	;;
who) # who WORKFLOW_ID: which cluster processes completed the run's tasks
	[[ $# == 1 ]] || die "usage: who WORKFLOW_ID"
	temporal_cli workflow show --address "127.0.0.1:$TEMPORAL_PORT" -w "$1" -o json |
		grep -o '"identity": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' | sort | uniq -c |
		while read -r n id; do
			comp="(client)"
			if [[ -f $RUN/pids.log ]]; then
				comp=$(awk -v p="${id%%@*}" '$2 == p { n = $1 } END { print (n == "" ? "(client)" : n) }' "$RUN/pids.log")
			fi
			printf '%-12s %-24s %4d events\n' "$comp" "$id" "$n"
		done
	;;
settings) cluster_env ;; # the RF_CLUSTER_* values the config templates read (deploy tests check them)
logs)
	valid_name "${1:?usage: logs NAME}"
	exec tail -n 100 -f "$LOGS/$1.log"
	;;
*)
	sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'
	[[ -z $cmd ]] && exit 2
	die "unknown command $cmd"
	;;
esac
