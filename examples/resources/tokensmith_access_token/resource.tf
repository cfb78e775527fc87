data "tokensmith_workspace" "default" {
  name = "default"
}

# A personal token with a built-in role, limited to one workspace, that
# expires 30 days after it is created.
resource "tokensmith_access_token" "ci" {
  name            = "ci"
  description     = "Used by the CI pipeline"
  role            = "writer"
  workspace_ids   = [data.tokensmith_workspace.default.id]
  expires_in_days = 30
}

# A service token granted a few catalogue permissions in every workspace.
resource "tokensmith_access_token" "metrics" {
  name           = "metrics-exporter"
  service_token  = true
  permissions    = ["METRICS_READ", "WORKSPACE_READ"]
  all_workspaces = true
  expires_at     = "2030-01-01T00:00:00Z"
}

# A token granted object by object: read and write APIs, read plans, and
# nothing about users. Each level stands for the object's permissions
# (read_only: API_READ; read_write: API_READ and API_WRITE).
resource "tokensmith_access_token" "api_publisher" {
  name           = "api-publisher"
  all_workspaces = true
  access = {
    api  = "read_write"
    plan = "read_only"
    user = "none"
  }
  expires_in_days = 90
}

# A token with an inline role: everything about the member's own tokens in
# any workspace, nothing about other members' tokens.
resource "tokensmith_access_token" "token_admin" {
  name           = "token-admin"
  all_workspaces = true
  inline_role = [
    {
      effect    = "allow"
      actions   = ["ACCESS_TOKEN_*"]
      resources = ["workspace/*", "org"]
    },
    {
      effect    = "deny"
      actions   = ["ACCESS_TOKEN_MANAGE"]
      resources = ["*"]
    },
  ]
}

# Hand the secret to whatever needs it without printing it.
output "ci_token" {
  value     = tokensmith_access_token.ci.token
  sensitive = true
}
