#!/usr/bin/env bash
# make demo: starts tokensmithd on a temporary embedded store with a
# self-signed certificate, applies examples/demo with the provider built from
# this tree, shows the result and a second plan with no changes, then stops
# the backend and removes everything it made.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

step() { printf '\n==> %s\n' "$*"; }

# A CLI: terraform from PATH, else tofu from PATH, else Terraform built here.
pick_cli() {
	local cli v
	for name in terraform tofu; do
		if cli="$(command -v "$name")" && v="$(cli_version "$cli")" && [ -n "$v" ]; then
			CLI="$cli" CLI_VERSION="$v"
			return
		fi
	done
	log "demo: neither terraform nor tofu is on PATH"
	ensure_terraform
	CLI="$TERRAFORM_BIN" CLI_VERSION="$TERRAFORM_VERSION"
}

step "Building the provider and tokensmithd"
cd "$ROOT"
go build -ldflags "-X main.version=0.0.0-demo" -o "$BIN/terraform-provider-tokensmith" .
go build -o "$BIN/tokensmithd" ./internal/cmd/tokensmithd
go build -o "$BIN/democtl" ./internal/tools/democtl
pick_cli
echo "using $CLI ($CLI_VERSION)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tokensmith-demo.XXXXXX")"
BACKEND_PID=""
cleanup() {
	if [ -n "$BACKEND_PID" ] && kill -0 "$BACKEND_PID" 2>/dev/null; then
		kill -TERM "$BACKEND_PID" 2>/dev/null || true
		wait "$BACKEND_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
chmod 700 "$WORK"

step "Starting tokensmithd (embedded SQLite in $WORK, self-signed TLS, a free port)"
# A known owner token, kept in this shell only: the demo never prints it.
TOKENSMITH_BOOTSTRAP_TOKEN="$("$BIN/democtl" token)"
export TOKENSMITH_BOOTSTRAP_TOKEN
"$BIN/tokensmithd" --listen 127.0.0.1:0 --data "$WORK/tokensmith.db" \
	--tls-self-signed --tls-ca-out "$WORK/ca.pem" 2>"$WORK/tokensmithd.log" &
BACKEND_PID=$!
ENDPOINT=""
for _ in $(seq 1 300); do
	ENDPOINT="$(sed -n 's/^tokensmithd listening on //p' "$WORK/tokensmithd.log")"
	[ -n "$ENDPOINT" ] && break
	kill -0 "$BACKEND_PID" 2>/dev/null || { cat "$WORK/tokensmithd.log" >&2; exit 1; }
	sleep 0.1
done
[ -n "$ENDPOINT" ] || { echo "tokensmithd did not start" >&2; cat "$WORK/tokensmithd.log" >&2; exit 1; }
sed 's/^/  /' "$WORK/tokensmithd.log"

export TOKENSMITH_ENDPOINT="$ENDPOINT"
export TOKENSMITH_TOKEN="$TOKENSMITH_BOOTSTRAP_TOKEN"
export TOKENSMITH_CA_FILE="$WORK/ca.pem"
export TF_VAR_ca_cert_file="$WORK/ca.pem"

step "Creating a second workspace, \"platform\""
"$BIN/democtl" workspace platform

# The CLI uses the provider just built, from bin/, and nothing else.
cat >"$WORK/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "tokensmith/tokensmith" = "$BIN"
  }
  direct {}
}
CFG
export TF_CLI_CONFIG_FILE="$WORK/cli.tfrc"
export TF_IN_AUTOMATION=1
mkdir "$WORK/config"
cp "$ROOT/examples/demo/main.tf" "$WORK/config/"
tf() { "$CLI" -chdir="$WORK/config" "$@"; }

step "$(basename "$CLI") plan"
tf plan -input=false -compact-warnings -out="$WORK/demo.plan"

step "$(basename "$CLI") apply"
tf apply -input=false -compact-warnings "$WORK/demo.plan"

step "Outputs (names, ids and last four characters; the secrets stay in the state)"
tf output

step "The web console"
OWNER_EMAIL="$(sed -n 's/^tokensmithd: created the organisation, owner \([^ ]*\) and workspace.*/\1/p' "$WORK/tokensmithd.log")"
echo "  address: $ENDPOINT/console/ (self-signed certificate: $WORK/ca.pem)"
echo "  sign in: as ${OWNER_EMAIL:-the owner} with a console password, which tokensmithd never makes up; set one with"
echo "    $BIN/tokensmithd set-password --email ${OWNER_EMAIL:-<email>} --data $WORK/tokensmith.db"
echo "  which reads it from stdin (or POST /api/v2/members/{id}/password with the owner token)."
echo "  This demo's tokensmithd stops below; against your own, the same two steps apply."

step "A second plan: nothing to change"
set +e
tf plan -input=false -compact-warnings -detailed-exitcode >"$WORK/replan.txt" 2>&1
code=$?
set -e
grep -E 'No changes|Plan:' "$WORK/replan.txt" || true
if [ "$code" -ne 0 ]; then
	cat "$WORK/replan.txt" >&2
	echo "demo: the second plan was not empty (exit $code)" >&2
	exit 1
fi

step "Stopping tokensmithd and removing $WORK"
