package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// Headers larger than the API accepts get a problem document like every
// other error, not net/http's plain text, as long as the HTTP server has
// read them (up to server.HeaderReadLimit).
func TestOversizedHeadersAnswerAProblem(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	big := strings.Repeat("x", server.MaxHeaderBytes)
	p := c.fail(http.StatusRequestHeaderFieldsTooLarge, api.CodeHeadersTooLarge, "GET", api.PathCallerIdentity, nil, "X-Padding", big)
	if !strings.Contains(p.Detail, "headers") {
		t.Errorf("detail %q does not say what was too large", p.Detail)
	}
	// Within the limit, the same request succeeds.
	c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil, "X-Padding", big[:server.MaxHeaderBytes/2])
}
