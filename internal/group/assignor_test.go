package group

import (
	"reflect"
	"testing"

	"github.com/zeroalloc/kafka/wire"
)

func TestAssignmentSets(t *testing.T) {
	a := Assignment{"x": {0, 1, 2}, "y": {3}}
	b := Assignment{"x": {1}, "z": {0}}
	if got, want := a.Minus(b), (Assignment{"x": {0, 2}, "y": {3}}); !reflect.DeepEqual(got, want) {
		t.Errorf("a-b = %v, want %v", got, want)
	}
	if got := b.Minus(Assignment{"x": {1}, "z": {0}}); got != nil {
		t.Errorf("b-b = %v, want nil", got)
	}
	if a.Len() != 4 || !a.Has("x", 2) || a.Has("x", 3) || a.Has("q", 0) {
		t.Errorf("Len/Has wrong on %v", a)
	}
	c := a.Clone()
	c["x"][0] = 9
	if a["x"][0] != 0 {
		t.Error("Clone shares partition lists")
	}
}

// TestAssignmentCodec: what EncodeAssignment writes decodes to the same
// partitions, sorted; empty bytes (a member the leader left out) are an
// empty assignment; garbage is an error.
func TestAssignmentCodec(t *testing.T) {
	in := map[string][]int32{"b": {2, 0}, "a": {1}, "empty": nil}
	got, err := decodeAssignment(EncodeAssignment(in, []byte("ud")))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Assignment{"a": {1}, "b": {0, 2}}); !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %v, want %v", got, want)
	}
	if got, err := decodeAssignment(nil); err != nil || len(got) != 0 || got == nil {
		t.Errorf("empty bytes: %v, %v", got, err)
	}
	if _, err := decodeAssignment([]byte{0, 0, 0, 0, 0, 9}); err == nil {
		t.Error("a truncated assignment decoded")
	}
}

func TestSubscriptionDecode(t *testing.T) {
	b := Subscription([]string{"t1", "t2"}, map[string][]int32{"t2": {5, 3}, "t1": {0}}, 7, []byte{1, 2})
	mm := decodeMember("m-1", wire.NewNullString("inst"), b)
	want := MemberMeta{ID: "m-1", InstanceID: "inst", Metadata: b, Topics: []string{"t1", "t2"}, UserData: []byte{1, 2},
		Owned: Assignment{"t1": {0}, "t2": {3, 5}}, Generation: 7}
	if !reflect.DeepEqual(mm, want) {
		t.Errorf("decoded %+v, want %+v", mm, want)
	}
	bad := decodeMember("m-2", wire.NullString{}, []byte{0, 3, 0})
	if bad.DecodeErr == nil || bad.Topics != nil {
		t.Errorf("garbage metadata decoded: %+v", bad)
	}
}
