package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
)

// The object-by-object catalogue shipped in examples/tokensmithd (see
// docs/guides/backend-rules.md, "Access levels") runs as an
// operator's config file: tokensmithd starts with it and lists its six
// objects.
func TestBinaryKnowledgeBaseCatalogueExample(t *testing.T) {
	conf, err := filepath.Abs("../../../examples/tokensmithd/knowledge-base-catalogue.json")
	if err != nil {
		t.Fatal(err)
	}
	boot, err := secret.Generate(secret.KindPersonal)
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, []string{"TOKENSMITH_BOOTSTRAP_TOKEN=" + boot},
		"--data", filepath.Join(t.TempDir(), "ts.db"), "--listen", "127.0.0.1:0", "--config", conf)
	req, _ := http.NewRequest("GET", d.baseURL("http").String()+api.PathObjects, nil)
	req.Header.Set("Authorization", boot)
	res, err := checked(t, http.DefaultClient).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var objects api.List[api.AccessObject]
	if err := json.NewDecoder(res.Body).Decode(&objects); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", api.PathObjects, res.StatusCode, err)
	}
	if objects.TotalCount != 6 {
		t.Fatalf("%d objects, want the 6 of the example: %+v", objects.TotalCount, objects.Items)
	}
}
