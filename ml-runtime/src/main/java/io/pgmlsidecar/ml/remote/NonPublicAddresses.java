package io.pgmlsidecar.ml.remote;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * The addresses that are not on the public internet: this host, private and carrier networks, link-local (where the
 * cloud metadata services answer: 169.254.169.254, fd00:ec2::254), documentation, multicast and reserved blocks
 * (IANA special-purpose registries). IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are
 * judged by the IPv4 address they carry.
 */
final class NonPublicAddresses {
    private NonPublicAddresses() {}

    private static final List<IpRange> RANGES = List.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
            "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8"
    ).stream().map(IpRange::parse).toList();

    private static final IpRange NAT64 = IpRange.parse("64:ff9b::/96");
    private static final IpRange SIX_TO_FOUR = IpRange.parse("2002::/16");
    private static final IpRange V4_COMPATIBLE = IpRange.parse("::/96");

    static boolean contains(InetAddress address) {
        InetAddress carried = carriedIpv4(address);
        if (carried != null) return contains(carried);
        for (IpRange r : RANGES) {
            if (r.contains(address)) return true;
        }
        return false;
    }

    /** The IPv4 address inside an IPv6 one that embeds it, or null. (Mapped ::ffff:a.b.c.d arrive as Inet4Address.) */
    private static InetAddress carriedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) return null;
        byte[] a = address.getAddress();
        byte[] v4;
        if (NAT64.contains(address) || (V4_COMPATIBLE.contains(address) && !isZeroOrOne(a))) {
            v4 = Arrays.copyOfRange(a, 12, 16);
        } else if (SIX_TO_FOUR.contains(address)) {
            v4 = Arrays.copyOfRange(a, 2, 6);
        } else {
            return null;
        }
        try {
            return InetAddress.getByAddress(v4);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    /** :: and ::1 are in the ranges themselves, not IPv4-compatible forms. */
    private static boolean isZeroOrOne(byte[] a) {
        for (int i = 0; i < 15; i++) {
            if (a[i] != 0) return false;
        }
        return a[15] == 0 || a[15] == 1;
    }
}
