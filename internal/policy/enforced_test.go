package policy

import (
	"math/rand"
	"reflect"
	"slices"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

func TestEnforced(t *testing.T) {
	cases := []struct {
		name string
		in   api.Statement
		want api.Statement
		ok   bool
	}{
		{"ours unchanged", allow(acts("API_READ"), "workspace/*"), allow(acts("API_READ"), "workspace/*"), true},
		{"foreign resources only", deny(acts("*"), "proj/*:env/production"), api.Statement{Effect: api.EffectDeny}, false},
		{"foreign actions only", allow(acts("updateOn", "updateOff"), "*"), api.Statement{Effect: api.EffectAllow}, false},
		{"issue example", allow(acts("updateOn", "updateOff"), "proj/mobile:env/test;qa_*:flag/*"), api.Statement{Effect: api.EffectAllow}, false},
		{"foreign values dropped", allow(acts("updateOn", "API_READ"), "proj/*", "org"), allow(acts("API_READ"), "org"), true},
		{"foreign notResources exclude nothing",
			api.Statement{Effect: api.EffectAllow, Actions: acts("*"), NotResources: acts("proj/*")}, allow(acts("*"), "*"), true},
		{"foreign notResources dropped, ours kept",
			api.Statement{Effect: api.EffectAllow, Actions: acts("*"), NotResources: acts("proj/*", "workspace/w1")},
			api.Statement{Effect: api.EffectAllow, Actions: acts("*"), NotResources: acts("workspace/w1")}, true},
		{"foreign notActions exclude nothing",
			api.Statement{Effect: api.EffectDeny, NotActions: acts("updateOn"), Resources: acts("workspace/w1")}, deny(acts("*"), "workspace/w1"), true},
		{"unknown effect", api.Statement{Effect: "Allow", Actions: acts("*"), Resources: acts("*")}, api.Statement{Effect: "Allow"}, false},
		{"no resources", api.Statement{Effect: api.EffectAllow, Actions: acts("*")}, api.Statement{Effect: api.EffectAllow}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Enforced(tc.in)
			if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Enforced() = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	stmts := []api.Statement{
		deny(acts("*"), "proj/*:env/production"),
		allow(acts("API_READ"), "org"),
		allow(acts("updateOn", "updateOff"), "proj/mobile:env/test;qa_*:flag/*"),
		{Effect: api.EffectAllow, Actions: acts("*"), NotResources: acts("proj/*")},
	}
	if got := NotEnforced(stmts); !slices.Equal(got, []int{0, 2}) {
		t.Fatalf("NotEnforced = %v, want [0 2]", got)
	}
	if got := NotEnforced(stmts[1:2]); got != nil {
		t.Fatalf("NotEnforced of an enforced statement = %v, want nil", got)
	}
}

// Pools for the random policies below: ours, and the wider service's.
var (
	ownActionPool       = []string{"*", "API_*", "API_READ", "API_WRITE", "PLAN_*", "PLAN_READ", "USER_READ"}
	foreignActionPool   = []string{"updateOn", "updateOff", "update*", "createFlag", "deleteProject"}
	ownResourcePool     = []string{"*", "org", "workspace/*", "workspace/w1", "workspace/w2", "workspace/w*"}
	foreignResourcePool = []string{"proj/*", "proj/*:env/production", "proj/mobile:env/test;qa_*:flag/*", "acct",
		"proj/${roleAttribute/devProjects}:env/staging", "member/*", "role/*;admin", "workspace2/*"}
	ourActions   = []string{"API_READ", "API_WRITE", "PLAN_READ", "PLAN_WRITE", "USER_READ", "OTHER"}
	ourResources = []string{"org", "workspace/w1", "workspace/w2", "workspace/x"}
)

func pickFrom(rng *rand.Rand, pools ...[]string) []string {
	n := 1 + rng.Intn(3)
	out := make([]string, n)
	for i := range out {
		pool := pools[rng.Intn(len(pools))]
		out[i] = pool[rng.Intn(len(pool))]
	}
	return out
}

// randomStatement draws a statement whose actions come from actionPools
// and whose resources from resourcePools, negated one time in four.
func randomStatement(rng *rand.Rand, actionPools, resourcePools [][]string) api.Statement {
	s := api.Statement{Effect: api.EffectAllow}
	if rng.Intn(3) == 0 {
		s.Effect = api.EffectDeny
	}
	if rng.Intn(4) == 0 {
		s.NotActions = pickFrom(rng, actionPools...)
	} else {
		s.Actions = pickFrom(rng, actionPools...)
	}
	if rng.Intn(4) == 0 {
		s.NotResources = pickFrom(rng, resourcePools...)
	} else {
		s.Resources = pickFrom(rng, resourcePools...)
	}
	return s
}

// TestForeignStatementsChangeNothing checks, over random policies mixing our
// values and foreign ones, that adding a statement whose resources are all
// foreign never changes a decision on our actions and resources, and that
// every statement decides exactly as what Enforced makes of it.
func TestForeignStatementsChangeNothing(t *testing.T) {
	rng := rand.New(rand.NewSource(20261202))
	mixedActions := [][]string{ownActionPool, foreignActionPool}
	mixedResources := [][]string{ownResourcePool, foreignResourcePool}
	decisions := map[bool]int{}
	for range 400 {
		p := make(Policy, 1+rng.Intn(6))
		for i := range p {
			p[i] = randomStatement(rng, mixedActions, mixedResources)
		}
		foreign := randomStatement(rng, mixedActions, [][]string{foreignResourcePool})
		foreign.NotResources, foreign.Resources = nil, append(foreign.Resources, foreign.NotResources...)
		if _, ok := Enforced(foreign); ok {
			t.Fatalf("a statement on foreign resources only takes effect: %+v", foreign)
		}
		withForeign := append(slices.Clone(p), foreign)
		var enforced Policy
		for _, s := range p {
			if e, ok := Enforced(s); ok {
				enforced = append(enforced, e)
			}
		}
		for _, a := range ourActions {
			for _, r := range ourResources {
				want := p.Allows(a, r)
				decisions[want]++
				if got := withForeign.Allows(a, r); got != want {
					t.Fatalf("adding %+v to %+v changes (%s, %s) from %v to %v", foreign, p, a, r, want, got)
				}
				if got := enforced.Allows(a, r); got != want {
					t.Fatalf("enforced form %+v of %+v decides %v for (%s, %s), the policy %v", enforced, p, got, a, r, want)
				}
			}
		}
	}
	if decisions[true] < 100 || decisions[false] < 100 {
		t.Fatalf("generated decisions too one-sided: %v", decisions)
	}
}

// TestForeignNotResourcesGrantsEverything: allow with notResources naming
// only foreign resources applies to every resource of ours, and the
// no-escalation check sees it as the grant of everything it is.
func TestForeignNotResourcesGrantsEverything(t *testing.T) {
	everything := Policy{{Effect: api.EffectAllow, Actions: acts("*"), NotResources: acts("proj/*")}}
	for _, a := range ourActions {
		for _, r := range ourResources {
			if !everything.Allows(a, r) {
				t.Errorf("allow * except proj/* does not allow (%s, %s)", a, r)
			}
		}
	}
	holder := Subject{AllowAll([]string{"API_READ"})}
	got := Missing(Subject{everything}, holder, ourActions, ourResources)
	if want := []string{"API_WRITE", "OTHER", "PLAN_READ", "PLAN_WRITE", "USER_READ"}; !slices.Equal(got, want) {
		t.Fatalf("Missing = %v, want %v", got, want)
	}
	if got := Missing(Subject{everything}, Subject{AllowAll([]string{"*"})}, ourActions, ourResources); got != nil {
		t.Fatalf("Missing against a holder of everything = %v, want none", got)
	}
}
