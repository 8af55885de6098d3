package wire

import (
	"bytes"
	"errors"
	"reflect"
	"strconv"
	"testing"
)

// groupTopicPartitions returns 2+seed topics with 2+seed partitions each
// (seed -1: two topics named "" without partitions).
func groupTopicPartitions(seed int) []ConsumerProtocolTopicPartition {
	tps := make([]ConsumerProtocolTopicPartition, gN(seed))
	for i := range tps {
		tps[i] = ConsumerProtocolTopicPartition{Topic: gStr("topic", gS(seed, i)), Partitions: gInts(int32(100*i), seed)}
	}
	return tps
}

func groupSubscription(v int16, s int) *ConsumerProtocolSubscription {
	return &ConsumerProtocolSubscription{
		Version:         v,
		Topics:          gStrs("topic", s),
		UserData:        gIf(s < 0, nil, gBytes(3, s)),
		OwnedPartitions: gIf(v >= 1, groupTopicPartitions(s), nil),
		GenerationId:    gIf(v >= 2, int32(21+s), -1),
		RackId:          gIf(v >= 3, gNull("rack", s), NullString{}),
	}
}

func groupAssignment(v int16, s int) *ConsumerProtocolAssignment {
	return &ConsumerProtocolAssignment{
		Version:            v,
		AssignedPartitions: groupTopicPartitions(s),
		UserData:           gIf(s < 0, nil, gBytes(5, s)),
	}
}

// groupEmbedded is the method set the two consumer-protocol messages share.
type groupEmbedded interface {
	AppendTo(dst []byte, version int16) []byte
	DecodeFrom(src []byte) error
}

// groupCheckEmbedded is checkCodec (codec_check_test.go) for the
// consumer-protocol messages, which take no version on decode.
func groupCheckEmbedded(t *testing.T, version int16, want, other groupEmbedded) {
	t.Helper()
	fresh := func() groupEmbedded { return reflect.New(reflect.TypeOf(want).Elem()).Interface().(groupEmbedded) }
	enc := want.AppendTo(nil, version)
	if got := int16(enc[0])<<8 | int16(enc[1]); got != version {
		t.Fatalf("version prefix %d, want %d", got, version)
	}
	got := fresh()
	if err := got.DecodeFrom(enc); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("decode: %v\n%+v\nwant\n%+v", err, got, want)
	}
	if re := got.AppendTo(nil, version); !bytes.Equal(re, enc) {
		t.Fatalf("re-encoded\n%x\nwant\n%x", re, enc)
	}
	stale := fresh()
	if err := stale.DecodeFrom(other.AppendTo(nil, version)); err != nil {
		t.Fatalf("decode other: %v", err)
	}
	if err := stale.DecodeFrom(enc); err != nil || !looseEqual(reflect.ValueOf(stale), reflect.ValueOf(want)) {
		t.Fatalf("decode over other data: %v\n%+v\nwant\n%+v", err, stale, want)
	}
	if err := fresh().DecodeFrom(append(enc[:len(enc):len(enc)], 0)); !errors.Is(err, ErrTrailingBytes) {
		t.Fatalf("trailing byte: got %v, want ErrTrailingBytes", err)
	}
	for i := range enc {
		if err := fresh().DecodeFrom(enc[:i]); err == nil {
			t.Fatalf("prefix of %d/%d bytes decoded without error", i, len(enc))
		}
		if err := got.DecodeFrom(enc[:i]); err == nil {
			t.Fatalf("prefix of %d/%d bytes decoded into reused struct without error", i, len(enc))
		}
	}
}

func TestConsumerProtocolRoundTrip(t *testing.T) {
	for v := int16(0); v <= ConsumerProtocolVersion; v++ {
		t.Run("v"+strconv.Itoa(int(v)), func(t *testing.T) {
			for _, s := range []int{0, 1, -1} {
				groupCheckEmbedded(t, v, groupSubscription(v, s), groupSubscription(v, 1-max(s, 0)))
				groupCheckEmbedded(t, v, groupAssignment(v, s), groupAssignment(v, 1-max(s, 0)))
			}
		})
	}
}

// TestConsumerProtocolNullUserData checks that null and empty user data stay
// apart, in a fresh and in a reused struct.
func TestConsumerProtocolNullUserData(t *testing.T) {
	for _, ud := range [][]byte{nil, {}} {
		sub := groupSubscription(3, 0)
		got := groupSubscription(3, 1)
		sub.UserData = ud
		if err := got.DecodeFrom(sub.AppendTo(nil, 3)); err != nil || (got.UserData == nil) != (ud == nil) || len(got.UserData) != 0 {
			t.Fatalf("subscription user data nil=%v: decoded %#v, %v", ud == nil, got.UserData, err)
		}
		asg := groupAssignment(3, 0)
		gotA := groupAssignment(3, 1)
		asg.UserData = ud
		if err := gotA.DecodeFrom(asg.AppendTo(nil, 3)); err != nil || (gotA.UserData == nil) != (ud == nil) || len(gotA.UserData) != 0 {
			t.Fatalf("assignment user data nil=%v: decoded %#v, %v", ud == nil, gotA.UserData, err)
		}
	}
}

