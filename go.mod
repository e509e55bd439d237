module github.com/ze-bgp/ze

go 1.26

require (
	github.com/google/gopacket v1.1.19 // indirect
	github.com/osrg/gobgp/v3 v3.30.0 // indirect
	golang.org/x/net v0.23.0 // indirect
	golang.org/x/sys v0.25.0 // indirect
)
