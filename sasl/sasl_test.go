package sasl

import (
	"context"
	"testing"
)

func TestMetadataContext(t *testing.T) {
	if m := MetadataFromContext(context.Background()); m != nil {
		t.Fatalf("empty context gave %+v", m)
	}
	want := &Metadata{Host: "broker-1", Port: 9093}
	if got := MetadataFromContext(WithMetadata(context.Background(), want)); got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}
