variables {
  team      = "payments"
  workspace = "platform"
}

run "names_follow_the_team" {
  command = plan

  assert {
    condition     = tokensmith_access_token.pipeline.name == "payments-pipeline"
    error_message = "The token is not named after the team."
  }

  assert {
    condition     = tokensmith_custom_role.deployer.key == "payments-deployer"
    error_message = "The role is not named after the team."
  }
}

run "rotation_window_must_fit_the_lifetime" {
  command = plan

  variables {
    expires_in_days    = 7
    rotate_before_days = 7
  }

  expect_failures = [tokensmith_access_token.pipeline]
}

run "team_names_are_checked" {
  command = plan

  variables {
    team = "Payments Team"
  }

  expect_failures = [var.team]
}

run "create" {
  assert {
    condition     = output.workspace_id == data.tokensmith_workspace.this.id
    error_message = "The role and token are not scoped to the platform workspace."
  }

  assert {
    condition     = startswith(nonsensitive(output.token), "tsm_svc_") && endswith(nonsensitive(output.token), output.token_last_four)
    error_message = "The pipeline did not get a service token."
  }

  assert {
    condition     = tokensmith_access_token.pipeline.custom_roles == toset([output.role_key])
    error_message = "The token does not hold the deployer role."
  }
}
