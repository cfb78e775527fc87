# Moves the clock of a tokensmithd started with --test-clock, for run blocks
# that need time to pass. It reads the same environment as the provider
# (TOKENSMITH_ENDPOINT, TOKENSMITH_TOKEN, TOKENSMITH_CA_CERT_FILE).

variable "advance" {
  description = "How far to move the clock, as a duration such as 576h."
  type        = string
}

resource "terraform_data" "advance" {
  # Runs that use this module share its state: a new resource every time
  # makes every run move the clock, not only the first.
  triggers_replace = timestamp()

  provisioner "local-exec" {
    command = <<-EOT
      curl --fail --silent --show-error \
        $${TOKENSMITH_CA_CERT_FILE:+--cacert "$TOKENSMITH_CA_CERT_FILE"} \
        -H "Authorization: Bearer $TOKENSMITH_TOKEN" \
        -H "Content-Type: application/json" \
        -d '{"advance":"${var.advance}"}' \
        "$TOKENSMITH_ENDPOINT/api/v2/test/clock"
    EOT
  }
}
