package postgres_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func jsonRequest(ts *testserver.Server, method, path, body string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, ts.URL+path, rd)
	req.Header.Set("Authorization", ts.OwnerToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func decode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
