//go:build crashpoint

package server

import (
	"fmt"
	"os"
)

// A binary built with -tags crashpoint stops for good at the point named by
// TOKENSMITH_TEST_CRASH_POINT, after saying so on stderr, so a test can kill
// it there with SIGKILL. Release builds have no such point.
func init() {
	point := os.Getenv("TOKENSMITH_TEST_CRASH_POINT")
	stop := func() {
		fmt.Fprintln(os.Stderr, "tokensmithd: reached crash point "+point)
		select {}
	}
	switch point {
	case "idempotent-effect":
		afterIdempotentEffect = stop
	case "bootstrap-commit":
		afterBootstrapCommit = stop
	}
}
