package review

import "github.com/tokensmith/terraform-provider-tokensmith/internal/policy"

// enforced keeps what each statement takes effect on here (policy's
// Statement.Enforced): statements whose actions or resources are all
// foreign grant and deny nothing, and are left out; foreign values in a
// negated list exclude nothing, so allow with notResources ["proj/*"] is
// compared as the allow on "*" it is.
func enforced(stmts []Statement) []Statement {
	var out []Statement
	for _, s := range stmts {
		e, ok := policy.Statement(s).Enforced()
		if ok {
			out = append(out, Statement(e))
		}
	}
	return out
}
