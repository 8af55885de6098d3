package wire

//go:generate go run ./internal/generrors -in testdata/kafka-protocol/errors.tsv -out errors_gen.go

import "strconv"

// Error is a Kafka error code. Every code of the protocol has a constant of
// this type (errors_gen.go, generated from Kafka's error table); the value is
// comparable, so errors.Is(err, wire.NotLeaderOrFollower) works through any
// wrapping. The zero value (NONE) is not an error: ErrorForCode maps it to
// nil.
type Error int16

type errorInfo struct {
	name      string
	message   string
	retriable bool
}

func (e Error) info() (errorInfo, bool) {
	i := int(e) + 1
	if i < 0 || i >= len(errorTable) || errorTable[i].name == "" {
		return errorInfo{}, false
	}
	return errorTable[i], true
}

// Code returns the numeric error code.
func (e Error) Code() int16 { return int16(e) }

// Name returns the protocol name, e.g. "NOT_LEADER_OR_FOLLOWER", or
// "UNKNOWN_ERROR_CODE_<n>" for a code this table does not know.
func (e Error) Name() string {
	if in, ok := e.info(); ok {
		return in.name
	}
	return "UNKNOWN_ERROR_CODE_" + strconv.Itoa(int(e))
}

// Message returns Kafka's description of the error.
func (e Error) Message() string {
	if in, ok := e.info(); ok {
		return in.message
	}
	return "an error code unknown to this client"
}

// Title returns the protocol name in words, e.g. "Not Leader Or Follower"
// for NOT_LEADER_OR_FOLLOWER (kafka-go's Error.Title).
func (e Error) Title() string {
	name := e.Name()
	b := make([]byte, 0, len(name))
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_':
			b = append(b, ' ')
			upper = true
			continue
		case !upper && c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
		upper = false
	}
	return string(b)
}

// Description returns Kafka's description of the error, the same as Message
// (kafka-go's Error.Description).
func (e Error) Description() string { return e.Message() }

// Error returns "[code] NAME: message".
func (e Error) Error() string {
	return "[" + strconv.Itoa(int(e)) + "] " + e.Name() + ": " + e.Message()
}

// Retriable reports whether Kafka marks the error retriable: the same request
// may succeed if it is sent again (perhaps after refreshing metadata).
func (e Error) Retriable() bool {
	in, _ := e.info()
	return in.retriable
}

// Temporary reports the same as Retriable (the net.Error convention that
// kafka-go users rely on).
func (e Error) Temporary() bool { return e.Retriable() }

// Timeout reports whether the error means a deadline passed on the broker's
// side (REQUEST_TIMED_OUT, the only such code in the protocol).
func (e Error) Timeout() bool { return e == RequestTimedOut }

// ErrorForCode returns nil for code 0 and the Error of the code otherwise,
// including codes this table does not know.
func ErrorForCode(code int16) error {
	if code == 0 {
		return nil
	}
	return Error(code)
}

// ErrorWithMessage is an Error together with the message the broker sent in
// the response (ErrorMessage fields), which says more than Kafka's generic
// description. errors.Is matches its Error.
type ErrorWithMessage struct {
	Err Error
	Msg string
}

// Error returns the code's text followed by the broker's message.
func (e *ErrorWithMessage) Error() string {
	if e.Msg == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + " (broker: " + e.Msg + ")"
}

// Unwrap returns the Error.
func (e *ErrorWithMessage) Unwrap() error { return e.Err }

// Temporary reports whether the Error is retriable.
func (e *ErrorWithMessage) Temporary() bool { return e.Err.Temporary() }

// Timeout reports whether the Error is a timeout.
func (e *ErrorWithMessage) Timeout() bool { return e.Err.Timeout() }

// ErrorForCodeMessage is ErrorForCode that keeps the broker's message when
// it has one.
func ErrorForCodeMessage(code int16, msg NullString) error {
	if code == 0 {
		return nil
	}
	if !msg.Valid || msg.String == "" {
		return Error(code)
	}
	return &ErrorWithMessage{Err: Error(code), Msg: msg.String}
}
