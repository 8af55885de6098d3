package kafka_test

import (
	"testing"

	kafka "github.com/zeroalloc/kafka"
	"github.com/zeroalloc/kafka/gzip"
	"github.com/zeroalloc/kafka/lz4"
	"github.com/zeroalloc/kafka/snappy"
	"github.com/zeroalloc/kafka/zstd"
)

// TestCompatCodecPackages: kafka-go's older codec packages build the codecs
// they did, usable as kafka.CompressionCodec.
func TestCompatCodecPackages(t *testing.T) {
	for _, tc := range []struct {
		c    kafka.CompressionCodec
		code int8
	}{
		{gzip.NewCompressionCodec(), gzip.Code},
		{gzip.NewCompressionCodecLevel(5), gzip.Code},
		{snappy.NewCompressionCodec(), snappy.Code},
		{snappy.NewCompressionCodecFraming(snappy.Unframed), snappy.Code},
		{lz4.NewCompressionCodec(), lz4.Code},
		{zstd.NewCompressionCodec(), zstd.Code},
		{zstd.NewCompressionCodecWith(9), zstd.Code},
	} {
		if tc.c.Code() != tc.code || kafka.Compression(tc.code).String() != tc.c.Name() {
			t.Errorf("%s: code %d, want %d", tc.c.Name(), tc.c.Code(), tc.code)
		}
	}
	if gzip.NewCompressionCodecLevel(5).Level != 5 || zstd.NewCompressionCodecWith(9).Level != 9 ||
		snappy.NewCompressionCodecFraming(snappy.Unframed).Framing != snappy.Unframed {
		t.Error("settings lost")
	}
	if kafka.Gzip != 1 || kafka.Snappy != 2 || kafka.Lz4 != 3 || kafka.Zstd != 4 {
		t.Error("Compression constants")
	}
}
