package wire

import (
	"fmt"
)

// Action is what the session must do about a malformed message, ordered
// from mildest to harshest (RFC 7606 §2): when several problems are found,
// the harshest wins.
type Action uint8

const (
	// ActionNone: nothing is wrong, or the problem is only logged.
	ActionNone Action = iota
	// ActionAttributeDiscard: drop the attribute, keep the routes (RFC 7606 §2).
	ActionAttributeDiscard
	// ActionTreatAsWithdraw: withdraw every route the UPDATE carries (RFC 7606 §2).
	ActionTreatAsWithdraw
	// ActionFamilyDisable: stop using the AFI/SAFI (RFC 4760 §7, RFC 7606 §2).
	ActionFamilyDisable
	// ActionSessionReset: send the NOTIFICATION and close (RFC 4271 §6).
	ActionSessionReset
)

var actionNames = [...]string{"none", "attribute-discard", "treat-as-withdraw", "afi-safi-disable", "session-reset"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("action-%d", uint8(a))
}

// Error is a malformed-input error that carries what the session must
// do: the NOTIFICATION code, subcode and data it implies (RFC 4271 §6)
// and the RFC 7606 action. Msg is a short lower-case description
// prefixed with the package that found the problem.
type Error struct {
	Code    Code
	Subcode uint8
	Data    []byte
	Action  Action
	Msg     string
}

func (e *Error) Error() string { return e.Msg }

// Errorf returns a session-reset *Error with a formatted message.
func Errorf(code Code, sub uint8, data []byte, format string, args ...any) *Error {
	return &Error{Code: code, Subcode: sub, Data: data, Action: ActionSessionReset, Msg: fmt.Sprintf(format, args...)}
}

// WithAction returns a copy of e with its action replaced.
func (e *Error) WithAction(a Action) *Error {
	c := *e
	c.Action = a
	return &c
}

// Code is the NOTIFICATION error code (RFC 4271 §4.5).
type Code uint8

// Error codes (RFC 4271 §4.5, RFC 4486, RFC 7313, RFC 9687).
const (
	CodeHeader        Code = 1
	CodeOpen          Code = 2
	CodeUpdate        Code = 3
	CodeHoldTimer     Code = 4
	CodeFSM           Code = 5
	CodeCease         Code = 6
	CodeRouteRefresh  Code = 7
	CodeSendHoldTimer Code = 8
)

// Message Header Error subcodes (RFC 4271 §6.1).
const (
	SubConnNotSynchronized uint8 = 1
	SubBadMessageLength    uint8 = 2
	SubBadMessageType      uint8 = 3
)

// OPEN Message Error subcodes (RFC 4271 §6.2, RFC 5492, RFC 9234).
const (
	SubUnsupportedVersion    uint8 = 1
	SubBadPeerAS             uint8 = 2
	SubBadBGPIdentifier      uint8 = 3
	SubUnsupportedOptParam   uint8 = 4
	SubUnacceptableHoldTime  uint8 = 6
	SubUnsupportedCapability uint8 = 7
	SubRoleMismatch          uint8 = 11
)

// UPDATE Message Error subcodes (RFC 4271 §6.3).
const (
	SubMalformedAttributeList uint8 = 1
	SubUnrecognizedWellKnown  uint8 = 2
	SubMissingWellKnown       uint8 = 3
	SubAttributeFlagsError    uint8 = 4
	SubAttributeLengthError   uint8 = 5
	SubInvalidOrigin          uint8 = 6
	SubInvalidNextHop         uint8 = 8
	SubOptionalAttributeError uint8 = 9
	SubInvalidNetworkField    uint8 = 10
	SubMalformedASPath        uint8 = 11
)

// ROUTE-REFRESH Message Error subcodes (RFC 7313 §5).
const (
	SubInvalidMessageLength uint8 = 1
)

// Cease subcodes (RFC 4486, RFC 8538, RFC 9384).
const (
	SubMaxPrefixes            uint8 = 1
	SubAdministrativeShutdown uint8 = 2
	SubPeerDeconfigured       uint8 = 3
	SubAdministrativeReset    uint8 = 4
	SubConnectionRejected     uint8 = 5
	SubOtherConfigChange      uint8 = 6
	SubCollisionResolution    uint8 = 7
	SubOutOfResources         uint8 = 8
	SubHardReset              uint8 = 9
	SubBFDDown                uint8 = 10
)

var codeNames = map[Code]string{
	CodeHeader:        "Message header error",
	CodeOpen:          "OPEN message error",
	CodeUpdate:        "UPDATE message error",
	CodeHoldTimer:     "Hold timer expired",
	CodeFSM:           "State machine error",
	CodeCease:         "Cease",
	CodeRouteRefresh:  "ROUTE-REFRESH message error",
	CodeSendHoldTimer: "Send hold timer expired",
}

var subNames = map[Code][]string{
	CodeHeader: {"Unspecific", "Connection not synchronized", "Bad message length", "Bad message type"},
	CodeOpen: {"Unspecific", "Unsupported version number", "Bad peer AS", "Bad BGP identifier",
		"Unsupported optional parameter", "Authentication notification (deprecated)", "Unacceptable hold time",
		"Unsupported capability", "Deprecated (8)", "Deprecated (9)", "Deprecated (10)", "Role mismatch"},
	CodeUpdate: {"Unspecific", "Malformed attribute list", "Unrecognized well-known attribute",
		"Missing well-known attribute", "Attribute flags error", "Attribute length error",
		"Invalid ORIGIN attribute", "AS routing loop (deprecated)", "Invalid NEXT_HOP attribute",
		"Optional attribute error", "Invalid network field", "Malformed AS_PATH"},
	CodeHoldTimer: {"Unspecific"},
	CodeFSM: {"Unspecified error", "Receive unexpected message in OpenSent state",
		"Receive unexpected message in OpenConfirm state", "Receive unexpected message in Established state"},
	CodeCease: {"Unspecific", "Maximum number of prefixes reached", "Administrative shutdown",
		"Peer de-configured", "Administrative reset", "Connection rejected", "Other configuration change",
		"Connection collision resolution", "Out of resources", "Hard reset", "BFD down"},
	CodeRouteRefresh:  {"Reserved", "Invalid message length"},
	CodeSendHoldTimer: {"Unspecific"},
}

// String returns the RFC name of the code ("Cease"), or "Unknown error code N".
func (c Code) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("Unknown error code %d", uint8(c))
}

// SubcodeString returns the RFC name of subcode sub under code c, or
// "Unknown subcode N".
func SubcodeString(c Code, sub uint8) string {
	if names, ok := subNames[c]; ok && int(sub) < len(names) {
		return names[sub]
	}
	return fmt.Sprintf("Unknown subcode %d", sub)
}
