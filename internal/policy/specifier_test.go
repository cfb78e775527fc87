package policy

import "testing"

func TestMatchResource(t *testing.T) {
	cases := []struct {
		spec, resource string
		want           bool
	}{
		// Ours.
		{"*", "org", true},
		{"*", "workspace/w1", true},
		{"org", "org", true},
		{"org", "workspace/w1", false},
		{"workspace/*", "workspace/w1", true},
		{"workspace/*", "org", false},
		{"workspace/*", "workspace/", false},
		{"workspace/w1", "workspace/w1", true},
		{"workspace/w1", "workspace/w10", false},
		{"workspace/prod-*", "workspace/prod-eu", true},
		{"workspace/prod-*", "workspace/dev-eu", false},
		// Wildcards anywhere in a name.
		{"proj/*-beta", "proj/mobile-beta", true},
		{"proj/*-beta", "proj/mobile-beta2", false},
		{"proj/m*b*e", "proj/mobile", true},
		{"proj/m*b*e", "proj/mobil", false},
		{"proj/**", "proj/x", true},
		{"proj/a*", "proj/a", true},
		// Nesting: every segment must match, and the counts must agree.
		{"proj/*:env/production", "proj/mobile:env/production", true},
		{"proj/*:env/production", "proj/mobile:env/test", false},
		{"proj/*:env/production", "proj/mobile", false},
		{"proj/*", "proj/mobile:env/production", false},
		{"proj/*:env/*:flag/*", "proj/a:env/b:flag/c", true},
		{"proj/*:env/*:flag/*", "proj/a:segment/b:flag/c", false},
		// Tags: the resource must carry every listed tag; "*" works in tags.
		{"proj/mobile:env/test;qa_*:flag/*", "proj/mobile:env/test;qa_1:flag/f", true},
		{"proj/mobile:env/test;qa_*:flag/*", "proj/mobile:env/test;prod:flag/f", false},
		{"proj/mobile:env/test;qa_*:flag/*", "proj/mobile:env/test:flag/f", false},
		{"flag/*;a,b", "flag/f;b,c,a", true},
		{"flag/*;a,b", "flag/f;a", false},
		{"flag/*", "flag/f;a", true},
		// Placeholders are not resolved here: they match nothing.
		{"proj/${roleAttribute/devProjects}:env/staging", "proj/mobile:env/staging", false},
		{"proj/x${roleAttribute/a}", "proj/x${roleAttribute/a}", false},
		// Kinds are literal and case-sensitive.
		{"acct", "acct", true},
		{"acct", "org", false},
		{"Org", "org", false},
		{"member/*", "workspace/w1", false},
		// Foreign specifiers never match our resources.
		{"proj/*", "org", false},
		{"proj/*", "workspace/w1", false},
		{"proj/*:env/production", "workspace/w1", false},
		{"workspace/*:token/*", "workspace/w1", false},
		{"workspace/w1;prod", "workspace/w1", false},
	}
	for _, tc := range cases {
		if got := matchResource(tc.spec, tc.resource); got != tc.want {
			t.Errorf("matchResource(%q, %q) = %v, want %v", tc.spec, tc.resource, got, tc.want)
		}
	}
}

func TestCheckSpecifierAccepts(t *testing.T) {
	for _, s := range []string{
		"*", "org", "workspace/*", "workspace/w1", "workspace/prod-*",
		"acct", "proj/*", "proj/*:env/production", "proj/mobile:env/test;qa_*:flag/*",
		"proj/${roleAttribute/devProjects}:env/staging", "proj/pre-${roleAttribute/a}-${roleAttribute/b}*",
		"proj/*:env/*;tag1,tag2:flag/*", "member/*", "role/*;admin", "relay-proxy-config/*",
		"token/t.1", "proj_x/*",
	} {
		if msg := CheckSpecifier(s); msg != "" {
			t.Errorf("CheckSpecifier(%q) = %q, want accepted", s, msg)
		}
	}
}

func TestIsOwn(t *testing.T) {
	for _, tc := range []struct {
		v         string
		ownAction bool
		ownRes    bool
	}{
		{v: "*", ownAction: true, ownRes: true},
		{v: "API_READ", ownAction: true},
		{v: "API_*", ownAction: true},
		{v: "updateOn"},
		{v: "update*"},
		{v: "Api*"},
		{v: "_X"},
		{v: "org", ownRes: true},
		{v: "workspace/*", ownRes: true},
		{v: "workspace/prod-*", ownRes: true},
		{v: "proj/*"},
		{v: "acct"},
		{v: "member/*"},
		{v: "workspace/*:token/*"},
	} {
		if got := IsOwnAction(tc.v); got != tc.ownAction {
			t.Errorf("IsOwnAction(%q) = %v, want %v", tc.v, got, tc.ownAction)
		}
		if got := IsOwnResource(tc.v); got != tc.ownRes {
			t.Errorf("IsOwnResource(%q) = %v, want %v", tc.v, got, tc.ownRes)
		}
	}
}
