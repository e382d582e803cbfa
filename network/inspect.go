package network

import (
	"maps"
	"time"
)

// Inspect is the body of docker network inspect: field names and order are
// Docker's (moby api/types/network), so encoding/json gives the JSON Docker
// prints and Go templates see the fields Docker's do.
type Inspect struct {
	Name       string                      `json:"Name"`
	ID         string                      `json:"Id"`
	Created    time.Time                   `json:"Created"`
	Scope      string                      `json:"Scope"`
	Driver     string                      `json:"Driver"`
	EnableIPv4 bool                        `json:"EnableIPv4"`
	EnableIPv6 bool                        `json:"EnableIPv6"`
	IPAM       IPAM                        `json:"IPAM"`
	Internal   bool                        `json:"Internal"`
	Attachable bool                        `json:"Attachable"`
	Ingress    bool                        `json:"Ingress"`
	ConfigFrom ConfigReference             `json:"ConfigFrom"`
	ConfigOnly bool                        `json:"ConfigOnly"`
	Containers map[string]EndpointResource `json:"Containers"`
	Options    map[string]string           `json:"Options"`
	Labels     map[string]string           `json:"Labels"`
}

// IPAM is the network's address management configuration.
type IPAM struct {
	Driver  string            `json:"Driver"`
	Options map[string]string `json:"Options"`
	Config  []IPAMConfig      `json:"Config"`
}

// IPAMConfig is one subnet. As in Docker, a subnet the user configured
// shows only what the user gave (no Gateway unless --gateway was given); a
// dynamic one shows the allocated subnet and gateway.
type IPAMConfig struct {
	Subnet     string            `json:"Subnet,omitempty"`
	IPRange    string            `json:"IPRange,omitempty"`
	Gateway    string            `json:"Gateway,omitempty"`
	AuxAddress map[string]string `json:"AuxiliaryAddresses,omitempty"`
}

// ConfigReference names the network a config-from network copies.
type ConfigReference struct {
	Network string `json:"Network"`
}

// EndpointResource is one container in Inspect.Containers, keyed by
// container ID.
type EndpointResource struct {
	Name        string `json:"Name"`
	EndpointID  string `json:"EndpointID"`
	MacAddress  string `json:"MacAddress"`
	IPv4Address string `json:"IPv4Address"`
	IPv6Address string `json:"IPv6Address"`
}

// Inspect looks a network up (FindNetwork) and describes it.
func (c *Controller) Inspect(term string) (Inspect, error) {
	n, err := c.FindNetwork(term)
	if err != nil {
		return Inspect{}, err
	}
	return n.Inspect(), nil
}

// Inspect describes the network as docker network inspect does.
func (n *Network) Inspect() Inspect {
	in := Inspect{
		Name:       n.name,
		ID:         n.id,
		Created:    n.created,
		Scope:      n.scope,
		Driver:     n.driver.Name(),
		EnableIPv4: true,
		IPAM:       IPAM{Driver: n.ipamDriver, Options: maps.Clone(n.ipamOptions), Config: n.ipamConfig()},
		Internal:   n.internal,
		Attachable: n.attachable,
		Ingress:    n.ingress,
		Containers: map[string]EndpointResource{},
		Options:    maps.Clone(n.options),
		Labels:     maps.Clone(n.labels),
	}
	for _, ep := range n.endpoints {
		r := EndpointResource{Name: ep.Name(), EndpointID: ep.id}
		if !ep.mac.IsZero() {
			r.MacAddress = ep.mac.String()
		}
		if ep.addr.IsValid() {
			r.IPv4Address = ep.addr.String()
		}
		in.Containers[ep.sandbox.id] = r
	}
	return in
}

func (n *Network) ipamConfig() []IPAMConfig {
	var out []IPAMConfig
	for i, p := range n.pools {
		if i < len(n.shown) {
			r := n.shown[i]
			if r.Subnet.IsValid() && !r.Subnet.Addr().IsUnspecified() {
				cfg := IPAMConfig{Subnet: r.Subnet.String()}
				if r.IPRange.IsValid() {
					cfg.IPRange = r.IPRange.String()
				}
				if r.Gateway.IsValid() {
					cfg.Gateway = r.Gateway.String()
				}
				if len(r.AuxAddresses) > 0 {
					cfg.AuxAddress = map[string]string{}
					for _, a := range r.AuxAddresses {
						cfg.AuxAddress[a.Name] = a.Addr.String()
					}
				}
				out = append(out, cfg)
				continue
			}
		}
		cfg := IPAMConfig{Subnet: p.Subnet.String()}
		if p.Gateway.IsValid() {
			cfg.Gateway = p.Gateway.String()
		}
		out = append(out, cfg)
	}
	return out
}
