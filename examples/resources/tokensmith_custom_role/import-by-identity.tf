# A custom role is identified by its key.
import {
  to = tokensmith_custom_role.deployer
  identity = {
    key = "deployer"
  }
}
