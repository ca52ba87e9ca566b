// Command benchecho measures the mTLS echo endpoint of `mtlsplay serve` against
// nginx with the same certificates: fresh mTLS handshakes per second (each with one
// request) and keep-alive requests per second, interleaved, with the server CPU time
// per operation read from /proc. The load client and the servers share the
// machine's cores, so CPU per operation is the fairer figure; both are printed.
//
// nginx answers a small echo of its own (its TLS variables, ~200 bytes); with
// -same-size (the default) a second nginx server answers a static copy of
// mtlsplay's response (~8 KB), the same bytes per request. -bare adds a bare Go
// crypto/tls + net/http server, the baseline of FIELD-NOTES.md.
//
//	go run ./server/tools/benchecho -bin bin/mtlsplay   (make bench-echo)
//
// -delegate measures the authorization endpoint instead (delegate.go): nginx with
// auth_request to mtlsplay against nginx alone.
//
// Everything listens on 127.0.0.1 and every phase is bounded in time.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

func main() {
	bin := flag.String("bin", "bin/mtlsplay", "the mtlsplay binary")
	nginxBin := flag.String("nginx", "", "the nginx binary (default: nginx in PATH or /usr/sbin/nginx; none skips nginx)")
	duration := flag.Duration("duration", 10*time.Second, "length of each measured phase (at most 60s)")
	conc := flag.Int("c", 8, "concurrent connections (at most 64)")
	rounds := flag.Int("rounds", 2, "rounds of interleaved phases (at most 5)")
	mode := flag.String("mode", "strict", "mtlsplay's tls.mode: strict (like ssl_verify_client on) or report")
	serveFlags := flag.String("serve-flags", "", "more flags for mtlsplay serve, space-separated (e.g. --log-level warn)")
	keep := flag.Bool("keep", false, "keep the temporary folder (configs and logs)")
	same := flag.Bool("same-size", true, "also measure nginx serving a static file as large as mtlsplay's echo response (the same bytes per request)")
	bare := flag.Bool("bare", false, "also measure a bare Go crypto/tls + net/http server (RequireAndVerifyClientCert, a small response), the baseline of FIELD-NOTES")
	also := flag.String("also", "", "also measure the server this command starts; it gets -dir DIR (root.pem, server-chain.pem, server.key) and -addr ADDR")
	base := flag.String("base", "", "also measure this other mtlsplay binary (named mtlsplay-base): an interleaved A/B of two builds")
	phases := flag.String("phases", "handshake,keepalive", "the phases to measure, comma-separated")
	serveBare := flag.String("serve-bare", "", "internal: run the bare Go server on DIR,ADDR")
	delegate := flag.Bool("delegate", false, "measure nginx delegating to mtlsplay's authorization endpoint (auth_request) against nginx alone with a map check, instead of the echo")
	flag.Parse()
	// The load client allocates per handshake too; collect less often, so that
	// less of the shared CPUs goes to the measuring instead of the measured.
	debug.SetGCPercent(400)
	if *serveBare != "" {
		dir, addr, _ := strings.Cut(*serveBare, ",")
		fmt.Fprintln(os.Stderr, runBare(dir, addr))
		os.Exit(1)
	}
	*duration = min(*duration, 60*time.Second)
	*conc = min(max(*conc, 1), 64)
	*rounds = min(max(*rounds, 1), 5)
	var ph []string
	for _, p := range strings.Split(*phases, ",") {
		if p = strings.TrimSpace(p); p != "handshake" && p != "keepalive" {
			fmt.Fprintf(os.Stderr, "benchecho: unknown phase %q (handshake or keepalive)\n", p)
			os.Exit(2)
		}
		if !slices.Contains(ph, p) {
			ph = append(ph, p)
		}
	}
	if *delegate {
		if err := runDelegate(*bin, *nginxBin, ph, *duration, *conc, *rounds, *keep); err != nil {
			fmt.Fprintln(os.Stderr, "benchecho:", err)
			os.Exit(1)
		}
		return
	}
	if err := runBench(*bin, *base, *nginxBin, *mode, *also, strings.Fields(*serveFlags), ph, *duration, *conc, *rounds, *keep, *bare, *same); err != nil {
		fmt.Fprintln(os.Stderr, "benchecho:", err)
		os.Exit(1)
	}
}

