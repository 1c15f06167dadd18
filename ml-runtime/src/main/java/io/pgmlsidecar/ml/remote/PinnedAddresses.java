package io.pgmlsidecar.ml.remote;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The addresses last checked for each remote endpoint's host name. The JVM's name lookups go through
 * {@link PinnedAddressResolverProvider}, which answers a pinned name with its pinned addresses, so the HTTP client
 * connects to exactly the addresses {@link EndpointAddressPolicy} checked: a DNS answer that changes between the check
 * and the connection (DNS rebinding) never reaches a socket.
 */
final class PinnedAddresses {
    private PinnedAddresses() {}

    /** Endpoint host names are few (they come from settings and pgml.remote_models); this bound only guards against abuse. */
    private static final int MAX_NAMES = 10_000;
    private static final Map<String, InetAddress[]> PINS = new ConcurrentHashMap<>();
    private static volatile InetAddressResolver builtin;

    static void installed(InetAddressResolver builtinResolver) {
        builtin = builtinResolver;
    }

    /** Whether the JVM resolves names through the pins (the provider is on the class path and was loaded). */
    static boolean active() {
        if (builtin == null) {
            try {
                InetAddress.getAllByName("localhost"); // the JVM loads its resolver on its first lookup
            } catch (UnknownHostException ignored) {
                // no localhost entry: the resolver is loaded all the same
            }
        }
        return builtin != null;
    }

    /** A fresh answer for {@code host}, past the JVM's cache and the pins: what the name resolves to now. */
    static InetAddress[] lookUpFresh(String host) throws UnknownHostException {
        InetAddressResolver b = builtin;
        if (b == null) return InetAddress.getAllByName(host);
        return b.lookupByName(host, InetAddressResolver.LookupPolicy.of(
                InetAddressResolver.LookupPolicy.IPV4 | InetAddressResolver.LookupPolicy.IPV6)).toArray(InetAddress[]::new);
    }

    static void pin(String host, InetAddress[] checked) {
        String key = host.toLowerCase(Locale.ROOT);
        if (PINS.size() >= MAX_NAMES && !PINS.containsKey(key)) PINS.clear();
        PINS.put(key, checked.clone());
    }

    /** The pinned addresses of {@code host}, or null when it is not an endpoint's host. */
    static InetAddress[] pinned(String host) {
        InetAddress[] a = PINS.get(host.toLowerCase(Locale.ROOT));
        return a == null ? null : a.clone();
    }
}
