resource "tokensmith_custom_role" "deployer" {
  key  = "deployer"
  name = "Deployer"
  policy_statements = [
    { effect = "allow", actions = ["API_*"], resources = ["workspace/*"] },
    { effect = "deny", actions = ["API_WRITE"], resources = ["workspace/prod*"] },
  ]
}

# The role's grant, evaluated as the backend evaluates it. In a terraform
# test file the same call asserts it:
#
#   run "deployer_cannot_write_prod" {
#     command = plan
#     assert {
#       condition     = !provider::tokensmith::policy_allows(tokensmith_custom_role.deployer.policy_statements, "API_WRITE", "workspace/prod-eu")
#       error_message = "the deployer role must not write to production workspaces"
#     }
#   }
output "deployer_writes_staging" {
  value = provider::tokensmith::policy_allows(tokensmith_custom_role.deployer.policy_statements, "API_WRITE", "workspace/staging")
}
