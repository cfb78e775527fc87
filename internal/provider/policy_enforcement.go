package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
)

// Statements may name the resources and actions of the wider service whose
// API the backend speaks ("proj/*:env/production", "updateOn"), so that
// policies written for it load unchanged. The backend stores them as sent
// but they match nothing of its own: a statement left with nothing to match
// is reported here as a warning on that statement, never as an error.
// Statements that do take effect, such as allow with not_resources naming
// only foreign resources (which applies to every resource), are reviewed
// like any other by internal/review.

// notEnforcedSummary is the summary of the warning.
const notEnforcedSummary = "Policy Statement Not Enforced"

// warnNotEnforced warns about every wholly known statement of set (the
// attribute attrName of owner) that has no effect on the backend.
func warnNotEnforced(ctx context.Context, set types.Set, attrName, owner string, diags *diag.Diagnostics) {
	if set.IsNull() || set.IsUnknown() {
		return
	}
	for _, e := range set.Elements() {
		obj, ok := e.(types.Object)
		if !ok || obj.IsNull() || !fullyKnown(ctx, obj) {
			continue
		}
		var m policyStatementModel
		if obj.As(ctx, &m, basetypes.ObjectAsOptions{}).HasError() {
			continue
		}
		s := api.Statement{Effect: m.Effect.ValueString()}
		s.Actions, _ = knownStrings(m.Actions)
		s.NotActions, _ = knownStrings(m.NotActions)
		s.Resources, _ = knownStrings(m.Resources)
		s.NotResources, _ = knownStrings(m.NotResources)
		if _, enforced := policy.Enforced(s); enforced {
			continue
		}
		if why := notEnforcedReason(s); why != "" {
			// The summary names the resource and the statement: the CLIs fold
			// warnings that share a summary into "similar warnings", which
			// would hide every listing but the first.
			diags.AddAttributeWarning(path.Root(attrName).AtSetValue(obj), reviewSummary(notEnforcedSummary, owner+": "+why),
				fmt.Sprintf("A statement in %s of %s: %s: the statement is stored but has no effect here.", attrName, owner, why))
		}
	}
}

// notEnforcedReason says what in s names nothing of the backend, in the
// words of the warning; "" for a statement that is malformed rather than
// foreign (the backend's dry run reports those).
func notEnforcedReason(s api.Statement) string {
	switch {
	case len(s.Resources) > 0 && !anyOwn(s.Resources, policy.IsOwnResource):
		return fmt.Sprintf("%s %s no resource of this backend", codeList(s.Resources), verb(len(s.Resources)))
	case len(s.Actions) > 0 && !anyOwn(s.Actions, policy.IsOwnAction):
		return fmt.Sprintf("%s %s no permission of this backend", codeList(s.Actions), verb(len(s.Actions)))
	}
	return ""
}

func anyOwn(values []string, own func(string) bool) bool {
	for _, v := range values {
		if own(v) {
			return true
		}
	}
	return false
}

func verb(n int) string {
	if n == 1 {
		return "names"
	}
	return "name"
}

// codeList renders values as `a`, `b`.
func codeList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}
