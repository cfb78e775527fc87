#!/usr/bin/env bash
# make docs: regenerates docs/ with tfplugindocs without downloading anything.
#
# tfplugindocs would normally build the provider and download Terraform to
# export its schema. Here the schema is exported with a CLI we already have
# (>= 1.12, so ephemeral resources, functions and identity are included) and
# handed to tfplugindocs as a file.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SCHEMA_MIN=1.12.0

# Prefer OpenTofu (built or found by tools_ensure), then Terraform from PATH.
tools_ensure
cli=""
for c in "$TOFU_BIN" "$TERRAFORM_BIN"; do
	v="$(cli_version "$c")"
	if [ -n "$v" ] && version_ge "$v" "$SCHEMA_MIN"; then
		cli="$c"
		break
	fi
done
if [ -z "$cli" ]; then
	log "docs: no CLI >= $SCHEMA_MIN found; using OpenTofu $TOFU_BUILD_VERSION from bin/"
	build_tofu
	cli="$TOFU_BIN"
fi
echo "docs: exporting the provider schema with $cli ($(cli_version "$cli"))"

# tfplugindocs looks the provider up in the schema JSON as "<name>" or
# "registry.terraform.io/hashicorp/<name>", so the scratch configuration uses
# the latter address (as tfplugindocs itself does); the binary does not care.
work="$BIN/docs"
os_arch="$(go env GOOS)_$(go env GOARCH)"
plugin_dir="$work/plugins/registry.terraform.io/hashicorp/tokensmith/0.0.1/$os_arch"
rm -rf "$work"
mkdir -p "$plugin_dir"
go build -o "$plugin_dir/terraform-provider-tokensmith_v0.0.1" .
cat >"$work/main.tf" <<'TF'
terraform {
  required_providers {
    tokensmith = {
      source  = "registry.terraform.io/hashicorp/tokensmith"
      version = "0.0.1"
    }
  }
}
TF
"$cli" -chdir="$work" init -input=false -backend=false -plugin-dir=./plugins >/dev/null
"$cli" -chdir="$work" providers schema -json >"$work/schema.json"

go tool tfplugindocs generate --provider-name tokensmith --providers-schema "$work/schema.json"
go tool tfplugindocs validate --provider-name tokensmith --providers-schema "$work/schema.json"
