data "tokensmith_permissions" "all" {}

# Every read permission of the catalogue.
output "read_permissions" {
  value = [for name in data.tokensmith_permissions.all.names : name if endswith(name, "_READ")]
}

# The objects an access map may name, with the levels each offers.
output "object_levels" {
  value = { for o in data.tokensmith_permissions.all.objects : o.name => [for l in o.levels : l.level] }
}

# The permissions a reader may hold.
output "reader_permissions" {
  value = [for p in data.tokensmith_permissions.all.permissions : p.name if contains(p.roles, "reader")]
}
