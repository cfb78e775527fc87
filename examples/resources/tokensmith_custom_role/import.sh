# A custom role is imported by its key.
terraform import tokensmith_custom_role.deployer deployer
