package review

import (
	"fmt"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// Summary is the headline of the diagnostic that carries a description.
const Summary = "Change Widens Access"

// Describe renders w for a plan reviewer, one line per kind of widening in a
// fixed order, for example
//
//	tokensmith_access_token.ci widens access:
//	  + role: reader -> writer (adds API_WRITE, APPLICATION_WRITE)
//	  + workspaces: ws-123
//
// It returns "" when w is empty.
func (w Widening) Describe(resourceAddress string) string {
	if w.Empty() {
		return ""
	}
	var b strings.Builder
	b.WriteString(resourceAddress + " widens access:")
	line := func(sign, label, text string) {
		fmt.Fprintf(&b, "\n  %s %s: %s", sign, label, text)
	}
	if r := w.Role; r != nil {
		text := r.To
		if r.From != "" {
			text = r.From + " -> " + r.To
		}
		if len(r.Adds) > 0 {
			text += " (adds " + strings.Join(r.Adds, ", ") + ")"
		}
		line("+", "role", text)
	}
	if r := w.Base; r != nil {
		text := r.From + " -> " + r.To
		if len(r.Adds) > 0 {
			text += " (adds " + strings.Join(r.Adds, ", ") + ")"
		}
		line("+", "base permissions", text)
	}
	if len(w.Permissions) > 0 {
		line("+", "permissions", strings.Join(w.Permissions, ", "))
	}
	for _, a := range w.Access {
		text := a.Object + ": " + a.From + " -> " + a.To
		if len(a.Adds) > 0 {
			text += " (adds " + strings.Join(a.Adds, ", ") + ")"
		}
		line("+", "access", text)
	}
	if len(w.CustomRoles) > 0 {
		line("+", "custom roles", strings.Join(w.CustomRoles, ", "))
	}
	for _, s := range w.AllowsAdded {
		line("+", "allow", describeStatement(s))
	}
	for _, s := range w.DeniesRemoved {
		line("-", "deny", describeStatement(s))
	}
	if len(w.Workspaces) > 0 {
		line("+", "workspaces", strings.Join(w.Workspaces, ", "))
	}
	if w.AllWorkspaces {
		line("+", "workspaces", "all (every current and future workspace)")
	}
	return b.String()
}

// DescribeCustomRole is Describe for a custom role, followed by how many
// access tokens use the role and so gain the access.
func (w Widening) DescribeCustomRole(resourceAddress string, tokens int) string {
	d := w.Describe(resourceAddress)
	if d == "" {
		return ""
	}
	switch {
	case tokens <= 0:
		return d + "\n  No access token uses this role yet."
	case tokens == 1:
		return d + "\n  1 access token uses this role and gains this access."
	default:
		return fmt.Sprintf("%s\n  %d access tokens use this role and gain this access.", d, tokens)
	}
}

// describeStatement renders a statement without its effect:
// "API_READ, API_WRITE on workspace/ws-1", "every action except
// TOKEN_INTROSPECT on *", "API_READ on every resource except org".
func describeStatement(s api.Statement) string {
	var b strings.Builder
	switch {
	case len(s.Actions) > 0:
		b.WriteString(strings.Join(s.Actions, ", "))
	case len(s.NotActions) > 0:
		b.WriteString("every action except " + strings.Join(s.NotActions, ", "))
	default:
		b.WriteString("no action")
	}
	b.WriteString(" on ")
	switch {
	case len(s.Resources) > 0:
		b.WriteString(strings.Join(s.Resources, ", "))
	case len(s.NotResources) > 0:
		b.WriteString("every resource except " + strings.Join(s.NotResources, ", "))
	default:
		b.WriteString("no resource")
	}
	return b.String()
}