type target struct {
	name string
	addr string
	path string
	pids func() []int
	stop func()
}

func runBench(bin, base, nginxBin, mode, also string, serveFlags, phases []string, d time.Duration, conc, rounds int, keep, bare, same bool) error {
	dir, err := os.MkdirTemp("", "mtlsplay-bench-")
	if err != nil {
		return err
	}
	// nginx's workers (nobody, when started as root) read echo.json in here.
	if err := os.Chmod(dir, 0o711); err != nil {
		return err
	}
	if keep {
		fmt.Println("files in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	files, err := writePKI(dir)
	if err != nil {
		return err
	}
	clientCfg, err := clientConfig(files)
	if err != nil {
		return err
	}

	var targets []*target
	mt, err := startMtlsplay("mtlsplay", bin, dir, mode, serveFlags)
	if err != nil {
		return err
	}
	defer mt.stop()
	targets = append(targets, mt)
	if base != "" {
		bt, err := startMtlsplay("mtlsplay-base", base, dir, mode, serveFlags)
		if err != nil {
			return err
		}
		defer bt.stop()
		targets = append(targets, bt)
	}

	if nginxBin == "" {
		if p, err := exec.LookPath("nginx"); err == nil {
			nginxBin = p
		} else if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
			nginxBin = "/usr/sbin/nginx"
		}
	}
	if err := waitReady(mt, clientCfg); err != nil {
		return fmt.Errorf("mtlsplay: %w", err)
	}
	echoBody, err := oneRequest(mt, clientCfg)
	if err != nil {
		return fmt.Errorf("mtlsplay: first request: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "echo.json"), echoBody, 0o644); err != nil {
		return err
	}
	if nginxBin != "" && nginxBin != "none" {
		ng, same, err := startNginx(nginxBin, dir, same)
		if err != nil {
			return err
		}
		defer ng.stop()
		targets = append(targets, ng)
		if same != nil {
			targets = append(targets, same)
		}
	} else {
		fmt.Println("nginx not found: measuring mtlsplay alone (install Debian's nginx to compare)")
	}
	if also != "" {
		at, err := startAlso(also, dir)
		if err != nil {
			return err
		}
		defer at.stop()
		targets = append(targets, at)
	}
	if bare {
		bt, err := startBare(dir)
		if err != nil {
			return err
		}
		defer bt.stop()
		targets = append(targets, bt)
	}

	for _, t := range targets {
		if err := waitReady(t, clientCfg); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		body, err := oneRequest(t, clientCfg)
		if err != nil {
			return fmt.Errorf("%s: first request: %w", t.name, err)
		}
		if strings.HasPrefix(t.name, "mtlsplay") && !bytes.Contains(body, []byte(`"code": 0,`)) && !bytes.Contains(body, []byte(`"code":0,`)) {
			return fmt.Errorf("mtlsplay did not accept the bench client:\n%s", body)
		}
		fmt.Printf("%s on %s: %d-byte response\n", t.name, t.addr, len(body))
	}
	clk := clockTicks()
	fmt.Printf("\n%d concurrent connections, %s per phase, %d rounds, mtlsplay in %s mode, %d CPUs\n\n", conc, d, rounds, mode, numCPU())

	// Warm up each target briefly (JIT-free, but caches, page faults, GC sizing).
	for _, t := range targets {
		for _, phase := range phases {
			measure(t, clientCfg, phase, conc, time.Second, clk)
		}
	}
	fmt.Printf("%-13s %-10s %5s %10s %14s %14s %7s\n", "server", "phase", "round", "ops/s", "server µs/op", "client µs/op", "errors")
	results := map[string][]result{}
	for r := 0; r < rounds; r++ {
		for _, phase := range phases {
			order := append(append([]*target{}, targets[r%len(targets):]...), targets[:r%len(targets)]...)
			for _, t := range order {
				res := measure(t, clientCfg, phase, conc, d, clk)
				results[t.name+"/"+phase] = append(results[t.name+"/"+phase], res)
				fmt.Printf("%-13s %-10s %5d %10.0f %14.1f %14.1f %7d\n", t.name, phase, r+1, res.rate, res.serverUS, res.clientUS, res.errors)
				if res.firstErr != nil {
					fmt.Printf("          first error: %v\n", res.firstErr)
				}
			}
		}
	}

	fmt.Println("\nmedians over the rounds:")
	for _, phase := range phases {
		m := median(results["mtlsplay/"+phase])
		line := fmt.Sprintf("  %-9s mtlsplay %8.0f/s %7.1f µs server CPU/op", phase, m.rate, m.serverUS)
		for _, t := range targets[1:] {
			n := median(results[t.name+"/"+phase])
			line += fmt.Sprintf(" | %s %8.0f/s %7.1f µs: mtlsplay does %.2f× its rate at %.2f× its CPU", t.name, n.rate, n.serverUS, m.rate/n.rate, m.serverUS/n.serverUS)
		}
		fmt.Println(line)
	}
	return nil
}

type result struct {
	rate, serverUS, clientUS float64
	errors                   int64
	firstErr                 error
}

func median(rs []result) result {
	if len(rs) == 0 {
		return result{}
	}
	pick := func(f func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		sort.Float64s(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return result{
		rate:     pick(func(r result) float64 { return r.rate }),
		serverUS: pick(func(r result) float64 { return r.serverUS }),
		clientUS: pick(func(r result) float64 { return r.clientUS }),
	}
}

// measure runs one phase: conc workers for d, each either making a fresh
// connection per request (handshake) or reusing one connection (keepalive).
func measure(t *target, cfg *tls.Config, phase string, conc int, d time.Duration, clk float64) result {
	var ops, errs atomic.Int64
	var firstErr atomic.Value
	fail := func(err error) {
		errs.Add(1)
		firstErr.CompareAndSwap(nil, err)
		time.Sleep(10 * time.Millisecond)
	}
	req := []byte("GET " + t.path + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: benchecho\r\nAccept: */*\r\n\r\n")
	serverBefore := cpuTicks(t.pids())
	clientBefore := selfCPU()
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 64<<10)
			if phase == "handshake" {
				for time.Now().Before(deadline) {
					c, br, err := dial(t, cfg)
					if err != nil {
						fail(err)
						continue
					}
					if err = roundTrip(c, br, req, buf); err != nil {
						fail(err)
					} else {
						ops.Add(1)
					}
					abort(c)
				}
				return
			}
			var c *tls.Conn
			var br *bufio.Reader
			for time.Now().Before(deadline) {
				if c == nil {
					var err error
					if c, br, err = dial(t, cfg); err != nil {
						fail(err)
						continue
					}
				}
				if err := roundTrip(c, br, req, buf); err != nil {
					fail(err)
					abort(c)
					c = nil
					continue
				}
				ops.Add(1)
			}
			if c != nil {
				abort(c)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	serverTicks := cpuTicks(t.pids()) - serverBefore
	clientCPU := selfCPU() - clientBefore
	n := float64(ops.Load())
	res := result{rate: n / elapsed, errors: errs.Load()}
	if n > 0 {
		res.serverUS = float64(serverTicks) / clk * 1e6 / n
		res.clientUS = clientCPU.Seconds() * 1e6 / n
	}
	if e, ok := firstErr.Load().(error); ok {
		res.firstErr = e
	}
	return res
}

func dial(t *target, cfg *tls.Config) (*tls.Conn, *bufio.Reader, error) {
	raw, err := net.DialTimeout("tcp", t.addr, 5*time.Second)
	if err != nil {
		return nil, nil, err
	}
	c := tls.Client(raw, cfg)
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if err := c.Handshake(); err != nil {
		raw.Close()
		return nil, nil, err
	}
	return c, bufio.NewReaderSize(c, 16<<10), nil
}

// abort closes with a reset, so that tens of thousands of connections leave no
// TIME_WAIT sockets behind to exhaust the loopback's ports.
func abort(c *tls.Conn) {
	if tc, ok := c.NetConn().(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.NetConn().Close()
}

// roundTrip writes one request and reads one response with a Content-Length.
func roundTrip(c *tls.Conn, br *bufio.Reader, req, buf []byte) error {
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(req); err != nil {
		return err
	}
	status, err := br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(status, []byte("HTTP/1.1 200 ")) {
		return fmt.Errorf("status %q", bytes.TrimSpace(status))
	}
	length := -1
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(k, []byte("Content-Length")) {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if length < 0 {
		return errors.New("no Content-Length")
	}
	_, err = io.ReadFull(br, buf[:min(length, len(buf))])
	if err == nil && length > len(buf) {
		_, err = io.CopyN(io.Discard, br, int64(length-len(buf)))
	}
	return err
}

func oneRequest(t *target, cfg *tls.Config) ([]byte, error) {
	c, br, err := dial(t, cfg)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	req := "GET " + t.path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		return nil, err
	}
	all, err := io.ReadAll(br)
	if err != nil && len(all) == 0 {
		return nil, err
	}
	if !bytes.HasPrefix(all, []byte("HTTP/1.1 200 ")) {
		return nil, fmt.Errorf("response %q", all[:min(len(all), 200)])
	}
	_, body, _ := bytes.Cut(all, []byte("\r\n\r\n"))
	return body, nil
}

func waitReady(t *target, cfg *tls.Config) error {
	var err error
	for range 100 {
		var c *tls.Conn
		if c, _, err = dial(t, cfg); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// pkiFiles are the certificates both servers use.
type pkiFiles struct {
	root, serverChain, serverKey, clientChain, clientKey string
}

// writePKI makes a root, an intermediate, an ECDSA P-256 server certificate for
// localhost and a client certificate, as a small real deployment would have.
func writePKI(dir string) (pkiFiles, error) {
	now := time.Now()
	from, to := now.Add(-time.Hour), now.Add(30*24*time.Hour)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Bench Root CA"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		return pkiFiles{}, err
	}
	inter, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "Bench Issuing CA"}, NotBefore: from, NotAfter: to, IsCA: true, MaxPathLenZero: true})
	if err != nil {
		return pkiFiles{}, err
	}
	server, err := inter.Issue(pki.Spec{Subject: pkix.Name{CommonName: "localhost"}, NotBefore: from, NotAfter: to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		SAN:         []pki.GeneralName{pki.DNSName("localhost"), pki.IPAddress(netip.MustParseAddr("127.0.0.1"))}})
	if err != nil {
		return pkiFiles{}, err
	}
	client, err := inter.Issue(pki.Spec{Subject: pkix.Name{CommonName: "bench-client", Organization: []string{"Bench"}}, NotBefore: from, NotAfter: to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		SAN:         []pki.GeneralName{pki.DNSName("bench-client.example.com"), pki.URI("spiffe://bench.example/client")}})
	if err != nil {
		return pkiFiles{}, err
	}
	f := pkiFiles{
		root: filepath.Join(dir, "root.pem"), serverChain: filepath.Join(dir, "server-chain.pem"), serverKey: filepath.Join(dir, "server.key"),
		clientChain: filepath.Join(dir, "client-chain.pem"), clientKey: filepath.Join(dir, "client.key"),
	}
	sk, err := server.KeyPEM()
	if err != nil {
		return f, err
	}
	ck, err := client.KeyPEM()
	if err != nil {
		return f, err
	}
	for _, w := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{
		{f.root, root.CertPEM(), 0o644}, {f.serverChain, pki.ChainPEM(server, inter), 0o644}, {f.serverKey, sk, 0o600},
		{f.clientChain, pki.ChainPEM(client, inter), 0o644}, {f.clientKey, ck, 0o600},
	} {
		if err := os.WriteFile(w.path, w.data, w.mode); err != nil {
			return f, err
		}
	}
	return f, nil
}

// clientConfig is the load client's: no session cache (every handshake is a full
// one), the client certificate sent whatever CA names the server lists. The load
// client shares the CPUs with the servers, so it spends as little as it safely
// can, the same for every server: X25519 only (neither nginx's OpenSSL 3.0 nor
// mtlsplay by default negotiates the hybrid post-quantum exchange, which Go's
// client would otherwise prepare a key for), and the server's certificate pinned
// instead of its chain verified (the handshake still proves the server holds
// the pinned certificate's key).
func clientConfig(f pkiFiles) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(f.clientChain, f.clientKey)
	if err != nil {
		return nil, err
	}
	rootPEM, err := os.ReadFile(f.root)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(rootPEM)
	serverChain, err := tls.LoadX509KeyPair(f.serverChain, f.serverKey)
	if err != nil {
		return nil, err
	}
	// Verify the pinned leaf once, properly, so the pin is known to be right.
	leaf, err := x509.ParseCertificate(serverChain.Certificate[0])
	if err != nil {
		return nil, err
	}
	inter := x509.NewCertPool()
	for _, der := range serverChain.Certificate[1:] {
		c, _ := x509.ParseCertificate(der)
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: "localhost"}); err != nil {
		return nil, fmt.Errorf("the bench server certificate does not verify: %w", err)
	}
	pin := leaf.Raw
	return &tls.Config{
		ServerName:         "localhost",
		MinVersion:         tls.VersionTLS13,
		NextProtos:         []string{"http/1.1"},
		CurvePreferences:   []tls.CurveID{tls.X25519},
		InsecureSkipVerify: true, // replaced by the pin below
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 || !bytes.Equal(cs.PeerCertificates[0].Raw, pin) {
				return errors.New("the server did not present the bench server certificate")
			}
			return nil
		},
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil },
	}, nil
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func startMtlsplay(name, bin, dir, mode string, extra []string) (*target, error) {
	cfg := fmt.Sprintf(`tls: {cert: server-chain.pem, key: server.key, mode: %s}
clients:
  - name: bench
    bundles: [root.pem]
    rule: CN == "bench-client" && SAN.exists(s, s.startsWith("URI:spiffe://bench.example/"))
`, mode)
	cfgPath := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	httpAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	mtlsAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append([]string{"serve", "--config", cfgPath, "--http", httpAddr, "--mtls", mtlsAddr}, extra...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w (run make build first)", bin, err)
	}
	pid := cmd.Process.Pid
	return &target{
		name: name, addr: mtlsAddr, path: "/c/bench/",
		pids: func() []int { return []int{pid} },
		stop: func() { stopGently(cmd, syscall.SIGTERM, logf) },
	}, nil
}

// startNginx runs nginx with the echo-like server and, when same, a second server
// answering with echo.json (mtlsplay's response, as a static file).
func startNginx(bin, dir string, same bool) (*target, *target, error) {
	addr, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	sameAddr, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	ngDir := filepath.Join(dir, "nginx")
	if err := os.MkdirAll(ngDir, 0o755); err != nil {
		return nil, nil, err
	}
	sameServer := ""
	if same {
		sameServer = fmt.Sprintf(`
  server {
    listen %[1]s ssl;
    ssl_certificate %[2]s;
    ssl_certificate_key %[3]s;
    ssl_client_certificate %[4]s;
    ssl_verify_client on;
    ssl_verify_depth 3;
    ssl_protocols TLSv1.3;
    open_file_cache max=16;
    location / {
      default_type application/json;
      root %[5]s;
      try_files /echo.json =404;
    }
  }`, sameAddr, filepath.Join(dir, "server-chain.pem"), filepath.Join(dir, "server.key"), filepath.Join(dir, "root.pem"), dir)
	}
	// Debian's defaults where they matter (session tickets on, access log on but
	// buffered, as mtlsplay buffers its log), the same certificates, TLS 1.3,
	// client certificates required and verified against the same root.
	conf := fmt.Sprintf(`worker_processes auto;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 4096; }
http {
  access_log %[1]s/access.log combined buffer=64k flush=1s;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 75s;
  server {
    listen %[2]s ssl;
    ssl_certificate %[3]s;
    ssl_certificate_key %[4]s;
    ssl_client_certificate %[5]s;
    ssl_verify_client on;
    ssl_verify_depth 3;
    ssl_protocols TLSv1.3;
    location / {
      default_type application/json;
      return 200 '{"verify": "$ssl_client_verify", "subject": "$ssl_client_s_dn", "issuer": "$ssl_client_i_dn", "protocol": "$ssl_protocol", "cipher": "$ssl_cipher", "sni": "$ssl_server_name", "request": "$request"}\n';
    }
  }%[6]s
}
`, ngDir, addr, filepath.Join(dir, "server-chain.pem"), filepath.Join(dir, "server.key"), filepath.Join(dir, "root.pem"), sameServer)
	confPath := filepath.Join(ngDir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(bin, "-p", ngDir, "-c", confPath, "-g", "daemon off;")
	out, err := os.Create(filepath.Join(ngDir, "stdout.log"))
	if err != nil {
		return nil, nil, err
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("starting nginx: %w", err)
	}
	master := cmd.Process.Pid
	pids := func() []int { return append([]int{master}, children(master)...) }
	var sameTarget *target
	if same {
		// The same processes serve both; phases never overlap, so the CPU read
		// during one phase is that phase's.
		sameTarget = &target{name: "nginx-8k", addr: sameAddr, path: "/c/bench/", pids: pids, stop: func() {}}
	}
	return &target{
		name: "nginx", addr: addr, path: "/c/bench/",
		pids: pids,
		stop: func() { stopGently(cmd, syscall.SIGQUIT, out) }, // SIGQUIT: workers finish, then exit
	}, sameTarget, nil
}

// stopGently signals the server to stop, kills it if it has not within 10 s, and
// closes its log.
func stopGently(cmd *exec.Cmd, sig os.Signal, log io.Closer) {
	_ = cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
	}
	log.Close()
}

// startAlso runs another server to compare with.
func startAlso(command, dir string) (*target, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(command, "-dir", dir, "-addr", addr)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	pid := cmd.Process.Pid
	return &target{
		name: filepath.Base(command), addr: addr, path: "/c/bench/",
		pids: func() []int { return []int{pid} },
		stop: func() { _ = cmd.Process.Kill(); _ = cmd.Wait() },
	}, nil
}

// startBare runs this program again as the bare Go server.
func startBare(dir string) (*target, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve-bare", dir+","+addr)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	pid := cmd.Process.Pid
	return &target{
		name: "go-bare", addr: addr, path: "/c/bench/",
		pids: func() []int { return []int{pid} },
		stop: func() { _ = cmd.Process.Kill(); _ = cmd.Wait() },
	}, nil
}

// runBare is a bare crypto/tls + net/http server with Go's defaults, verifying
// client certificates itself, answering a small fixed JSON like nginx's.
func runBare(dir, addr string) error {
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "server-chain.pem"), filepath.Join(dir, "server.key"))
	if err != nil {
		return err
	}
	rootPEM, err := os.ReadFile(filepath.Join(dir, "root.pem"))
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(rootPEM)
	srv := &http.Server{
		Addr:      addr,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: roots},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body := `{"verify": "SUCCESS", "subject": "` + r.TLS.PeerCertificates[0].Subject.String() + `", "protocol": "` + tls.VersionName(r.TLS.Version) + `", "request": "` + r.Method + " " + r.RequestURI + `"}` + "\n"
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			_, _ = io.WriteString(w, body)
		}),
	}
	return srv.ListenAndServeTLS("", "")
}

// children lists the processes whose parent is pid (nginx's workers).
func children(pid int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := statFields(n); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, n)
		}
	}
	return out
}

// statFields returns the fields of /proc/pid/stat after the command name
// (field 3, the state, is index 0).
func statFields(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// cpuTicks sums utime and stime (fields 14 and 15) of the processes.
func cpuTicks(pids []int) int64 {
	var total int64
	for _, p := range pids {
		f := statFields(p)
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		total += u + s
	}
	return total
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func clockTicks() float64 {
	out, err := exec.CommandContext(context.Background(), "getconf", "CLK_TCK").Output()
	if err == nil {
		if v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64); err == nil && v > 0 {
			return v
		}
	}
	return 100
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return bytes.Count(b, []byte("\nprocessor")) + boolInt(bytes.HasPrefix(b, []byte("processor")))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
