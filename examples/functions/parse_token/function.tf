# Checks a secret handed in from outside before it is used, without sending
# it anywhere: a typo or a truncated paste fails the plan.
variable "deploy_token" {
  type      = string
  sensitive = true

  validation {
    condition     = provider::tokensmith::parse_token(var.deploy_token).checksum_valid
    error_message = "deploy_token is not a well-formed Tokensmith token (wrong prefix, length or checksum)."
  }
}

output "deploy_token_kind" {
  value = nonsensitive(provider::tokensmith::parse_token(var.deploy_token).kind)
}
