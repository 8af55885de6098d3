package wire

// Names that segmentio/kafka-go gives some error codes, kept as aliases so
// code written against kafka-go reads the same here. Each is the same Error
// value as the protocol-named constant (errors.Is treats them as one), so
// Name and Message report Kafka's current name, e.g. NotLeaderForPartition
// prints as NOT_LEADER_OR_FOLLOWER. kafka-go's PositionOutOfRange (99) has no
// alias: Kafka's error table no longer has code 99.
const (
	// Unknown is kafka-go's name for UnknownServerError (-1).
	Unknown = UnknownServerError
	// InvalidMessage is kafka-go's name for CorruptMessage (2).
	InvalidMessage = CorruptMessage
	// InvalidMessageSize is kafka-go's name for InvalidFetchSize (4).
	InvalidMessageSize = InvalidFetchSize
	// NotLeaderForPartition is kafka-go's (and Kafka's former) name for
	// NotLeaderOrFollower (6).
	NotLeaderForPartition = NotLeaderOrFollower
	// MessageSizeTooLarge is kafka-go's name for MessageTooLarge (10).
	MessageSizeTooLarge = MessageTooLarge
	// GroupLoadInProgress is kafka-go's name for CoordinatorLoadInProgress (14).
	GroupLoadInProgress = CoordinatorLoadInProgress
	// GroupCoordinatorNotAvailable is kafka-go's name for
	// CoordinatorNotAvailable (15).
	GroupCoordinatorNotAvailable = CoordinatorNotAvailable
	// NotCoordinatorForGroup is kafka-go's name for NotCoordinator (16).
	NotCoordinatorForGroup = NotCoordinator
	// InvalidTopic is kafka-go's name for InvalidTopicException (17).
	InvalidTopic = InvalidTopicException
	// UnsupportedSASLMechanism is kafka-go's name for
	// UnsupportedSaslMechanism (33).
	UnsupportedSASLMechanism = UnsupportedSaslMechanism
	// IllegalSASLState is kafka-go's name for IllegalSaslState (34).
	IllegalSASLState = IllegalSaslState
	// InvalidPartitionNumber is kafka-go's name for InvalidPartitions (37).
	InvalidPartitionNumber = InvalidPartitions
	// InvalidConfiguration is kafka-go's name for InvalidConfig (40).
	InvalidConfiguration = InvalidConfig
	// InvalidTransactionState is kafka-go's name for InvalidTxnState (48).
	InvalidTransactionState = InvalidTxnState
	// InvalidProducerIDMapping is kafka-go's name for
	// InvalidProducerIdMapping (49).
	InvalidProducerIDMapping = InvalidProducerIdMapping
	// TransactionalIDAuthorizationFailed is kafka-go's name for
	// TransactionalIdAuthorizationFailed (53).
	TransactionalIDAuthorizationFailed = TransactionalIdAuthorizationFailed
	// BrokerAuthorizationFailed is kafka-go's name for code 55, which Kafka
	// calls OPERATION_NOT_ATTEMPTED (OperationNotAttempted).
	BrokerAuthorizationFailed = OperationNotAttempted
	// SASLAuthenticationFailed is kafka-go's name for
	// SaslAuthenticationFailed (58).
	SASLAuthenticationFailed = SaslAuthenticationFailed
	// FetchSessionIDNotFound is kafka-go's name for FetchSessionIdNotFound (70).
	FetchSessionIDNotFound = FetchSessionIdNotFound
	// MemberIDRequired is kafka-go's name for MemberIdRequired (79).
	MemberIDRequired = MemberIdRequired
	// FencedInstanceID is kafka-go's name for FencedInstanceId (82).
	FencedInstanceID = FencedInstanceId
	// UnknownTopicID is kafka-go's name for UnknownTopicId (100).
	UnknownTopicID = UnknownTopicId
	// BrokerIDNotRegistered is kafka-go's name for BrokerIdNotRegistered (102).
	BrokerIDNotRegistered = BrokerIdNotRegistered
	// InconsistentTopicID is kafka-go's name for InconsistentTopicId (103).
	InconsistentTopicID = InconsistentTopicId
	// InconsistentClusterID is kafka-go's name for InconsistentClusterId (104).
	InconsistentClusterID = InconsistentClusterId
	// TransactionalIDNotFound is kafka-go's name for
	// TransactionalIdNotFound (105).
	TransactionalIDNotFound = TransactionalIdNotFound
	// FetchSessionTopicIDError is kafka-go's name for
	// FetchSessionTopicIdError (106).
	FetchSessionTopicIDError = FetchSessionTopicIdError
)
