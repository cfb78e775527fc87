data "tokensmith_custom_role" "auditor" {
  key = "auditor"
}

output "auditor_tokens" {
  value = data.tokensmith_custom_role.auditor.token_count
}
