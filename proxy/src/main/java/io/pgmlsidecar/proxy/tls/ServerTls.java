package io.pgmlsidecar.proxy.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.File;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The TLS the sidecar offers clients: TLS 1.3 and 1.2 only, and for 1.2 only forward-secret
 * key exchange (ECDHE) with AEAD ciphers — the "intermediate" profile most operators are asked
 * for. Older protocols, RSA key exchange and CBC suites are not offered, whatever the JDK would
 * enable by default.
 */
public final class ServerTls {
    private ServerTls() {}

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** A server context from a PEM certificate chain and a PKCS#8 PEM key. */
    public static SslContext forServer(File certificateChain, File privateKey) throws SSLException {
        return SslContextBuilder.forServer(certificateChain, privateKey)
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .build();
    }
}
