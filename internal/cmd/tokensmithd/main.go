// Command tokensmithd is the Tokensmith token backend: the HTTP API over an
// embedded SQLite store.
//
// Every flag has an environment variable; a flag given on the command line
// wins over the variable, which wins over the config file.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tokensmithd:", err)
		os.Exit(1)
	}
}

// fileConfig is the JSON file given with --config.
type fileConfig struct {
	Catalogue json.RawMessage `json:"catalogue"`
	Quotas    *struct {
		PerMember *int `json:"perMember"`
		PerOrg    *int `json:"perOrg"`
	} `json:"quotas"`
	Expiration *struct {
		MaxLifetimeDays int   `json:"maxLifetimeDays"`
		AllowNoExpiry   *bool `json:"allowNoExpiry"`
	} `json:"expiration"`
	RateLimit *struct {
		PerSecond *float64 `json:"perSecond"`
		Burst     *int     `json:"burst"`
	} `json:"rateLimit"`
	Pepper string `json:"pepper"`
}

type options struct {
	listen, data, config      string
	tlsCert, tlsKey, tlsCAOut string
	tlsSelfSigned             bool
	maxPerMember, maxPerOrg   int
	rateLimit                 float64
	authFailureLimit          float64
	allowClientSecrets        bool
	set                       map[string]bool // flags or variables given explicitly
	harness                   harnessOptions
}

func envOr(name, def string, set map[string]bool, flagName string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		set[flagName] = true
		return v
	}
	return def
}

