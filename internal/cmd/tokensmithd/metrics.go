package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// serveMetrics serves h at /metrics on its own plain-HTTP listener when addr
// is set, for a monitoring system that holds no token; nothing else is
// served there. The returned function stops it.
func serveMetrics(addr string, h http.Handler, logger *slog.Logger, stderr io.Writer) (func(context.Context) error, error) {
	if addr == "" {
		return func(context.Context) error { return nil }, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+api.PathMetrics, h)
	hs := newHTTPServer(mux, logger)
	go func() {
		if err := hs.Serve(ln); err != nil && err != http.ErrServerClosed {
			logger.Error("metrics listener", "error", err.Error())
		}
	}()
	fmt.Fprintf(stderr, "tokensmithd metrics at http://%s%s\n", ln.Addr(), api.PathMetrics)
	return hs.Shutdown, nil
}
