# A module that gives a team what its deployment pipeline needs: a custom
# role limited to the team's workspace and a service token holding it,
# replaced shortly before it expires. Its tests in tests/ run against an
# in-memory tokensmithd (see the guide "Testing modules that use
# Tokensmith").

terraform {
  required_providers {
    tokensmith = {
      source = "tokensmith/tokensmith"
    }
  }
}

variable "team" {
  description = "Short name of the team; names the role and the token."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.team))
    error_message = "team must be 2 to 31 lowercase letters, digits and dashes, starting with a letter."
  }
}

variable "workspace" {
  description = "Name of the workspace the pipeline deploys to."
  type        = string
}

variable "expires_in_days" {
  description = "Lifetime of the pipeline's token."
  type        = number
  default     = 30
}

variable "rotate_before_days" {
  description = "How many days before its expiry the token is replaced."
  type        = number
  default     = 7
}

data "tokensmith_workspace" "this" {
  name = var.workspace
}

resource "tokensmith_custom_role" "deployer" {
  key         = "${var.team}-deployer"
  name        = "${var.team} deployer"
  permissions = ["WORKSPACE_READ"]

  policy_statements = [
    {
      effect    = "allow"
      actions   = ["ACCESS_TOKEN_READ", "ACCESS_TOKEN_WRITE"]
      resources = ["workspace/${data.tokensmith_workspace.this.id}"]
    },
  ]
}

resource "tokensmith_access_token" "pipeline" {
  name               = "${var.team}-pipeline"
  service_token      = true
  custom_roles       = [tokensmith_custom_role.deployer.key]
  workspace_ids      = [data.tokensmith_workspace.this.id]
  expires_in_days    = var.expires_in_days
  rotate_before_days = var.rotate_before_days

  lifecycle {
    create_before_destroy = true

    # The provider reports its own refusals as errors, which a test cannot
    # expect; the module states its rules as preconditions, which it can.
    precondition {
      condition     = var.rotate_before_days < var.expires_in_days
      error_message = "rotate_before_days (${var.rotate_before_days}) must be less than expires_in_days (${var.expires_in_days}), or the token would be replaced on every plan."
    }
  }
}

output "role_key" {
  value = tokensmith_custom_role.deployer.key
}

output "workspace_id" {
  value = data.tokensmith_workspace.this.id
}

output "token_id" {
  value = tokensmith_access_token.pipeline.id
}

output "token_last_four" {
  value = tokensmith_access_token.pipeline.token_last_four
}

output "expires_at" {
  value = tokensmith_access_token.pipeline.expires_at
}

output "token" {
  value     = tokensmith_access_token.pipeline.token
  sensitive = true
}
