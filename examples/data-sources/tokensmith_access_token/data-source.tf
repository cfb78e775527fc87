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
