# Time passes on the backend's test clock (tokensmithd --test-clock); the
# provider takes "now" from the backend, so its rotation decisions follow.

variables {
  team      = "rotation"
  workspace = "platform"
}

run "create" {}

# OpenTofu 1.12 keeps the outputs of only the latest run of each module, so
# the first token is set aside before the module runs again.
run "remember_the_first_token" {
  module {
    source = "./tests/remember"
  }

  variables {
    token = { token_id = run.create.token_id, expires_at = run.create.expires_at }
  }
}

run "advance_to_eight_days_before_expiry" {
  module {
    source = "./tests/clock"
  }

  variables {
    advance = "528h"
  }
}

run "apply_eight_days_before_expiry" {}

run "kept_outside_the_window" {
  module {
    source = "./tests/compare"
  }

  variables {
    before = run.remember_the_first_token.token
    after  = { token_id = run.apply_eight_days_before_expiry.token_id, expires_at = run.apply_eight_days_before_expiry.expires_at }
  }

  assert {
    condition     = !output.replaced
    error_message = "The token was replaced 8 days before its expiry, outside rotate_before_days = 7."
  }
}

run "advance_to_six_days_before_expiry" {
  module {
    source = "./tests/clock"
  }

  variables {
    advance = "48h"
  }
}

run "apply_six_days_before_expiry" {}

run "replaced_inside_the_window" {
  module {
    source = "./tests/compare"
  }

  variables {
    before = run.remember_the_first_token.token
    after  = { token_id = run.apply_six_days_before_expiry.token_id, expires_at = run.apply_six_days_before_expiry.expires_at }
  }

  assert {
    condition     = output.replaced
    error_message = "The token was not replaced 6 days before its expiry, inside rotate_before_days = 7."
  }

  assert {
    condition     = output.outlives
    error_message = "The replacement does not outlive the token it replaced."
  }
}