// TestConsumerProtocolGolden checks encodings written by hand from the JSON.
func TestConsumerProtocolGolden(t *testing.T) {
	sub := &ConsumerProtocolSubscription{
		Topics: []string{"t"}, UserData: []byte{9},
		OwnedPartitions: []ConsumerProtocolTopicPartition{{Topic: "t", Partitions: []int32{1}}},
		GenerationId:    5, RackId: NewNullString("r"),
	}
	want := []byte{
		0, 3, // version
		0, 0, 0, 1, 0, 1, 't', // Topics
		0, 0, 0, 1, 9, // UserData
		0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0, 0, 0, 1, // OwnedPartitions
		0, 0, 0, 5, // GenerationId
		0, 1, 'r', // RackId
	}
	if got := sub.AppendTo(nil, 3); !bytes.Equal(got, want) {
		t.Fatalf("subscription v3\n%x\nwant\n%x", got, want)
	}
	if got := sub.AppendTo(nil, 0); !bytes.Equal(got, []byte{0, 0, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 9}) {
		t.Fatalf("subscription v0: %x", got)
	}
	asg := &ConsumerProtocolAssignment{AssignedPartitions: []ConsumerProtocolTopicPartition{{Topic: "t", Partitions: []int32{1, 2}}}}
	want = []byte{0, 1, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff}
	if got := asg.AppendTo(nil, 1); !bytes.Equal(got, want) {
		t.Fatalf("assignment v1\n%x\nwant\n%x", got, want)
	}
}

// TestConsumerProtocolVersions checks the version rules in the file comment
// of consumer_protocol.go: newer versions decode as ours and ignore the
// fields they add; negative ones fail; AppendTo clamps.
func TestConsumerProtocolVersions(t *testing.T) {
	// A v5 subscription: our v3 layout plus fields a future version appends.
	want := groupSubscription(3, 0)
	enc := want.AppendTo(nil, 3)
	future := append([]byte{0, 5}, enc[2:]...)
	future = append(future, 0, 0, 0, 42, 0xde, 0xad)
	got := new(ConsumerProtocolSubscription)
	if err := got.DecodeFrom(future); err != nil {
		t.Fatalf("v5 subscription: %v", err)
	}
	want.Version = 5
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("v5 subscription decoded\n%+v\nwant\n%+v", got, want)
	}
	// A truncated newer version still fails.
	if err := got.DecodeFrom(future[:len(enc)-1]); err == nil {
		t.Fatalf("truncated v5 subscription decoded without error")
	}

	asg := groupAssignment(3, 0)
	enc = asg.AppendTo(nil, 3)
	future = append([]byte{0x7f, 0xff}, enc[2:]...)
	future = append(future, 1, 2, 3)
	gotA := new(ConsumerProtocolAssignment)
	if err := gotA.DecodeFrom(future); err != nil {
		t.Fatalf("v32767 assignment: %v", err)
	}
	asg.Version = 0x7fff
	if !reflect.DeepEqual(gotA, asg) {
		t.Fatalf("v32767 assignment decoded\n%+v\nwant\n%+v", gotA, asg)
	}

	for _, src := range [][]byte{{0xff, 0xff}, append([]byte{0xff, 0xfe}, enc[2:]...)} {
		if err := new(ConsumerProtocolSubscription).DecodeFrom(src); !errors.Is(err, ErrUnsupportedVersion) {
			t.Fatalf("negative version subscription %x: got %v", src, err)
		}
		if err := new(ConsumerProtocolAssignment).DecodeFrom(src); !errors.Is(err, ErrUnsupportedVersion) {
			t.Fatalf("negative version assignment %x: got %v", src, err)
		}
	}

	sub := groupSubscription(3, 0)
	if a, b := sub.AppendTo(nil, 9), sub.AppendTo(nil, 3); !bytes.Equal(a, b) {
		t.Fatalf("AppendTo(9) = %x, want the v3 encoding %x", a, b)
	}
	if a, b := sub.AppendTo(nil, -4), sub.AppendTo(nil, 0); !bytes.Equal(a, b) {
		t.Fatalf("AppendTo(-4) = %x, want the v0 encoding %x", a, b)
	}
}

// TestConsumerProtocolForgedCounts checks that array counts the input
// cannot hold fail with ErrInvalidLength before anything is grown.
func TestConsumerProtocolForgedCounts(t *testing.T) {
	huge := AppendInt32(nil, 1<<31-1)
	sub := new(ConsumerProtocolSubscription)
	if err := sub.DecodeFrom(append([]byte{0, 3}, huge...)); !errors.Is(err, ErrInvalidLength) || sub.Topics != nil {
		t.Fatalf("forged topics: %v, %v", err, sub.Topics)
	}
	// v1: no topics, null user data, forged owned partitions.
	src := append([]byte{0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, huge...)
	if err := sub.DecodeFrom(src); !errors.Is(err, ErrInvalidLength) || len(sub.OwnedPartitions) != 0 {
		t.Fatalf("forged owned partitions: %v, %v", err, sub.OwnedPartitions)
	}
	asg := new(ConsumerProtocolAssignment)
	if err := asg.DecodeFrom(append([]byte{0, 0}, huge...)); !errors.Is(err, ErrInvalidLength) || asg.AssignedPartitions != nil {
		t.Fatalf("forged assigned partitions: %v, %v", err, asg.AssignedPartitions)
	}
	// One topic whose partition count is forged.
	src = append([]byte{0, 0, 0, 0, 0, 1, 0, 1, 't'}, huge...)
	if err := asg.DecodeFrom(src); !errors.Is(err, ErrInvalidLength) || len(asg.AssignedPartitions[0].Partitions) != 0 {
		t.Fatalf("forged partitions: %v, %v", err, asg.AssignedPartitions)
	}
}
