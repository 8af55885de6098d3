package produce

import (
	"errors"
	"strconv"

	"github.com/zeroalloc/kafka/wire"
)

// ErrNoPartition means a Produce response has no result for a partition the
// request wrote to.
var ErrNoPartition = errors.New("kafka: produce response lacks a partition of the request")

// Result is the outcome of one partition's batch.
type Result struct {
	// BaseOffset is the offset given to the batch's first record (-1 when
	// the batch failed).
	BaseOffset int64
	// LogAppendTimeMs is the broker's append time for topics with
	// LogAppendTime timestamps, else -1.
	LogAppendTimeMs int64
	// LogStartOffset is the partition's log start offset, or -1.
	LogStartOffset int64
	// Err is nil on success. Otherwise it matches the partition's Kafka
	// error code with errors.Is (a wire.Error, or a *wire.ErrorWithMessage
	// holding the broker's ErrorMessage), and when the broker named the
	// records that made it drop the batch it is a *RecordsError saying
	// which.
	Err error
}

// RecordFailure names one record that made the broker drop its batch.
type RecordFailure struct {
	// Index is the record's index in the batch: the index of the message in
	// the slice given to AppendRequest.
	Index int
	// Message is the broker's reason, or "".
	Message string
}

// RecordsError is a batch that the broker dropped because of some of its
// records (Produce v8+ RecordErrors; for example INVALID_RECORD when a
// compacted topic gets a null key). Every record of the batch was dropped,
// the ones listed and the others.
type RecordsError struct {
	// Err is the partition's error (see Result.Err).
	Err error
	// Records lists the records the broker named.
	Records []RecordFailure
}

// Error names the error and the failing record indexes.
func (e *RecordsError) Error() string {
	s := e.Err.Error() + "; records"
	for i, r := range e.Records {
		if i == 8 {
			s += " ... (" + strconv.Itoa(len(e.Records)) + " in all)"
			break
		}
		s += " " + strconv.Itoa(r.Index)
		if r.Message != "" {
			s += " (" + r.Message + ")"
		}
	}
	return s
}

// Unwrap returns Err, so that errors.Is matches the Kafka error code.
func (e *RecordsError) Unwrap() error { return e.Err }

// PartitionResult returns the outcome of partition of topic in resp. It
// allocates only for a failed partition (the error value); it returns
// ErrNoPartition in Err when resp lacks the partition.
func PartitionResult(resp *wire.ProduceResponse, topic string, partition int32) Result {
	var at Cursor
	p := FindPartition(resp, topic, partition, &at)
	if p == nil {
		return Result{BaseOffset: -1, LogAppendTimeMs: -1, LogStartOffset: -1, Err: ErrNoPartition}
	}
	return Result{BaseOffset: p.BaseOffset, LogAppendTimeMs: p.LogAppendTimeMs, LogStartOffset: p.LogStartOffset, Err: PartitionError(p)}
}

// Cursor remembers where FindPartition found the previous partition, so
// that looking up a request's partitions in request order (the order
// brokers answer in) costs one step each. Its zero value starts at the
// beginning.
type Cursor struct{ topic, partition int }

// FindPartition returns the result of partition of topic in resp, or nil.
// It looks first just after the previous find of at, then searches.
func FindPartition(resp *wire.ProduceResponse, topic string, partition int32, at *Cursor) *wire.ProduceResponsePartition {
	for ti := at.topic; ti < len(resp.Responses) && ti <= at.topic+1; ti++ {
		t := &resp.Responses[ti]
		if t.Name != topic {
			continue
		}
		pi := 0
		if ti == at.topic {
			pi = at.partition
		}
		if pi < len(t.PartitionResponses) && t.PartitionResponses[pi].Index == partition {
			at.topic, at.partition = ti, pi+1
			return &t.PartitionResponses[pi]
		}
	}
	for ti := range resp.Responses {
		t := &resp.Responses[ti]
		if t.Name != topic {
			continue
		}
		for pi := range t.PartitionResponses {
			if t.PartitionResponses[pi].Index == partition {
				at.topic, at.partition = ti, pi+1
				return &t.PartitionResponses[pi]
			}
		}
	}
	return nil
}

// PartitionError returns p's error: nil on success, otherwise an error that
// matches the partition's Kafka error code with errors.Is (a wire.Error,
// or a *wire.ErrorWithMessage with the broker's message), a *RecordsError
// when the broker named the records that made it drop the batch. It
// allocates only for a failed partition.
func PartitionError(p *wire.ProduceResponsePartition) error {
	if p.ErrorCode == 0 {
		return nil
	}
	err := wire.ErrorForCodeMessage(p.ErrorCode, p.ErrorMessage)
	if len(p.RecordErrors) == 0 {
		return err
	}
	re := &RecordsError{Err: err, Records: make([]RecordFailure, len(p.RecordErrors))}
	for k, x := range p.RecordErrors {
		re.Records[k] = RecordFailure{Index: int(x.BatchIndex), Message: x.BatchIndexErrorMessage.String}
	}
	return re
}
