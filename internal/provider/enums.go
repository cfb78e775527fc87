package provider

import (
	"fmt"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
)

// The string enums of the provider live here so that validators and
// documentation are built from the same list and cannot disagree.
var (
	tokenRoles       = api.TokenRoles()
	basePermissions  = api.BasePermissions()
	statementEffects = []string{api.EffectAllow, api.EffectDeny}
	accessLevels     = catalogue.AccessLevels()
	// permissionReviewModes are the values of the provider's
	// permission_review; the first is the default.
	permissionReviewModes = []string{permissionReviewWarn, permissionReviewError, permissionReviewOff}
)

// What the plan does with a change that widens access.
const (
	permissionReviewWarn  = "warn"
	permissionReviewError = "error"
	permissionReviewOff   = "off"
)

// customRoleKeyPattern is the rule the backend applies to custom role keys.
const customRoleKeyPattern = api.CustomRoleKeyPattern

// oneOfMarkdown renders "one of `a`, `b` or `c`" for MarkdownDescription.
func oneOfMarkdown(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	if len(quoted) == 1 {
		return "`" + values[0] + "`"
	}
	return fmt.Sprintf("one of %s or %s", strings.Join(quoted[:len(quoted)-1], ", "), quoted[len(quoted)-1])
}
