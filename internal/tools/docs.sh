#!/usr/bin/env bash
# make docs: regenerates docs/ with tfplugindocs without downloading anything.
#
# tfplugindocs would normally build the provider and download Terraform to
# export its schema. Here the schema is exported from the provider's own
# GetProviderSchema (internal/tools/schemaexport), in the JSON shape of
# `providers schema -json`: it covers every type the provider serves,
# including actions and list resources, which no CLI available here exports.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

work="$BIN/docs"
rm -rf "$work"
mkdir -p "$work"
echo "docs: exporting the provider schema from the provider itself"
go run ./internal/tools/schemaexport >"$work/schema.json"

go tool tfplugindocs generate --provider-name tokensmith --providers-schema "$work/schema.json"
go tool tfplugindocs validate --provider-name tokensmith --providers-schema "$work/schema.json"