func parseFlags(args []string) (*options, error) {
	o := &options{set: map[string]bool{}}
	fs := flag.NewFlagSet("tokensmithd", flag.ContinueOnError)
	num := func(env string, def int, name string) int {
		v := envOr(env, strconv.Itoa(def), o.set, name)
		n, err := strconv.Atoi(v)
		if err != nil {
			return def
		}
		return n
	}
	fs.StringVar(&o.listen, "listen", envOr("TOKENSMITH_LISTEN", "127.0.0.1:8080", o.set, "listen"), "address to listen on (TOKENSMITH_LISTEN)")
	fs.StringVar(&o.data, "data", envOr("TOKENSMITH_DATA", "./tokensmith.db", o.set, "data"), "SQLite database path (TOKENSMITH_DATA)")
	fs.StringVar(&o.config, "config", envOr("TOKENSMITH_CONFIG", "", o.set, "config"), "JSON config file: catalogue, quotas, expiration, rate limits, pepper (TOKENSMITH_CONFIG)")
	fs.StringVar(&o.tlsCert, "tls-cert", envOr("TOKENSMITH_TLS_CERT", "", o.set, "tls-cert"), "TLS certificate PEM file (TOKENSMITH_TLS_CERT)")
	fs.StringVar(&o.tlsKey, "tls-key", envOr("TOKENSMITH_TLS_KEY", "", o.set, "tls-key"), "TLS key PEM file (TOKENSMITH_TLS_KEY)")
	selfSigned, _ := strconv.ParseBool(envOr("TOKENSMITH_TLS_SELF_SIGNED", "false", o.set, "tls-self-signed"))
	fs.BoolVar(&o.tlsSelfSigned, "tls-self-signed", selfSigned, "serve HTTPS with a generated certificate (TOKENSMITH_TLS_SELF_SIGNED)")
	fs.StringVar(&o.tlsCAOut, "tls-ca-out", envOr("TOKENSMITH_TLS_CA_OUT", "", o.set, "tls-ca-out"), "where --tls-self-signed writes the certificate PEM (default <data>.ca.pem) (TOKENSMITH_TLS_CA_OUT)")
	fs.IntVar(&o.maxPerMember, "max-tokens-per-member", num("TOKENSMITH_MAX_TOKENS_PER_MEMBER", server.DefaultQuotaPerMember, "max-tokens-per-member"), "token quota per member, 0 = unlimited (TOKENSMITH_MAX_TOKENS_PER_MEMBER)")
	fs.IntVar(&o.maxPerOrg, "max-tokens-per-org", num("TOKENSMITH_MAX_TOKENS_PER_ORG", server.DefaultQuotaPerOrg, "max-tokens-per-org"), "token quota per organisation, 0 = unlimited (TOKENSMITH_MAX_TOKENS_PER_ORG)")
	rl, err := strconv.ParseFloat(envOr("TOKENSMITH_RATE_LIMIT", strconv.Itoa(server.DefaultRateLimit), o.set, "rate-limit"), 64)
	if err != nil {
		return nil, fmt.Errorf("TOKENSMITH_RATE_LIMIT: %w", err)
	}
	fs.Float64Var(&o.rateLimit, "rate-limit", rl, "requests per second per token, 0 = unlimited (TOKENSMITH_RATE_LIMIT)")
	afl, err := strconv.ParseFloat(envOr("TOKENSMITH_AUTH_FAILURE_LIMIT", strconv.Itoa(server.DefaultAuthFailureLimit), o.set, "auth-failure-limit"), 64)
	if err != nil {
		return nil, fmt.Errorf("TOKENSMITH_AUTH_FAILURE_LIMIT: %w", err)
	}
	fs.Float64Var(&o.authFailureLimit, "auth-failure-limit", afl,
		"failed authentications per second per client address, bursts of ten times as many; 0 = unlimited (TOKENSMITH_AUTH_FAILURE_LIMIT)")
	if err := registerAllowClientSecrets(fs, &o.allowClientSecrets, o.set); err != nil {
		return nil, err
	}
	if err := o.harness.register(fs, o.set); err != nil {
		return nil, err
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	if o.tlsSelfSigned && o.tlsCert != "" {
		return nil, errors.New("--tls-self-signed excludes --tls-cert/--tls-key")
	}
	if o.tlsCAOut == "" {
		o.tlsCAOut = o.data + ".ca.pem"
	}
	if err := o.harness.check(o); err != nil {
		return nil, err
	}
	return o, nil
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))

	cfg := server.DefaultConfig()
	cfg.Logger = logger
	cfg.TestClock = o.harness.clock()
	cfg.AllowClientSecrets = o.allowClientSecrets
	fx, err := o.harness.loadFixture()
	if err != nil {
		return err
	}
	var fc fileConfig
	if o.config != "" {
		if fc, err = readFileConfig(o.config); err != nil {
			return err
		}
		if err := applyFileConfig(&cfg, fc); err != nil {
			return fmt.Errorf("config %s: %w", o.config, err)
		}
	}
	if o.set["max-tokens-per-member"] || fc.Quotas == nil || fc.Quotas.PerMember == nil {
		cfg.Quota.PerMember = o.maxPerMember
	}
	if o.set["max-tokens-per-org"] || fc.Quotas == nil || fc.Quotas.PerOrg == nil {
		cfg.Quota.PerOrg = o.maxPerOrg
	}
	if o.set["rate-limit"] || fc.RateLimit == nil || fc.RateLimit.PerSecond == nil {
		cfg.RateLimit = o.rateLimit
		if fc.RateLimit == nil || fc.RateLimit.Burst == nil {
			cfg.RateBurst = int(2 * o.rateLimit)
		}
	}
	if o.set["auth-failure-limit"] {
		cfg.AuthFailureLimit = o.authFailureLimit
		cfg.AuthFailureBurst = int(10 * o.authFailureLimit)
	}

	pepper, err := o.pepper(fc.Pepper)
	if err != nil {
		return err
	}
	hasher, err := secret.NewHasher(pepper)
	if err != nil {
		return fmt.Errorf("pepper: %w", err)
	}
	cfg.Hasher = hasher

	st, err := o.openStore(logger, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	cfg.Store = st

	given := os.Getenv("TOKENSMITH_BOOTSTRAP_TOKEN")
	value, created, err := server.Bootstrap(ctx, st, hasher, time.Now(), given)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stderr, "tokensmithd: created the organisation, owner %s and workspace %q\n", server.BootstrapOwnerEmail, server.BootstrapWorkspaceName)
		if value == given {
			fmt.Fprintln(stderr, "tokensmithd: the owner access token is the value of TOKENSMITH_BOOTSTRAP_TOKEN")
		} else {
			if given != "" {
				fmt.Fprintln(stderr, "tokensmithd: TOKENSMITH_BOOTSTRAP_TOKEN is not a well-formed token; generated one instead")
			}
			fmt.Fprintf(stderr, "tokensmithd: owner access token (shown once): %s\n", value)
		}
	}

	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := seed(ctx, fx, srv, value, created, stderr); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	hs := newHTTPServer(srv, logger)
	scheme := "http"
	switch {
	case o.tlsCert != "":
		scheme = "https"
		ln, err = tlsListener(ln, o.tlsCert, o.tlsKey)
	case o.tlsSelfSigned:
		scheme = "https"
		ln, err = selfSignedListener(ln, o.listen, o.tlsCAOut)
		if err == nil {
			fmt.Fprintf(stderr, "tokensmithd: certificate written to %s\n", o.tlsCAOut)
		}
	}
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(stderr, "tokensmithd listening on %s://%s\n", scheme, ln.Addr())
	defer o.harness.cleanup()
	if err := o.ready(stderr, scheme, ln.Addr(), value); err != nil {
		return err
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stderr, "tokensmithd: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := srv.Close(); err != nil {
		return err
	}
	return st.Close()
}

