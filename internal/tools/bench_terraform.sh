#!/usr/bin/env bash
# make bench-terraform: how long Terraform and OpenTofu take to plan, apply
# and destroy N access tokens, beside N terraform_data resources (the cost of
# the CLI alone) timed in the same run, against one tokensmithd over TLS in a
# temporary directory. Prints one table per CLI and N, with the ratio to the
# floor and the provider's peak resident memory, and where the CPU of each
# step went: the CLI itself, the provider and tokensmithd.
#
#   BENCH_N="300 1000"   the sizes to measure
#   BENCH_CLIS="terraform tofu"
#   BENCH_PLAN_RUNS=3    plans per measurement; the fastest is reported
#   BENCH_RUNS=1         rounds of floor then tokens; each step's fastest
#                        round is reported
#
# Absolute times depend on the machine's load; the ratio, measured a few
# seconds apart, is the figure to compare between commits. On a busy
# machine, more rounds make it steadier.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

BENCH_N="${BENCH_N:-300 1000}"
BENCH_CLIS="${BENCH_CLIS:-terraform tofu}"
BENCH_PLAN_RUNS="${BENCH_PLAN_RUNS:-3}"
BENCH_RUNS="${BENCH_RUNS:-1}"

log "bench: building the provider and tokensmithd"
go build -o "$BIN/terraform-provider-tokensmith" .
go build -o "$BIN/tokensmithd" ./internal/cmd/tokensmithd
go build -o "$BIN/democtl" ./internal/tools/democtl
tools_ensure

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tokensmith-bench.XXXXXX")"
BACKEND_PID=""
cleanup() {
	if [ -n "$BACKEND_PID" ] && kill -0 "$BACKEND_PID" 2>/dev/null; then
		kill -TERM "$BACKEND_PID" 2>/dev/null || true
		wait "$BACKEND_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
chmod 700 "$WORK"

# No quotas and no rate limit: the bench measures the provider, not the
# backend's protection against runaway clients.
TOKENSMITH_BOOTSTRAP_TOKEN="$("$BIN/democtl" token)"
export TOKENSMITH_BOOTSTRAP_TOKEN
"$BIN/tokensmithd" --listen 127.0.0.1:0 --data "$WORK/tokensmith.db" \
	--tls-self-signed --tls-ca-out "$WORK/ca.pem" \
	--max-tokens-per-member 0 --max-tokens-per-org 0 --rate-limit 0 2>"$WORK/tokensmithd.log" &
BACKEND_PID=$!
ENDPOINT=""
for _ in $(seq 1 300); do
	ENDPOINT="$(sed -n 's/^tokensmithd listening on //p' "$WORK/tokensmithd.log")"
	[ -n "$ENDPOINT" ] && break
	kill -0 "$BACKEND_PID" 2>/dev/null || { cat "$WORK/tokensmithd.log" >&2; exit 1; }
	sleep 0.1
done
[ -n "$ENDPOINT" ] || { echo "tokensmithd did not start" >&2; cat "$WORK/tokensmithd.log" >&2; exit 1; }
export TOKENSMITH_ENDPOINT="$ENDPOINT"
export TOKENSMITH_TOKEN="$TOKENSMITH_BOOTSTRAP_TOKEN"
export TOKENSMITH_CA_CERT_FILE="$WORK/ca.pem"
unset TOKENSMITH_BOOTSTRAP_TOKEN

# The CLI starts the provider through a wrapper that records its peak
# resident memory and its CPU seconds (one line "KiB user sys" per provider
# process).
mkdir "$WORK/plugin"
cat >"$WORK/plugin/terraform-provider-tokensmith" <<WRAP
#!/bin/sh
exec /usr/bin/time -f "%M %U %S" -a -o "\$BENCH_MEM_FILE" "$BIN/terraform-provider-tokensmith" "\$@"
WRAP
chmod +x "$WORK/plugin/terraform-provider-tokensmith"
cat >"$WORK/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "tokensmith/tokensmith" = "$WORK/plugin"
  }
  direct {}
}
CFG
export TF_CLI_CONFIG_FILE="$WORK/cli.tfrc"
export TF_IN_AUTOMATION=1
export BENCH_MEM_FILE="$WORK/mem"

write_configs() {
	local n="$1"
	mkdir -p "$WORK/floor" "$WORK/tokens"
	cat >"$WORK/floor/main.tf" <<TF
resource "terraform_data" "t" {
  count = $n
  input = "bench-\${count.index}"
}
TF
	cat >"$WORK/tokens/main.tf" <<TF
terraform {
  required_providers {
    tokensmith = { source = "tokensmith/tokensmith" }
  }
}

resource "tokensmith_access_token" "t" {
  count          = $n
  name           = "bench-\${count.index}"
  role           = "reader"
  all_workspaces = true
}
TF
}

# backend_cpu: tokensmithd's CPU seconds so far.
backend_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$BACKEND_PID/stat"
}

