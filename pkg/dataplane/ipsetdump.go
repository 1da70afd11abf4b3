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

package dataplane

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/edgewatcher/edgewatcher/pkg/forwarding"
)

// The ipset netlink protocol, from the kernel's include/uapi/linux/netfilter/ipset/ip_set.h.
const (
	ipsetProtocol     = 6 // IPSET_PROTOCOL_MIN: every kernel since 3.x accepts it
	ipsetCmdList      = 7 // IPSET_CMD_LIST
	ipsetAttrProtocol = 1 // IPSET_ATTR_PROTOCOL
	ipsetAttrSetName  = 2 // IPSET_ATTR_SETNAME
	ipsetAttrTypeName = 3 // IPSET_ATTR_TYPENAME
	ipsetAttrData     = 7 // IPSET_ATTR_DATA
	ipsetAttrADT      = 8 // IPSET_ATTR_ADT
	// Attributes of one entry (IPSET_ATTR_DATA within IPSET_ATTR_ADT).
	ipsetAttrIP    = 1 // IPSET_ATTR_IP, nested
	ipsetAttrPort  = 4 // IPSET_ATTR_PORT, big endian
	ipsetAttrProto = 7 // IPSET_ATTR_PROTO
	ipsetAttrIPv4  = 1 // IPSET_ATTR_IPADDR_IPV4
	ipsetAttrIPv6  = 2 // IPSET_ATTR_IPADDR_IPV6

	nlaTypeMask = 0x3fff // without NLA_F_NESTED and NLA_F_NET_BYTEORDER
	// dumpTimeout bounds each receive, so that a kernel that stops answering cannot hang a sync.
	dumpTimeout = 10 * time.Second
)

// errNotOurs stops parsing a set that holds what we never write.
var errNotOurs = errors.New("not an entry we write")

// dumpIPSet lists set name with an IPSET_CMD_LIST dump over a blocking NETLINK_NETFILTER socket opened in the
// calling thread's network namespace. It returns the entries sorted; ok is false when the set is not a
// hash:ip,port or holds anything but TCP destinations of family f.
func dumpIPSet(ctx context.Context, name string, f forwarding.Family) (entries []netip.AddrPort, ok bool, err error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
	if err != nil {
		return nil, false, fmt.Errorf("listing set %s: netlink socket: %w", name, err)
	}
	defer func() { _ = unix.Close(fd) }()
	timeout := dumpTimeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = min(timeout, max(time.Until(deadline), time.Millisecond))
	}
	tv := unix.NsecToTimeval(timeout.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, false, fmt.Errorf("listing set %s: %w", name, err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, false, fmt.Errorf("listing set %s: netlink bind: %w", name, err)
	}
	const seq = 1
	if err := unix.Sendto(fd, listRequest(name, seq), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, false, fmt.Errorf("listing set %s: netlink send: %w", name, err)
	}
	d := setDump{family: f, ok: true}
	buf := make([]byte, 256<<10)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return nil, false, fmt.Errorf("listing set %s: netlink receive: %w", name, err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return nil, false, fmt.Errorf("listing set %s: %w", name, err)
		}
		for _, m := range msgs {
			if m.Header.Seq != seq {
				continue
			}
			switch m.Header.Type {
			case unix.NLMSG_DONE, unix.NLMSG_ERROR:
				if errno := netlinkErrno(m.Data); errno != 0 {
					return nil, false, fmt.Errorf("listing set %s: %w", name, errno)
				}
				if m.Header.Type == unix.NLMSG_DONE {
					if !d.ok || !d.typed {
						return nil, false, nil
					}
					slices.SortFunc(d.entries, netip.AddrPort.Compare)
					return d.entries, true, nil
				}
			default:
				if d.ok && len(m.Data) >= 4 { // after the nfgenmsg header
					d.message(m.Data[4:])
				}
			}
		}
	}
}

