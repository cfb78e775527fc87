package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// requestLog is a proxy in front of an in-process backend that records the
// requests it passes on.
type requestLog struct {
	mu       sync.Mutex
	requests []string
}

func (l *requestLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.requests
	l.requests = nil
	return r
}

// countingClient is a client of ts whose requests are recorded in the
// returned log as "METHOD /path?query".
func countingClient(t *testing.T, ts *testserver.Server) (*client.Client, *requestLog) {
	t.Helper()
	target, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	log := &requestLog{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.mu.Lock()
		log.requests = append(log.requests, r.Method+" "+r.URL.RequestURI())
		log.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	c, err := client.New(client.Config{Endpoint: front.URL, Token: ts.OwnerToken})
	if err != nil {
		t.Fatal(err)
	}
	return c, log
}

// A plan that changes nothing asks the backend nothing: no dry run, no
// catalogue. A plan that changes the token still sends its dry run.
func TestModifyPlan_unchangedTokenIsNotReviewed(t *testing.T) {
	ctx := context.Background()
	ts := testserver.New(t)
	c, requests := countingClient(t, ts)
	r := &accessTokenResource{data: &providerData{Client: c, Now: time.Now, PermissionReview: permissionReviewError}}
	s := resourceSchemaOf(t, r).Schema

	config := accessTokenModel{
		ID: types.StringNull(), Name: types.StringValue("ci"), Description: types.StringNull(),
		Role: types.StringValue("reader"), CustomRoles: types.SetNull(types.StringType),
		InlineRole: types.SetNull(policyStatementType), Permissions: types.SetNull(types.StringType),
		WorkspaceIDs: types.SetNull(types.StringType), AllWorkspaces: types.BoolValue(true),
		ServiceToken: types.BoolNull(), DefaultAPIVersion: types.Int64Null(), ExpiresAt: types.StringNull(),
		ExpiresInDays: types.Int64Null(), Token: types.StringNull(), TokenLastFour: types.StringNull(),
		OwnerID: types.StringNull(), MemberID: types.StringNull(), CreatedAt: types.StringNull(),
		Expired: types.BoolNull(), AllowWidening: types.BoolNull(), RotateBeforeDays: types.Int64Null(),
		RotationTriggers: types.MapNull(types.StringType), ResetGracePeriod: types.StringNull(),
		Access: types.MapNull(types.StringType), SecretWO: types.StringNull(), SecretWOVersion: types.Int64Null(),
	}
	body, diags := accessTokenCreateBody(ctx, config, time.Now())
	if diags.HasError() {
		t.Fatal(diags)
	}
	tok, err := c.CreateToken(ctx, body, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stateModel, diags := accessTokenFromAPI(ctx, tok, config, nil)
	if diags.HasError() {
		t.Fatal(diags)
	}
	state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	cfg := tfsdk.Config{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	if d := state.Set(ctx, stateModel); d.HasError() {
		t.Fatal(d)
	}
	cfgState := tfsdk.State{Schema: s, Raw: cfg.Raw}
	if d := cfgState.Set(ctx, config); d.HasError() {
		t.Fatal(d)
	}
	cfg.Raw = cfgState.Raw
	requests.take()

	plan := func(cfg tfsdk.Config, proposed tftypes.Value) *resource.ModifyPlanResponse {
		req := resource.ModifyPlanRequest{Config: cfg, State: state, Plan: tfsdk.Plan{Schema: s, Raw: proposed}}
		resp := &resource.ModifyPlanResponse{Plan: req.Plan}
		r.ModifyPlan(ctx, req, resp)
		if resp.Diagnostics.HasError() {
			t.Fatal(resp.Diagnostics)
		}
		return resp
	}

	resp := plan(cfg, state.Raw)
	if !resp.Plan.Raw.Equal(state.Raw) || len(resp.RequiresReplace) > 0 {
		t.Errorf("a plan of an unchanged token changed it: %s", resp.Plan.Raw)
	}
	if got := requests.take(); len(got) > 0 {
		t.Errorf("a plan that changes nothing sent %q", got)
	}

	// The same token renamed: the update is sent as a dry run.
	renamed := stateModel
	renamed.Name = types.StringValue("ci-renamed")
	proposed := tfsdk.State{Schema: s, Raw: state.Raw}
	if d := proposed.Set(ctx, renamed); d.HasError() {
		t.Fatal(d)
	}
	config.Name = renamed.Name
	if d := cfgState.Set(ctx, config); d.HasError() {
		t.Fatal(d)
	}
	plan(tfsdk.Config{Schema: s, Raw: cfgState.Raw}, proposed.Raw)
	got := requests.take()
	if !slices.ContainsFunc(got, func(r string) bool {
		return strings.HasPrefix(r, "PATCH ") && strings.Contains(r, "dryRun=true")
	}) {
		t.Errorf("a rename sent %q, want a PATCH dry run", got)
	}
}

// allow_widening is planned from the configuration, else the state, else
// false, whether or not the proposed plan already holds that value.
func TestPlanAllowWidening(t *testing.T) {
	ctx := context.Background()
	s := resourceSchemaOf(t, NewAccessTokenResource()).Schema
	typ := s.Type().TerraformType(ctx).(tftypes.Object)
	with := func(v any) tftypes.Value {
		return objectWith(typ, map[string]tftypes.Value{"allow_widening": tftypes.NewValue(tftypes.Bool, v)})
	}
	null := objectWith(typ, nil)
	unknown := with(tftypes.UnknownValue)
	tests := []struct {
		name                   string
		config, state, propose tftypes.Value
		want                   any
	}{
		{"configured", with(true), with(false), with(true), true},
		{"create", null, tftypes.NewValue(typ, nil), unknown, false},
		{"kept from state", null, with(true), unknown, true},
		{"already planned", null, with(true), with(true), true},
		{"state without it", null, null, null, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := resource.ModifyPlanRequest{
				Config: tfsdk.Config{Schema: s, Raw: tt.config},
				State:  tfsdk.State{Schema: s, Raw: tt.state},
				Plan:   tfsdk.Plan{Schema: s, Raw: tt.propose},
			}
			resp := &resource.ModifyPlanResponse{Plan: req.Plan}
			planAllowWidening(ctx, req, resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			if got := rawAttribute(resp.Plan.Raw, "allow_widening"); !got.Equal(tftypes.NewValue(tftypes.Bool, tt.want)) {
				t.Errorf("planned %s, want %v", got, tt.want)
			}
		})
	}
}
