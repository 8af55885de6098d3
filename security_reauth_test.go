package kafka

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/sasl/oauthbearer"
	"github.com/zeroalloc/kafka/sasl/scram"
)

// reauthRun is how long TestSecuredReauthentication writes and reads: four
// of the SASL_REAUTH listener's 3-second session lifetimes.
const reauthRun = 12 * time.Second

// TestSecuredReauthentication runs a Writer (four goroutines writing at
// once, so requests are in flight when the sessions come due), a Reader of
// a group reading everything, and a Conn writing now and then, on the
// listener whose SASL sessions last 3 seconds, for four lifetimes. The
// broker closes any connection that sends a request after its session
// ended, so nothing survives without re-authentication (KIP-368). Every
// message must be read once, in each writer's order, with no error, the
// Writer and the Reader must have re-authenticated without dialing again,
// and the Conn too.
func TestSecuredReauthentication(t *testing.T) {
	sec := kafkatest.Secured(t)
	for _, mech := range []string{"SCRAM-SHA-512", "OAUTHBEARER"} {
		t.Run(mech, func(t *testing.T) {
			t.Parallel()
			checkReauthentication(t, sec, mech)
		})
	}
}

func checkReauthentication(t *testing.T, sec *kafkatest.Security, name string) {
	var tokens atomic.Int64
	s := secureSetup{name: name, addrs: sec.SASLReauth, tls: sec.TLS(t)}
	if name == "OAUTHBEARER" {
		s.mech = oauthbearer.Mechanism{TokenSource: oauthbearer.TokenSourceFunc(func(ctx context.Context) (string, error) {
			tokens.Add(1)
			return oauthbearer.UnsecuredJWT(sec.User, time.Hour), nil
		})}
	} else {
		m, err := scram.Mechanism(scram.SHA512, sec.User, sec.Password)
		if err != nil {
			t.Fatal(err)
		}
		s.mech = m
	}
	topic := createTopic(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), reauthRun+60*time.Second)
	defer cancel()

	const writers = 4
	w := &Writer{Addr: TCP(s.addrs...), Topic: topic, Transport: s.transport(), Balancer: &Hash{},
		BatchTimeout: time.Millisecond, ErrorLogger: failOnLog(t, "Writer")}
	defer w.Close()
	r := NewReader(ReaderConfig{Brokers: s.addrs, GroupID: topic, Topic: topic, Dialer: s.dialer(),
		StartOffset: FirstOffset, MaxWait: 250 * time.Millisecond, HeartbeatInterval: 500 * time.Millisecond,
		ErrorLogger: failOnLog(t, "Reader")})
	defer r.Close()
	conn, err := s.dialer().DialLeader(ctx, "tcp", s.addrs[0], topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if l := conn.bc.SessionLifetime(); l <= 0 || l > 10*time.Second {
		t.Fatalf("the SASL_REAUTH listener gave a session lifetime of %v, want a few seconds", l)
	}

	// The first write dials, and the Reader joins its group and reads it;
	// the counters from then on must show no dial.
	if err := w.WriteMessages(ctx, Message{Key: []byte{0xff}, Value: []byte("first")}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReadMessage(ctx); err != nil {
		t.Fatal(err)
	}
	w.Stats()
	r.Stats()

	var wg sync.WaitGroup
	var written [writers]atomic.Int64
	errs := make(chan error, writers+2)
	stop := time.Now().Add(reauthRun)
	for g := 0; g < writers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				v := make([]byte, 8)
				binary.BigEndian.PutUint32(v, uint32(g))
				binary.BigEndian.PutUint32(v[4:], uint32(i))
				if err := w.WriteMessages(ctx, Message{Key: v[:4], Value: v}); err != nil {
					errs <- fmt.Errorf("writer %d, message %d: %w", g, i, err)
					return
				}
				written[g].Add(1)
			}
		}()
	}
	wg.Add(1)
	connWrites := 0
	go func() {
		defer wg.Done()
		for time.Now().Before(stop) {
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := conn.WriteMessages(Message{Key: []byte{0xfe}, Value: []byte("conn")}); err != nil {
				errs <- fmt.Errorf("Conn write %d: %w", connWrites, err)
				return
			}
			connWrites++
			time.Sleep(200 * time.Millisecond)
		}
	}()

	// Read while writing, until every message is in.
	next := make(map[uint32]uint32)
	var extra int
	readDone := make(chan struct{})
	var readErr error
	go func() {
		defer close(readDone)
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				readErr = err
				return
			}
			if len(m.Value) != 8 {
				extra++
			} else {
				g, i := binary.BigEndian.Uint32(m.Value), binary.BigEndian.Uint32(m.Value[4:])
				if i != next[g] {
					readErr = fmt.Errorf("writer %d: read message %d, want %d", g, i, next[g])
					return
				}
				next[g]++
			}
			total := 0
			for g := range writers {
				total += int(written[g].Load())
			}
			if time.Now().After(stop) && int(sumOf(next)) == total && extra == connWrites {
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	<-readDone
	if readErr != nil {
		t.Fatalf("reading: %v (read %d of the writers' messages)", readErr, sumOf(next))
	}
	ws, rs := w.Stats(), r.Stats()
	if rs.Rebalances != 0 {
		t.Errorf("the group rebalanced %d times: its coordinator connections did not keep their sessions", rs.Rebalances)
	}
	t.Logf("%d messages written by the Writer, %d by the Conn; Writer: %d re-authentications, %d dials; Reader: %d re-authentications, %d dials; Conn: %d authentications; %d tokens",
		sumOf(next), connWrites, ws.Reauthentications, ws.Dials, rs.Reauthentications, rs.Dials, conn.bc.Authentications(), tokens.Load())
	// Four lifetimes: each long-lived connection renews at least three times.
	if ws.Reauthentications < 3 || ws.Dials != 0 {
		t.Errorf("Writer: %d re-authentications and %d dials, want at least 3 and none", ws.Reauthentications, ws.Dials)
	}
	if rs.Reauthentications < 3 || rs.Dials != 0 {
		t.Errorf("Reader: %d re-authentications and %d dials, want at least 3 and none", rs.Reauthentications, rs.Dials)
	}
	if n := conn.bc.Authentications(); n < 4 {
		t.Errorf("Conn: %d authentications, want at least 4", n)
	}
	if name == "OAUTHBEARER" && tokens.Load() < 10 {
		t.Errorf("the token source was called %d times, want once per authentication", tokens.Load())
	}
}

