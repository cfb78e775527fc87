package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
)

func TestValidateAccepts(t *testing.T) {
	cat := catalogue.Default()
	stmts := []api.Statement{
		{Effect: "allow", Actions: acts("API_READ", "PLAN_*", "*"), Resources: acts("*", "org", "workspace/*", "workspace/0123456789abcdef01234567", "workspace/prod-*", "token/t.1", "role/my_role", "member/m-1")},
		{Effect: "deny", NotActions: acts("ACCESS_TOKEN_READ"), NotResources: acts("workspace/w1")},
		// The wider service's policies: foreign kinds and actions, nesting,
		// tags, wildcards anywhere in a name, placeholders.
		{Effect: "deny", Actions: acts("*"), Resources: acts("proj/*:env/production")},
		{Effect: "allow", Actions: acts("updateOn", "updateOff"), Resources: acts("proj/mobile:env/test;qa_*:flag/*")},
		{Effect: "allow", Actions: acts("update*", "createFlag"), Resources: acts("proj/${roleAttribute/devProjects}:env/staging", "acct", "proj/*-beta:env/*;a,b*", "code-reference-repository/*")},
		{Effect: "allow", Actions: acts("*"), NotResources: acts("proj/*")},
	}
	if err := Validate("inlineRole", stmts, cat); err != nil {
		t.Fatal(err)
	}
	if err := Validate("policy", nil, cat); err != nil {
		t.Fatalf("empty list: %v", err)
	}
	// Without a catalogue only the syntax is checked.
	if err := Validate("policy", []api.Statement{{Effect: "allow", Actions: acts("NOT_IN_CATALOGUE"), Resources: acts("*")}}, nil); err != nil {
		t.Fatalf("nil catalogue: %v", err)
	}
}

