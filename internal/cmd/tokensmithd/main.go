// Command tokensmithd is the Tokensmith token backend: the HTTP API over an
// embedded SQLite store.
//
// Every flag has an environment variable; a flag given on the command line
// wins over the variable, which wins over the config file.
//
// "tokensmithd bootstrap-token" (with the same --data, --config and
// variables) issues a new owner token for whoever holds the data directory
// and prints it on stdout.
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
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/console"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h printed the usage; asking for it is not a failure
		}
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
	metricsListen             string
	tlsCert, tlsKey, tlsCAOut string
	tlsSelfSigned             bool
	maxPerMember, maxPerOrg   int
	rateLimit                 float64
	authFailureLimit          float64
	drainTimeout              time.Duration
	trustedProxies            proxyList
	allowClientSecrets        bool
	set                       map[string]bool // flags or variables given explicitly
	harness                   harnessOptions
	db                        databaseOptions
}

func envOr(name, def string, set map[string]bool, flagName string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		set[flagName] = true
		return v
	}
	return def
}

// typedFlags are the flags whose values must parse: each takes its
// environment variable through the flag's own parser, so a variable that
// does not parse stops startup naming it instead of falling back to a
// default.
var typedFlags = []struct{ name, env, want string }{
	{"tls-self-signed", "TOKENSMITH_TLS_SELF_SIGNED", "true or false"},
	{"max-tokens-per-member", "TOKENSMITH_MAX_TOKENS_PER_MEMBER", "a whole number, 0 for no limit"},
	{"max-tokens-per-org", "TOKENSMITH_MAX_TOKENS_PER_ORG", "a whole number, 0 for no limit"},
	{"rate-limit", "TOKENSMITH_RATE_LIMIT", "a number, 0 for no limit"},
	{"auth-failure-limit", "TOKENSMITH_AUTH_FAILURE_LIMIT", "a number, 0 for no limit"},
	{"drain-timeout", "TOKENSMITH_DRAIN_TIMEOUT", "a duration such as 30s"},
	{"db-max-conns", "TOKENSMITH_DB_MAX_CONNS", "a whole number, 0 for the default"},
	{"db-statement-timeout", "TOKENSMITH_DB_STATEMENT_TIMEOUT", "a duration such as 5s, 0 for the database's setting"},
}

