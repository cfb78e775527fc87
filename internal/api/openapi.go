package api

import _ "embed"

// PathOpenAPI is where tokensmithd serves OpenAPIDocument, as JSON and
// without authentication.
const PathOpenAPI = "/api/v2/openapi.json"

// OpenAPIDocument is the published contract of the API: an OpenAPI 3
// document in YAML, kept by hand in openapi.yaml beside this file. Every
// endpoint and every field of the wire types above is described there.
//
//go:embed openapi.yaml
var OpenAPIDocument []byte
