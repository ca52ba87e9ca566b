package main

import (
	"crypto/tls"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mtlsplay/mtlsplay/server/authz"
)

// runDelegate measures delegation (-delegate): nginx terminating mTLS and asking
// mtlsplay's authorization endpoint on every request (the recipe exactly as
// authz.Recipe writes it), against nginx alone with the same certificates, its own
// client verification and an equivalent map check. Both answer through the same
// trivial upstream (another server of the same nginx), fresh handshakes and
// keep-alive requests, interleaved; mtlsplay's CPU per decision is read apart.
func runDelegate(bin, nginxBin string, phases []string, d time.Duration, conc, rounds int, keep bool) error {
	if nginxBin == "" {
		if p, err := exec.LookPath("nginx"); err == nil {
			nginxBin = p
		} else {
			nginxBin = "/usr/sbin/nginx"
		}
	}
	dir, err := os.MkdirTemp("", "mtlsplay-bench-delegate-")
	if err != nil {
		return err
	}
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
	// nginx forwards the leaf alone ($ssl_client_escaped_cert): mtlsplay's bundle
	// holds the issuing CA beside the root.
	chain, err := os.ReadFile(files.clientChain)
	if err != nil {
		return err
	}
	root, err := os.ReadFile(files.root)
	if err != nil {
		return err
	}
	_, inter, _ := strings.Cut(string(chain), "-----END CERTIFICATE-----\n")
	if err := os.WriteFile(filepath.Join(dir, "bundle.pem"), append(root, inter...), 0o644); err != nil {
		return err
	}

	authzAddr, err := freePort()
	if err != nil {
		return err
	}
	httpAddr, err := freePort()
	if err != nil {
		return err
	}
	mtlsAddr, err := freePort()
	if err != nil {
		return err
	}
	delegAddr, err := freePort()
	if err != nil {
		return err
	}
	mapAddr, err := freePort()
	if err != nil {
		return err
	}
	upAddr, err := freePort()
	if err != nil {
		return err
	}
	recipe, err := authz.Recipe("nginx", authz.RecipeOptions{Client: "bench", AuthzAddr: authzAddr, Listen: delegAddr, ServerName: "localhost",
		Cert: files.serverChain, Key: files.serverKey, Upstream: upAddr})
	if err != nil {
		return err
	}
	cfg := `tls: {cert: server-chain.pem, key: server.key}
listen: {authz: ` + authzAddr + `}
authz: {trusted_proxies: [127.0.0.2/32], header: x-ssl-client-cert}
clients:
  - name: bench
    bundles: [bundle.pem]
    rule: CN == "bench-client"
`
	cfgPath := filepath.Join(dir, "delegate.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return err
	}
	logf, err := os.Create(filepath.Join(dir, "mtlsplay.log"))
	if err != nil {
		return err
	}
	mcmd := exec.Command(bin, "serve", "--config", cfgPath, "--http", httpAddr, "--mtls", mtlsAddr, "--log-level", "warn")
	mcmd.Stdout, mcmd.Stderr = logf, logf
	if err := mcmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w (run make build first)", bin, err)
	}
	defer stopGently(mcmd, syscall.SIGTERM, logf)
	mpid := mcmd.Process.Pid

	ngDir := filepath.Join(dir, "nginx")
	if err := os.MkdirAll(ngDir, 0o755); err != nil {
		return err
	}
	// nginx alone: its own verification (the same root, the intermediate sent by
	// the client) and the rule as a map over the subject, CN == "bench-client".
	conf := fmt.Sprintf(`worker_processes auto;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path %[1]s/body; proxy_temp_path %[1]s/proxy; fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi; scgi_temp_path %[1]s/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 75s;

  server {
    listen %[2]s;
    location / { default_type text/plain; return 200 "upstream\n"; }
  }

  map $ssl_client_s_dn $bench_rule_ok {
    ~^CN=bench-client(,|$) 1;
    default 0;
  }
  server {
    listen %[3]s ssl;
    ssl_certificate %[4]s;
    ssl_certificate_key %[5]s;
    ssl_client_certificate %[6]s;
    ssl_verify_client on;
    ssl_verify_depth 3;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {
      if ($bench_rule_ok = 0) { return 403; }
      proxy_pass http://%[2]s;
    }
  }

%[7]s}
`, ngDir, upAddr, mapAddr, files.serverChain, files.serverKey, files.root, recipe)
	confPath := filepath.Join(ngDir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return err
	}
	out, err := os.Create(filepath.Join(ngDir, "stdout.log"))
	if err != nil {
		return err
	}
	ncmd := exec.Command(nginxBin, "-p", ngDir, "-e", ngDir+"/error.log", "-c", confPath, "-g", "daemon off;")
	ncmd.Stdout, ncmd.Stderr = out, out
	if err := ncmd.Start(); err != nil {
		return fmt.Errorf("starting nginx: %w", err)
	}
	defer stopGently(ncmd, syscall.SIGQUIT, out)
	master := ncmd.Process.Pid
	ngPids := func() []int { return append([]int{master}, children(master)...) }
	deleg := &target{name: "nginx+authz", addr: delegAddr, path: "/", pids: func() []int { return append(ngPids(), mpid) }}
	alone := &target{name: "nginx+map", addr: mapAddr, path: "/", pids: ngPids}
	targets := []*target{deleg, alone}
	for _, t := range targets {
		if err := waitReady(t, clientCfg); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		body, err := oneRequest(t, clientCfg)
		if err != nil {
			return fmt.Errorf("%s: first request: %w", t.name, err)
		}
		fmt.Printf("%s on %s: %q\n", t.name, t.addr, body)
	}
	// Refused as it must be, or the figures mean nothing.
	if err := refusedWithout(deleg, clientCfg); err != nil {
		return err
	}

	clk := clockTicks()
	fmt.Printf("\n%d concurrent connections, %s per phase, %d rounds, %d CPUs\n\n", conc, d, rounds, numCPU())
	for _, t := range targets {
		for _, phase := range phases {
			measure(t, clientCfg, phase, conc, time.Second, clk)
		}
	}
	fmt.Printf("%-12s %-10s %5s %10s %14s %16s %7s\n", "server", "phase", "round", "req/s", "server µs/req", "mtlsplay µs/req", "errors")
	results := map[string][]result{}
	mtlsplayUS := map[string][]result{}
	ratios := map[string][]result{} // per round: nginx+authz's rate over nginx+map's, measured side by side
	for r := 0; r < rounds; r++ {
		for _, phase := range phases {
			order := append(append([]*target{}, targets[r%len(targets):]...), targets[:r%len(targets)]...)
			for _, t := range order {
				before := cpuTicks([]int{mpid})
				res := measure(t, clientCfg, phase, conc, d, clk)
				m := float64(cpuTicks([]int{mpid})-before) / clk * 1e6
				if n := res.rate * d.Seconds(); n > 0 {
					m /= n
				}
				results[t.name+"/"+phase] = append(results[t.name+"/"+phase], res)
				if t == deleg {
					mtlsplayUS[phase] = append(mtlsplayUS[phase], result{rate: res.rate, serverUS: m})
				}
				fmt.Printf("%-12s %-10s %5d %10.0f %14.1f %16.1f %7d\n", t.name, phase, r+1, res.rate, res.serverUS, m, res.errors)
				if rs := results[deleg.name+"/"+phase]; t != order[0] && len(rs) == r+1 && len(results[alone.name+"/"+phase]) == r+1 {
					ratios[phase] = append(ratios[phase], result{rate: rs[r].rate / results[alone.name+"/"+phase][r].rate, serverUS: results[alone.name+"/"+phase][r].serverUS / rs[r].serverUS})
				}
				if res.firstErr != nil {
					fmt.Printf("          first error: %v\n", res.firstErr)
				}
			}
		}
	}
	fmt.Println("\nmedians over the rounds:")
	for _, phase := range phases {
		dm, am, mm := median(results[deleg.name+"/"+phase]), median(results[alone.name+"/"+phase]), median(mtlsplayUS[phase])
		rr := median(ratios[phase])
		fmt.Printf("  %-9s nginx+authz %7.0f req/s, nginx+map %7.0f; per round, nginx+authz did %.0f%% of nginx+map's rate at %.0f%% of its CPU efficiency (server CPU %.1f vs %.1f µs/req); mtlsplay: %.0f decisions/s at %.1f µs CPU each\n",
			phase, dm.rate, am.rate, 100*rr.rate, 100*rr.serverUS, dm.serverUS, am.serverUS, mm.rate, mm.serverUS)
	}
	return nil
}

// refusedWithout checks that the delegating nginx refuses a client without a
// certificate with mtlsplay's 4017.
func refusedWithout(t *target, cfg *tls.Config) error {
	c := cfg.Clone()
	c.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &tls.Certificate{}, nil }
	_, err := oneRequest(t, c)
	if err == nil || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "Mtlsplay-Code: 4017") {
		return fmt.Errorf("%s: a client without a certificate was not refused with 4017: %v", t.name, err)
	}
	return nil
}
