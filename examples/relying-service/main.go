// Command relying-service is a small HTTP service that accepts Tokensmith
// tokens: every request is checked with tokensmithd's introspection
// endpoint (POST /api/v2/introspect) through the Require middleware.
//
//	TOKENSMITH_ENDPOINT=http://127.0.0.1:8080 \
//	TOKENSMITH_INTROSPECTION_TOKEN=<a service token holding TOKEN_INTROSPECT> \
//	go run ./examples/relying-service
//
//	curl -H "Authorization: Bearer <any token holding API_READ>" http://127.0.0.1:8090/hello
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	checker := &Checker{
		Endpoint: os.Getenv("TOKENSMITH_ENDPOINT"),
		Token:    os.Getenv("TOKENSMITH_INTROSPECTION_TOKEN"),
		Client:   &http.Client{Timeout: 5 * time.Second},
	}
	if checker.Endpoint == "" || checker.Token == "" {
		log.Fatal("set TOKENSMITH_ENDPOINT and TOKENSMITH_INTROSPECTION_TOKEN")
	}
	addr := os.Getenv("LISTEN")
	if addr == "" {
		addr = "127.0.0.1:8090"
	}
	srv := &http.Server{Addr: addr, Handler: routes(checker), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("relying service on http://%s/hello", addr)
	log.Fatal(srv.ListenAndServe())
}

func routes(c *Checker) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /hello", c.Require("API_READ", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, member %s\n", Caller(r.Context()).Sub)
	})))
	return mux
}
