package io.pgmlsidecar.it.support;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of PostgreSQL that holds every CancelRequest for a while before passing it
 * on, as a loaded server's postmaster might: it shows whether a proxy waits for the cancel to reach
 * PostgreSQL before it tells its client so.
 */
public final class SlowCancelRelay implements AutoCloseable {

    private static final int CANCEL_REQUEST_CODE = 80877102;

    private final ServerSocket listener;
    private final int upstreamPort;
    private final Duration cancelDelay;
    private final AtomicInteger cancelsRelayed = new AtomicInteger();

    public SlowCancelRelay(int upstreamPort, Duration cancelDelay) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.upstreamPort = upstreamPort;
        this.cancelDelay = cancelDelay;
        Thread.ofVirtual().name("slow-cancel-relay").start(this::acceptLoop);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** CancelRequests passed on to PostgreSQL so far. */
    public int cancelsRelayed() {
        return cancelsRelayed.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Thread.ofVirtual().start(() -> relay(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void relay(Socket client) {
        try (client; Socket server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            byte[] head = new byte[8];
            new DataInputStream(client.getInputStream()).readFully(head);
            int code = ((head[4] & 0xff) << 24) | ((head[5] & 0xff) << 16) | ((head[6] & 0xff) << 8) | (head[7] & 0xff);
            if (code == CANCEL_REQUEST_CODE) {
                Thread.sleep(cancelDelay);
                cancelsRelayed.incrementAndGet();
            }
            server.getOutputStream().write(head);
            Thread back = Thread.ofVirtual().start(() -> copy(server, client));
            copy(client, server);
            back.join();
        } catch (IOException | InterruptedException ignored) {
            // either side went away: the relay of this connection is over
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            in.transferTo(out);
            to.shutdownOutput();
        } catch (IOException ignored) {
            // closed while copying
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
