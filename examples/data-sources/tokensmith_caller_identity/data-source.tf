data "tokensmith_caller_identity" "current" {}

output "provider_member" {
  value = data.tokensmith_caller_identity.current.member_email
}

output "provider_permissions" {
  value = data.tokensmith_caller_identity.current.effective_permissions
}
