package io.pgmlsidecar.it.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgmlsidecar.it.support.FaultyRelay.Direction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay's faults do what they say, against a plain TCP server that sends a known stream. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultyRelayTest {

    /** A server that reads the 8-byte head every relayed connection starts with, then sends {@code stream} in small writes. */
    private static ServerSocket sender(byte[] stream) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            s.getInputStream().readNBytes(8);
                            OutputStream out = s.getOutputStream();
                            for (int i = 0; i < stream.length; i += 1000) {
                                out.write(stream, i, Math.min(1000, stream.length - i));
                                out.flush();
                            }
                        } catch (IOException ignored) {
                            // cut by the relay
                        }
                    });
                } catch (IOException closed) {
                    return;
                }
            }
        });
        return server;
    }

    private static byte[] stream(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    /** Connects through the relay, sends a startup-sized head, reads until the end or a reset. */
    private static byte[] readThrough(FaultyRelay relay) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            s.getOutputStream().write(new byte[] {0, 0, 0, 8, 0, 3, 0, 0});
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    got.write(buf, 0, n);
                }
            } catch (IOException reset) {
                // the fault's reset ends the stream
            }
            return got.toByteArray();
        }
    }

    @Test
    void passesEverythingWhenNoFaultIsArmed() throws Exception {
        byte[] sent = stream(100_000);
        try (ServerSocket server = sender(sent); FaultyRelay relay = new FaultyRelay(server.getLocalPort())) {
            assertArrayEquals(sent, readThrough(relay));
        }
    }

    @Test
    void cutsAfterExactlyTheBytesAsked() throws Exception {
        byte[] sent = stream(100_000);
        try (ServerSocket server = sender(sent); FaultyRelay relay = new FaultyRelay(server.getLocalPort())) {
            relay.cutAfterBytes(Direction.TO_CLIENT, 12_345);
            byte[] got = readThrough(relay);
            assertEquals(12_345, got.length);
            assertArrayEquals(java.util.Arrays.copyOf(sent, 12_345), got);
            assertTrue(relay.fired(Direction.TO_CLIENT));
        }
    }

    @Test
    void cutsBeforeAPatternSplitOverTwoWrites() throws Exception {
        byte[] sent = new byte[5_000];
        java.util.Arrays.fill(sent, (byte) '.');
        // planted at 998..1002: it straddles the sender's first and second write
        System.arraycopy("SPLIT".getBytes(StandardCharsets.US_ASCII), 0, sent, 998, 5);
        try (ServerSocket server = sender(sent); FaultyRelay relay = new FaultyRelay(server.getLocalPort())) {
            relay.cutOnPattern(Direction.TO_CLIENT, "SPLIT");
            byte[] got = readThrough(relay);
            // found across the two reads; what the first read passed of it is out already
            assertTrue(got.length >= 998 && got.length < 1003, "cut at the pattern: " + got.length + " bytes passed");
            assertArrayEquals(java.util.Arrays.copyOf(sent, got.length), got);
        }
    }

    @Test
    void aHookRunsAtThePatternAndEveryBytePasses() throws Exception {
        byte[] sent = stream(50_000);
        AtomicInteger runs = new AtomicInteger();
        try (ServerSocket server = sender(sent); FaultyRelay relay = new FaultyRelay(server.getLocalPort())) {
            relay.whenPattern(Direction.TO_CLIENT, "xyzab", runs::incrementAndGet);
            assertArrayEquals(sent, readThrough(relay));
            // the hook runs on a thread of its own: it may still be starting when the last byte arrives
            for (int i = 0; i < 500 && runs.get() == 0; i++) {
                Thread.sleep(10);
            }
            assertEquals(1, runs.get(), "fires once");
        }
    }

    @Test
    void refusesWhileDownAndComesBackOnTheSamePort() throws Exception {
        byte[] sent = stream(1_000);
        try (ServerSocket server = sender(sent); FaultyRelay relay = new FaultyRelay(server.getLocalPort())) {
            int port = relay.port();
            relay.goDown();
            assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
            // the port stays the relay's while down: another server of the suite cannot take it
            assertThrows(java.net.BindException.class,
                    () -> new ServerSocket(port, 50, InetAddress.getLoopbackAddress()).close());
            relay.restore();
            assertEquals(port, relay.port());
            assertArrayEquals(sent, readThrough(relay));
        }
    }

    @Test
    void latencyDelaysEachDirection() throws Exception {
        byte[] sent = stream(10);
        try (ServerSocket server = sender(sent); FaultyRelay relay = new FaultyRelay(server.getLocalPort())) {
            relay.latency(Duration.ofMillis(200));
            long start = System.nanoTime();
            CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
                try {
                    return readThrough(relay);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertArrayEquals(sent, got.get(30, TimeUnit.SECONDS));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms >= 400, "the head went out and the reply came back, each 200 ms late: " + ms + " ms");
        }
    }
}