// newHTTPServer bounds how long a client may take to send a request and
// read the answer, so slow or idle connections cannot pile up; every
// request of the API is small and quick.
func newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// readFileConfig decodes the config file strictly: a misspelt key would
// otherwise leave a quota or the expiration policy silently at its default.
func readFileConfig(path string) (fileConfig, error) {
	var fc fileConfig
	b, err := os.ReadFile(path)
	if err != nil {
		return fc, fmt.Errorf("config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return fc, fmt.Errorf("config %s: %w", path, err)
	}
	if dec.More() {
		return fc, fmt.Errorf("config %s: trailing data after the JSON object", path)
	}
	return fc, nil
}

func applyFileConfig(cfg *server.Config, fc fileConfig) error {
	if len(fc.Catalogue) > 0 && string(fc.Catalogue) != "null" {
		cat, err := catalogue.Load(bytes.NewReader(fc.Catalogue))
		if err != nil {
			return fmt.Errorf("catalogue: %w", err)
		}
		cfg.Catalogue = cat
	}
	if fc.Expiration != nil {
		if fc.Expiration.MaxLifetimeDays < 0 {
			return errors.New("expiration.maxLifetimeDays must not be negative")
		}
		cfg.MaxLifetime = time.Duration(fc.Expiration.MaxLifetimeDays) * 24 * time.Hour
		if fc.Expiration.AllowNoExpiry != nil {
			cfg.AllowNoExpiry = *fc.Expiration.AllowNoExpiry
		}
	}
	if fc.Quotas != nil {
		if fc.Quotas.PerMember != nil {
			cfg.Quota.PerMember = *fc.Quotas.PerMember
		}
		if fc.Quotas.PerOrg != nil {
			cfg.Quota.PerOrg = *fc.Quotas.PerOrg
		}
	}
	if fc.RateLimit != nil {
		if fc.RateLimit.PerSecond != nil {
			cfg.RateLimit = *fc.RateLimit.PerSecond
		}
		if fc.RateLimit.Burst != nil {
			cfg.RateBurst = *fc.RateLimit.Burst
		}
	}
	return nil
}

// loadPepper takes the pepper from the config file, then TOKENSMITH_PEPPER
// (base64), then <data>.pepper, creating that file (mode 0600) on first start.
// An existing pepper file must not be readable by group or others, and a new
// pepper is made only for a new database: for an existing one it would
// silently invalidate every token, the owner's included.
func loadPepper(fromFile, dataPath string) ([]byte, error) {
	decode := func(src, v string) ([]byte, error) {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("%s: the pepper must be base64", src)
		}
		return b, nil
	}
	if fromFile != "" {
		return decode("config pepper", fromFile)
	}
	if v := os.Getenv("TOKENSMITH_PEPPER"); v != "" {
		return decode("TOKENSMITH_PEPPER", v)
	}
	path := dataPath + ".pepper"
	if fi, err := os.Stat(path); err == nil {
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			return nil, fmt.Errorf("pepper file %s has mode %04o: it must be readable by its owner only (chmod 600 %s)", path, perm, path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return decode(path, string(bytes.TrimSpace(b)))
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if fi, err := os.Stat(dataPath); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("database %s exists but its pepper file %s does not: restore the pepper file (or set TOKENSMITH_PEPPER); a new pepper would invalidate every token", dataPath, path)
	}
	p, err := secret.NewPepper()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create pepper file: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(p) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("write pepper file: %w", err)
	}
	return p, nil
}
