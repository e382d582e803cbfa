package network

// Observer follows the model: the data plane builds switches, gateways and
// DNS records from these calls. Each is made synchronously after the
// change succeeded, in the order the changes happen; failed calls notify
// nothing. Implementations must not call the Controller's mutating methods.
type Observer interface {
	NetworkCreated(n *Network)
	NetworkRemoved(n *Network)
	SandboxCreated(s *Sandbox)
	SandboxRemoved(s *Sandbox)
	EndpointJoined(ep *Endpoint)
	EndpointLeft(ep *Endpoint)
}

// NopObserver implements Observer doing nothing; embed it to implement only
// some methods.
type NopObserver struct{}

func (NopObserver) NetworkCreated(*Network)  {}
func (NopObserver) NetworkRemoved(*Network)  {}
func (NopObserver) SandboxCreated(*Sandbox)  {}
func (NopObserver) SandboxRemoved(*Sandbox)  {}
func (NopObserver) EndpointJoined(*Endpoint) {}
func (NopObserver) EndpointLeft(*Endpoint)   {}

var _ Observer = NopObserver{}
