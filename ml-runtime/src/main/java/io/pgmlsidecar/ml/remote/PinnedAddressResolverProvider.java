package io.pgmlsidecar.ml.remote;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * The JVM's name resolver (loaded through {@code META-INF/services}): the built-in one, except that the host names
 * of remote endpoints resolve to the addresses {@link PinnedAddresses} holds for them. Other names (the upstream
 * PostgreSQL, the Hugging Face hub) are resolved exactly as before.
 */
public final class PinnedAddressResolverProvider extends InetAddressResolverProvider {

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        PinnedAddresses.installed(builtin);
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                InetAddress[] pinned = PinnedAddresses.pinned(host);
                if (pinned == null) return builtin.lookupByName(host, policy);
                InetAddress[] fitting = Arrays.stream(pinned).filter(a -> fits(a, policy.characteristics())).toArray(InetAddress[]::new);
                if (fitting.length == 0) throw new UnknownHostException(host);
                return Arrays.stream(fitting);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    private static boolean fits(InetAddress a, int characteristics) {
        boolean v4 = (characteristics & InetAddressResolver.LookupPolicy.IPV4) != 0;
        boolean v6 = (characteristics & InetAddressResolver.LookupPolicy.IPV6) != 0;
        return (a instanceof Inet4Address && v4) || (a instanceof Inet6Address && v6);
    }

    @Override
    public String name() {
        return "pgml-sidecar pinned endpoint addresses";
    }
}
