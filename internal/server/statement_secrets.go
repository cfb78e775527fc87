package server

import (
	"fmt"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// noSecretInStatements refuses statements with a well-formed access token in
// an action or a resource. The wider service's grammar accepts almost any
// word as a foreign action or resource kind, so a token pasted there would
// otherwise be stored, audited and shown to every reader of the grant.
func noSecretInStatements(field string, stmts []api.Statement) error {
	for i, s := range stmts {
		for _, l := range []struct {
			name   string
			values []string
		}{{"actions", s.Actions}, {"notActions", s.NotActions}, {"resources", s.Resources}, {"notResources", s.NotResources}} {
			for j, v := range l.values {
				if err := noSecret(fmt.Sprintf("%s[%d].%s[%d]", field, i, l.name, j), v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
