package policy

import "github.com/tokensmith/terraform-provider-tokensmith/internal/api"

// IsOwnAction reports whether an action pattern is ours: "*", or shaped like
// a catalogue name (upper case letters, digits and "_", optionally ending in
// "*"). Any other action is foreign and matches none of our actions.
func IsOwnAction(a string) bool {
	if a == "*" {
		return true
	}
	if n := len(a); n > 1 && a[n-1] == '*' {
		a = a[:n-1]
	}
	if a == "" || a[0] < 'A' || a[0] > 'Z' {
		return false
	}
	for i := 1; i < len(a); i++ {
		if c := a[i]; !(c >= 'A' && c <= 'Z' || isDigit(c) || c == '_') {
			return false
		}
	}
	return true
}

// IsOwnResource reports whether a resource specifier can match one of our
// resources ("*", "org" or one "workspace/<name>" segment); any other
// specifier is foreign and matches none of them.
func IsOwnResource(spec string) bool { return namesOurs(spec) }

// Enforced returns s as it takes effect on our resources and actions, and
// whether it takes effect at all. Foreign values are dropped: from actions
// and resources, where they match nothing of ours, and from notActions and
// notResources, where they exclude nothing (a negated list left empty
// becomes "*", everything). A statement whose actions or resources are all
// foreign, or whose effect is neither allow nor deny, has no effect here.
//
// For every action and resource of ours, Policy{s}.Allows and
// Policy{Enforced(s)}.Allows agree.
func Enforced(s api.Statement) (api.Statement, bool) {
	out := api.Statement{Effect: s.Effect}
	var ok1, ok2 bool
	out.Actions, out.NotActions, ok1 = enforcedPart(s.Actions, s.NotActions, IsOwnAction)
	out.Resources, out.NotResources, ok2 = enforcedPart(s.Resources, s.NotResources, IsOwnResource)
	ok := ok1 && ok2 && (s.Effect == api.EffectAllow || s.Effect == api.EffectDeny)
	if !ok {
		return api.Statement{Effect: s.Effect}, false
	}
	return out, true
}

// enforcedPart is one half of Enforced. A statement that sets both lists
// (which Validate refuses) matches their intersection, so both are kept.
func enforcedPart(list, notList []string, own func(string) bool) (outList, outNot []string, ok bool) {
	if len(list) == 0 && len(notList) == 0 {
		return nil, nil, false
	}
	if len(list) > 0 {
		outList = ownOnly(list, own)
		if len(outList) == 0 {
			return nil, nil, false
		}
	}
	if len(notList) > 0 {
		outNot = ownOnly(notList, own)
		if len(outNot) == 0 && outList == nil {
			outList = []string{"*"}
		}
	}
	return outList, outNot, true
}

func ownOnly(values []string, own func(string) bool) []string {
	var out []string
	for _, v := range values {
		if own(v) {
			out = append(out, v)
		}
	}
	return out
}

// NotEnforced returns the indexes of the statements that have no effect
// here (see Enforced), in order; nil when every statement takes effect.
func NotEnforced(stmts []api.Statement) []int {
	var out []int
	for i, s := range stmts {
		if _, ok := Enforced(s); !ok {
			out = append(out, i)
		}
	}
	return out
}
