package main

import (
	"context"
	"errors"
	"sync"
)

// readAll returns a consumer of a topic's partitions for a client that
// reads one partition per consumer (a Reader or Conn per partition,
// sarama's PartitionConsumer): parts[p] reads partition p. With one part
// that part is polled directly, as before there were several; with more,
// a fanIn polls them. then, if not nil, runs after the parts are closed.
func readAll(parts []consumer, then func() error) consumer {
	if len(parts) == 1 {
		return &fanIn{parts: parts, then: then, direct: true}
	}
	return &fanIn{parts: parts, then: then, stop: make(chan struct{}), errc: make(chan error, len(parts))}
}

// openAll opens a consumer of each of c's partitions with open and returns
// them as one (readAll). If one fails, those opened are closed.
func openAll(c *config, open func(p int) (consumer, error), then func() error) (consumer, error) {
	parts := make([]consumer, 0, c.Partitions)
	for p := range c.Partitions {
		part, err := open(p)
		if err != nil {
			readAll(parts, then).close()
			return nil, err
		}
		parts = append(parts, part)
	}
	return readAll(parts, then), nil
}

// fanIn reads several partitions at once, as an application does with a
// client that has one consumer per partition: a goroutine per partition
// polls its consumer and hands each message to the benchmark's msgFunc
// under one mutex, so that the msgFunc sees one message at a time, as with
// a client that reads every partition itself. Its poll returns only when
// the msgFunc has returned false, a partition failed, or ctx is done.
type fanIn struct {
	parts  []consumer
	then   func() error
	direct bool // one part, polled by poll itself

	mu      sync.Mutex
	fn      msgFunc
	stopped bool          // fn returned false: it is not called again
	stop    chan struct{} // closed when stopped is set
	errc    chan error    // a part's poll failed; one per part at most
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

func (f *fanIn) poll(ctx context.Context, fn msgFunc) error {
	if f.direct {
		return f.parts[0].poll(ctx, fn)
	}
	f.mu.Lock()
	f.fn = fn
	f.mu.Unlock()
	if f.cancel == nil {
		var gctx context.Context
		gctx, f.cancel = context.WithCancel(ctx)
		for _, part := range f.parts {
			f.wg.Add(1)
			go f.run(gctx, part)
		}
	}
	select {
	case <-f.stop:
		return nil
	case err := <-f.errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run polls one partition until ctx is done or its poll fails.
func (f *fanIn) run(ctx context.Context, part consumer) {
	defer f.wg.Done()
	pass := f.pass // one method value, not one per poll
	for ctx.Err() == nil {
		if err := part.poll(ctx, pass); err != nil {
			if ctx.Err() == nil {
				f.errc <- err
			}
			return
		}
	}
}

// pass hands one message to fn, unless fn has asked for no more.
func (f *fanIn) pass(p int32, offset int64, value []byte) bool {
	f.mu.Lock()
	more := !f.stopped
	if more && !f.fn(p, offset, value) {
		f.stopped, more = true, false
		close(f.stop)
	}
	f.mu.Unlock()
	return more
}

// close stops the goroutines, then closes every part and runs then.
func (f *fanIn) close() error {
	if f.cancel != nil {
		f.cancel()
		f.wg.Wait()
	}
	var errs []error
	for _, part := range f.parts {
		errs = append(errs, part.close())
	}
	if f.then != nil {
		errs = append(errs, f.then())
	}
	return errors.Join(errs...)
}
