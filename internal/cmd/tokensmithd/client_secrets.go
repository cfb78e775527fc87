package main

import (
	"flag"
	"fmt"
	"strconv"
)

// registerAllowClientSecrets defines --allow-client-secrets
// (TOKENSMITH_ALLOW_CLIENT_SECRETS), server.Config.AllowClientSecrets. It is
// off by default: a supplied secret is checked for format, kind and reuse,
// but the server cannot tell whether it was drawn at random, so an operator
// turns it on for clients that generate secrets properly (the provider's
// tokensmith_secret does).
func registerAllowClientSecrets(fs *flag.FlagSet, dst *bool, set map[string]bool) error {
	v, err := strconv.ParseBool(envOr("TOKENSMITH_ALLOW_CLIENT_SECRETS", "false", set, "allow-client-secrets"))
	if err != nil {
		return fmt.Errorf("TOKENSMITH_ALLOW_CLIENT_SECRETS must be true or false")
	}
	fs.BoolVar(dst, "allow-client-secrets", v,
		"accept a client-supplied secret when creating or resetting a token (TOKENSMITH_ALLOW_CLIENT_SECRETS); off by default")
	return nil
}
