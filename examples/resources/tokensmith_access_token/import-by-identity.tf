# An access token is identified by its id. The backend never shows a secret
# again, so after an import the token attribute is null.
import {
  to = tokensmith_access_token.ci
  identity = {
    id = "65f1c0ffee0123456789abcd"
  }
}
