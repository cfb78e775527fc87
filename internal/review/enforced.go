package review

import (
	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
)

// enforced keeps what each statement takes effect on here
// (policy.Enforced): statements whose actions or resources are all foreign
// grant and deny nothing, and are left out; foreign values in a negated
// list exclude nothing, so allow with notResources ["proj/*"] is
// compared as the allow on "*" it is.
func enforced(stmts []api.Statement) []api.Statement {
	var out []api.Statement
	for _, s := range stmts {
		e, ok := policy.Enforced(s)
		if ok {
			out = append(out, e)
		}
	}
	return out
}
