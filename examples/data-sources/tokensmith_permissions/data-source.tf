data "tokensmith_permissions" "all" {}

# Every read permission of the catalogue.
output "read_permissions" {
  value = [for name in data.tokensmith_permissions.all.names : name if endswith(name, "_READ")]
}

# The permissions a reader may hold.
output "reader_permissions" {
  value = [for p in data.tokensmith_permissions.all.permissions : p.name if contains(p.roles, "reader")]
}
