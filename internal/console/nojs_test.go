package console_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// With JavaScript off the console still works, but for the copy button; and
// going back to the page that showed a secret asks the server again, which
// shows it no more.
func TestConsoleWithoutJavaScript(t *testing.T) {
	e := newEnv(t)
	e.setUp()
	ctx := newBrowser(t)
	base := e.ts.URL
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, base, writerEmail, writerPass)
	run(t, ctx, "create a token",
		chromedp.Click(chromedp.ID("new-token")),
		chromedp.WaitVisible(chromedp.ID("create")),
		chromedp.SetValue(chromedp.ID("name"), "no script"),
		chromedp.Click(chromedp.CSS(`input[name=scope][value=all]`)),
		// Radio buttons need no script: read-only on the first object
		// the writer may read.
		chromedp.Click(chromedp.CSS(`input[name^="access."][value=read_only]:not([disabled])`)),
		chromedp.Click(chromedp.ID("create")),
		chromedp.WaitVisible(chromedp.ID("secret")))
	secret := get(t, ctx, "read the secret", chromedp.Value(chromedp.ID("secret")))
	if !strings.HasPrefix(secret, "tsm_") {
		t.Fatalf("no secret shown without JavaScript")
	}
	if hidden := get(t, ctx, "copy button", chromedp.Evaluate[bool](`document.getElementById("copy").hidden`)); !hidden {
		t.Fatal("without JavaScript the copy button, which cannot work, is shown")
	}
	run(t, ctx, "leave the secret", chromedp.Click(chromedp.ID("done")), chromedp.WaitVisible(chromedp.ID("tokens")))
	asked := len(e.consoleURLs())
	get(t, ctx, "come back to the secret", chromedp.WaitEvent(page.LoadEventFired, nil, back()))
	if !slices.Contains(e.consoleURLs()[asked:], "/console/tokens/secret") {
		t.Fatal("going back showed the secret page from the browser's cache, without asking the server")
	}
	if shown := get(t, ctx, "read the page", chromedp.Evaluate[string](`document.documentElement.outerHTML`)); strings.Contains(shown, secret) {
		t.Fatal("going back shows the secret again")
	}
}
