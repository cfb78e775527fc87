package policy

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

func allow(actions []string, resources ...string) api.Statement {
	return api.Statement{Effect: api.EffectAllow, Actions: actions, Resources: resources}
}

func deny(actions []string, resources ...string) api.Statement {
	return api.Statement{Effect: api.EffectDeny, Actions: actions, Resources: resources}
}

func acts(a ...string) []string { return a }

func TestPolicyAllows(t *testing.T) {
	cases := []struct {
		name     string
		p        Policy
		action   string
		resource string
		want     bool
	}{
		{"empty policy denies", nil, "API_READ", "org", false},
		{"exact allow", Policy{allow(acts("API_READ"), "org")}, "API_READ", "org", true},
		{"other action", Policy{allow(acts("API_READ"), "org")}, "API_WRITE", "org", false},
		{"action case-sensitive", Policy{allow(acts("api_read"), "org")}, "API_READ", "org", false},
		{"star action", Policy{allow(acts("*"), "*")}, "ANYTHING", "workspace/abc", true},
		{"prefix action", Policy{allow(acts("API_*"), "*")}, "API_WRITE", "org", true},
		{"prefix action no match", Policy{allow(acts("API_*"), "*")}, "APPLICATION_READ", "org", false},
		{"prefix is a prefix, not a substring", Policy{allow(acts("READ*"), "*")}, "API_READ", "org", false},
		{"star resource covers org", Policy{allow(acts("API_READ"), "*")}, "API_READ", "org", true},
		{"star resource covers workspace", Policy{allow(acts("API_READ"), "*")}, "API_READ", "workspace/w1", true},
		{"org is not a workspace", Policy{allow(acts("API_READ"), "org")}, "API_READ", "workspace/w1", false},
		{"workspace star is not org", Policy{allow(acts("API_READ"), "workspace/*")}, "API_READ", "org", false},
		{"workspace star", Policy{allow(acts("API_READ"), "workspace/*")}, "API_READ", "workspace/w1", true},
		{"workspace star other kind", Policy{allow(acts("API_READ"), "workspace/*")}, "API_READ", "token/w1", false},
		{"workspace exact", Policy{allow(acts("API_READ"), "workspace/w1")}, "API_READ", "workspace/w1", true},
		{"workspace exact other id", Policy{allow(acts("API_READ"), "workspace/w1")}, "API_READ", "workspace/w10", false},
		{"workspace prefix", Policy{allow(acts("API_READ"), "workspace/prod-*")}, "API_READ", "workspace/prod-eu", true},
		{"workspace prefix no match", Policy{allow(acts("API_READ"), "workspace/prod-*")}, "API_READ", "workspace/dev-eu", false},
		{"workspace prefix kind must match", Policy{allow(acts("API_READ"), "workspace/prod-*")}, "API_READ", "role/prod-eu", false},
		{"resource without id", Policy{allow(acts("API_READ"), "workspace/*")}, "API_READ", "workspace/", false},
		{"second resource matches", Policy{allow(acts("API_READ"), "workspace/a", "workspace/b")}, "API_READ", "workspace/b", true},
		{"deny wins over allow", Policy{allow(acts("*"), "*"), deny(acts("API_WRITE"), "*")}, "API_WRITE", "org", false},
		{"deny elsewhere does not block", Policy{allow(acts("*"), "*"), deny(acts("API_WRITE"), "workspace/w1")}, "API_WRITE", "workspace/w2", true},
		{"deny alone denies", Policy{deny(acts("API_WRITE"), "*")}, "API_WRITE", "org", false},
		{"deny prefix", Policy{allow(acts("*"), "*"), deny(acts("PLAN_*"), "*")}, "PLAN_READ", "org", false},
		{"deny prefix other action", Policy{allow(acts("*"), "*"), deny(acts("PLAN_*"), "*")}, "API_READ", "org", true},
		{"notActions allows all others", Policy{{Effect: api.EffectAllow, NotActions: acts("API_WRITE"), Resources: acts("*")}}, "PLAN_READ", "org", true},
		{"notActions excludes listed", Policy{{Effect: api.EffectAllow, NotActions: acts("API_WRITE"), Resources: acts("*")}}, "API_WRITE", "org", false},
		{"notActions prefix", Policy{{Effect: api.EffectAllow, NotActions: acts("API_*"), Resources: acts("*")}}, "API_READ", "org", false},
		{"deny notActions denies all others", Policy{allow(acts("*"), "*"), {Effect: api.EffectDeny, NotActions: acts("API_READ"), Resources: acts("*")}}, "API_WRITE", "org", false},
		{"deny notActions spares listed", Policy{allow(acts("*"), "*"), {Effect: api.EffectDeny, NotActions: acts("API_READ"), Resources: acts("*")}}, "API_READ", "org", true},
		{"notResources allows elsewhere", Policy{{Effect: api.EffectAllow, Actions: acts("*"), NotResources: acts("workspace/secret")}}, "API_READ", "workspace/open", true},
		{"notResources allows org", Policy{{Effect: api.EffectAllow, Actions: acts("*"), NotResources: acts("workspace/*")}}, "API_READ", "org", true},
		{"notResources excludes listed", Policy{{Effect: api.EffectAllow, Actions: acts("*"), NotResources: acts("workspace/secret")}}, "API_READ", "workspace/secret", false},
		{"deny notResources confines", Policy{allow(acts("*"), "*"), {Effect: api.EffectDeny, Actions: acts("*"), NotResources: acts("workspace/w1")}}, "API_READ", "workspace/w2", false},
		{"deny notResources spares listed", Policy{allow(acts("*"), "*"), {Effect: api.EffectDeny, Actions: acts("*"), NotResources: acts("workspace/w1")}}, "API_READ", "workspace/w1", true},
		{"statement without actions matches nothing", Policy{{Effect: api.EffectAllow, Resources: acts("*")}}, "API_READ", "org", false},
		{"statement without resources matches nothing", Policy{{Effect: api.EffectAllow, Actions: acts("*")}}, "API_READ", "org", false},
		{"unknown effect ignored", Policy{{Effect: "Allow", Actions: acts("*"), Resources: acts("*")}}, "API_READ", "org", false},
		{"unknown deny effect ignored", Policy{allow(acts("*"), "*"), {Effect: "DENY", Actions: acts("*"), Resources: acts("*")}}, "API_READ", "org", true},
		{"both actions and notActions intersect", Policy{{Effect: api.EffectAllow, Actions: acts("API_*"), NotActions: acts("API_WRITE"), Resources: acts("*")}}, "API_WRITE", "org", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Allows(tc.action, tc.resource); got != tc.want {
				t.Fatalf("Allows(%q, %q) = %v, want %v", tc.action, tc.resource, got, tc.want)
			}
		})
	}
}

