// Package review works out what a change to the grant of an access token or
// a custom role adds, so that a plan can tell its reviewer exactly which
// access an apply would widen. It is pure: no I/O, no Terraform types.
//
// # What counts as a widening
//
// Compare looks at the grant before and after an update and reports only
// what the new grant allows that the old one did not:
//
//   - permissions granted by name (a token's or a custom role's
//     permissions) that the old grant did not hold;
//   - a custom role's base permissions raised from no_access to reader,
//     whatever reads it already held: reader also grants read permissions
//     added to the catalogue later;
//   - a built-in role raised (reader < writer < admin), with the permissions
//     the higher role adds according to the catalogue;
//   - an object's access level raised (none -> read_only, read_only ->
//     read_write, an absent object counting as none), naming the object,
//     with the permissions the new level adds;
//   - custom roles added to a token (their content is reviewed on the role);
//   - allow statements, or the parts of them, that no allow statement of the
//     old grant already covered;
//   - deny statements, or the parts of them, that the new grant no longer
//     carries, as long as something in the new grant could be allowed by
//     their removal;
//   - workspaces added to the scope, or the switch to all workspaces.
//
// Narrowing (anything removed, a lower role, fewer workspaces) is never
// reported, and neither is a rewrite that grants the same: statements and
// the values inside them are compared as sets, and a statement split in two
// or merged with another is covered by what it came from.
//
// Statements are compared as they take effect on our resources and actions
// (policy.Enforced): one that names only the wider service's
// resources or actions adds nothing and its removal widens nothing, and
// allow with notResources ["proj/*"] is the allow on everything it is.
//
// Statements are compared by their patterns, not by what the catalogue
// currently expands them to: replacing API_READ and API_WRITE with API_* is
// reported, because API_* also grants every API_ permission added later.
// A permission held by name counts as an allow statement on "*".
//
// # Creation is not a widening
//
// Compare reports nothing when there is no old grant. A create shows the
// whole grant in the plan already, and a warning on every create would train
// reviewers to skip it. Updates in place, where a one-line diff can hide a
// large widening, are what is reviewed. Callers that replace an object may
// pass the replaced object's grant as the old one.
//
// # Unknown values
//
// Callers leave the parts of the new grant that are unknown during plan
// empty. An empty part never reports a widening, so nothing false is said;
// the next plan, with the values known, reports them.
package review

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
)

// Grant is what a token or a custom role grants. A token fills exactly one
// of Role, CustomRoles, Permissions, Access and Statements (its inline role)
// and one of WorkspaceIDs and AllWorkspaces. A custom role fills Statements
// (its policy), Permissions, Access and BasePermissions and leaves the scope
// empty.
type Grant struct {
	Role          string
	CustomRoles   []string
	Permissions   []string
	Statements    []api.Statement
	WorkspaceIDs  []string
	AllWorkspaces bool
	// BasePermissions is a custom role's reader or no_access; empty counts
	// as no_access.
	BasePermissions string
	// Access maps catalogue objects to none, read_only or read_write.
	Access map[string]string
}

// RolePermissions lists the permissions a built-in role grants and those
// base permissions reader grants. *catalogue.Catalogue implements it.
type RolePermissions interface {
	ForRole(role string) []string
	ReadPermissions() []string
}

// ObjectPermissions expands an access grant into the permissions it stands
// for. *catalogue.Catalogue implements it; a RolePermissions that does not
// leaves access levels without the permissions they add.
type ObjectPermissions interface {
	AccessGrants(access map[string]string) []string
}

// AccessRaise is an object's access level raised.
type AccessRaise struct {
	Object, From, To string
	// Adds lists the permissions of the new level the old grant did not
	// hold, sorted.
	Adds []string
}

// RoleRaise is a built-in role replaced by a stronger one, or a role granted
// where the old grant had another kind. From is empty in the second case.
type RoleRaise struct {
	From, To string
	// Adds lists the permissions of To the old grant did not hold, sorted.
	Adds []string
}

