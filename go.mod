module github.com/ze-bgp/ze

go 1.26

require (
	github.com/google/gopacket v1.1.19
	github.com/osrg/gobgp/v3 v3.30.0
)

require (
	golang.org/x/net v0.43.0 // indirect
	golang.org/x/sys v0.35.0 // indirect
)
