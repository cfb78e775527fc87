# Offboarding: revoke every token of a member who is leaving.
#
#   terraform apply -invoke=action.tokensmith_revoke_member_tokens.leaver
#
# The action runs on its own, without planning the rest of the
# configuration, and reports how many tokens it revoked.
data "tokensmith_member" "leaver" {
  email = "leaver@example.com"
}

action "tokensmith_revoke_member_tokens" "leaver" {
  config {
    member_id = data.tokensmith_member.leaver.id
  }
}

# Incident response: revoke a compromised service account's service tokens
# that reach the production workspace, whenever the incident record
# changes.
data "tokensmith_member" "ci_bot" {
  email = "ci-bot@example.com"
}

data "tokensmith_workspace" "production" {
  name = "production"
}

action "tokensmith_revoke_member_tokens" "ci_bot_production" {
  config {
    member_id     = data.tokensmith_member.ci_bot.id
    service_token = true
    workspace_id  = data.tokensmith_workspace.production.id
  }
}

variable "incident" {
  type    = string
  default = ""
}

resource "terraform_data" "incident" {
  input = var.incident

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.tokensmith_revoke_member_tokens.ci_bot_production]
    }
  }
}
