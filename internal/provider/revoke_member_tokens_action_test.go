package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

const revokeAction = "tokensmith_revoke_member_tokens"

// invokeAction validates, plans and invokes the action with the given
// arguments, as Terraform 1.14 does, and returns the progress messages and
// the errors of the completed event.
func invokeAction(t *testing.T, ps tfprotov6.ProviderServer, schema *tfprotov6.GetProviderSchemaResponse, args map[string]tftypes.Value) (progress []string, errs string) {
	t.Helper()
	ctx := context.Background()
	srv, ok := ps.(tfprotov6.ActionServer)
	if !ok {
		t.Fatal("the provider server does not serve actions")
	}
	config := dynamicValue(t, schema.ActionSchemas[revokeAction].Schema, args)
	v, err := srv.ValidateActionConfig(ctx, &tfprotov6.ValidateActionConfigRequest{ActionType: revokeAction, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	if e := protocolErrors(v.Diagnostics); e != "" {
		return nil, e
	}
	p, err := srv.PlanAction(ctx, &tfprotov6.PlanActionRequest{ActionType: revokeAction, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	if e := protocolErrors(p.Diagnostics); e != "" {
		return nil, e
	}
	stream, err := srv.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: revokeAction, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	completed := false
	for ev := range stream.Events {
		switch e := ev.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			progress = append(progress, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			completed = true
			errs = protocolErrors(e.Diagnostics)
		}
	}
	if !completed {
		t.Fatal("InvokeAction sent no completed event")
	}
	return progress, errs
}

// TestProtocolRevokeMemberTokensAction invokes the action through the
// protocol against a real backend: with filters it revokes exactly the
// matching tokens of the member and reports how many; unfiltered it revokes
// the rest; an unknown member and a caller without ACCESS_TOKEN_MANAGE fail
// with the backend's reason.
func TestProtocolRevokeMemberTokensAction(t *testing.T) {
	ts := testserver.New(t)
	srv, schema := protocolServer(t, ts)
	if _, ok := schema.ActionSchemas[revokeAction]; !ok {
		t.Fatalf("the provider serves no %s action", revokeAction)
	}
	ctx := context.Background()
	c := testAccClient(t, ts)
	m := testAccServiceAccount(t, ts, "leaver@example.com")
	mk := func(name string, service bool) *api.Token {
		tok, err := c.CreateToken(ctx, api.TokenCreate{Name: name, Role: api.RoleReader, MemberID: m.ID, ServiceToken: service,
			WorkspaceIDs: []string{ts.DefaultWorkspaceID}}, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	personal, svc1, svc2 := mk("personal", false), mk("svc1", true), mk("svc2", true)

	progress, errs := invokeAction(t, srv, schema, map[string]tftypes.Value{
		"member_id":     tftypes.NewValue(tftypes.String, m.ID),
		"service_token": tftypes.NewValue(tftypes.Bool, true),
		"workspace_id":  tftypes.NewValue(tftypes.String, ts.DefaultWorkspaceID),
	})
	if errs != "" {
		t.Fatalf("invoke: %s", errs)
	}
	want := "Revoked 2 service tokens reaching workspace " + ts.DefaultWorkspaceID + " of member " + m.ID + "."
	if len(progress) != 1 || progress[0] != want {
		t.Fatalf("progress = %q, want %q", progress, want)
	}
	for _, tok := range []*api.Token{svc1, svc2} {
		if _, err := c.GetToken(ctx, tok.ID); !client.IsNotFound(err) {
			t.Errorf("service token %s survived: %v", tok.Name, err)
		}
	}
	if _, err := c.GetToken(ctx, personal.ID); err != nil {
		t.Fatalf("the personal token went too: %v", err)
	}

	progress, errs = invokeAction(t, srv, schema, map[string]tftypes.Value{"member_id": tftypes.NewValue(tftypes.String, m.ID)})
	if errs != "" || len(progress) != 1 || progress[0] != "Revoked 1 tokens of member "+m.ID+"." {
		t.Fatalf("unfiltered: progress %q, errors %s", progress, errs)
	}

	_, errs = invokeAction(t, srv, schema, map[string]tftypes.Value{"member_id": tftypes.NewValue(tftypes.String, "000000000000000000000000")})
	if !strings.Contains(errs, "Unable to Revoke Member Tokens") || !strings.Contains(errs, "not found") {
		t.Fatalf("unknown member: %s", errs)
	}

	kept := mk("kept", false)
	writer, wschema := protocolServerAs(t, ts, testAccMemberToken(t, ts, "writer", ts.DefaultWorkspaceID))
	_, errs = invokeAction(t, writer, wschema, map[string]tftypes.Value{"member_id": tftypes.NewValue(tftypes.String, m.ID)})
	if !strings.Contains(errs, "ACCESS_TOKEN_MANAGE") {
		t.Fatalf("a writer revoking another member's tokens: %s", errs)
	}
	if _, err := c.GetToken(ctx, kept.ID); err != nil {
		t.Fatalf("the refused invocation revoked a token: %v", err)
	}
}