// Widening is what a new grant allows beyond the old one. Every list is
// sorted; the zero value means nothing is widened.
type Widening struct {
	Role          *RoleRaise
	Base          *RoleRaise
	Permissions   []string
	Access        []AccessRaise
	CustomRoles   []string
	AllowsAdded   []api.Statement
	DeniesRemoved []api.Statement
	Workspaces    []string
	AllWorkspaces bool
}

// Empty reports whether nothing is widened.
func (w Widening) Empty() bool {
	return w.Role == nil && w.Base == nil && len(w.Permissions) == 0 && len(w.Access) == 0 && len(w.CustomRoles) == 0 &&
		len(w.AllowsAdded) == 0 && len(w.DeniesRemoved) == 0 && len(w.Workspaces) == 0 && !w.AllWorkspaces
}

// Compare returns what next grants beyond prev. A nil prev (a create) or a
// nil next (a delete) widens nothing. roles may be nil when neither grant
// uses a built-in role.
func Compare(roles RolePermissions, prev, next *Grant) Widening {
	var w Widening
	if prev == nil || next == nil {
		return w
	}
	p, n := *prev, *next
	p.Statements, n.Statements = enforced(p.Statements), enforced(n.Statements)
	prev, next = &p, &n
	forRole := func(role string) []string {
		if role == "" || roles == nil {
			return nil
		}
		return roles.ForRole(role)
	}

	reads := func(g *Grant) []string {
		if g.BasePermissions != api.BasePermissionsReader || roles == nil {
			return nil
		}
		return roles.ReadPermissions()
	}
	objects, _ := roles.(ObjectPermissions)
	access := func(a map[string]string) []string {
		if objects == nil || len(a) == 0 {
			return nil
		}
		return objects.AccessGrants(a)
	}
	prevAllows := allowStatements(*prev, union(forRole(prev.Role), reads(prev), access(prev.Access)))
	nextAllows := allowStatements(*next, union(forRole(next.Role), reads(next), access(next.Access)))
	held := func(permission string) bool {
		return covered(part{values: []string{permission}}, anyResource, prevAllows)
	}

	if next.Role != "" && next.Role != prev.Role {
		raise := RoleRaise{From: prev.Role, To: next.Role, Adds: missing(forRole(next.Role), held)}
		raised := len(raise.Adds) > 0
		if prev.Role != "" && api.RoleRank(prev.Role) >= 0 && api.RoleRank(next.Role) >= 0 {
			raised = api.RoleRank(next.Role) > api.RoleRank(prev.Role)
		}
		if raised {
			w.Role = &raise
		}
	}
	if next.BasePermissions == api.BasePermissionsReader && prev.BasePermissions != api.BasePermissionsReader {
		from := prev.BasePermissions
		if from == "" {
			from = api.BasePermissionsNoAccess
		}
		w.Base = &RoleRaise{From: from, To: api.BasePermissionsReader, Adds: missing(reads(next), held)}
	}
	w.Permissions = missing(union(next.Permissions), held)
	// A level above the old one is reported when the old grant was made
	// object by object too, or when it adds permissions the old grant of
	// another form did not hold.
	for _, object := range slices.Sorted(maps.Keys(next.Access)) {
		from, to := prev.Access[object], next.Access[object]
		if from == "" {
			from = catalogue.AccessNone
		}
		if catalogue.AccessRank(to) <= catalogue.AccessRank(from) {
			continue
		}
		raise := AccessRaise{Object: object, From: from, To: to, Adds: missing(access(map[string]string{object: to}), held)}
		if len(prev.Access) > 0 || len(raise.Adds) > 0 {
			w.Access = append(w.Access, raise)
		}
	}
	w.CustomRoles = missing(union(next.CustomRoles), func(k string) bool { return slices.Contains(prev.CustomRoles, k) })

	for _, s := range next.Statements {
		if s.Effect == api.EffectAllow {
			w.AllowsAdded = append(w.AllowsAdded, uncovered(s, prevAllows, nil)...)
		}
	}
	nextDenies := statementsWithEffect(next.Statements, api.EffectDeny)
	// A deny that is gone widens only what the new grant could allow. Custom
	// roles are opaque here, so a token granted any is assumed to allow it.
	allowedByNext := func(a, r part) bool {
		if len(next.CustomRoles) > 0 {
			return true
		}
		for _, t := range nextAllows {
			if actionPart(t).intersects(a) && resourcePart(t).intersects(r) {
				return true
			}
		}
		return false
	}
	for _, s := range prev.Statements {
		if s.Effect == api.EffectDeny {
			w.DeniesRemoved = append(w.DeniesRemoved, uncovered(s, nextDenies, allowedByNext)...)
		}
	}
	w.AllowsAdded = sortStatements(w.AllowsAdded)
	w.DeniesRemoved = sortStatements(w.DeniesRemoved)

	switch {
	case next.AllWorkspaces && !prev.AllWorkspaces:
		w.AllWorkspaces = true
	case !next.AllWorkspaces && !prev.AllWorkspaces:
		w.Workspaces = missing(union(next.WorkspaceIDs), func(id string) bool { return slices.Contains(prev.WorkspaceIDs, id) })
	}
	return w
}

