# A service token owned by a service account, found by its email address:
# the token acts as that member and can do no more than their role allows.
data "tokensmith_member" "deploy_bot" {
  email = "deploy-bot@example.com"
}

resource "tokensmith_access_token" "deploy_bot" {
  name           = "deploy-bot"
  member_id      = data.tokensmith_member.deploy_bot.id
  role           = "writer"
  service_token  = true
  all_workspaces = true
}
