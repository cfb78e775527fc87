package server_test

import (
	"os"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
)

// TestDocumentedDefaultAPIVersion keeps the package documentation in step
// with DefaultAPIVersion. The member role table is package authz's.
func TestDocumentedDefaultAPIVersion(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	if server.DefaultAPIVersion != 20240415 || !strings.Contains(string(src), "(20240415)") {
		t.Errorf("doc.go does not state DefaultAPIVersion %d", server.DefaultAPIVersion)
	}
}
