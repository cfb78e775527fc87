//go:build tools

// Package tofubuild pins the OpenTofu release that the acceptance tests run
// against. It is its own module so that OpenTofu's dependency graph never
// enters the provider's go.mod; `make tools` builds the CLI from here.
package tofubuild

import _ "github.com/opentofu/opentofu/cmd/tofu"
