# By name...
data "tokensmith_workspace" "default" {
  name = "default"
}

# ...or by id.
data "tokensmith_workspace" "same" {
  id = data.tokensmith_workspace.default.id
}

output "default_workspace_owner" {
  value = data.tokensmith_workspace.default.owner_id
}
