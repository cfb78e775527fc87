data "tokensmith_workspaces" "all" {}

# A token for every workspace of the organisation, listed explicitly, so
# that workspaces created later are not included.
resource "tokensmith_access_token" "current_workspaces" {
  name          = "current-workspaces"
  role          = "reader"
  workspace_ids = data.tokensmith_workspaces.all.ids
}

output "workspace_names" {
  value = data.tokensmith_workspaces.all.workspaces[*].name
}
