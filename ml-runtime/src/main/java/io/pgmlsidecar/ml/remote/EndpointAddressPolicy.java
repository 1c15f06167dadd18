package io.pgmlsidecar.ml.remote;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which network addresses the sidecar may send a remote model request to. Endpoint URLs come from database rows
 * and settings, which database roles write; the sidecar's host may sit next to things those roles must not
 * reach through it — the cloud metadata service (instance credentials), the host's own ports, the private network.
 * So by default only public addresses are allowed; the operator names the private ones that serve models
 * ({@code --remote-allow}: CIDR blocks, addresses, host names).
 *
 * <p>{@link #admit} resolves the host once, checks every address and pins them, so the connection goes to the
 * checked addresses ({@link PinnedAddresses}).
 */
public final class EndpointAddressPolicy {

    /** Names of cloud metadata services, refused whatever they resolve to (unless named in the allow-list). */
    private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata.goog", "metadata",
            "instance-data", "instance-data.ec2.internal", "metadata.azure.internal", "metadata.internal");

    private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();
    private static final EndpointAddressPolicy PUBLIC_ONLY = new EndpointAddressPolicy(List.of(), Set.of());

    private final List<IpRange> allowedRanges;
    private final Set<String> allowedHosts;

    private EndpointAddressPolicy(List<IpRange> allowedRanges, Set<String> allowedHosts) {
        this.allowedRanges = List.copyOf(allowedRanges);
        this.allowedHosts = Set.copyOf(allowedHosts);
    }

    /** Public addresses only: the default. */
    public static EndpointAddressPolicy publicOnly() {
        return PUBLIC_ONLY;
    }

    /**
     * Public addresses and those the comma-separated {@code allowList} names: CIDR blocks ({@code 10.0.0.0/8}),
     * addresses ({@code 127.0.0.1}, {@code ::1}) and host names ({@code models.internal}, any address it resolves to).
     * Null or blank: {@link #publicOnly()}.
     */
    public static EndpointAddressPolicy allowing(String allowList) {
        if (allowList == null || allowList.isBlank()) return PUBLIC_ONLY;
        List<IpRange> ranges = new ArrayList<>();
        Set<String> hosts = new LinkedHashSet<>();
        for (String entry : allowList.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) continue;
            if (e.indexOf('/') >= 0 || IpRange.literal(stripBrackets(e)) != null) {
                ranges.add(IpRange.parse(e));
            } else if (e.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
                hosts.add(e.toLowerCase(Locale.ROOT));
            } else {
                throw new IllegalArgumentException("not an address, CIDR block or host name: '" + e + "'");
            }
        }
        return new EndpointAddressPolicy(ranges, hosts);
    }

    /** Whether a request may go to {@code address} (of a host not named in the allow-list). */
    public boolean allows(InetAddress address) {
        for (IpRange r : allowedRanges) {
            if (r.contains(address)) return true;
        }
        return !NonPublicAddresses.contains(address);
    }

    /**
     * Checks where a request to {@code uri} would go and pins the checked addresses for the connection.
     *
     * @throws RemoteCallException of kind {@link RemoteCallException.Kind#REFUSED_ADDRESS} when the host is a metadata
     *                             name or any of its addresses is not allowed; of kind CONNECT when it does not resolve
     */
    void admit(Endpoint ep, URI uri) {
        String refused;
        try {
            refused = refusedAddress(uri);
        } catch (UnknownHostException e) {
            throw new RemoteCallException(RemoteCallException.Kind.CONNECT, "could not resolve the host of remote endpoint '"
                    + ep.name() + "'", "check the endpoint's URL and the sidecar host's DNS", 0, null, null);
        }
        if (refused != null) throw refused(ep, refused);
    }

    /**
     * Checks where a request to {@code uri} would go and pins the checked addresses for the connection, as
     * {@link #admit} does, for any caller (the hub client checks each redirect with it).
     *
     * @return null when every address is allowed, else the refused name or address, for a message
     * @throws UnknownHostException when the host does not resolve
     */
    public String refusedAddress(URI uri) throws UnknownHostException {
        String host = stripBrackets(uri.getHost() == null ? "" : uri.getHost()).toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) host = host.substring(0, host.length() - 1);
        byte[] literal = IpRange.literal(host);
        if (literal != null) {
            InetAddress address = InetAddress.getByAddress(literal);
            return allows(address) ? null : address.getHostAddress(); // the client connects to the literal itself
        }
        if (allowedHosts.contains(host)) return null; // the operator vouches for this name, whatever it resolves to
        if (METADATA_NAMES.contains(host)) return host;
        if (!PinnedAddresses.active() && !WARNED.getAndSet(true)) {
            // without the resolver the check and the connection resolve separately; still refuse what we see
            System.err.println("pgml-sidecar: the pinned-address resolver is not loaded; endpoint addresses are checked but not pinned");
        }
        InetAddress[] addresses = PinnedAddresses.lookUpFresh(host);
        for (InetAddress a : addresses) {
            if (!allows(a)) return host + " (" + a.getHostAddress() + ")";
        }
        PinnedAddresses.pin(host, addresses);
        return null;
    }

    private static RemoteCallException refused(Endpoint ep, String where) {
        return new RemoteCallException(RemoteCallException.Kind.REFUSED_ADDRESS, "remote endpoint '" + ep.name()
                + "' is at a non-public address, " + where + ", which the sidecar does not call on a role's behalf",
                "Link-local (cloud metadata), loopback and private addresses are refused unless the sidecar's operator "
                        + "allows them: --remote-allow (e.g. 10.0.0.0/8, models.internal).", 0, null, null);
    }

    private static String stripBrackets(String s) {
        return s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    }

    @Override
    public String toString() {
        return allowedRanges.isEmpty() && allowedHosts.isEmpty() ? "public addresses only"
                : "public addresses and " + allowedRanges.size() + " allowed blocks, hosts " + allowedHosts;
    }
}
