package policy

import (
	"fmt"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
)

// Limits Validate enforces. Every request evaluates each statement and
// each of its entries, and the no-escalation check does so for every
// permission on every resource, so unbounded statements would let one
// stored policy slow down every request made with it.
const (
	MaxStatements = 100
	MaxEntries    = 100 // actions, notActions, resources or notResources of one statement
)

// FieldError is a validation error naming the field at fault, such as
// "inlineRole[0].actions[1]", and the rule it breaks.
type FieldError struct{ Field, Message string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Validate checks statements and returns the first problem as a *FieldError:
// effect "allow" or "deny"; exactly one of actions and notActions non-empty;
// exactly one of resources and notResources non-empty; every action a
// catalogue name, "*" or a prefix ending in "*" that matches at least one
// name; every resource specifier well-formed; at most MaxStatements
// statements of at most MaxEntries entries per list (see the package doc). field is
// the JSON field the statements came from ("inlineRole", "policy"). An empty
// list is valid; whether statements are required is the caller's rule. A nil
// catalogue skips the check that action names exist.
func Validate(field string, stmts []api.Statement, cat *catalogue.Catalogue) error {
	if len(stmts) > MaxStatements {
		return &FieldError{Field: field, Message: fmt.Sprintf("holds %d statements; at most %d are allowed", len(stmts), MaxStatements)}
	}
	for i, s := range stmts {
		sf := fmt.Sprintf("%s[%d]", field, i)
		for _, l := range []struct {
			name string
			list []string
		}{{"actions", s.Actions}, {"notActions", s.NotActions}, {"resources", s.Resources}, {"notResources", s.NotResources}} {
			if len(l.list) > MaxEntries {
				return &FieldError{Field: sf + "." + l.name, Message: fmt.Sprintf("holds %d entries; at most %d are allowed", len(l.list), MaxEntries)}
			}
		}
	}
	for i, s := range stmts {
		sf := fmt.Sprintf("%s[%d]", field, i)
		if s.Effect != api.EffectAllow && s.Effect != api.EffectDeny {
			return &FieldError{Field: sf + ".effect", Message: fmt.Sprintf("must be %q or %q, got %q", api.EffectAllow, api.EffectDeny, s.Effect)}
		}
		if err := exactlyOne(sf, "actions", "notActions", s.Actions, s.NotActions); err != nil {
			return err
		}
		if err := exactlyOne(sf, "resources", "notResources", s.Resources, s.NotResources); err != nil {
			return err
		}
		actionField, actions := "actions", s.Actions
		if len(actions) == 0 {
			actionField, actions = "notActions", s.NotActions
		}
		for j, a := range actions {
			if msg := checkAction(a, cat); msg != "" {
				return &FieldError{Field: fmt.Sprintf("%s.%s[%d]", sf, actionField, j), Message: msg}
			}
		}
		resourceField, resources := "resources", s.Resources
		if len(resources) == 0 {
			resourceField, resources = "notResources", s.NotResources
		}
		for j, r := range resources {
			if msg := CheckSpecifier(r); msg != "" {
				return &FieldError{Field: fmt.Sprintf("%s.%s[%d]", sf, resourceField, j), Message: fmt.Sprintf("invalid resource %q: %s", r, msg)}
			}
		}
	}
	return nil
}

func exactlyOne(sf, a, b string, la, lb []string) error {
	switch {
	case len(la) == 0 && len(lb) == 0:
		return &FieldError{Field: sf, Message: fmt.Sprintf("one of %s and %s must be non-empty", a, b)}
	case len(la) > 0 && len(lb) > 0:
		return &FieldError{Field: sf + "." + b, Message: fmt.Sprintf("must not be set together with %s", a)}
	}
	return nil
}

func checkAction(a string, cat *catalogue.Catalogue) string {
	if a == "" {
		return "must not be empty"
	}
	if a == "*" {
		return ""
	}
	if i := strings.IndexByte(a, '*'); i >= 0 && i != len(a)-1 {
		return fmt.Sprintf("%q: \"*\" is allowed only at the end", a)
	}
	if !IsOwnAction(a) {
		return CheckForeignAction(a, cat)
	}
	if cat == nil {
		return ""
	}
	if cat.Expand(a) != nil {
		return ""
	}
	if strings.HasSuffix(a, "*") {
		return fmt.Sprintf("%q matches no permission in the catalogue", a)
	}
	msg := fmt.Sprintf("unknown permission %q", a)
	if s := cat.Suggest(a, 1); len(s) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", s[0])
	}
	return msg
}

// CheckForeignAction returns why a foreign action (see IsOwnAction) is
// refused, or "" when it is accepted. An action of the wider service's
// policy language ("updateOn") is a letter, then letters, digits, "_", "-",
// "." or ":", optionally ending in "*". A catalogue name written in another
// case ("api_read") is refused as the typo it almost certainly is; a nil
// catalogue skips that check.
func CheckForeignAction(a string, cat *catalogue.Catalogue) string {
	name := strings.TrimSuffix(a, "*")
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case isAlpha(c):
		case i == 0:
			return fmt.Sprintf("%q: at character 1: expected a letter", a)
		case !isDigit(c) && c != '_' && c != '-' && c != '.' && c != ':':
			return fmt.Sprintf(`%q: at character %d: expected a letter, digit, "_", "-", ".", ":" or a final "*"`, a, i+1)
		}
	}
	if cat == nil {
		return ""
	}
	upper := strings.ToUpper(a)
	if cat.Expand(upper) != nil {
		return fmt.Sprintf("unknown permission %q (did you mean %q?)", a, upper)
	}
	return ""
}
