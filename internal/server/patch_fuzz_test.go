package server

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

var patchSeeds = []string{
	`[{"op":"replace","path":"/name","value":"x"}]`,
	`{"patch":[{"op":"add","path":"/customRoleIds/-","value":"c"}],"comment":"why"}`,
	`[{"op":"add","path":"/customRoleIds/0","value":"c"},{"op":"test","path":"/customRoleIds/1","value":"a"}]`,
	`[{"op":"remove","path":"/workspaceIds/0"},{"op":"replace","path":"/allWorkspaces","value":true}]`,
	`[{"op":"replace","path":"/inlineRole","value":[{"effect":"allow","actions":["*"],"resources":["*"]}]}]`,
	`[{"op":"replace","path":"/inlineRole/0/actions/0","value":"API_READ"}]`,
	`[{"op":"replace","path":"/na~0me~1","value":1}]`,
	`[{"op":"move","from":"/name","path":"/description"}]`,
	`[{"op":"test","path":"/name","value":"n"}]`,
	`[{"op":"replace","path":"/serviceToken","value":true}]`,
	`[{"op":"add","path":"/customRoleIds/-1","value":"c"}]`,
	`[{"op":"replace","path":"/name","value":[[[[{}]]]]}]`,
	`[]`, `{}`, `null`, `[null]`, `"x"`, `[{"op":1}]`,
}

// FuzzPatch: decoding a PATCH body and applying it to a token never panics,
// never changes the document it starts from, reports every failure as a
// client error, and touches only mutable fields.
func FuzzPatch(f *testing.F) {
	for _, s := range patchSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var pb patchBody
		if err := decodeStrict(body, &pb); err != nil {
			if e, known := asError(err); !known || e.Code != api.CodeInvalidRequest {
				t.Fatalf("decode error %v", err)
			}
			return
		}
		doc := tokenSpec{Name: "n", Description: "d", CustomRoleIDs: []string{"a", "b"}, WorkspaceIDs: []string{"w"},
			InlineRole: []api.Statement{{Effect: "allow", Actions: []string{"API_READ"}, Resources: []string{"*"}}}}
		before, _ := json.Marshal(doc)
		var out tokenSpec
		touched, err := applyPatch(doc, pb.Ops, tokenPatchRules, &out)
		if after, _ := json.Marshal(doc); !bytes.Equal(before, after) {
			t.Fatalf("applyPatch changed its input: %s", after)
		}
		if err != nil {
			if e, known := asError(err); !known || (e.Code != api.CodeInvalidRequest && e.Code != api.CodeConflict) {
				t.Fatalf("patch error %v", err)
			}
			return
		}
		for k := range touched {
			if !tokenPatchRules.mutable[k] {
				t.Fatalf("touched %q", k)
			}
		}
		if len(touched) == 0 {
			if got, _ := json.Marshal(out); !bytes.Equal(got, before) {
				t.Fatalf("a patch of tests only changed the document: %s", got)
			}
		}
	})
}

// FuzzDecode: strict decoding of a token create body never panics and
// reports every failure as a 400.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"name":"x","role":"reader"}`,
		`{"name":"x","inlineRole":[{"effect":"allow","actions":["*"],"resources":["*"],"efect":1}]}`,
		`{"name":1}`, `{"expirationDate":1e400}`, `{"customRoleIds":[1]}`, `[]`, `{"a":{"b":[{}]}}`, `{"name":"x"} {}`,
		`{"Name":"x","ROLE":"reader"}`, `{"inlineRole":[{"effect":"allow","actions":"x"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in api.TokenCreate
		if err := decodeStrict(body, &in); err != nil {
			if e, known := asError(err); !known || e.Code != api.CodeInvalidRequest || e.Detail == "" {
				t.Fatalf("decode error %v", err)
			}
		}
	})
}
