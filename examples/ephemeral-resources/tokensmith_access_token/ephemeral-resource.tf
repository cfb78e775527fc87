# A CI job gets a token of its own that lives for one Terraform run and never
# reaches the plan or the state: it is created when Terraform opens the
# ephemeral resource and deleted when the run ends. ttl is the backstop
# should the deletion fail.
data "tokensmith_workspace" "staging" {
  name = "staging"
}

ephemeral "tokensmith_access_token" "deploy" {
  name_prefix   = "ci-deploy-"
  description   = "Deployment pipeline run"
  role          = "writer"
  workspace_ids = [data.tokensmith_workspace.staging.id]
  ttl           = "30m"
}

# The job then acts with the short-lived token, limited to what it grants:
# here through a second configuration of this provider. Ephemeral values can
# also configure other providers or feed write-only arguments.
provider "tokensmith" {
  alias    = "deploy"
  endpoint = "https://tokens.example.com"
  token    = ephemeral.tokensmith_access_token.deploy.token

  # The same CA as the default configuration of the provider, when the
  # backend's certificate is issued by a private CA (or TOKENSMITH_CA_CERT_FILE).
  ca_cert_pem = file("${path.module}/tokensmith-ca.pem")
}

data "tokensmith_caller_identity" "deploy" {
  provider = tokensmith.deploy
}

output "deploy_token_member" {
  value = data.tokensmith_caller_identity.deploy.member_id
}
