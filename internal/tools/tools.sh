#!/usr/bin/env bash
# Finds or builds the Terraform and OpenTofu CLIs the acceptance tests use,
# and finds or installs the PostgreSQL server the store tests start.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

tools_ensure
echo "terraform: $TERRAFORM_BIN ($TERRAFORM_VERSION)"
echo "tofu:      $TOFU_BIN ($TOFU_VERSION)"
echo "chromium:  $CHROMIUM_BIN ($CHROMIUM_VERSION)"
echo "postgres:  $TOKENSMITH_POSTGRES_BIN"
echo "CLI config: $TF_CLI_CONFIG_FILE"
