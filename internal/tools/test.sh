#!/usr/bin/env bash
# make test: vet, unit tests with the race detector, the acceptance tests once
# per CLI, then the docs freshness check. Every step runs; the exit status is
# non-zero when any failed. "unit" and "acceptance" run one half (make
# test-unit, make testacc).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# Two cores are the norm on the machines this runs on.
P="${TEST_P:-2}"
ACC_PARALLEL="${ACC_PARALLEL:-4}"
# ACC_RUN narrows the acceptance tests, e.g. make testacc ACC_RUN=TestAccProvider.
ACC_RUN="${ACC_RUN:-TestAcc}"
failed=()

step() {
	local name="$1" start=$SECONDS
	shift
	echo "==> $name"
	if "$@"; then
		echo "==> $name: ok ($(elapsed "$start"))"
	else
		echo "==> $name: FAILED ($(elapsed "$start"))"
		failed+=("$name")
	fi
}

# The tests of the PostgreSQL engine start their own server; here they
# must run, so its binaries are installed first and never skipped.
unit() {
	ensure_postgres || return 1
	env -u TF_ACC -u TOKENSMITH_TEST_POSTGRES go test -race -p "$P" ./...
}

# acceptance CLI NAME VERSION [extra env...]
acceptance() {
	local cli="$1" name="$2" version="$3"
	shift 3
	echo "acceptance: $name $version"
	env TF_ACC=1 TF_ACC_TERRAFORM_PATH="$cli" TF_CLI_CONFIG_FILE="$TF_CLI_CONFIG_FILE" "$@" \
		go test -count=1 -p "$P" -parallel "$ACC_PARALLEL" -timeout 30m -run "$ACC_RUN" ./internal/provider/...
}

docs_fresh() {
	if [ ! -d docs ]; then
		echo "docs/ does not exist yet; skipping the docs freshness check"
		return 0
	fi
	"$ROOT/internal/tools/docs.sh" || return 1
	if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		echo "not a git work tree; cannot compare docs/ with the committed version"
		return 1
	fi
	git diff --exit-code -- docs/ || {
		echo "docs/ is stale: run 'make docs' and commit the result"
		return 1
	}
	# Files tfplugindocs generated that were never committed.
	if [ -n "$(git ls-files -- docs/)" ] && [ -n "$(git ls-files --others --exclude-standard -- docs/)" ]; then
		git ls-files --others --exclude-standard -- docs/
		echo "docs/ has generated files that are not committed"
		return 1
	fi
}

run_unit() {
	step "go vet" go vet ./...
	# The console's browser tests run with the unit tests and need Chromium:
	# without it they fail, so it is found or installed first.
	step "chromium" ensure_chromium
	step "unit tests" unit
}

run_acceptance() {
	# Without the CLIs nothing below can run, so a failure here ends the run.
	local start=$SECONDS
	echo "==> tools"
	tools_ensure
	echo "==> tools: ok ($(elapsed "$start"))"
	step "acceptance terraform" acceptance "$TERRAFORM_BIN" terraform "$TERRAFORM_VERSION"
	# OpenTofu resolves the harness's provider address against its own
	# registry; without these the namespace "-" is rejected.
	step "acceptance tofu" acceptance "$TOFU_BIN" tofu "$TOFU_VERSION" \
		TF_ACC_PROVIDER_NAMESPACE=tokensmith TF_ACC_PROVIDER_HOST=registry.opentofu.org
	step "module tests" "$ROOT/internal/tools/module_test.sh" "$TERRAFORM_BIN" "$TOFU_BIN"
}

total=$SECONDS
case "${1:-all}" in
all)
	run_unit
	run_acceptance
	step "docs freshness" docs_fresh
	;;
unit) run_unit ;;
acceptance) run_acceptance ;;
*)
	echo "usage: $0 [all|unit|acceptance]" >&2
	exit 2
	;;
esac

echo "==> total $(elapsed "$total")"
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED: ${failed[*]}"
	exit 1
fi
echo "PASS"