// listRequest is an IPSET_CMD_LIST dump request for set name.
func listRequest(name string, seq uint32) []byte {
	b := make([]byte, unix.NLMSG_HDRLEN, 64)
	b = append(b, unix.AF_INET, 0, 0, 0) // nfgenmsg: family, NFNETLINK_V0, res_id
	b = appendAttr(b, ipsetAttrProtocol, []byte{ipsetProtocol})
	b = appendAttr(b, ipsetAttrSetName, append([]byte(name), 0))
	binary.NativeEndian.PutUint32(b[0:4], uint32(len(b)))
	binary.NativeEndian.PutUint16(b[4:6], unix.NFNL_SUBSYS_IPSET<<8|ipsetCmdList)
	binary.NativeEndian.PutUint16(b[6:8], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(b[8:12], seq)
	return b
}

func appendAttr(b []byte, typ uint16, value []byte) []byte {
	b = binary.NativeEndian.AppendUint16(b, uint16(unix.NLA_HDRLEN+len(value)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, value...)
	for len(b)%unix.NLA_ALIGNTO != 0 {
		b = append(b, 0)
	}
	return b
}

// netlinkErrno returns the error an NLMSG_ERROR or NLMSG_DONE payload carries, 0 for none.
func netlinkErrno(data []byte) syscall.Errno {
	if len(data) < 4 {
		return 0
	}
	if code := int32(binary.NativeEndian.Uint32(data)); code < 0 {
		return syscall.Errno(-code)
	}
	return 0
}

// setDump accumulates the entries of a dump's messages; ok turns false at the first thing we never write.
type setDump struct {
	family  forwarding.Family
	entries []netip.AddrPort
	typed   bool // the header said hash:ip,port
	ok      bool
}

// message parses the attributes of one IPSET_CMD_LIST message.
func (d *setDump) message(data []byte) {
	err := eachAttr(data, func(typ uint16, value []byte) error {
		switch typ {
		case ipsetAttrTypeName:
			if string(value) != "hash:ip,port\x00" {
				return errNotOurs
			}
			d.typed = true
		case ipsetAttrADT:
			return eachAttr(value, func(typ uint16, value []byte) error {
				if typ != ipsetAttrData {
					return errNotOurs
				}
				e, err := parseDumpedEntry(value, d.family)
				if err == nil {
					d.entries = append(d.entries, e)
				}
				return err
			})
		}
		return nil
	})
	if err != nil {
		d.ok = false
	}
}

// parseDumpedEntry parses the attributes of one entry: its IP of family f, TCP and a port, and nothing else.
func parseDumpedEntry(data []byte, f forwarding.Family) (netip.AddrPort, error) {
	var ip netip.Addr
	var port uint16
	tcp := false
	err := eachAttr(data, func(typ uint16, value []byte) error {
		switch typ {
		case ipsetAttrIP:
			return eachAttr(value, func(typ uint16, value []byte) error {
				addr, valid := netip.AddrFromSlice(value)
				if !valid || (typ == ipsetAttrIPv4) != addr.Is4() || (typ != ipsetAttrIPv4 && typ != ipsetAttrIPv6) {
					return errNotOurs
				}
				ip = addr
				return nil
			})
		case ipsetAttrPort:
			if len(value) != 2 {
				return errNotOurs
			}
			port = binary.BigEndian.Uint16(value)
		case ipsetAttrProto:
			tcp = len(value) == 1 && value[0] == unix.IPPROTO_TCP
		default:
			return errNotOurs
		}
		return nil
	})
	if err != nil || !ip.IsValid() || ip.Is4() != (f == forwarding.IPv4) || port == 0 || !tcp {
		return netip.AddrPort{}, errNotOurs
	}
	return netip.AddrPortFrom(ip, port), nil
}

// eachAttr calls fn with the type (without flags) and value of each netlink attribute in data, until fn fails.
func eachAttr(data []byte, fn func(typ uint16, value []byte) error) error {
	for len(data) >= unix.NLA_HDRLEN {
		size := int(binary.NativeEndian.Uint16(data[0:2]))
		if size < unix.NLA_HDRLEN || size > len(data) {
			return errNotOurs
		}
		if err := fn(binary.NativeEndian.Uint16(data[2:4])&nlaTypeMask, data[unix.NLA_HDRLEN:size]); err != nil {
			return err
		}
		aligned := (size + unix.NLA_ALIGNTO - 1) &^ (unix.NLA_ALIGNTO - 1)
		data = data[min(aligned, len(data)):]
	}
	return nil
}
