package wire

import (
	"errors"
	"fmt"
	"testing"
)

func TestActionOrder(t *testing.T) {
	// RFC 7606 §2: the harshest action wins, so the constants must be
	// ordered and max() must pick the harsher one.
	order := []Action{ActionNone, ActionAttributeDiscard, ActionTreatAsWithdraw, ActionFamilyDisable, ActionSessionReset}
	names := []string{"none", "attribute-discard", "treat-as-withdraw", "afi-safi-disable", "session-reset"}
	for i, a := range order {
		if a.String() != names[i] {
			t.Errorf("Action(%d).String() = %q, want %q", a, a.String(), names[i])
		}
		if i > 0 && !(order[i-1] < a) {
			t.Errorf("%v is not milder than %v", order[i-1], a)
		}
	}
	if got := max(ActionTreatAsWithdraw, ActionAttributeDiscard); got != ActionTreatAsWithdraw {
		t.Errorf("max = %v", got)
	}
	if got := Action(9).String(); got != "action-9" {
		t.Errorf("Action(9).String() = %q", got)
	}
}

func TestError(t *testing.T) {
	data := []byte{0x00, 0x12}
	e := Errorf(CodeHeader, SubBadMessageLength, data, "wire: bad %s length %d", TypeKeepalive, 18)
	if e.Code != CodeHeader || e.Subcode != SubBadMessageLength || e.Action != ActionSessionReset {
		t.Errorf("Errorf = %+v", e)
	}
	if e.Error() != "wire: bad keepalive length 18" || e.Msg != e.Error() {
		t.Errorf("Error() = %q", e.Error())
	}
	if &e.Data[0] != &data[0] {
		t.Error("Errorf copied data")
	}

	w := e.WithAction(ActionTreatAsWithdraw)
	if w == e || w.Action != ActionTreatAsWithdraw || e.Action != ActionSessionReset {
		t.Errorf("WithAction changed the receiver or returned it: %v %v", e.Action, w.Action)
	}
	if w.Code != e.Code || w.Subcode != e.Subcode || w.Msg != e.Msg {
		t.Errorf("WithAction lost fields: %+v", w)
	}

	// *Error survives wrapping.
	wrapped := fmt.Errorf("reading from 192.0.2.1: %w", e)
	var got *Error
	if !errors.As(wrapped, &got) || got != e {
		t.Error("errors.As did not find the *Error")
	}

	n := NotificationFor(e)
	if n.Code != CodeHeader || n.Subcode != SubBadMessageLength || string(n.Data) != string(data) {
		t.Errorf("NotificationFor = %+v", n)
	}
}

func TestCodeString(t *testing.T) {
	tests := []struct {
		code Code
		want string
	}{
		{0, "Unknown error code 0"},
		{CodeHeader, "Message header error"},
		{CodeOpen, "OPEN message error"},
		{CodeUpdate, "UPDATE message error"},
		{CodeHoldTimer, "Hold timer expired"},
		{CodeFSM, "State machine error"},
		{CodeCease, "Cease"},
		{CodeRouteRefresh, "ROUTE-REFRESH message error"},
		{CodeSendHoldTimer, "Send hold timer expired"},
		{9, "Unknown error code 9"},
		{255, "Unknown error code 255"},
	}
	for _, tt := range tests {
		if got := tt.code.String(); got != tt.want {
			t.Errorf("Code(%d).String() = %q, want %q", uint8(tt.code), got, tt.want)
		}
	}
	// The numeric values are the IANA ones.
	for i, c := range []Code{CodeHeader, CodeOpen, CodeUpdate, CodeHoldTimer, CodeFSM, CodeCease, CodeRouteRefresh, CodeSendHoldTimer} {
		if int(c) != i+1 {
			t.Errorf("%v = %d, want %d", c, c, i+1)
		}
	}
}

