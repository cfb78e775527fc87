package api

import (
	"bytes"
	_ "embed"
)

// PathOpenAPI is where tokensmithd serves OpenAPIDocument, as JSON and
// without authentication.
const PathOpenAPI = "/api/v2/openapi.json"

// OpenAPIDocument returns the published contract of the API, in a slice of
// the caller's own: an OpenAPI 3 document in YAML, kept by hand in
// openapi.yaml beside this file. Every endpoint and every field of the wire
// types above is described there.
func OpenAPIDocument() []byte { return bytes.Clone(openAPIDocument) }

//go:embed openapi.yaml
var openAPIDocument []byte