func TestValidateRejects(t *testing.T) {
	cat := catalogue.Default()
	good := api.Statement{Effect: "allow", Actions: acts("API_READ"), Resources: acts("*")}
	with := func(f func(*api.Statement)) []api.Statement {
		s := good
		f(&s)
		return []api.Statement{good, s}
	}
	cases := []struct {
		name  string
		stmts []api.Statement
		field string
		rule  string
	}{
		{"bad effect", with(func(s *api.Statement) { s.Effect = "Allow" }), "inlineRole[1].effect", `must be "allow" or "deny"`},
		{"empty effect", with(func(s *api.Statement) { s.Effect = "" }), "inlineRole[1].effect", `must be "allow" or "deny"`},
		{"no actions", with(func(s *api.Statement) { s.Actions = nil }), "inlineRole[1]", "one of actions and notActions must be non-empty"},
		{"both actions", with(func(s *api.Statement) { s.NotActions = acts("API_WRITE") }), "inlineRole[1].notActions", "must not be set together with actions"},
		{"no resources", with(func(s *api.Statement) { s.Resources = nil }), "inlineRole[1]", "one of resources and notResources must be non-empty"},
		{"both resources", with(func(s *api.Statement) { s.NotResources = acts("org") }), "inlineRole[1].notResources", "must not be set together with resources"},
		{"unknown action", with(func(s *api.Statement) { s.Actions = acts("API_READ", "ENVIROMENT_READ") }), "inlineRole[1].actions[1]", `unknown permission "ENVIROMENT_READ" (did you mean "ENVIRONMENT_READ"?)`},
		{"unknown notAction", with(func(s *api.Statement) { s.Actions, s.NotActions = nil, acts("NOPE_NOPE_NOPE_NOPE") }), "inlineRole[1].notActions[0]", `unknown permission "NOPE_NOPE_NOPE_NOPE"`},
		{"lower-case action", with(func(s *api.Statement) { s.Actions = acts("api_read") }), "inlineRole[1].actions[0]", `unknown permission "api_read" (did you mean "API_READ"?)`},
		{"empty action", with(func(s *api.Statement) { s.Actions = acts("") }), "inlineRole[1].actions[0]", "must not be empty"},
		{"prefix matching nothing", with(func(s *api.Statement) { s.Actions = acts("NOPE_*") }), "inlineRole[1].actions[0]", `"NOPE_*" matches no permission`},
		{"inner star", with(func(s *api.Statement) { s.Actions = acts("API_*_READ") }), "inlineRole[1].actions[0]", `"*" is allowed only at the end`},
		{"bare word resource", with(func(s *api.Statement) { s.Resources = acts("workspace") }), "inlineRole[1].resources[0]", `invalid resource "workspace": at character 10: expected "/" and a workspace id`},
		{"lower-case catalogue prefix", with(func(s *api.Statement) { s.Actions = acts("api_*") }), "inlineRole[1].actions[0]", `unknown permission "api_*" (did you mean "API_*"?)`},
		{"foreign action starting with a digit", with(func(s *api.Statement) { s.Actions = acts("1update") }), "inlineRole[1].actions[0]", `"1update": at character 1: expected a letter`},
		{"foreign action with a space", with(func(s *api.Statement) { s.Actions = acts("update On") }), "inlineRole[1].actions[0]", `"update On": at character 7: expected a letter, digit`},
		{"empty segment", with(func(s *api.Statement) { s.Resources = acts("*", "proj/*::env/x") }), "inlineRole[1].resources[1]", `invalid resource "proj/*::env/x": at character 8: expected a resource kind`},
		{"empty tag", with(func(s *api.Statement) { s.NotResources, s.Resources = acts("proj/*;a,"), nil }), "inlineRole[1].notResources[0]", `at character 10: expected a tag (letters, digits, "_", ".", "-" or "*"), found the end of the specifier`},
		{"unclosed placeholder", with(func(s *api.Statement) { s.Resources = acts("proj/${roleAttribute/x:env/y") }), "inlineRole[1].resources[0]", `at character 23: expected "}" closing the placeholder, found ":"`},
		{"other placeholder", with(func(s *api.Statement) { s.Resources = acts("proj/${member/x}") }), "inlineRole[1].resources[0]", `at character 6: expected "${roleAttribute/<attribute>}"`},
		{"nested in a workspace", with(func(s *api.Statement) { s.Resources = acts("workspace/*:token/*") }), "inlineRole[1].resources[0]", `at character 12: expected the end of the specifier, found ":"; nothing is nested in "workspace"`},
		{"workspace tags", with(func(s *api.Statement) { s.Resources = acts("workspace/w1;prod") }), "inlineRole[1].resources[0]", `at character 13: expected ":" or the end of the specifier, found ";"; workspaces carry no tags`},
		{"workspace placeholder", with(func(s *api.Statement) { s.Resources = acts("workspace/${roleAttribute/ws}") }), "inlineRole[1].resources[0]", `at character 11: expected a workspace id character, found "$"`},
		{"org with a name", with(func(s *api.Statement) { s.Resources = acts("org/acme") }), "inlineRole[1].resources[0]", `at character 4: expected the end of "org", found "/"`},
		{"nested in org", with(func(s *api.Statement) { s.Resources = acts("org:member/*") }), "inlineRole[1].resources[0]", `nothing is nested in "org"`},
		{"Workspace capitalised", with(func(s *api.Statement) { s.Resources = acts("Workspace/*") }), "inlineRole[1].resources[0]", `kinds are case-sensitive: did you mean "workspace"?`},
		{"non-ASCII character", with(func(s *api.Statement) { s.Resources = acts("proj/café") }), "inlineRole[1].resources[0]", `at character 9: expected ":" before the next segment, or the end of the specifier, found "é"`},
		{"empty id", with(func(s *api.Statement) { s.Resources = acts("workspace/") }), "inlineRole[1].resources[0]", `invalid resource "workspace/"`},
		{"inner star resource", with(func(s *api.Statement) { s.Resources = acts("workspace/a*b") }), "inlineRole[1].resources[0]", `invalid resource "workspace/a*b"`},
		{"double star resource", with(func(s *api.Statement) { s.Resources = acts("workspace/**") }), "inlineRole[1].resources[0]", `invalid resource`},
		{"nested path", with(func(s *api.Statement) { s.Resources = acts("workspace/a/b") }), "inlineRole[1].resources[0]", `invalid resource`},
		{"star kind", with(func(s *api.Statement) { s.Resources = acts("*/w1") }), "inlineRole[1].resources[0]", `at character 1: expected a resource kind (a letter, then letters, digits, "-" or "_"), found "*"`},
		{"Org capitalised", with(func(s *api.Statement) { s.NotResources, s.Resources = acts("Org"), nil }), "inlineRole[1].notResources[0]", `invalid resource "Org": at character 1: expected "org", found "O"; kinds are case-sensitive`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate("inlineRole", tc.stmts, cat)
			if err == nil {
				t.Fatal("accepted")
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a *FieldError", err)
			}
			if fe.Field != tc.field {
				t.Errorf("field = %q, want %q (error %q)", fe.Field, tc.field, err)
			}
			if !strings.Contains(fe.Message, tc.rule) {
				t.Errorf("message = %q, want it to contain %q", fe.Message, tc.rule)
			}
			if err.Error() != fe.Field+": "+fe.Message {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestValidateFieldPrefix(t *testing.T) {
	err := Validate("policy", []api.Statement{{Effect: "allow", Actions: acts("API_READ", "NOPE"), Resources: acts("*")}}, catalogue.Default())
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "policy[0].actions[1]" {
		t.Fatalf("err = %v, want field policy[0].actions[1]", err)
	}
}

func TestValidateCapsStatementsAndEntries(t *testing.T) {
	st := api.Statement{Effect: api.EffectAllow, Actions: []string{"*"}, Resources: []string{"*"}}
	stmts := make([]api.Statement, MaxStatements)
	for i := range stmts {
		stmts[i] = st
	}
	if err := Validate("policy", stmts, nil); err != nil {
		t.Fatalf("%d statements refused: %v", MaxStatements, err)
	}
	var fe *FieldError
	if err := Validate("policy", append(stmts, st), nil); !errors.As(err, &fe) || fe.Field != "policy" {
		t.Fatalf("too many statements: %v", err)
	}
	long := make([]string, MaxEntries+1)
	for i := range long {
		long[i] = "workspace/a"
	}
	for _, tc := range []struct {
		s     api.Statement
		field string
	}{
		{api.Statement{Effect: api.EffectAllow, Actions: long, Resources: []string{"*"}}, "p[0].actions"},
		{api.Statement{Effect: api.EffectAllow, NotActions: long, Resources: []string{"*"}}, "p[0].notActions"},
		{api.Statement{Effect: api.EffectAllow, Actions: []string{"*"}, Resources: long}, "p[0].resources"},
		{api.Statement{Effect: api.EffectDeny, Actions: []string{"*"}, NotResources: long}, "p[0].notResources"},
	} {
		if err := Validate("p", []api.Statement{tc.s}, nil); !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("want a FieldError on %s, got %v", tc.field, err)
		}
	}
}
