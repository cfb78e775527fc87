package store

import (
	"reflect"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// The column format is fixed by the rows already stored: its keys and their
// order must not follow changes to the wire type.
func TestStatementColumnFormat(t *testing.T) {
	stmts := []api.Statement{
		{Effect: "allow", Actions: []string{"API_READ"}, NotActions: []string{"API_WRITE"}, Resources: []string{"org"}, NotResources: []string{"workspace/w1"}},
		{Effect: "deny", Actions: []string{"*"}, Resources: []string{"*"}},
	}
	const want = `[{"effect":"allow","actions":["API_READ"],"notActions":["API_WRITE"],"resources":["org"],"notResources":["workspace/w1"]},` +
		`{"effect":"deny","actions":["*"],"resources":["*"]}]`
	if got := string(EncodeStatements(stmts)); got != want {
		t.Fatalf("EncodeStatements = %s\nwant %s", got, want)
	}
	back, err := DecodeStatements([]byte(want))
	if err != nil || !reflect.DeepEqual(back, stmts) {
		t.Fatalf("DecodeStatements = %+v, %v; want %+v", back, err, stmts)
	}
	if got := string(EncodeStatements(nil)); got != "[]" {
		t.Errorf("no statements encode as %s, want []", got)
	}
	for _, empty := range []string{"", "[]"} {
		if got, err := DecodeStatements([]byte(empty)); got != nil || err != nil {
			t.Errorf("DecodeStatements(%q) = %v, %v; want nil", empty, got, err)
		}
	}
	if _, err := DecodeStatements([]byte(`{"effect":`)); err == nil {
		t.Error("a broken column decoded without an error")
	}
}
