# Compares the token of two earlier runs, for assertions that span runs
# (run outputs can be passed as variables on Terraform and OpenTofu alike).

variable "before" {
  description = "token_id and expires_at of the earlier run."
  type        = object({ token_id = string, expires_at = string })
}

variable "after" {
  description = "token_id and expires_at of the later run."
  type        = object({ token_id = string, expires_at = string })
}

output "replaced" {
  value = var.before.token_id != var.after.token_id
}

output "outlives" {
  value = timecmp(var.after.expires_at, var.before.expires_at) > 0
}