func TestAllowAll(t *testing.T) {
	in := []string{"API_READ", "PLAN_*"}
	p := AllowAll(in)
	in[0] = "MUTATED"
	for _, r := range []string{"org", "workspace/w1", "member/m1"} {
		if !p.Allows("API_READ", r) || !p.Allows("PLAN_WRITE", r) {
			t.Errorf("AllowAll does not allow its actions on %s", r)
		}
		if p.Allows("API_WRITE", r) {
			t.Errorf("AllowAll allows an action it was not given on %s", r)
		}
	}
	if AllowAll(nil).Allows("API_READ", "org") {
		t.Error("AllowAll(nil) allows something")
	}
}

func TestSubjectIntersection(t *testing.T) {
	owner := AllowAll([]string{"API_READ", "API_WRITE", "PLAN_READ"})
	token := Policy{allow(acts("API_*"), "workspace/w1")}
	scope := Policy{allow(acts("*"), "workspace/w1", "workspace/w2")}
	s := Subject{token, owner, scope}
	cases := []struct {
		action, resource string
		want             bool
	}{
		{"API_READ", "workspace/w1", true},
		{"API_WRITE", "workspace/w1", true},
		{"API_READ", "workspace/w2", false},  // token lacks w2
		{"PLAN_READ", "workspace/w1", false}, // token lacks PLAN_READ
		{"API_READ", "org", false},           // scope lacks org
	}
	for _, tc := range cases {
		if got := s.Allows(tc.action, tc.resource); got != tc.want {
			t.Errorf("Subject.Allows(%s, %s) = %v, want %v", tc.action, tc.resource, got, tc.want)
		}
	}
	if (Subject{}).Allows("API_READ", "org") {
		t.Error("empty subject allows")
	}
	if (Subject{nil}).Allows("API_READ", "org") {
		t.Error("subject with an empty policy allows")
	}
	// Narrowing the owner (a demotion) narrows the subject at once.
	s[1] = AllowAll([]string{"API_READ"})
	if s.Allows("API_WRITE", "workspace/w1") {
		t.Error("demoted owner still lets the token write")
	}
}