// allowStatements are the allow statements of g, with the permissions it
// holds by name (its role's included) as one more allow on every resource.
func allowStatements(g Grant, rolePermissions []string) []api.Statement {
	out := statementsWithEffect(g.Statements, api.EffectAllow)
	if named := union(rolePermissions, g.Permissions); len(named) > 0 {
		out = append(out, api.Statement{Effect: api.EffectAllow, Actions: named, Resources: []string{"*"}})
	}
	return out
}

func statementsWithEffect(stmts []api.Statement, effect string) []api.Statement {
	var out []api.Statement
	for _, s := range stmts {
		if s.Effect == effect {
			out = append(out, s)
		}
	}
	return out
}

// uncovered returns the parts of s that no statement of by covers, as
// statements with s's effect. Each action and each resource of s is judged
// on its own (a negated list as a whole), so that a statement that only
// gained one action reports that action alone. keep, when not nil, drops
// the parts for which it returns false.
func uncovered(s api.Statement, by []api.Statement, keep func(a, r part) bool) []api.Statement {
	resources := resourcePart(s).units()
	var out []api.Statement
	for _, a := range actionPart(s).units() {
		var left []part
		for _, r := range resources {
			if !covered(a, r, by) && (keep == nil || keep(a, r)) {
				left = append(left, r)
			}
		}
		if len(left) == 0 {
			continue
		}
		u := api.Statement{Effect: s.Effect}
		if a.not {
			u.NotActions = a.values
		} else {
			u.Actions = a.values
		}
		if left[0].not {
			u.NotResources = left[0].values
		} else {
			for _, r := range left {
				u.Resources = append(u.Resources, r.values...)
			}
		}
		out = mergeActions(out, u)
	}
	return out
}

// mergeActions adds u to stmts, joining it with a statement that differs
// only in its (positive) actions.
func mergeActions(stmts []api.Statement, u api.Statement) []api.Statement {
	for i, s := range stmts {
		if len(s.Actions) > 0 && len(u.Actions) > 0 && s.Effect == u.Effect &&
			slices.Equal(s.Resources, u.Resources) && slices.Equal(s.NotResources, u.NotResources) {
			stmts[i].Actions = append(s.Actions, u.Actions...)
			return stmts
		}
	}
	return append(stmts, u)
}

// covered reports whether one statement of by covers action unit a on
// resource unit r.
func covered(a, r part, by []api.Statement) bool {
	for _, t := range by {
		if actionPart(t).covers(a) && resourcePart(t).covers(r) {
			return true
		}
	}
	return false
}

var anyResource = part{values: []string{"*"}}

// part is the action or the resource half of a statement: a list of
// patterns, or with not, everything the list does not match.
type part struct {
	values []string
	not    bool
}

func actionPart(s api.Statement) part   { return makePart(s.Actions, s.NotActions) }
func resourcePart(s api.Statement) part { return makePart(s.Resources, s.NotResources) }

