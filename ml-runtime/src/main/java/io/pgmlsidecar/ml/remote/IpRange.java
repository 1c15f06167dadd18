package io.pgmlsidecar.ml.remote;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** A block of addresses in CIDR notation ({@code 10.0.0.0/8}, {@code fc00::/7}); a bare address is a block of one. */
record IpRange(byte[] network, int prefixBits) {

    /** Parses {@code address[/bits]}; only IP literals, never a name (parsing must not touch DNS). */
    static IpRange parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        if (address.startsWith("[") && address.endsWith("]")) address = address.substring(1, address.length() - 1);
        byte[] bytes = literal(address);
        if (bytes == null) throw new IllegalArgumentException("not an IP address or CIDR block: " + text);
        int bits = bytes.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR prefix length: " + text);
            }
            if (bits < 0 || bits > bytes.length * 8) throw new IllegalArgumentException("prefix length out of range: " + text);
        }
        return new IpRange(bytes, bits);
    }

    /** The bytes of an IPv4 or IPv6 literal, or null when {@code s} is not one. */
    static byte[] literal(String s) {
        boolean v4 = !s.isEmpty() && s.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')) && s.chars().filter(c -> c == '.').count() == 3;
        boolean v6 = s.indexOf(':') >= 0 && s.chars().allMatch(c -> c == ':' || c == '.' || c == '%' || Character.digit(c, 16) >= 0);
        if (!v4 && !v6) return null;
        try {
            return InetAddress.getByName(s).getAddress(); // a literal: no lookup happens
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) return false;
        int full = prefixBits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) return false;
        }
        int rest = prefixBits % 8;
        if (rest == 0) return true;
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpRange r && r.prefixBits == prefixBits && Arrays.equals(r.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixBits;
    }
}
