package server

import (
	"fmt"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
)

// Statements that name only the wider service's resources or actions are
// stored as sent but match nothing here. Every response carrying them says
// which they are (notEnforced) and every audit record of a write does too,
// so that nobody mistakes them for access control this backend applies.

// notEnforced returns the indexes of the statements with no effect here.
func notEnforced(stmts []api.Statement) []int {
	return policy.NotEnforced(stmts)
}

// notEnforcedDetail is the audit detail suffix naming them, such as
// " notEnforced=inlineRole[0],inlineRole[2]"; "" when every statement
// takes effect.
func notEnforcedDetail(field string, stmts []api.Statement) string {
	idx := notEnforced(stmts)
	if len(idx) == 0 {
		return ""
	}
	names := make([]string, len(idx))
	for i, n := range idx {
		names[i] = fmt.Sprintf("%s[%d]", field, n)
	}
	return " notEnforced=" + strings.Join(names, ",")
}
