package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"guanai/config"
	"guanai/repository"
	"guanai/repository/mail"
)

// App is the wired web application.
type App struct {
	cfg      config.Config
	store    *repository.Store
	sessions *scs.SessionManager
	views    *views
	tr       *translator
	log      *slog.Logger
	metrics  *metrics
	now      func() time.Time // the store's clock
	access   *routeTable
	public   publicCache        // the public pages as visitors see them
	figures  publicFiguresCache // the figures above the public list of gifts
	care     publicCareCache    // the public page's care figures, kept for ten minutes
	// the dispatch board's weekly figures, kept for a minute
	dispatchFigures figuresCache
	homeCounts      kept[repository.Counts] // the operators' home figures of people, kept homeCountsKeptFor
	sender          *mail.Sender            // the background jobs' mail (see mailer)
}

// New wires the application; the echo instance it returns serves every route.
func New(cfg config.Config, store *repository.Store, log *slog.Logger) (*App, *echo.Echo, error) {
	as, err := newAssets()
	if err != nil {
		return nil, nil, err
	}
	v, err := newViews(as)
	if err != nil {
		return nil, nil, err
	}
	a := &App{cfg: cfg, store: store, views: v, tr: newTranslator(), log: log, now: store.Now, sender: mail.New(cfg.SMTP, log)}
	a.sessions = newSessions(cfg, store)
	a.metrics = newMetrics(store)
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = ipExtractor(cfg)
	e.HTTPErrorHandler = a.handleError
	a.middleware(e)
	a.routes(e)
	return a, e, nil
}

func newSessions(cfg config.Config, store *repository.Store) *scs.SessionManager {
	sm := scs.New()
	sm.Store = postgresstore.NewWithCleanupInterval(store.SQL(), 30*time.Minute)
	// An absolute lifetime and no idle timeout: scs re-saves the session on every request when an idle timeout
	// is set, which would make every page view a write to PostgreSQL.
	sm.Lifetime = 24 * time.Hour
	sm.Cookie.Name = "guanai_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.Secure()
	return sm
}

// ipExtractor decides whose address a request comes from. X-Forwarded-For is believed only from the proxies named
// in GUANAI_TRUSTED_PROXIES (this is the mitigation for echo v4's GO-2026-6872); with none, the direct peer counts.
func ipExtractor(cfg config.Config) echo.IPExtractor {
	if len(cfg.TrustedProxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range cfg.TrustedProxies {
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// defaultMemoryLimit is the heap size the garbage collector works to stay under when GOMEMLIMIT does not say: a
// load run peaked at 300–400 MB of RSS with Go's default, most of it garbage waiting for a collection.
const defaultMemoryLimit = 160 << 20

// serve runs the HTTP server and the background jobs until ctx ends (SIGINT or SIGTERM), then drains requests in
// flight while the jobs running finish, both at once.
func serve(ctx context.Context, cfg config.Config, store *repository.Store, stdout io.Writer) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	log := newLogger()
	a, e, err := New(cfg, store, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	jobs, err := store.StartJobs(ctx, repository.JobOptions{ReconcileEvery: cfg.ReconcileEvery, Mail: a.mailer()})
	if err != nil {
		ln.Close()
		return err
	}
	if cfg.PprofAddr != "" {
		go servePprof(cfg.PprofAddr, log)
	}
	fmt.Fprintf(stdout, "Guanai is listening on %s — open %s\n", ln.Addr(), cfg.BaseURL)
	err = runServer(ctx, newHTTPServer(e), ln, log)
	stop() // a server that failed stops the jobs too
	jobs.Wait()
	return err
}

// servePprof offers Go's profiler on a loopback address of its own (GUANAI_PPROF_ADDR), for profiling a load run:
// go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=20
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := newHTTPServer(mux)
	srv.WriteTimeout = 0 // a profile takes as long as it was asked to
	log.Info("profiler listening", "addr", addr)
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		err = srv.Serve(ln)
	}
	log.Error("profiler stopped", "err", err)
}

// newHTTPServer bounds how long a client may take over each part of a request, so slow clients cannot hold
// connections open for ever.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// drainTimeout is how long a shutdown waits for requests in flight; process managers wait 30 s before SIGKILL.
const drainTimeout = 25 * time.Second

// runServer serves on ln until ctx ends, then stops taking connections and waits for requests in flight to finish.
func runServer(ctx context.Context, srv *http.Server, ln net.Listener, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
