// Package policy evaluates policy statements: the inline roles and custom
// roles of tokens, and the grants built from roles and permission lists.
//
// A statement is api.Statement, the one type the API, the store, this
// package and package review share: api imports nothing of ours, so every
// package (the Go client included) can use it without a conversion.
//
// # Evaluation
//
// A Policy allows an action on a resource when at least one allow statement
// matches and no deny statement matches: default deny, and an explicit deny
// anywhere wins over every allow, so statement order never matters. A
// statement matches when both its action part and its resource part match:
//
//   - actions: the action matches one of the listed patterns;
//   - notActions: the action matches none of the listed patterns;
//   - resources / notResources: likewise for the resource.
//
// So a statement {effect: deny, notActions: [API_READ], resources: [*]}
// denies everything except API_READ. A statement with neither actions nor
// notActions (or neither resources nor notResources) matches nothing;
// Validate refuses such statements. Effects other than "allow" and "deny"
// are ignored. A Subject holds several policies and allows only what every
// one of them allows (a personal token: what the token grants AND what its
// owner holds now AND inside the token's workspaces).
//
// # Action patterns
//
// An action pattern is a catalogue permission name (API_READ), "*" (every
// action) or a prefix ending in "*" (API_*). Matching is case-sensitive.
// Actions shaped like catalogue names (upper case letters, digits and "_")
// are ours and must exist in the catalogue; any other action ("updateOn")
// is foreign: accepted and kept as sent, it matches none of our actions.
//
// # Resources
//
// A resource, the thing a request acts on, is "org" or "workspace/<id>":
// workspace-scoped operations act on their workspace, everything else on
// the organisation. Statements name resources with specifiers; the grammar
// and how our resources fit it are described in specifier.go. "*" matches
// every resource including "org"; "org" matches only "org"; "workspace/*"
// matches every workspace but not "org"; "workspace/abc*" the workspaces
// whose id starts with "abc"; "workspace/abc" exactly one. Matching is
// case-sensitive.
//
// # Statements with no effect here
//
// A foreign action or specifier matches nothing of ours, so in actions or
// resources it contributes nothing and in notActions or notResources it
// excludes nothing: {allow, actions: [*], notResources: [proj/*]} applies to
// every resource of ours, exactly like resources: [*]. Enforced gives each
// statement as it takes effect; a statement left with nothing to match has
// no effect here and is reported by NotEnforced.
package policy

import (
	"slices"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// ResourceOrg is the organisation-wide resource.
const ResourceOrg = "org"

// KindWorkspace is the kind of a workspace resource, "workspace/<id>".
const KindWorkspace = "workspace"

// Workspace returns the resource "workspace/<id>".
func Workspace(id string) string { return KindWorkspace + "/" + id }

// Policy is a set of statements; their order does not matter.
type Policy []api.Statement

// Allows reports whether p allows action on resource: some allow statement
// matches and no deny statement does.
func (p Policy) Allows(action, resource string) bool {
	allowed := false
	for i := range p {
		s := &p[i]
		switch s.Effect {
		case api.EffectDeny:
			if matches(s, action, resource) {
				return false
			}
		case api.EffectAllow:
			if !allowed && matches(s, action, resource) {
				allowed = true
			}
		}
	}
	return allowed
}

func matches(s *api.Statement, action, resource string) bool {
	return matchPart(s.Actions, s.NotActions, action, matchWildcard) &&
		matchPart(s.Resources, s.NotResources, resource, matchResource)
}

// matchPart applies a positive and a negative list; a statement that sets
// both (which Validate refuses) matches the intersection, one that sets
// neither matches nothing.
func matchPart(list, notList []string, v string, match func(pattern, v string) bool) bool {
	if len(list) == 0 && len(notList) == 0 {
		return false
	}
	if len(list) > 0 && !anyMatch(list, v, match) {
		return false
	}
	if len(notList) > 0 && anyMatch(notList, v, match) {
		return false
	}
	return true
}

func anyMatch(patterns []string, v string, match func(pattern, v string) bool) bool {
	for _, p := range patterns {
		if match(p, v) {
			return true
		}
	}
	return false
}

// matchWildcard matches an exact value or a prefix ending in "*".
func matchWildcard(pattern, v string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(v, prefix)
	}
	return pattern == v
}

// AllowAll returns one allow statement granting actions on every resource.
func AllowAll(actions []string) Policy {
	return Policy{{Effect: api.EffectAllow, Actions: append([]string(nil), actions...), Resources: []string{"*"}}}
}

// Subject is the set of policies a request is evaluated against. It allows
// only what every policy allows; an empty Subject allows nothing.
type Subject []Policy

// Allows reports whether every policy of s allows action on resource.
func (s Subject) Allows(action, resource string) bool {
	if len(s) == 0 {
		return false
	}
	for _, p := range s {
		if !p.Allows(action, resource) {
			return false
		}
	}
	return true
}

// Missing returns the sorted, distinct permissions p for which some r in
// resources has grant.Allows(p, r) but not holder.Allows(p, r): what a
// grant would give beyond what its holder may do. Used for "no escalation"
// checks.
func Missing(grant, holder Subject, permissions []string, resources []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range permissions {
		if seen[p] {
			continue
		}
		for _, r := range resources {
			if grant.Allows(p, r) && !holder.Allows(p, r) {
				seen[p] = true
				out = append(out, p)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}