func parseFlags(args []string) (*options, error) {
	o := &options{set: map[string]bool{}}
	fs := flag.NewFlagSet("tokensmithd", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: tokensmithd [flags]\n       tokensmithd %s [flags]   issue a new owner token, printed on stdout\n"+
			"       tokensmithd %s --email <email> [flags]   set a member's console password, read from stdin\n"+
			"       tokensmithd %s --database postgres://...   apply the database's migrations and exit\n"+
			"       tokensmithd %s --from <sqlite file> --to postgres://...   copy an installation into an empty PostgreSQL database\n\nflags:\n",
			bootstrapTokenCommand, setPasswordCommand, migrateCommand, copyCommand)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.listen, "listen", envOr("TOKENSMITH_LISTEN", "127.0.0.1:8080", o.set, "listen"), "address to listen on (TOKENSMITH_LISTEN)")
	fs.StringVar(&o.data, "data", envOr("TOKENSMITH_DATA", "./tokensmith.db", o.set, "data"), "SQLite database path (TOKENSMITH_DATA)")
	fs.StringVar(&o.config, "config", envOr("TOKENSMITH_CONFIG", "", o.set, "config"), "JSON config file: catalogue, quotas, expiration, rate limits, pepper (TOKENSMITH_CONFIG)")
	fs.StringVar(&o.tlsCert, "tls-cert", envOr("TOKENSMITH_TLS_CERT", "", o.set, "tls-cert"), "TLS certificate PEM file (TOKENSMITH_TLS_CERT)")
	fs.StringVar(&o.tlsKey, "tls-key", envOr("TOKENSMITH_TLS_KEY", "", o.set, "tls-key"), "TLS key PEM file (TOKENSMITH_TLS_KEY)")
	fs.BoolVar(&o.tlsSelfSigned, "tls-self-signed", false,
		"serve HTTPS with a certificate generated on first start and kept (key in <data>.tls-key.pem) until it nears expiry (TOKENSMITH_TLS_SELF_SIGNED)")
	fs.StringVar(&o.tlsCAOut, "tls-ca-out", envOr("TOKENSMITH_TLS_CA_OUT", "", o.set, "tls-ca-out"), "where --tls-self-signed writes the certificate PEM (default <data>.ca.pem) (TOKENSMITH_TLS_CA_OUT)")
	fs.IntVar(&o.maxPerMember, "max-tokens-per-member", server.DefaultQuotaPerMember, "token quota per member, 0 = unlimited (TOKENSMITH_MAX_TOKENS_PER_MEMBER)")
	fs.IntVar(&o.maxPerOrg, "max-tokens-per-org", server.DefaultQuotaPerOrg, "token quota per organisation, 0 = unlimited (TOKENSMITH_MAX_TOKENS_PER_ORG)")
	fs.Float64Var(&o.rateLimit, "rate-limit", server.DefaultRateLimit,
		"requests per second per token, bursts of twice as many; 0 = unlimited (TOKENSMITH_RATE_LIMIT)")
	fs.Float64Var(&o.authFailureLimit, "auth-failure-limit", server.DefaultAuthFailureLimit,
		"failed authentications per second per client address, bursts of ten times as many; 0 = unlimited (TOKENSMITH_AUTH_FAILURE_LIMIT)")
	fs.DurationVar(&o.drainTimeout, "drain-timeout", 30*time.Second,
		"on SIGTERM or SIGINT, how long requests in flight may take to finish before their connections are closed (TOKENSMITH_DRAIN_TIMEOUT)")
	fs.StringVar(&o.metricsListen, "metrics-listen", envOr("TOKENSMITH_METRICS_LISTEN", "", o.set, "metrics-listen"),
		"also serve GET /metrics on this address, without a token (the API listener always serves it to tokens holding METRICS_READ) (TOKENSMITH_METRICS_LISTEN)")
	if err := registerAllowClientSecrets(fs, &o.allowClientSecrets, o.set); err != nil {
		return nil, err
	}
	if err := o.harness.register(fs, o.set); err != nil {
		return nil, err
	}
	if err := trustedProxiesFlag(fs, &o.trustedProxies, o.set); err != nil {
		return nil, err
	}
	o.db.register(fs, o.set)
	// Variables first, so a flag on the command line overrides them; a
	// variable that does not parse is refused even then.
	for _, tf := range typedFlags {
		v, ok := os.LookupEnv(tf.env)
		if !ok || v == "" {
			continue
		}
		if err := fs.Set(tf.name, v); err != nil {
			return nil, fmt.Errorf("%s=%q: not a valid value for --%s: want %s", tf.env, v, tf.name, tf.want)
		}
		o.set[tf.name] = true
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags only; see -h)", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if err := o.checkLimits(); err != nil {
		return nil, err
	}
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
	if err := o.db.check(o); err != nil {
		return nil, err
	}
	return o, nil
}

// selfSignedKeyPath is where --tls-self-signed keeps its key: next to the
// database, or, in memory, next to the certificate and removed with it on
// shutdown.
func (o *options) selfSignedKeyPath() string {
	if o.harness.inMemory {
		p := o.tlsCAOut + ".key"
		o.harness.written = append(o.harness.written, p)
		return p
	}
	return o.data + ".tls-key.pem"
}

// checkLimits refuses limits no configuration means: a negative quota or
// rate would otherwise turn the limit off, as 0 does on purpose.
func (o *options) checkLimits() error {
	for _, l := range []struct {
		name string
		v    float64
	}{
		{"max-tokens-per-member", float64(o.maxPerMember)},
		{"max-tokens-per-org", float64(o.maxPerOrg)},
		{"rate-limit", o.rateLimit},
		{"auth-failure-limit", o.authFailureLimit},
	} {
		if l.v < 0 || math.IsNaN(l.v) || math.IsInf(l.v, 0) {
			return fmt.Errorf("--%s (%s) must be 0 (no limit) or a positive number, not %v", l.name, envOf(l.name), l.v)
		}
	}
	if o.drainTimeout <= 0 {
		return fmt.Errorf("--drain-timeout (%s) must be positive, not %v", envOf("drain-timeout"), o.drainTimeout)
	}
	return nil
}

