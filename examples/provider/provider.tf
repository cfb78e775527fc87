# The endpoint and the token can also come from the TOKENSMITH_ENDPOINT and
# TOKENSMITH_TOKEN environment variables, which keeps the token out of the
# configuration.
provider "tokensmith" {
  endpoint = "https://tokens.example.com"
  token    = var.tokensmith_token

  # Only needed when the backend's certificate is issued by a private CA.
  ca_cert_pem = file("${path.module}/tokensmith-ca.pem")

  max_retries     = 3
  request_timeout = "30s"
}

variable "tokensmith_token" {
  type      = string
  sensitive = true
}
