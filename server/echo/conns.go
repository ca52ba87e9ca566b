package echo

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/mtlsplay/mtlsplay/server/metrics"
)

// The connection budget of the mTLS listener. Connections that hold a slot without
// presenting a certificate (still handshaking, or handshaken without one and
// waiting) cost a hostile client nothing to open, so:
//   - one source (IP address) holds at most Limits.MaxConnsPerSource connections;
//   - when every slot is taken, the oldest connection that is handshaking, or is
//     waiting without having presented a certificate, is closed to make room, so a
//     client that presents one always gets in;
//   - a connection without a certificate waits at most Limits.IdleNoCert for a
//     request, and in report mode is closed after its answer.
//
// Only when every slot is held by a connection with a certificate, or one busy with
// a request, does a new connection wait, as in the kernel's backlog.

// phase is where a connection is in its life, as shutdown and eviction see it.
type phase uint8

const (
	handshaking phase = iota
	waiting           // between requests: shutdown wakes it, eviction may close it
	busy              // reading or answering a request, or handed to HTTP/2
)

// echoConn is one connection of the mTLS listener.
type echoConn struct {
	raw    net.Conn
	source netip.Addr
	since  time.Time

	mu    sync.Mutex
	phase phase
	cert  bool // the client presented a certificate
}

// sourceOf is the IP address a connection comes from (its zero value when the
// address is not TCP, which then shares one budget).
func sourceOf(c net.Conn) netip.Addr {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

// await marks the connection as waiting for a request, with the read deadline d from
// now; false when the server is shutting down (the connection then ends). The phase
// and the deadline change together, so shutdown's wake cannot fall between them.
func (ec *echoConn) await(es *Server, d time.Duration) bool {
	ec.mu.Lock()
	defer ec.mu.Unlock()
	if es.shutting.Load() {
		return false
	}
	ec.phase = waiting
	_ = ec.raw.SetReadDeadline(time.Now().Add(d))
	return true
}

func (ec *echoConn) setPhase(p phase) {
	ec.mu.Lock()
	ec.phase = p
	ec.mu.Unlock()
}

// wake ends a connection that is not in a request: a handshake is cut, a wait for
// the next request ends now (its own goroutine then closes it, and answers a
// request that had already arrived). A busy connection is left to finish.
func (ec *echoConn) wake() {
	ec.mu.Lock()
	defer ec.mu.Unlock()
	switch ec.phase {
	case handshaking:
		_ = ec.raw.Close()
	case waiting:
		_ = ec.raw.SetReadDeadline(time.Now())
	}
}

// evictable: a connection that has shown no certificate and is not in a request.
func (ec *echoConn) evictable() bool {
	ec.mu.Lock()
	defer ec.mu.Unlock()
	return ec.phase == handshaking || ec.phase == waiting && !ec.cert
}

// admit takes a slot for a new connection from source, or refuses it (false) when
// the source holds its share. When the slots are all taken it makes room by
// waking the oldest evictable connection, then waits for a slot to free.
func (es *Server) admit(ec *echoConn) bool {
	es.mu.Lock()
	if es.perSource[ec.source] >= es.lim.MaxConnsPerSource {
		es.mu.Unlock()
		es.metrics.Shed(metrics.ShedSourceLimit)
		return false
	}
	es.perSource[ec.source]++
	es.mu.Unlock()
	select {
	case es.slots <- struct{}{}:
		return true
	default:
	}
	if v := es.oldestEvictable(); v != nil {
		v.wake()
		es.metrics.Shed(metrics.ShedEvicted)
	}
	select {
	case es.slots <- struct{}{}:
		return true
	case <-es.stop:
		es.unsource(ec.source)
		return false
	}
}

// release gives back the slot and the source's share of a connection.
func (es *Server) release(source netip.Addr) {
	<-es.slots
	es.unsource(source)
}

func (es *Server) unsource(source netip.Addr) {
	es.mu.Lock()
	if es.perSource[source]--; es.perSource[source] <= 0 {
		delete(es.perSource, source)
	}
	es.mu.Unlock()
}

func (es *Server) oldestEvictable() *echoConn {
	es.mu.Lock()
	defer es.mu.Unlock()
	var oldest *echoConn
	consider := func(ec *echoConn) {
		if (oldest == nil || ec.since.Before(oldest.since)) && ec.evictable() {
			oldest = ec
		}
	}
	for ec := range es.conns {
		consider(ec)
	}
	for _, ec := range es.h2conns {
		consider(ec)
	}
	return oldest
}

// handOver gives tc, the TLS side of ec, which negotiated HTTP/2, to net/http
// with its slot; false when net/http is shutting down (the slot is then still the
// caller's). net/http must see the *tls.Conn itself to serve HTTP/2, so it cannot be
// wrapped: h2ConnState follows the connection instead, its requests for eviction
// and its close for the slot.
func (es *Server) handOver(ec *echoConn, tc net.Conn) bool {
	ec.setPhase(busy)
	es.mu.Lock()
	es.h2conns[tc] = ec
	es.mu.Unlock()
	if es.h2ln.deliver(tc) {
		return true
	}
	es.mu.Lock()
	delete(es.h2conns, tc)
	es.mu.Unlock()
	return false
}

// h2ConnState is the HTTP/2 server's ConnState hook: the open-connections gauge;
// whether a connection is in a request (an idle one without a certificate may be
// evicted like any other); and its slot once net/http has closed it.
func (es *Server) h2ConnState(count func(net.Conn, http.ConnState)) func(net.Conn, http.ConnState) {
	return func(c net.Conn, st http.ConnState) {
		count(c, st)
		es.mu.Lock()
		ec := es.h2conns[c]
		if ec != nil && (st == http.StateClosed || st == http.StateHijacked) {
			delete(es.h2conns, c)
		}
		es.mu.Unlock()
		if ec == nil {
			return
		}
		switch st {
		case http.StateActive:
			ec.setPhase(busy)
		case http.StateIdle:
			ec.setPhase(waiting)
		case http.StateClosed, http.StateHijacked:
			es.release(ec.source)
		}
	}
}
