package wire

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// errorsTSV is Kafka's error table (see testdata/kafka-protocol/README.md).
const errorsTSV = "testdata/kafka-protocol/errors.tsv"

// TestErrorTableMatchesKafka re-reads Kafka's error table and fails on any
// difference from the generated one: code, name, retriable, message.
func TestErrorTableMatchesKafka(t *testing.T) {
	f, err := os.Open(errorsTSV)
	if err != nil {
		abs, _ := filepath.Abs(errorsTSV)
		t.Fatalf("Kafka's error table is missing: %v (expected at wire/testdata/kafka-protocol/errors.tsv, here %s)", err, abs)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	seen := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 5 {
			t.Fatalf("malformed line %q", sc.Text())
		}
		code, err := strconv.Atoi(cols[0])
		if err != nil {
			t.Fatal(err)
		}
		e := Error(code)
		if e.Name() != cols[1] || e.Message() != cols[4] || e.Retriable() != (cols[2] == "true") {
			t.Errorf("code %d: have %s %q retriable=%t, Kafka says %s %q retriable=%s",
				code, e.Name(), e.Message(), e.Retriable(), cols[1], cols[4], cols[2])
		}
		seen++
	}
	{
		n := 0
		for _, in := range errorTable {
			if in.name != "" {
				n++
			}
		}
		if n != seen {
			t.Errorf("generated table has %d codes, Kafka's has %d", n, seen)
		}
	}
}

func TestErrorsIs(t *testing.T) {
	wrapped := fmt.Errorf("produce to t/0: %w", &ErrorWithMessage{Err: NotLeaderOrFollower, Msg: "leader moved"})
	if !errors.Is(wrapped, NotLeaderOrFollower) {
		t.Fatal("errors.Is does not see NOT_LEADER_OR_FOLLOWER through the wrapping")
	}
	if errors.Is(wrapped, OffsetOutOfRange) {
		t.Fatal("errors.Is matches the wrong code")
	}
	var ke Error
	if !errors.As(wrapped, &ke) || ke != NotLeaderOrFollower || !ke.Temporary() {
		t.Fatalf("errors.As gave %v", ke)
	}
	if !strings.Contains(wrapped.Error(), "leader moved") || !strings.Contains(wrapped.Error(), "NOT_LEADER_OR_FOLLOWER") {
		t.Fatalf("message lost: %s", wrapped)
	}
}

func TestErrorForCode(t *testing.T) {
	if ErrorForCode(0) != nil || ErrorForCodeMessage(0, NewNullString("x")) != nil {
		t.Fatal("code 0 is not an error")
	}
	if err := ErrorForCode(3); err != UnknownTopicOrPartition {
		t.Fatalf("got %v", err)
	}
	unknown := ErrorForCode(30000)
	if unknown == nil || !strings.Contains(unknown.Error(), "UNKNOWN_ERROR_CODE_30000") || Error(30000).Retriable() {
		t.Fatalf("unknown code: %v", unknown)
	}
	if err := ErrorForCodeMessage(7, NullString{}); err != RequestTimedOut || !RequestTimedOut.Timeout() {
		t.Fatalf("null message: %v", err)
	}
	if UnknownServerError.Name() != "UNKNOWN_SERVER_ERROR" || UnknownServerError.Code() != -1 {
		t.Fatal("code -1")
	}
}

func TestErrorTitleDescription(t *testing.T) {
	for _, tc := range []struct {
		err   Error
		title string
	}{
		{NotLeaderOrFollower, "Not Leader Or Follower"},
		{OffsetOutOfRange, "Offset Out Of Range"},
		{UnknownServerError, "Unknown Server Error"},
		{Error(9999), "Unknown Error Code 9999"},
	} {
		if got := tc.err.Title(); got != tc.title {
			t.Errorf("%d: Title %q, want %q", int(tc.err), got, tc.title)
		}
		if tc.err.Description() != tc.err.Message() || tc.err.Description() == "" {
			t.Errorf("%d: Description %q", int(tc.err), tc.err.Description())
		}
	}
}