func envOf(flagName string) string {
	for _, tf := range typedFlags {
		if tf.name == flagName {
			return tf.env
		}
	}
	return ""
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) > 0 && args[0] == bootstrapTokenCommand {
		return issueOwnerToken(ctx, args[1:], os.Stdout, stderr)
	}
	if len(args) > 0 && args[0] == setPasswordCommand {
		return setPassword(ctx, args[1:], os.Stdin, stderr)
	}
	if len(args) > 0 && args[0] == migrateCommand {
		return migrateDatabase(ctx, args[1:], stderr)
	}
	if len(args) > 0 && args[0] == copyCommand {
		return copyDatabase(ctx, args[1:], stderr)
	}
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))

	fx, err := o.harness.loadFixture()
	if err != nil {
		return err
	}
	var fc fileConfig
	if o.config != "" {
		if fc, err = readFileConfig(o.config); err != nil {
			return err
		}
	}
	cfg, err := serverConfig(o, fc)
	if err != nil {
		return err
	}
	cfg.Logger = logger
	cfg.TestClock = o.harness.clock()
	cfg.AllowClientSecrets = o.allowClientSecrets

	cfg.TrustedProxies = o.trustedProxies

	pepper, err := o.pepper(fc.Pepper)
	if err != nil {
		return err
	}
	hasher, err := secret.NewHasher(pepper)
	if err != nil {
		return fmt.Errorf("pepper: %w", err)
	}
	cfg.Hasher = hasher

	st, shared, err := o.openAnyStore(ctx, hasher, logger, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	cfg.Store = st
	cfg.Console = console.New(console.Config{Store: st, Logger: logger})
	watchCtx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	watch := shareStore(watchCtx, shared, &cfg)

	value, created, err := bootstrap(ctx, st, hasher, os.Getenv("TOKENSMITH_BOOTSTRAP_TOKEN"), stderr)
	if err != nil {
		return err
	}

	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	watch(srv)
	if err := seed(ctx, fx, srv, value, created, stderr); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	tracked := trackInFlight(srv)
	hs := newHTTPServer(tracked, logger)
	scheme := "http"
	switch {
	case o.tlsCert != "":
		scheme = "https"
		ln, err = tlsListener(ln, o.tlsCert, o.tlsKey)
	case o.tlsSelfSigned:
		scheme = "https"
		var made bool
		ln, made, err = selfSignedListener(ln, o.listen, o.tlsCAOut, o.selfSignedKeyPath())
		if err == nil && made {
			fmt.Fprintf(stderr, "tokensmithd: certificate written to %s\n", o.tlsCAOut)
		} else if err == nil {
			fmt.Fprintf(stderr, "tokensmithd: certificate kept in %s\n", o.tlsCAOut)
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
	fmt.Fprintf(stderr, "tokensmithd: console at %s://%s%s (sign in with a member's console password; set one with %s)\n", scheme, ln.Addr(), server.ConsolePath, setPasswordCommand)
	stopMetrics, err := serveMetrics(o.metricsListen, srv.MetricsHandler(), logger, stderr)
	if err != nil {
		return err
	}
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
	if err := drain(hs, tracked, o.drainTimeout, logger); err != nil {
		return err
	}
	metricsCtx, cancel := context.WithTimeout(context.Background(), o.drainTimeout)
	defer cancel()
	if err := stopMetrics(metricsCtx); err != nil {
		return err
	}
	if err := srv.Close(); err != nil {
		return err
	}
	stopWatching()
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
		MaxHeaderBytes:    server.HeaderReadLimit,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// serverConfig is the server's configuration from the defaults, the config
// file and the flags or variables given, in rising order of precedence. A
// rate limit's burst is the one the config file gives with it, or else
// twice the rate in force (at least 1).
func serverConfig(o *options, fc fileConfig) (server.Config, error) {
	cfg := server.DefaultConfig()
	if o.config != "" {
		if err := applyFileConfig(&cfg, fc); err != nil {
			return cfg, fmt.Errorf("config %s: %w", o.config, err)
		}
	}
	if o.set["max-tokens-per-member"] || fc.Quotas == nil || fc.Quotas.PerMember == nil {
		cfg.Quota.PerMember = o.maxPerMember
	}
	if o.set["max-tokens-per-org"] || fc.Quotas == nil || fc.Quotas.PerOrg == nil {
		cfg.Quota.PerOrg = o.maxPerOrg
	}
	fileRate := fc.RateLimit != nil && fc.RateLimit.PerSecond != nil
	if o.set["rate-limit"] || !fileRate {
		cfg.RateLimit = o.rateLimit
	}
	if fc.RateLimit == nil || fc.RateLimit.Burst == nil {
		cfg.RateBurst = burstOf(cfg.RateLimit, 2)
	}
	if o.set["auth-failure-limit"] {
		cfg.AuthFailureLimit = o.authFailureLimit
		cfg.AuthFailureBurst = burstOf(o.authFailureLimit, 10)
	}
	return cfg, nil
}

// burstOf is the burst of a rate limit: factor times the rate, at least 1,
// or 0 when the rate (0) means no limit.
func burstOf(rate, factor float64) int {
	if rate <= 0 {
		return 0
	}
	return max(1, int(math.Ceil(factor*rate)))
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
			if *fc.Quotas.PerMember < 0 {
				return errors.New("quotas.perMember must be 0 (no limit) or a positive number")
			}
			cfg.Quota.PerMember = *fc.Quotas.PerMember
		}
		if fc.Quotas.PerOrg != nil {
			if *fc.Quotas.PerOrg < 0 {
				return errors.New("quotas.perOrg must be 0 (no limit) or a positive number")
			}
			cfg.Quota.PerOrg = *fc.Quotas.PerOrg
		}
	}
	if fc.RateLimit != nil {
		if fc.RateLimit.PerSecond != nil {
			if *fc.RateLimit.PerSecond < 0 {
				return errors.New("rateLimit.perSecond must be 0 (no limit) or a positive number")
			}
			cfg.RateLimit = *fc.RateLimit.PerSecond
		}
		if fc.RateLimit.Burst != nil {
			if *fc.RateLimit.Burst < 1 {
				return errors.New("rateLimit.burst must be at least 1")
			}
			cfg.RateBurst = *fc.RateLimit.Burst
		}
	}
	return nil
}

// loadPepper takes the pepper from the config file, then TOKENSMITH_PEPPER
// (base64), then <data>.pepper, creating that file (mode 0600, written
// atomically so a crash cannot leave it empty) on first start.
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
		return readPepperFile(path, fi)
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
	err = writeFileAtomic(path, []byte(base64.StdEncoding.EncodeToString(p)+"\n"), 0o600, false)
	if errors.Is(err, os.ErrExist) {
		// Another process created it first: use theirs.
		fi, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		return readPepperFile(path, fi)
	}
	if err != nil {
		return nil, fmt.Errorf("write pepper file %s: %w", path, err)
	}
	return p, nil
}

// readPepperFile reads an existing pepper file, refusing one that others
// may read or that does not hold a whole pepper (a file cut short by a
// crash of an older version, or edited by hand).
func readPepperFile(path string, fi os.FileInfo) ([]byte, error) {
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("pepper file %s has mode %04o: it must be readable by its owner only (chmod 600 %s)", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil || len(p) < secret.PepperLength {
		return nil, fmt.Errorf("pepper file %s is empty or damaged (%d bytes; it must hold at least %d base64-encoded random bytes): "+
			"restore it from a backup, or set TOKENSMITH_PEPPER; if the database %s holds nothing yet, delete both files to start afresh",
			path, len(b), secret.PepperLength, strings.TrimSuffix(path, ".pepper"))
	}
	return p, nil
}