# timed OUT CMD...: runs CMD, fails the bench when it fails, and writes to
# OUT the seconds it took followed by the CPU seconds of the CLI itself, of
# the provider processes it started and of tokensmithd during it.
timed() {
	local out="$1" start end b0 b1 cli provider
	shift
	: >"$WORK/step.mem"
	b0="$(backend_cpu)"
	start=$(date +%s.%N)
	if ! BENCH_MEM_FILE="$WORK/step.mem" /usr/bin/time -f "%U %S" -o "$WORK/step.cpu" "$@" >"$WORK/last.log" 2>&1; then
		cat "$WORK/last.log" >&2
		echo "bench: failed: $*" >&2
		exit 1
	fi
	end=$(date +%s.%N)
	b1="$(backend_cpu)"
	cat "$WORK/step.mem" >>"$BENCH_MEM_FILE"
	# The CLI's figure counts the providers it waited for: subtract them.
	provider="$(awk '{ s += $2 + $3 } END { printf "%.2f", s }' "$WORK/step.mem")"
	cli="$(awk -v p="$provider" '{ printf "%.2f", $1 + $2 - p }' "$WORK/step.cpu")"
	echo "$(echo "$end - $start" | bc) $cli $provider $(echo "$b1 - $b0" | bc)" >"$out"
}

# fastest A B: of two "wall cli provider backend" lines, the one with the
# smaller wall time.
fastest() {
	if [ -z "$1" ] || [ "$(echo "${2%% *} < ${1%% *}" | bc)" = 1 ]; then echo "$2"; else echo "$1"; fi
}

# measure CLI DIR: apply, the fastest of BENCH_PLAN_RUNS no-change plans
# with refresh, then destroy; keeps the fastest of each in
# DIR/{apply,plan,destroy} across calls.
measure() {
	local cli="$1" dir="$2" best="" i step
	local tf=("$cli" -chdir="$dir")
	timed "$dir/apply.now" "${tf[@]}" apply -input=false -auto-approve -parallelism=10
	for i in $(seq 1 "$BENCH_PLAN_RUNS"); do
		# -detailed-exitcode: 2 would mean the plan found changes.
		timed "$dir/plan.$i" "${tf[@]}" plan -input=false -detailed-exitcode
		best="$(fastest "$best" "$(cat "$dir/plan.$i")")"
	done
	echo "$best" >"$dir/plan.now"
	timed "$dir/destroy.now" "${tf[@]}" destroy -input=false -auto-approve -parallelism=10
	for step in apply plan destroy; do
		fastest "$(cat "$dir/$step" 2>/dev/null)" "$(cat "$dir/$step.now")" >"$dir/$step.best"
		mv "$dir/$step.best" "$dir/$step"
	done
}

# row STEP LABEL: wall times and ratio, then the CPU seconds of the CLI,
# provider and tokensmithd for the tokens and (CLI only) for the floor.
row() {
	local floor tokens
	read -r -a floor <"$WORK/floor/$1"
	read -r -a tokens <"$WORK/tokens/$1"
	printf '| %-27s | %8.2f s | %8.2f s | %5.1f× | %13.2f s | %9.2f s | %6.2f s | %9.2f s |\n' "$2" \
		"${floor[0]}" "${tokens[0]}" "$(echo "${tokens[0]} / ${floor[0]}" | bc -l)" \
		"${floor[1]}" "${tokens[1]}" "${tokens[2]}" "${tokens[3]}"
}

for name in $BENCH_CLIS; do
	case "$name" in
	terraform) cli="$TERRAFORM_BIN" version="$TERRAFORM_VERSION" ;;
	tofu) cli="$TOFU_BIN" version="$TOFU_VERSION" ;;
	*) echo "bench: unknown CLI $name (terraform or tofu)" >&2; exit 1 ;;
	esac
	for n in $BENCH_N; do
		rm -rf "$WORK/floor" "$WORK/tokens"
		write_configs "$n"
		log "bench: $name $version, N = $n"
		: >"$BENCH_MEM_FILE"
		for _ in $(seq 1 "$BENCH_RUNS"); do
			measure "$cli" "$WORK/floor"
			measure "$cli" "$WORK/tokens"
		done
		peak="$(cut -d' ' -f1 "$BENCH_MEM_FILE" | sort -n | tail -n1)"
		echo
		echo "$name $version, N = $n (fastest of $BENCH_RUNS round(s); plan: of $BENCH_PLAN_RUNS per round)"
		echo "| step                        |    floor   | tokensmith | ratio  | CPU: CLI, floor | CLI, tokens | provider | tokensmithd |"
		echo "|-----------------------------|------------|------------|--------|-----------------|-------------|----------|-------------|"
		row plan "plan (refresh, no changes)"
		row apply "apply"
		row destroy "destroy"
		echo "provider peak RSS: $((peak / 1024)) MiB"
	done
done
