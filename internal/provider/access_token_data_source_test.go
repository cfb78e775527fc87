package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestAccAccessTokenDataSource(t *testing.T) {
	ts := testserver.New(t)
	ctx := context.Background()
	c := testAccClient(t, ts)
	tok, err := c.CreateToken(ctx, api.TokenCreate{
		Name: "looked-up", Role: api.RoleWriter, WorkspaceIDs: []string{ts.DefaultWorkspaceID},
		ExpirationDate: ts.Clock.Now().Add(24 * time.Hour).UnixMilli(),
	}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WithToken(tok.Token).CallerIdentity(ctx); err != nil {
		t.Fatal(err)
	}
	lastFour := tok.Token[len(tok.Token)-4:]
	const addr = "data.tokensmith_access_token.test"
	cfg := testAccProviderConfig(ts) + fmt.Sprintf(`data "tokensmith_access_token" "test" { id = %q }`, tok.ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "name", "looked-up"),
					resource.TestCheckResourceAttr(addr, "role", "writer"),
					resource.TestCheckResourceAttr(addr, "token_last_four", lastFour),
					resource.TestCheckNoResourceAttr(addr, "token"),
					resource.TestCheckResourceAttr(addr, "member_id", ts.OwnerID),
					resource.TestCheckResourceAttr(addr, "workspace_ids.#", "1"),
					resource.TestCheckResourceAttr(addr, "all_workspaces", "false"),
					resource.TestCheckResourceAttr(addr, "expired", "false"),
					resource.TestCheckResourceAttr(addr, "last_used_at", ts.Clock.Now().UTC().Format(time.RFC3339Nano)),
					resource.TestCheckResourceAttrSet(addr, "expires_at"),
					// One use (the caller identity above), today.
					resource.TestCheckResourceAttr(addr, "daily_usage.#", fmt.Sprint(api.UsageDays)),
					resource.TestCheckResourceAttr(addr, fmt.Sprintf("daily_usage.%d.date", api.UsageDays-1), ts.Clock.Now().UTC().Format(api.UsageDateFormat)),
					resource.TestCheckResourceAttr(addr, fmt.Sprintf("daily_usage.%d.count", api.UsageDays-1), "1"),
					resource.TestCheckResourceAttr(addr, "daily_usage.0.count", "0"),
					resource.TestCheckResourceAttr(addr, "usage_total", "1"),
				),
			},
			{
				PreConfig: func() { ts.Clock.Advance(25 * time.Hour) },
				Config:    cfg,
				Check:     resource.TestCheckResourceAttr(addr, "expired", "true"),
			},
			{
				Config:      testAccProviderConfig(ts) + `data "tokensmith_access_token" "test" { id = "000000000000000000000000" }`,
				ExpectError: regexp.MustCompile(`(?s)Access Token Not Found.*000000000000000000000000`),
			},
		},
	})
}
