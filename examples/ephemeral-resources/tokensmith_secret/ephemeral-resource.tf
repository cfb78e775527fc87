# A long-lived service token whose secret is in neither the plan nor the
# state. The provider generates the secret; the same ephemeral value goes to
# the token's write-only secret_wo and to the write-only argument of the
# secret store its consumer reads from (here AWS Secrets Manager).
ephemeral "tokensmith_secret" "deployer" {
  service_token = true
}

resource "tokensmith_access_token" "deployer" {
  name              = "deployer"
  role              = "writer"
  service_token     = true
  all_workspaces    = true
  expires_in_days   = 365
  secret_wo         = ephemeral.tokensmith_secret.deployer.value
  secret_wo_version = local.deployer_secret_version
}

resource "aws_secretsmanager_secret" "deployer" {
  name = "tokensmith/deployer"
}

resource "aws_secretsmanager_secret_version" "deployer" {
  secret_id                = aws_secretsmanager_secret.deployer.id
  secret_string_wo         = ephemeral.tokensmith_secret.deployer.value
  secret_string_wo_version = local.deployer_secret_version
}

# Bump this to rotate: the next apply resets the token's secret in place and
# stores the new value, from the same run's generator, in the secret store.
locals {
  deployer_secret_version = 1
}

output "deployer_token_last_four" {
  value = tokensmith_access_token.deployer.token_last_four
}
