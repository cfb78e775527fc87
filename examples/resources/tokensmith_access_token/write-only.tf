# The secret comes from the configuration, through the write-only secret_wo:
# it is in neither the plan nor the state, and `token` stays null.
ephemeral "tokensmith_secret" "ci" {}

resource "tokensmith_access_token" "ci" {
  name              = "ci"
  role              = "reader"
  all_workspaces    = true
  secret_wo         = ephemeral.tokensmith_secret.ci.value
  secret_wo_version = 1
}

output "ci_token_last_four" {
  value = tokensmith_access_token.ci.token_last_four
}
