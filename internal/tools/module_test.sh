#!/usr/bin/env bash
# Runs the `terraform test` suite of examples/module-testing against an
# in-memory tokensmithd, once per CLI given, the way the guide "Testing
# modules that use Tokensmith" tells CI to: start tokensmithd with an env
# file, load it, run the tests, stop tokensmithd.
#
# usage: module_test.sh CLI...
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# terraform test first appeared in Terraform 1.6; every OpenTofu this
# project accepts has it.
TEST_MIN=1.6.0
EXAMPLE="$ROOT/examples/module-testing"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tokensmith-module-test.XXXXXX")"
BACKEND_PID=""
stop_backend() {
	if [ -n "$BACKEND_PID" ] && kill -0 "$BACKEND_PID" 2>/dev/null; then
		kill -TERM "$BACKEND_PID" 2>/dev/null || true
		wait "$BACKEND_PID" 2>/dev/null || true
	fi
	BACKEND_PID=""
}
trap 'stop_backend; rm -rf "$WORK"' EXIT
chmod 700 "$WORK"

go build -o "$WORK/bin/tokensmithd" ./internal/cmd/tokensmithd
# A local mirror of the provider built from this tree, under both registry
# host names, so `init -plugin-dir` works offline for either CLI.
go build -o "$WORK/bin/terraform-provider-tokensmith" .
os_arch="$(go env GOOS)_$(go env GOARCH)"
for host in registry.terraform.io registry.opentofu.org; do
	dir="$WORK/plugins/$host/tokensmith/tokensmith/0.0.1/$os_arch"
	mkdir -p "$dir"
	cp "$WORK/bin/terraform-provider-tokensmith" "$dir/terraform-provider-tokensmith_v0.0.1"
done

# run_suite CLI: one tokensmithd and one `test` run for CLI.
run_suite() {
	local cli="$1" name version module env
	name="$(basename "$cli")"
	version="$(cli_version "$cli")"
	if ! version_ge "$version" "$TEST_MIN"; then
		echo "module tests: skipped on $name $version, which has no terraform test (it needs $TEST_MIN or later)"
		return 0
	fi
	echo "module tests: $name $version"
	module="$WORK/$name/module"
	env="$WORK/$name/tokensmith.env"
	mkdir -p "$WORK/$name"
	cp -R "$EXAMPLE" "$module"

	"$WORK/bin/tokensmithd" --in-memory --listen 127.0.0.1:0 --tls-self-signed --test-clock \
		--fixture "$EXAMPLE/fixture.json" --env-file "$env" 2>"$WORK/$name/tokensmithd.log" &
	BACKEND_PID=$!
	# The env file appears once tokensmithd accepts requests.
	for _ in $(seq 1 300); do
		[ -f "$env" ] && break
		kill -0 "$BACKEND_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -f "$env" ]; then
		echo "module tests: tokensmithd did not start:" >&2
		grep -v '"level":"INFO"' "$WORK/$name/tokensmithd.log" >&2 || true
		stop_backend
		return 1
	fi

	local status=0
	(
		set -a
		# shellcheck disable=SC1090
		. "$env"
		set +a
		export TF_IN_AUTOMATION=1
		"$cli" -chdir="$module" init -input=false -backend=false -plugin-dir="$WORK/plugins" >/dev/null
		"$cli" -chdir="$module" test -no-color
	) || status=$?
	stop_backend
	if [ "$status" -ne 0 ]; then
		echo "module tests: failed on $name $version; tokensmithd said:" >&2
		grep -v '"level":"\(INFO\|WARN\)"' "$WORK/$name/tokensmithd.log" >&2 || true
	fi
	return "$status"
}

failed=0
for cli in "$@"; do
	run_suite "$cli" || failed=1
done
exit "$failed"
