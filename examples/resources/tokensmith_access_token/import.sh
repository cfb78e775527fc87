# An access token is imported by its id. The backend never shows a secret
# again, so after an import the token attribute is null.
terraform import tokensmith_access_token.ci 65f1c0ffee0123456789abcd
