module github.com/zeroalloc/kafka/bench

go 1.26.0

replace github.com/zeroalloc/kafka => ../

require (
	github.com/segmentio/kafka-go v0.4.51
	github.com/twmb/franz-go/pkg/kmsg v1.15.1
	github.com/zeroalloc/kafka v0.0.0-00010101000000-000000000000
)

require (
	github.com/klauspost/compress v1.20.4 // indirect
	github.com/pierrec/lz4/v4 v4.1.33 // indirect
)