// failOnLog returns a Logger that fails the test, a connection that loses
// its session being logged, except for a coordinator still loading, which
// a fresh cluster's first producer id request may meet.
func failOnLog(t *testing.T, who string) Logger {
	return LoggerFunc(func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if strings.Contains(msg, "COORDINATOR_LOAD_IN_PROGRESS") {
			t.Logf("%s logged: %s", who, msg)
			return
		}
		t.Errorf("%s logged: %s", who, msg)
	})
}

func sumOf(m map[uint32]uint32) uint32 {
	var n uint32
	for _, v := range m {
		n += v
	}
	return n
}

// TestSecuredIdlePastSession leaves a Writer and a Conn idle past their
// sessions' end on the 3-second listener: the Writer replaces its
// connections and writes on without an error; the Conn, which cannot
// redial, says its session expired, without sending a request the broker
// would answer by closing the connection.
func TestSecuredIdlePastSession(t *testing.T) {
	sec := kafkatest.Secured(t)
	m, err := scram.Mechanism(scram.SHA512, sec.User, sec.Password)
	if err != nil {
		t.Fatal(err)
	}
	s := secureSetup{name: "SASL_REAUTH", addrs: sec.SASLReauth, tls: sec.TLS(t), mech: m}
	topic := createTopic(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := &Writer{Addr: TCP(s.addrs...), Topic: topic, Transport: s.transport(), ErrorLogger: LoggerFunc(t.Logf)}
	defer w.Close()
	conn, err := s.dialer().DialLeader(ctx, "tcp", s.addrs[0], topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := w.WriteMessages(ctx, Message{Value: []byte("before")}); err != nil {
		t.Fatal(err)
	}
	w.Stats()
	time.Sleep(conn.bc.SessionLifetime() + 200*time.Millisecond)
	if err := w.WriteMessages(ctx, Message{Value: []byte("after")}); err != nil {
		t.Fatalf("the Writer after its sessions ended: %v", err)
	}
	// Replaced before sending: no request went out on the old connection
	// to be lost and retried.
	if st := w.Stats(); st.Retries != 0 || st.Dials != 1 {
		t.Errorf("the Writer retried %d batches and dialed %d times, want 0 and 1", st.Retries, st.Dials)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	_, err = conn.ReadLastOffset()
	if !errors.Is(err, broker.ErrSessionExpired) {
		t.Fatalf("the Conn after its session ended: %v, want ErrSessionExpired", err)
	}
	if got := readPartition(t, kafkatest.Brokers(t), topic, 0); len(got) != 2 {
		t.Fatalf("%d messages in the topic, want 2", len(got))
	}
}
