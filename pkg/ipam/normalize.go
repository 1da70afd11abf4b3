/*
Copyright The EdgeWatcher Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package ipam

import (
	"fmt"
	"net/netip"
	"strings"
)

// Normalize parses s as one IP address in an unambiguous form and returns it canonicalised, IPv4-mapped IPv6 as IPv4.
//
// It rejects rather than guesses: empty input, surrounding whitespace, CIDR notation, IPv6 zones, IPv4 fields with
// leading zeros (octal in some parsers), hexadecimal or octal fields, and short IPv4 forms such as 10.1. IPv6
// groups may use either case and leading zeros, which are unambiguous in hexadecimal. The canonical text of the
// result is its String method.
func Normalize(s string) (netip.Addr, error) {
	// Fast path: netip's IPv4 parser is strict dotted decimal (no leading zeros, no hex, 4 fields), so an
	// IPv4 that prints back as given has none of the problems below.
	if addr, err := netip.ParseAddr(s); err == nil && addr.Is4() && addr.String() == s {
		return addr, nil
	}
	if reason := formProblem(s); reason != "" {
		return netip.Addr{}, &AddressError{Input: s, Reason: reason}
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, &AddressError{Input: s, Reason: "it is neither a dotted-decimal IPv4 nor an IPv6 address"}
	}
	return addr.Unmap(), nil
}

// formProblem returns why s is not an unambiguous address, or "" when netip may parse it.
func formProblem(s string) string {
	switch {
	case s == "":
		return "the value is empty"
	case strings.TrimSpace(s) != s:
		return "it has leading or trailing whitespace"
	case strings.Contains(s, "/"):
		return "it is in CIDR notation; want a single address"
	case strings.Contains(s, "%"):
		return "it has an IPv6 zone (%...); zones are not allowed"
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		if strings.Contains(s[i:], ".") {
			return ipv4Problem(s[i+1:], "embedded IPv4 part ")
		}
		return ""
	}
	return ipv4Problem(s, "")
}

// ipv4Problem returns why s is not a strict dotted-decimal IPv4 address, or "".
func ipv4Problem(s, what string) string {
	for _, r := range s {
		if !isHexDigit(r) && r != '.' && r != 'x' && r != 'X' {
			return "unexpected character " + quoteRune(r)
		}
	}
	fields := strings.Split(s, ".")
	if len(fields) != 4 {
		return what + "needs exactly 4 dotted-decimal fields; short forms such as 10.1 are ambiguous"
	}
	for _, f := range fields {
		switch {
		case f == "":
			return what + "has an empty field"
		case strings.HasPrefix(f, "0x") || strings.HasPrefix(f, "0X"):
			return what + "field " + quote(f) + " is hexadecimal; only decimal is accepted"
		case strings.Trim(f, "0123456789") != "":
			return what + "field " + quote(f) + " is not decimal"
		case len(f) > 1 && f[0] == '0':
			return what + "field " + quote(f) + " has a leading zero, which some parsers read as octal"
		case len(f) > 3 || atoi(f) > 255:
			return what + "field " + quote(f) + " is out of range 0-255"
		}
	}
	return ""
}

// isHexDigit reports whether r is 0-9, a-f or A-F.
func isHexDigit(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F')
}

// quoteRune quotes r Go-style so control characters are visible.
func quoteRune(r rune) string {
	return fmt.Sprintf("%q", r)
}

// atoi converts a string of at most 3 decimal digits.
func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
