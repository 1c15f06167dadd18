package io.pgmlsidecar.ml.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Which addresses remote requests may go to, and that the connection goes to the addresses that were checked. */
class EndpointAddressPolicyTest {

    private static final Endpoint EP = Endpoint.builder(EndpointKind.OPENAI, "https://api.openai.com/v1").name("ep").build();

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void publicOnlyRefusesMetadataLoopbackPrivateAndTheirIpv6Disguises() throws Exception {
        EndpointAddressPolicy p = EndpointAddressPolicy.publicOnly();
        for (String refused : new String[] {"169.254.169.254", "169.254.170.2", "fd00:ec2::254", "127.0.0.1", "127.1.2.3", "::1",
                "0.0.0.0", "::", "10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "fe80::1", "fc00::1", "224.0.0.1",
                "255.255.255.255", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "::a9fe:a9fe",
                "::ffff:127.0.0.1", "198.18.0.1"}) {
            assertFalse(p.allows(ip(refused)), refused + " must be refused");
        }
        for (String allowed : new String[] {"8.8.8.8", "1.1.1.1", "172.32.0.1", "169.253.0.1", "2606:4700:4700::1111",
                "64:ff9b::808:808", "2002:808:808::1"}) {
            assertTrue(p.allows(ip(allowed)), allowed + " is public");
        }
    }

    @Test
    void theOperatorsAllowListAddsBlocksAndAddressesOnly() throws Exception {
        EndpointAddressPolicy p = EndpointAddressPolicy.allowing(" 127.0.0.1, 10.20.0.0/16 ,[::1], models.internal");
        assertTrue(p.allows(ip("127.0.0.1")));
        assertFalse(p.allows(ip("127.0.0.2")));
        assertTrue(p.allows(ip("10.20.255.1")));
        assertFalse(p.allows(ip("10.21.0.1")));
        assertTrue(p.allows(ip("::1")));
        assertFalse(p.allows(ip("169.254.169.254")), "allowing some private blocks does not allow metadata");
        assertThrows(IllegalArgumentException.class, () -> EndpointAddressPolicy.allowing("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> EndpointAddressPolicy.allowing("http://x/"));
    }

    @Test
    void admitRefusesLiteralsMetadataNamesAndNamesThatResolveInside() {
        EndpointAddressPolicy p = EndpointAddressPolicy.publicOnly();
        for (String url : new String[] {"http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://[::ffff:a9fe:a9fe]/",
                "http://metadata.google.internal/computeMetadata/v1/", "http://METADATA.google.internal./", "http://localhost:8080/v1"}) {
            RemoteCallException e = assertThrows(RemoteCallException.class, () -> p.admit(EP, URI.create(url)), url);
            assertEquals(RemoteCallException.Kind.REFUSED_ADDRESS, e.kind(), url);
            assertTrue(e.hint().contains("--remote-allow"), e.hint());
        }
        EndpointAddressPolicy.allowing("127.0.0.0/8,::1").admit(EP, URI.create("http://localhost:8080/v1"));
        assertNotNull(PinnedAddresses.pinned("localhost"), "an admitted name is pinned to its checked addresses");
    }

    @Test
    void theHttpClientConnectsToThePinnedAddressNotToAFreshLookup() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        server.start();
        try {
            // a name that DNS never answers (RFC 6761 .invalid): only the pin can make the client reach the server
            String host = "checked-endpoint.pgml-sidecar.invalid";
            assertTrue(PinnedAddresses.active(), "the resolver provider is loaded from META-INF/services");
            PinnedAddresses.pin(host, new InetAddress[] {InetAddress.getByName("127.0.0.1")});
            HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + host + ":" + server.getAddress().getPort() + "/")).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(204, r.statusCode());
        } finally {
            server.stop(0);
        }
    }
}
