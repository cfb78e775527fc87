# Hands a value from an earlier run to later ones.

variable "token" {
  description = "token_id and expires_at of a run."
  type        = object({ token_id = string, expires_at = string })
}

output "token" {
  value = var.token
}