func makePart(positive, negative []string) part {
	if len(positive) > 0 {
		return part{values: positive}
	}
	if len(negative) > 0 {
		return part{values: negative, not: true}
	}
	return part{} // matches nothing
}

// units splits a positive part into its patterns; a negated part stays whole.
func (p part) units() []part {
	if p.not {
		return []part{{values: sortedUnique(p.values), not: true}}
	}
	out := make([]part, 0, len(p.values))
	for _, v := range sortedUnique(p.values) {
		out = append(out, part{values: []string{v}})
	}
	return out
}

// covers reports whether everything q matches, p matches. It errs towards
// false, which reports a widening that may not be one, never the reverse.
func (p part) covers(q part) bool {
	if len(q.values) == 0 && !q.not {
		return true
	}
	switch {
	case !p.not && !q.not:
		return all(q.values, func(v string) bool { return anyOf(p.values, func(w string) bool { return patternCovers(w, v) }) })
	case !p.not && q.not:
		return slices.Contains(p.values, "*")
	case p.not && !q.not:
		return all(q.values, func(v string) bool { return !anyOf(p.values, func(w string) bool { return patternsIntersect(w, v) }) })
	default: // both negated: p excludes no more than q does
		return all(p.values, func(w string) bool { return anyOf(q.values, func(v string) bool { return patternCovers(v, w) }) })
	}
}

// intersects reports whether p and q may match a common value. It errs
// towards true.
func (p part) intersects(q part) bool {
	if (len(p.values) == 0 && !p.not) || (len(q.values) == 0 && !q.not) {
		return false
	}
	switch {
	case !p.not && !q.not:
		return anyOf(p.values, func(w string) bool { return anyOf(q.values, func(v string) bool { return patternsIntersect(w, v) }) })
	case p.not && !q.not:
		return anyOf(q.values, func(v string) bool { return !anyOf(p.values, func(w string) bool { return patternCovers(w, v) }) })
	case !p.not && q.not:
		return q.intersects(p)
	default:
		return true
	}
}

// patternCovers reports whether pattern p matches everything pattern q
// matches. Patterns are exact values, "*", or prefixes ending in "*"; the
// same grammar serves actions and resource specifiers ("workspace/*").
func patternCovers(p, q string) bool {
	if p == q {
		return true
	}
	if prefix, ok := strings.CutSuffix(p, "*"); ok {
		return strings.HasPrefix(q, prefix)
	}
	return false
}

// patternsIntersect reports whether two patterns match a common value. With
// exact values and prefixes, that is when one covers the other.
func patternsIntersect(p, q string) bool { return patternCovers(p, q) || patternCovers(q, p) }

func all(values []string, f func(string) bool) bool {
	for _, v := range values {
		if !f(v) {
			return false
		}
	}
	return true
}

func anyOf(values []string, f func(string) bool) bool { return slices.ContainsFunc(values, f) }

// missing returns the values for which has is false, sorted and unique.
func missing(values []string, has func(string) bool) []string {
	var out []string
	for _, v := range sortedUnique(values) {
		if !has(v) {
			out = append(out, v)
		}
	}
	return out
}

func union(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return sortedUnique(out)
}

func sortedUnique(values []string) []string {
	if len(values) == 0 {
		return nil
	}
	out := slices.Clone(values)
	sort.Strings(out)
	return slices.Compact(out)
}

// sortStatements normalises statements (sorted, unique values), removes
// duplicates and orders them by their rendering, so that the result does
// not depend on the order of the input.
func sortStatements(stmts []api.Statement) []api.Statement {
	if len(stmts) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []api.Statement
	for _, s := range stmts {
		n := api.Statement{
			Effect:       s.Effect,
			Actions:      sortedUnique(s.Actions),
			NotActions:   sortedUnique(s.NotActions),
			Resources:    sortedUnique(s.Resources),
			NotResources: sortedUnique(s.NotResources),
		}
		key := n.Effect + " " + describeStatement(n)
		if !seen[key] {
			seen[key] = true
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return describeStatement(out[i]) < describeStatement(out[j]) })
	return out
}
