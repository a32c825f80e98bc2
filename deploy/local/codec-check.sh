#!/usr/bin/env bash
# Checks payload encryption on the local cluster: a run started with the
# codec on leaves no plaintext question in Temporal's PostgreSQL database,
# `temporal workflow show` without the codec shows none, and with the
# gateway's codec server (CLI --codec-endpoint, and the Web UI, read with
# headless Chromium when it is installed) the question is readable.
#
#   RESEARCHFLOW_CODEC_KEYS="k1:$(openssl rand -base64 32)" deploy/local/cluster.sh up
#   deploy/local/codec-check.sh
#
# Exits non-zero when a check fails. Needs psql (postgresql-client) and the
# temporal CLI.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
C="$REPO/deploy/local/cluster.sh"
DIR=${RESEARCHFLOW_CLUSTER_DIR:-$REPO/.researchflow-cluster}
eval "$(bash "$C" env)"
[[ -n ${RESEARCHFLOW_CODEC_KEYS:-} ]] || { echo "codec-check: the cluster runs without RESEARCHFLOW_CODEC_KEYS (set it before cluster.sh up)" >&2; exit 2; }
API="http://$RESEARCHFLOW_HTTP_ADDR"
UI=$RESEARCHFLOW_UI_URL
marker="codeccheck$(date +%s)$RANDOM"
fail=0
check() { # check DESCRIPTION GOT WANT(zero|nonzero)
	local ok=no
	if [[ $3 == zero && $2 == 0 ]] || [[ $3 == nonzero && $2 != 0 ]]; then ok=yes; fi
	printf '%-62s %6s  %s\n' "$1" "$2" "$([[ $ok == yes ]] && echo ok || echo FAIL)"
	[[ $ok == yes ]] || fail=1
}

# With --no-wait the starter prints the research ID alone on stdout.
errs=$(mktemp)
trap 'rm -f "$errs"' EXIT
id=$(cd "$REPO" && go run ./starter --no-wait "How does select choose among ready channels ($marker)?" 2>"$errs" | tail -1) || true
if [[ $id != research-* ]]; then
	echo "codec-check: could not start a run on the cluster (is it up? task cluster:status):" >&2
	tail -n 5 "$errs" >&2
	exit 1
fi
temporal workflow result --address "$TEMPORAL_ADDRESS" -w "$id" >/dev/null 2>&1 || true
echo "run $id, marker $marker"

pgport=$(sed -n 's/^RF_CLUSTER_PG_PORT=//p' "$DIR/run/cluster.env")
q="select count(*) from history_node where position(convert_to('$marker','UTF8') in data) > 0"
n=$(PGPASSWORD=$(cat "$DIR/pg/password") psql -h 127.0.0.1 -p "$pgport" -U temporal -d temporal -Atc "$q")
check "PostgreSQL history_node rows holding the question in plaintext" "$n" zero
# The same scan finds what stays readable (the run's ID): it does see the run.
q="select count(*) from history_node where tree_id in (select run_id from executions where workflow_id = '$id')"
n=$(PGPASSWORD=$(cat "$DIR/pg/password") psql -h 127.0.0.1 -p "$pgport" -U temporal -d temporal -Atc "$q")
check "PostgreSQL history_node rows of this run (the scan sees them)" "$n" nonzero
n=$(temporal workflow show --address "$TEMPORAL_ADDRESS" -w "$id" 2>&1 | grep -c "$marker" || true)
check "temporal workflow show (no codec): lines with the question" "$n" zero
n=$(temporal workflow show --address "$TEMPORAL_ADDRESS" -w "$id" --codec-endpoint "$API/codec" 2>&1 | grep -c "$marker" || true)
check "temporal workflow show --codec-endpoint: lines with the question" "$n" nonzero
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -n $browser ]]; then
	n=$(timeout 120 "$browser" --headless=new --no-sandbox --disable-gpu --virtual-time-budget=20000 \
		--dump-dom "$UI/namespaces/default/workflows/$id" 2>/dev/null | grep -o "$marker" | wc -l || true)
	check "Web UI (codec server $API/codec): occurrences of the question" "$n" nonzero
else
	echo "Web UI: not checked (no Chromium installed)"
fi
exit $fail
