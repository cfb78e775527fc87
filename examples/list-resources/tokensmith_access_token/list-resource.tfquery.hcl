# tokens.tfquery.hcl: service tokens of every member not used for 90 days.
#
#   terraform query                                      # lists them
#   terraform query -generate-config-out=generated.tf    # import blocks and configuration
#
# The generated configuration plans no changes once imported; `token` stays
# null, since the backend never shows a secret again.
list "tokensmith_access_token" "stale_service_tokens" {
  provider = tokensmith

  config {
    all_members     = true
    service_token   = true
    unused_for_days = 90
  }
}
