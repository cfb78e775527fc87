# The Tokensmith demo: run by `make demo` against a freshly started
# tokensmithd that has a second workspace named "platform".
#
# The provider reads its endpoint and token from TOKENSMITH_ENDPOINT and
# TOKENSMITH_TOKEN; the backend's self-signed certificate is passed as the
# ca_cert_file variable (TF_VAR_ca_cert_file).

terraform {
  required_providers {
    tokensmith = {
      source = "tokensmith/tokensmith"
    }
  }
}

variable "ca_cert_file" {
  description = "PEM file of the CA that issued the backend's certificate; null for a public CA or plain HTTP."
  type        = string
  default     = null
}

provider "tokensmith" {
  ca_cert_pem = var.ca_cert_file == null ? null : file(var.ca_cert_file)
}

data "tokensmith_workspace" "default" {
  name = "default"
}

data "tokensmith_workspace" "platform" {
  name = "platform"
}

# What a deployment pipeline may do: read workspaces, and manage tokens in
# the platform workspace only.
resource "tokensmith_custom_role" "deployer" {
  key         = "deployer"
  name        = "Deployer"
  description = "Reads workspaces; manages tokens in the platform workspace"
  permissions = ["WORKSPACE_READ"]

  policy_statements = [
    {
      effect    = "allow"
      actions   = ["ACCESS_TOKEN_READ", "ACCESS_TOKEN_WRITE"]
      resources = ["workspace/${data.tokensmith_workspace.platform.id}"]
    },
  ]
}

# A personal token for a developer, valid for 30 days, in one workspace.
resource "tokensmith_access_token" "developer" {
  name            = "demo-developer"
  description     = "Personal token for local development"
  role            = "writer"
  workspace_ids   = [data.tokensmith_workspace.platform.id]
  expires_in_days = 30
}

# A service token for the deployment pipeline, granted the custom role.
resource "tokensmith_access_token" "pipeline" {
  name          = "demo-pipeline"
  description   = "Service token of the deployment pipeline"
  service_token = true
  custom_roles  = [tokensmith_custom_role.deployer.key]
  workspace_ids = [data.tokensmith_workspace.default.id, data.tokensmith_workspace.platform.id]
}

output "workspaces" {
  value = {
    (data.tokensmith_workspace.default.name)  = data.tokensmith_workspace.default.id
    (data.tokensmith_workspace.platform.name) = data.tokensmith_workspace.platform.id
  }
}

output "custom_role" {
  value = {
    key = tokensmith_custom_role.deployer.key
    id  = tokensmith_custom_role.deployer.id
  }
}

# Names, ids, expiry and the last four characters only: the secrets stay in
# the state (read them with `terraform output -raw` on an output of their
# own, marked sensitive, if a pipeline needs them).
output "tokens" {
  value = {
    for t in [tokensmith_access_token.developer, tokensmith_access_token.pipeline] : t.name => {
      id         = t.id
      kind       = t.service_token ? "service" : "personal"
      last_four  = t.token_last_four
      expires_at = t.expires_at
    }
  }
}