func TestMissing(t *testing.T) {
	perms := []string{"API_READ", "API_WRITE", "PLAN_READ", "PLAN_WRITE", "USER_READ"}
	writer := Subject{AllowAll([]string{"API_READ", "API_WRITE", "PLAN_READ"})}
	ws := []string{"workspace/w1", "workspace/w2"}
	cases := []struct {
		name      string
		grant     Subject
		holder    Subject
		resources []string
		want      []string
	}{
		{"within holder", Subject{AllowAll([]string{"API_READ"})}, writer, []string{"org"}, nil},
		{"star grant escalates", Subject{AllowAll([]string{"*"})}, writer, []string{"org"}, []string{"PLAN_WRITE", "USER_READ"}},
		{"prefix grant escalates", Subject{AllowAll([]string{"PLAN_*"})}, writer, []string{"org"}, []string{"PLAN_WRITE"}},
		{"notActions grant escalates", Subject{{{Effect: api.EffectAllow, NotActions: acts("USER_READ"), Resources: acts("*")}}}, writer, []string{"org"}, []string{"PLAN_WRITE"}},
		{"deny in grant removes escalation", Subject{{allow(acts("*"), "*"), deny(acts("PLAN_WRITE", "USER_READ"), "*")}}, writer, []string{"org"}, nil},
		{"holder limited to a workspace", Subject{AllowAll([]string{"API_READ"})}, Subject{{allow(acts("API_READ"), "workspace/w1")}}, ws, []string{"API_READ"}},
		{"holder covers every workspace", Subject{{allow(acts("API_READ"), "workspace/w1")}}, Subject{{allow(acts("API_READ"), "workspace/*")}}, ws, nil},
		{"holder deny", Subject{AllowAll([]string{"API_*"})}, Subject{{allow(acts("*"), "*"), deny(acts("API_WRITE"), "workspace/w2")}}, ws, []string{"API_WRITE"}},
		{"nothing granted", Subject{nil}, writer, []string{"org"}, nil},
		{"no resources", Subject{AllowAll([]string{"*"})}, writer, nil, nil},
		{"holder with nothing", Subject{AllowAll([]string{"API_READ", "PLAN_READ"})}, Subject{}, []string{"org"}, []string{"API_READ", "PLAN_READ"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Missing(tc.grant, tc.holder, perms, tc.resources); !slices.Equal(got, tc.want) {
				t.Fatalf("Missing = %v, want %v", got, tc.want)
			}
		})
	}
	// Sorted and distinct whatever the input order.
	got := Missing(Subject{AllowAll([]string{"*"})}, Subject{}, []string{"B", "A", "B", "C"}, []string{"org", "workspace/w1"})
	if !slices.Equal(got, []string{"A", "B", "C"}) {
		t.Fatalf("Missing = %v, want [A B C]", got)
	}
}

// TestStatementOrderNeverMatters checks, over random policies, that every
// permutation of the statements gives the same decision.
func TestStatementOrderNeverMatters(t *testing.T) {
	rng := rand.New(rand.NewSource(20240601))
	actionPool := []string{"*", "API_*", "API_READ", "API_WRITE", "PLAN_*", "PLAN_READ", "USER_READ"}
	resourcePool := []string{"*", "org", "workspace/*", "workspace/w1", "workspace/w2", "workspace/w*", "token/t1"}
	actions := []string{"API_READ", "API_WRITE", "PLAN_READ", "PLAN_WRITE", "USER_READ", "OTHER"}
	resources := []string{"org", "workspace/w1", "workspace/w2", "workspace/x", "token/t1", "role/r1"}
	pick := func(pool []string) []string {
		n := 1 + rng.Intn(3)
		out := make([]string, n)
		for i := range out {
			out[i] = pool[rng.Intn(len(pool))]
		}
		return out
	}
	decisions := map[bool]int{}
	for range 300 {
		p := make(Policy, 1+rng.Intn(8))
		for i := range p {
			s := api.Statement{Effect: api.EffectAllow}
			if rng.Intn(3) == 0 {
				s.Effect = api.EffectDeny
			}
			if rng.Intn(4) == 0 {
				s.NotActions = pick(actionPool)
			} else {
				s.Actions = pick(actionPool)
			}
			if rng.Intn(4) == 0 {
				s.NotResources = pick(resourcePool)
			} else {
				s.Resources = pick(resourcePool)
			}
			p[i] = s
		}
		for _, a := range actions {
			for _, r := range resources {
				want := p.Allows(a, r)
				decisions[want]++
				for range 5 {
					q := slices.Clone(p)
					rng.Shuffle(len(q), func(i, j int) { q[i], q[j] = q[j], q[i] })
					if got := q.Allows(a, r); got != want {
						t.Fatalf("shuffled policy %+v decides %v for (%s, %s), original %+v decides %v", q, got, a, r, p, want)
					}
				}
			}
		}
	}
	// The generator must produce both outcomes, or the property says nothing.
	if decisions[true] < 100 || decisions[false] < 100 {
		t.Fatalf("generated decisions too one-sided: %v", decisions)
	}
}

func BenchmarkAllows20Statements(b *testing.B) {
	var p Policy
	for i := range 18 {
		p = append(p, allow(acts(fmt.Sprintf("PERM_%02d_READ", i), fmt.Sprintf("PERM_%02d_*", i)), fmt.Sprintf("workspace/w%d", i), "org"))
	}
	p = append(p, deny(acts("PERM_00_WRITE"), "*"), api.Statement{Effect: api.EffectDeny, Actions: acts("*"), NotResources: acts("org", "workspace/*")})
	b.ReportAllocs()
	for b.Loop() {
		if !p.Allows("PERM_17_WRITE", "workspace/w17") {
			b.Fatal("denied")
		}
	}
}
