package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

// addAPIError reports a failed API call. The summary is the Title Case
// headline ("Unable to Create Access Token"), what names the object the call
// was about; the detail carries the backend's own message. When the backend
// names the field at fault and fields maps it to an attribute, the
// diagnostic is attached to that attribute.
func addAPIError(diags *diag.Diagnostics, summary, what string, err error, fields map[string]path.Path) {
	apiErr, ok := client.AsError(err)
	if !ok {
		diags.AddError(summary, fmt.Sprintf("%s: %s", what, withSettingHint(err)))
		return
	}
	p := apiErr.Problem
	msg := p.Detail
	if msg == "" {
		msg = p.Message
	}
	if msg == "" {
		msg = p.Title
	}
	attr, attached := fields[fieldRoot(p.Field)]
	if attached {
		msg = withoutElementIndex(msg, p.Field, attr)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", what, msg)
	if len(p.Missing) > 0 && !strings.Contains(msg, p.Missing[0]) {
		fmt.Fprintf(&b, "\n\nMissing permissions: %s.", strings.Join(p.Missing, ", "))
	}
	if p.Limit > 0 && !strings.Contains(msg, fmt.Sprint(p.Limit)) {
		fmt.Fprintf(&b, "\n\nThe limit is %d.", p.Limit)
	}
	fmt.Fprintf(&b, "\n\n(HTTP %d", apiErr.StatusCode)
	if p.Code != "" {
		fmt.Fprintf(&b, ", code %s", p.Code)
	}
	if p.RequestID != "" {
		fmt.Fprintf(&b, ", request %s", p.RequestID)
	}
	b.WriteString(")")
	if hint := settingHint(err); hint != "" {
		b.WriteString("\n\n" + hint)
	}
	if attached {
		diags.AddAttributeError(attr, summary, b.String())
		return
	}
	diags.AddError(summary, b.String())
}

// withoutElementIndex rewrites a message that starts with a field naming one
// element of a set ("workspaceIds[0]: no workspace with id \"x\"") to name
// the attribute instead ("workspace_ids: ..."). The index counts in the
// request, which the provider sorts, not in the configuration, so it would
// point at the wrong value; the message names the value itself.
func withoutElementIndex(msg, field string, attr path.Path) string {
	root := fieldRoot(field)
	if root == field || !strings.HasPrefix(field[len(root):], "[") || !strings.HasSuffix(field, "]") ||
		strings.ContainsAny(field[len(root)+1:], ".[") {
		return msg
	}
	if rest, ok := strings.CutPrefix(msg, field+": "); ok {
		return attr.String() + ": " + rest
	}
	return msg
}

// fieldRoot returns the top-level JSON field of a problem's field reference:
// "inlineRole[0].actions[1]" -> "inlineRole".
func fieldRoot(field string) string {
	if i := strings.IndexAny(field, ".["); i >= 0 {
		return field[:i]
	}
	return field
}

// addProviderBug reports a fault in the provider itself rather than in the
// configuration or the backend.
func addProviderBug(diags *diag.Diagnostics, summary string, err error) {
	diags.AddError(summary, fmt.Sprintf("%s\n\nThis is a bug in the provider; please report it.", err))
}