func TestSubcodeString(t *testing.T) {
	// Every subcode name, per code, indexed by subcode (0 first).
	tests := []struct {
		code  Code
		names []string
	}{
		{CodeHeader, []string{ // RFC 4271 §6.1
			"Unspecific", "Connection not synchronized", "Bad message length", "Bad message type"}},
		{CodeOpen, []string{ // RFC 4271 §6.2, RFC 5492, RFC 9234
			"Unspecific", "Unsupported version number", "Bad peer AS", "Bad BGP identifier",
			"Unsupported optional parameter", "Authentication notification (deprecated)",
			"Unacceptable hold time", "Unsupported capability", "Deprecated (8)", "Deprecated (9)",
			"Deprecated (10)", "Role mismatch"}},
		{CodeUpdate, []string{ // RFC 4271 §6.3
			"Unspecific", "Malformed attribute list", "Unrecognized well-known attribute",
			"Missing well-known attribute", "Attribute flags error", "Attribute length error",
			"Invalid ORIGIN attribute", "AS routing loop (deprecated)", "Invalid NEXT_HOP attribute",
			"Optional attribute error", "Invalid network field", "Malformed AS_PATH"}},
		{CodeHoldTimer, []string{"Unspecific"}},
		{CodeFSM, []string{ // RFC 6608
			"Unspecified error", "Receive unexpected message in OpenSent state",
			"Receive unexpected message in OpenConfirm state",
			"Receive unexpected message in Established state"}},
		{CodeCease, []string{ // RFC 4486, RFC 8538 (9), RFC 9384 (10)
			"Unspecific", "Maximum number of prefixes reached", "Administrative shutdown",
			"Peer de-configured", "Administrative reset", "Connection rejected",
			"Other configuration change", "Connection collision resolution", "Out of resources",
			"Hard reset", "BFD down"}},
		{CodeRouteRefresh, []string{"Reserved", "Invalid message length"}}, // RFC 7313 §5
		{CodeSendHoldTimer, []string{"Unspecific"}},                        // RFC 9687
	}
	for _, tt := range tests {
		for sub, want := range tt.names {
			if got := SubcodeString(tt.code, uint8(sub)); got != want {
				t.Errorf("SubcodeString(%v, %d) = %q, want %q", tt.code, sub, got, want)
			}
		}
		n := uint8(len(tt.names))
		if got := SubcodeString(tt.code, n); got != fmt.Sprintf("Unknown subcode %d", n) {
			t.Errorf("SubcodeString(%v, %d) = %q", tt.code, n, got)
		}
		if got := SubcodeString(tt.code, 255); got != "Unknown subcode 255" {
			t.Errorf("SubcodeString(%v, 255) = %q", tt.code, got)
		}
	}
	if got := SubcodeString(0, 0); got != "Unknown subcode 0" {
		t.Errorf("SubcodeString(0, 0) = %q", got)
	}
	if got := SubcodeString(42, 1); got != "Unknown subcode 1" {
		t.Errorf("SubcodeString(42, 1) = %q", got)
	}

	// The subcode constants name the right entries.
	consts := []struct {
		code Code
		sub  uint8
		want string
	}{
		{CodeHeader, SubConnNotSynchronized, "Connection not synchronized"},
		{CodeHeader, SubBadMessageLength, "Bad message length"},
		{CodeHeader, SubBadMessageType, "Bad message type"},
		{CodeOpen, SubUnsupportedVersion, "Unsupported version number"},
		{CodeOpen, SubBadPeerAS, "Bad peer AS"},
		{CodeOpen, SubBadBGPIdentifier, "Bad BGP identifier"},
		{CodeOpen, SubUnsupportedOptParam, "Unsupported optional parameter"},
		{CodeOpen, SubUnacceptableHoldTime, "Unacceptable hold time"},
		{CodeOpen, SubUnsupportedCapability, "Unsupported capability"},
		{CodeOpen, SubRoleMismatch, "Role mismatch"},
		{CodeUpdate, SubMalformedAttributeList, "Malformed attribute list"},
		{CodeUpdate, SubUnrecognizedWellKnown, "Unrecognized well-known attribute"},
		{CodeUpdate, SubMissingWellKnown, "Missing well-known attribute"},
		{CodeUpdate, SubAttributeFlagsError, "Attribute flags error"},
		{CodeUpdate, SubAttributeLengthError, "Attribute length error"},
		{CodeUpdate, SubInvalidOrigin, "Invalid ORIGIN attribute"},
		{CodeUpdate, SubInvalidNextHop, "Invalid NEXT_HOP attribute"},
		{CodeUpdate, SubOptionalAttributeError, "Optional attribute error"},
		{CodeUpdate, SubInvalidNetworkField, "Invalid network field"},
		{CodeUpdate, SubMalformedASPath, "Malformed AS_PATH"},
		{CodeRouteRefresh, SubInvalidMessageLength, "Invalid message length"},
		{CodeCease, SubMaxPrefixes, "Maximum number of prefixes reached"},
		{CodeCease, SubAdministrativeShutdown, "Administrative shutdown"},
		{CodeCease, SubPeerDeconfigured, "Peer de-configured"},
		{CodeCease, SubAdministrativeReset, "Administrative reset"},
		{CodeCease, SubConnectionRejected, "Connection rejected"},
		{CodeCease, SubOtherConfigChange, "Other configuration change"},
		{CodeCease, SubCollisionResolution, "Connection collision resolution"},
		{CodeCease, SubOutOfResources, "Out of resources"},
		{CodeCease, SubHardReset, "Hard reset"},
		{CodeCease, SubBFDDown, "BFD down"},
	}
	for _, c := range consts {
		if got := SubcodeString(c.code, c.sub); got != c.want {
			t.Errorf("SubcodeString(%v, %d) = %q, want %q", c.code, c.sub, got, c.want)
		}
	}
}
