// Package wire holds the BGP-4 message framing and the types every other
// codec package shares: message types, AFI/SAFI families, the sticky-error
// Reader, the typed NOTIFICATION-carrying Error, the negotiated encoding
// Context, and the small fixed messages (KEEPALIVE, NOTIFICATION,
// ROUTE-REFRESH).
//
// It imports only the standard library.
//
// Sources: RFC 4271 §4 (message formats) and §6 (error handling),
// RFC 8654 (Extended Message), RFC 2918 and RFC 7313 (ROUTE-REFRESH and
// its BoRR/EoRR subtypes), RFC 4760 (AFI/SAFI), RFC 9003 (shutdown
// communication), RFC 7606 (revised error handling).
package wire
