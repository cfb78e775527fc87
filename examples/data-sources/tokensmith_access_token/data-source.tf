variable "token_id" {
  type = string
}

# Metadata of a token, for example one created outside Terraform. The secret
# is never available here.
data "tokensmith_access_token" "existing" {
  id = var.token_id
}

output "token_last_used" {
  value = data.tokensmith_access_token.existing.last_used_at
}

output "token_expired" {
  value = data.tokensmith_access_token.existing.expired
}

# Uses over the last 30 days; a token at zero is a candidate for revocation.
output "token_uses_last_30_days" {
  value = data.tokensmith_access_token.existing.usage_total
}
