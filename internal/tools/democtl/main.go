// Command democtl prepares a freshly started tokensmithd for `make demo`:
//
//	democtl token                 prints a new, well-formed personal token to
//	                              use as TOKENSMITH_BOOTSTRAP_TOKEN
//	democtl workspace <name>...   creates the named workspaces unless they
//	                              exist, using TOKENSMITH_ENDPOINT,
//	                              TOKENSMITH_TOKEN and TOKENSMITH_CA_FILE
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "democtl:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: democtl token | democtl workspace <name> [<name>]")
	}
	switch args[0] {
	case "token":
		v, err := secret.Generate(secret.KindPersonal)
		if err != nil {
			return err
		}
		fmt.Println(v)
		return nil
	case "workspace":
		return createWorkspaces(args[1:])
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func createWorkspaces(names []string) error {
	var caPEM []byte
	if f := os.Getenv("TOKENSMITH_CA_FILE"); f != "" {
		var err error
		if caPEM, err = os.ReadFile(f); err != nil {
			return err
		}
	}
	c, err := client.New(client.Config{
		Endpoint:  os.Getenv("TOKENSMITH_ENDPOINT"),
		Token:     os.Getenv("TOKENSMITH_TOKEN"),
		CACertPEM: string(caPEM),
		UserAgent: "democtl",
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, name := range names {
		existing, err := c.ListWorkspaces(ctx, name, client.ListOptions{})
		if err != nil {
			return err
		}
		if len(existing.Items) > 0 {
			fmt.Printf("workspace %q exists: %s\n", name, existing.Items[0].ID)
			continue
		}
		w, err := c.CreateWorkspace(ctx, api.WorkspaceCreate{Name: name, Description: "Created by make demo"})
		if err != nil {
			return fmt.Errorf("creating workspace %q: %w", name, err)
		}
		fmt.Printf("workspace %q created: %s\n", name, w.ID)
	}
	return nil
}
