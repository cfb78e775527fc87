resource "tokensmith_custom_role" "deployer" {
  key              = "deployer"
  name             = "Deployer"
  description      = "Reads workspaces and manages tokens in them"
  base_permissions = "no_access" # the default; "reader" adds every read permission
  permissions      = ["WORKSPACE_READ"]

  policy_statements = [
    {
      effect    = "allow"
      actions   = ["ACCESS_TOKEN_READ", "ACCESS_TOKEN_WRITE"]
      resources = ["workspace/*"]
    },
    {
      effect        = "deny"
      actions       = ["*"]
      not_resources = ["workspace/*"]
    },
  ]
}

# A role granted object by object, with a plain permission beside it.
# permissions may not name a permission of an object that access sets.
resource "tokensmith_custom_role" "publisher" {
  key         = "publisher"
  name        = "Publisher"
  permissions = ["METRICS_READ"]
  access = {
    api         = "read_write"
    application = "read_only"
  }
}

# Tokens refer to custom roles by key.
resource "tokensmith_access_token" "deploy" {
  name           = "deploy"
  custom_roles   = [tokensmith_custom_role.deployer.key]
  all_workspaces = true
}
