# roles.tfquery.hcl: the custom roles of one team, by key prefix.
#
#   terraform query -generate-config-out=roles.tf
list "tokensmith_custom_role" "team_a" {
  provider = tokensmith

  config {
    key_prefix = "team-a-"
  }
}
