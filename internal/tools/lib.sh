# Shared by the scripts in internal/tools; source it, do not run it.
#
# tools_ensure finds the CLIs the acceptance tests run against and builds the
# missing ones into ./bin. Afterwards these are set:
#   TERRAFORM_BIN TERRAFORM_VERSION  Terraform from PATH (>= 1.5) or 1.5.7 built here
#   TOFU_BIN TOFU_VERSION            OpenTofu from PATH (>= 1.11) or 1.12.6 built here
#   TF_CLI_CONFIG_FILE               exported; our own (empty) CLI configuration
#
# ensure_postgres (also run by tools_ensure) finds PostgreSQL's server
# binaries for the tests of the PostgreSQL engine, installing Debian's
# packages when they are missing, and exports TOKENSMITH_POSTGRES_BIN.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/bin"

TERRAFORM_MIN=1.5.0
TERRAFORM_BUILD_VERSION=1.5.7
TOFU_MIN=1.11.0
TOFU_BUILD_VERSION=1.12.6

# The machine's TF_CLI_CONFIG_FILE may point anywhere, including at a file
# that does not exist, which makes OpenTofu print a warning that breaks
# version parsing in terraform-exec. Every CLI run here uses our own file.
mkdir -p "$BIN/.build"
[ -f "$BIN/terraformrc" ] || : >"$BIN/terraformrc"
export TF_CLI_CONFIG_FILE="$BIN/terraformrc"
export CHECKPOINT_DISABLE=1

log() { printf '%s\n' "$*" >&2; }

# version_ge A B: true when version A >= version B.
version_ge() {
	[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]
}

# cli_version CLI: prints the version a Terraform-compatible CLI reports,
# such as 1.11.4, or nothing when it does not run.
cli_version() {
	"$1" version 2>/dev/null | sed -n '1s/^[A-Za-z]* v//p'
}

# elapsed START: prints the seconds since START (a $SECONDS value).
elapsed() {
	local s=$((SECONDS - $1))
	printf '%dm%02ds' $((s / 60)) $((s % 60))
}

ensure_terraform() {
	local cli v start
	if cli="$(command -v terraform)" && v="$(cli_version "$cli")" && [ -n "$v" ] && version_ge "$v" "$TERRAFORM_MIN"; then
		TERRAFORM_BIN="$cli" TERRAFORM_VERSION="$v"
		return
	fi
	if [ -n "${cli:-}" ]; then
		log "tools: ignoring $cli (version ${v:-unknown}, need >= $TERRAFORM_MIN)"
	fi
	cli="$BIN/terraform"
	if [ "$(cli_version "$cli")" != "$TERRAFORM_BUILD_VERSION" ]; then
		log "tools: no usable terraform on PATH; building Terraform $TERRAFORM_BUILD_VERSION into bin/ (2 to 4 minutes on 2 cores)"
		start=$SECONDS
		GOBIN="$BIN/.build" go install "github.com/hashicorp/terraform@v$TERRAFORM_BUILD_VERSION"
		mv -f "$BIN/.build/terraform" "$cli"
		log "tools: built Terraform $TERRAFORM_BUILD_VERSION in $(elapsed "$start")"
	fi
	TERRAFORM_BIN="$cli" TERRAFORM_VERSION="$(cli_version "$cli")"
}

ensure_tofu() {
	local cli v
	if cli="$(command -v tofu)" && v="$(cli_version "$cli")" && [ -n "$v" ] && version_ge "$v" "$TOFU_MIN"; then
		TOFU_BIN="$cli" TOFU_VERSION="$v"
		return
	fi
	if [ -n "${cli:-}" ]; then
		log "tools: ignoring $cli (version ${v:-unknown}, need >= $TOFU_MIN)"
	fi
	build_tofu
}

# build_tofu makes bin/tofu the pinned OpenTofu release, building it unless
# it already is.
build_tofu() {
	local cli="$BIN/tofu" start
	if [ "$(cli_version "$cli")" != "$TOFU_BUILD_VERSION" ]; then
		log "tools: building OpenTofu $TOFU_BUILD_VERSION into bin/ (3 to 4 minutes on 2 cores)"
		start=$SECONDS
		# The wrapper module in tofubuild pins the release and repeats the
		# replace directive of OpenTofu's own go.mod. dev=no drops the -dev
		# suffix so the binary reports the release version.
		(cd "$ROOT/internal/tools/tofubuild" &&
			go build -ldflags "-X github.com/opentofu/opentofu/version.dev=no" \
				-o "$BIN/.build/tofu" github.com/opentofu/opentofu/cmd/tofu)
		mv -f "$BIN/.build/tofu" "$cli"
		log "tools: built OpenTofu $TOFU_BUILD_VERSION in $(elapsed "$start")"
	fi
	TOFU_BIN="$cli" TOFU_VERSION="$(cli_version "$cli")"
}

# ensure_chromium finds the Chromium the console's browser tests drive, and
# installs Debian's package when there is none. It fails, never skips, when
# no browser can be had: the browser tests are part of make test.
ensure_chromium() {
	local bin
	bin="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
	if [ -z "$bin" ]; then
		local start=$SECONDS
		log "tools: Chromium not found; installing Debian's chromium package"
		local sudo=""
		[ "$(id -u)" -eq 0 ] || sudo="sudo"
		if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null; }; then
			log "tools: could not install Chromium (apt-get install chromium); the console's browser tests need it"
			return 1
		fi
		bin="$(command -v chromium)"
		log "tools: installed Chromium in $(elapsed "$start")"
	fi
	CHROMIUM_BIN="$bin" CHROMIUM_VERSION="$("$bin" --version 2>/dev/null | head -n1)"
}

# postgres_bin prints the first directory holding initdb and pg_ctl.
postgres_bin() {
	local d
	for d in "${TOKENSMITH_POSTGRES_BIN:-}" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) \
		"$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")"; do
		if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			printf '%s\n' "$d"
			return 0
		fi
	done
	return 1
}

ensure_postgres() {
	local d start sudo=
	if ! d="$(postgres_bin)"; then
		log "tools: PostgreSQL server binaries (initdb, pg_ctl) not found; installing Debian's postgresql package"
		start=$SECONDS
		if [ "$(id -u)" -ne 0 ]; then
			sudo=sudo
		fi
		$sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2 || true
		if ! d="$(postgres_bin)"; then
			log "tools: PostgreSQL could not be installed; the tests of the PostgreSQL engine cannot run"
			return 1
		fi
		log "tools: installed PostgreSQL in $(elapsed "$start")"
	fi
	export TOKENSMITH_POSTGRES_BIN="$d"
}

tools_ensure() {
	ensure_postgres
	ensure_terraform
	ensure_tofu
	ensure_chromium
}
