// Command schemaexport writes the provider's schema as `terraform providers
// schema -json` would, taken from the provider's own GetProviderSchema and
// GetResourceIdentitySchemas: make docs hands it to tfplugindocs. No CLI
// available here exports list resources and actions (Terraform 1.14 cannot
// be built from the module proxy), and this export covers every type the
// provider serves with any CLI or none.
//
//	go run ./internal/tools/schemaexport > schema.json
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/provider"
)

// providerAddress is the key tfplugindocs looks the provider up by.
const providerAddress = "registry.terraform.io/hashicorp/tokensmith"

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "schemaexport:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	srv, err := providerserver.NewProtocol6WithError(provider.New("docs")())()
	if err != nil {
		return err
	}
	schemas, err := exportSchemas(ctx, srv)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	return enc.Encode(schemas)
}
