package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/fixture"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
)

// loadFixture reads --fixture before anything is started, so a malformed
// fixture stops startup before a database is created.
func (h *harnessOptions) loadFixture() (*fixture.Fixture, error) {
	if h.fixture == "" {
		return nil, nil
	}
	return fixture.Load(h.fixture, fixture.Options{AllowSecrets: h.inMemory})
}

// seed applies the fixture through the server's own API, in process, as the
// owner whose token this start created. A database created by an earlier
// start is left as it is.
func seed(ctx context.Context, f *fixture.Fixture, srv *server.Server, ownerToken string, created bool, stderr io.Writer) error {
	if f == nil {
		return nil
	}
	if !created {
		fmt.Fprintln(stderr, "tokensmithd: the database was initialised by an earlier start; the fixture is not applied again")
		return nil
	}
	c, err := client.New(client.Config{
		Endpoint:   "http://tokensmithd.in-process",
		Token:      ownerToken,
		MaxRetries: -1,
		HTTPClient: &http.Client{Transport: inProcess{srv}},
	})
	if err != nil {
		return err
	}
	if err := f.Apply(ctx, c, srv.Now(), srv.SetTokenSecret); err != nil {
		return fmt.Errorf("fixture: %w", err)
	}
	return nil
}

// inProcess hands requests straight to the handler, without a network.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.RemoteAddr = "127.0.0.1:0"
	if r.Body == nil {
		// A server request always has a body; handlers rely on it.
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}
