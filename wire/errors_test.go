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

// errorsTSV is Kafka's error table, in the shared folder beside the checkout.
const errorsTSV = "../../shared/kafka-protocol/errors.tsv"

// TestErrorTableMatchesKafka re-reads Kafka's error table and fails on any
// difference from the generated one: code, name, retriable, message.
func TestErrorTableMatchesKafka(t *testing.T) {
	f, err := os.Open(errorsTSV)
	if err != nil {
		abs, _ := filepath.Abs(errorsTSV)
		t.Fatalf("Kafka's error table is missing: %v (expected at ../shared/kafka-protocol/errors.tsv relative to the repository root, here %s)", err, abs)
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

// TestKafkaGoAliases checks the kafka-go names against the codes kafka-go
// gives them, and that errors.Is treats an alias and the protocol name as one.
func TestKafkaGoAliases(t *testing.T) {
	for _, c := range []struct {
		alias Error
		code  int16
		name  string
	}{
		{Unknown, -1, "UNKNOWN_SERVER_ERROR"},
		{InvalidMessage, 2, "CORRUPT_MESSAGE"},
		{InvalidMessageSize, 4, "INVALID_FETCH_SIZE"},
		{NotLeaderForPartition, 6, "NOT_LEADER_OR_FOLLOWER"},
		{MessageSizeTooLarge, 10, "MESSAGE_TOO_LARGE"},
		{GroupLoadInProgress, 14, "COORDINATOR_LOAD_IN_PROGRESS"},
		{GroupCoordinatorNotAvailable, 15, "COORDINATOR_NOT_AVAILABLE"},
		{NotCoordinatorForGroup, 16, "NOT_COORDINATOR"},
		{InvalidTopic, 17, "INVALID_TOPIC_EXCEPTION"},
		{UnsupportedSASLMechanism, 33, "UNSUPPORTED_SASL_MECHANISM"},
		{IllegalSASLState, 34, "ILLEGAL_SASL_STATE"},
		{InvalidPartitionNumber, 37, "INVALID_PARTITIONS"},
		{InvalidConfiguration, 40, "INVALID_CONFIG"},
		{InvalidTransactionState, 48, "INVALID_TXN_STATE"},
		{InvalidProducerIDMapping, 49, "INVALID_PRODUCER_ID_MAPPING"},
		{TransactionalIDAuthorizationFailed, 53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"},
		{BrokerAuthorizationFailed, 55, "OPERATION_NOT_ATTEMPTED"},
		{SASLAuthenticationFailed, 58, "SASL_AUTHENTICATION_FAILED"},
		{FetchSessionIDNotFound, 70, "FETCH_SESSION_ID_NOT_FOUND"},
		{MemberIDRequired, 79, "MEMBER_ID_REQUIRED"},
		{FencedInstanceID, 82, "FENCED_INSTANCE_ID"},
		{UnknownTopicID, 100, "UNKNOWN_TOPIC_ID"},
		{BrokerIDNotRegistered, 102, "BROKER_ID_NOT_REGISTERED"},
		{InconsistentTopicID, 103, "INCONSISTENT_TOPIC_ID"},
		{InconsistentClusterID, 104, "INCONSISTENT_CLUSTER_ID"},
		{TransactionalIDNotFound, 105, "TRANSACTIONAL_ID_NOT_FOUND"},
		{FetchSessionTopicIDError, 106, "FETCH_SESSION_TOPIC_ID_ERROR"},
	} {
		if c.alias.Code() != c.code || c.alias.Name() != c.name {
			t.Errorf("alias of %s: code %d name %s", c.name, c.alias.Code(), c.alias.Name())
		}
		if !errors.Is(fmt.Errorf("w: %w", ErrorForCode(c.code)), c.alias) {
			t.Errorf("errors.Is(ErrorForCode(%d), alias) is false", c.code)
		}
	}
	if !errors.Is(&ErrorWithMessage{Err: NotLeaderOrFollower}, NotLeaderForPartition) {
		t.Error("NotLeaderForPartition does not match NotLeaderOrFollower")
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
