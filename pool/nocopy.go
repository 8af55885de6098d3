package pool

// noCopy makes go vet's copylocks check report a copy of the struct that
// embeds it: a copied Buffer or Slab would share backing storage with the
// original, and both could be handed out or returned to a pool. It has no
// size and no cost at run time.
type noCopy struct{}

// Lock is a no-op used by go vet's copylocks check.
func (*noCopy) Lock() {}

// Unlock is a no-op used by go vet's copylocks check.
func (*noCopy) Unlock() {}
