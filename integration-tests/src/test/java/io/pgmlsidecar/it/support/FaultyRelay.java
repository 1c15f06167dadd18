package io.pgmlsidecar.it.support;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay that tests put between two parties of the PostgreSQL protocol (sidecar and
 * PostgreSQL, or client and sidecar) and tell, while traffic flows, to misbehave as a network or a
 * dying server would: add latency each way, cut every connection now (TCP reset), cut once a
 * number of bytes or a byte pattern has passed in one direction, refuse new connections (the port
 * held but not listening: connection refused), hold CancelRequests, and come back.
 *
 * <p>Plain blocking sockets on virtual threads: each direction of each connection is a reader
 * that applies the armed fault and a writer that delivers each chunk once its latency is due, so
 * latency delays bytes without throttling throughput. The queue between them is bounded, so a
 * slow receiver still pushes back on the sender.
 */
public final class FaultyRelay implements AutoCloseable {

    /** Which way bytes travel: from the connecting side to the relayed server, or back. */
    public enum Direction { TO_SERVER, TO_CLIENT }

    private static final int CANCEL_REQUEST_CODE = 80877102;
    private static final int CHUNK = 16 * 1024;
    private static final int QUEUED_CHUNKS = 64;

    private final int serverPort;
    private final int port;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger cancelsRelayed = new AtomicInteger();
    private volatile ServerSocket listener;
    /** While down: the port held bound but not listening, so connects are refused and nobody else takes it. */
    private volatile Socket placeholder;
    private volatile long latencyNanos;
    private volatile Duration cancelDelay = Duration.ZERO;
    private final Fault[] faults = new Fault[Direction.values().length];

    /** A relay on an ephemeral loopback port in front of {@code serverPort} on loopback. */
    public FaultyRelay(int serverPort) throws IOException {
        this.serverPort = serverPort;
        this.listener = sharableListener(0);
        this.port = listener.getLocalPort();
        startAccepting(listener);
    }

    public int port() {
        return port;
    }

    /** Connections accepted since the relay started. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** Connections relayed now. */
    public int liveConnections() {
        return links.size();
    }

    /** CancelRequests passed on so far. */
    public int cancelsRelayed() {
        return cancelsRelayed.get();
    }

    /** Delays every chunk by {@code oneWay} in each direction from now on (zero: none). */
    public FaultyRelay latency(Duration oneWay) {
        latencyNanos = oneWay.toNanos();
        return this;
    }

    /** Holds each CancelRequest for {@code delay} before passing it on, as a loaded postmaster might. */
    public FaultyRelay delayCancelRequests(Duration delay) {
        cancelDelay = delay;
        return this;
    }

    /** Resets every relayed connection at once, both sides; new connections are still accepted. */
    public void cutAll() {
        for (Link link : links) {
            link.cut();
        }
    }

    /**
     * From now on, passes exactly {@code bytes} more bytes in {@code direction} (over all
     * connections together), then cuts every connection. Fires once.
     */
    public FaultyRelay cutAfterBytes(Direction direction, long bytes) {
        faults[direction.ordinal()] = new Fault(bytes, null);
        return this;
    }

    /**
     * From now on, cuts every connection when {@code pattern} appears in {@code direction}; the
     * bytes from the pattern on are not delivered (but for its first bytes when an earlier read
     * already passed them: a pattern split over two reads is still found). Fires once.
     */
    public FaultyRelay cutOnPattern(Direction direction, String pattern) {
        faults[direction.ordinal()] = new Fault(Long.MAX_VALUE, pattern.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return this;
    }

    /**
     * From now on, runs {@code action} (on a thread of its own) when {@code pattern} appears in
     * {@code direction}, and passes every byte on: a test's hook to strike elsewhere — at another
     * relay, say — at a known point of the conversation. Fires once.
     */
    public FaultyRelay whenPattern(Direction direction, String pattern, Runnable action) {
        faults[direction.ordinal()] = new Fault(Long.MAX_VALUE, pattern.getBytes(java.nio.charset.StandardCharsets.UTF_8), action);
        return this;
    }

    /** True once the armed fault of {@code direction} has cut the connections. */
    public boolean fired(Direction direction) {
        Fault f = faults[direction.ordinal()];
        return f != null && f.fired;
    }

    /** Cuts every connection and closes the port: new connections are refused until {@link #restore()}. */
    public synchronized void goDown() throws IOException {
        if (placeholder == null) {
            // bound before the listener closes (SO_REUSEPORT on both): the port is never free, so
            // another server of the suite cannot take it while the relay is down
            Socket hold = new Socket();
            hold.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            hold.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            placeholder = hold;
        }
        listener.close();
        cutAll();
    }

    /** Accepts connections on the same port again, with no fault armed and no latency. */
    public synchronized void restore() throws IOException {
        faults[0] = null;
        faults[1] = null;
        latencyNanos = 0;
        if (listener.isClosed()) {
            ServerSocket reopened = sharableListener(port);
            listener = reopened;
            startAccepting(reopened);
            releasePlaceholder();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        listener.close();
        releasePlaceholder();
        cutAll();
    }

    /** A loopback listener that a placeholder socket may share the port with (see {@link #goDown()}). */
    private static ServerSocket sharableListener(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return socket;
    }

    private void releasePlaceholder() throws IOException {
        Socket hold = placeholder;
        placeholder = null;
        if (hold != null) {
            hold.close();
        }
    }

    private void startAccepting(ServerSocket socket) {
        Thread.ofVirtual().name("faulty-relay-" + port).start(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> relay(client));
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    private void relay(Socket client) {
        Socket server;
        try {
            server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
        } catch (IOException refused) {
            reset(client);
            return;
        }
        Link link = new Link(client, server);
        links.add(link);
        try {
            passFirstPacket(client, server);
            link.run();
        } catch (IOException | InterruptedException ignored) {
            // either side went away
        } finally {
            link.cut();
            links.remove(link);
        }
    }

    /** Reads the 8-byte head every first packet has; a CancelRequest may be held before it goes on. */
    private void passFirstPacket(Socket client, Socket server) throws IOException, InterruptedException {
        byte[] head = new byte[8];
        new DataInputStream(client.getInputStream()).readFully(head);
        int code = ((head[4] & 0xff) << 24) | ((head[5] & 0xff) << 16) | ((head[6] & 0xff) << 8) | (head[7] & 0xff);
        if (code == CANCEL_REQUEST_CODE) {
            Thread.sleep(cancelDelay);
            cancelsRelayed.incrementAndGet();
        }
        Thread.sleep(Duration.ofNanos(latencyNanos)); // the first packet is late like every other
        server.getOutputStream().write(head);
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** One armed fault of one direction: a byte budget or a pattern; it cuts, or runs a test's action. */
    private static final class Fault {
        private long bytesLeft;
        private final byte[] pattern;
        /** Null: the fault cuts every connection. */
        private final Runnable action;
        private volatile boolean fired;

        Fault(long bytesLeft, byte[] pattern) {
            this(bytesLeft, pattern, null);
        }

        Fault(long bytesLeft, byte[] pattern, Runnable action) {
            this.bytesLeft = bytesLeft;
            this.pattern = pattern;
            this.action = action;
        }

        /** True once it fired and it is one that cuts. */
        boolean cuts() {
            return fired && action == null;
        }

        /**
         * How many of the {@code length} bytes of {@code data} may pass; fewer than {@code length}
         * means the fault fires after them. {@code tail} holds the previous bytes of this stream
         * so that a pattern split over two reads is found.
         */
        synchronized int passable(byte[] data, int length, byte[] tail, int tailLength) {
            if (fired) {
                return action == null ? 0 : length;
            }
            int pass = length;
            if (pattern != null) {
                int at = indexOf(tail, tailLength, data, length, pattern);
                if (at >= 0 && action != null) {
                    fired = true;
                    Thread.ofVirtual().start(action);
                    return length;
                }
                if (at >= 0) {
                    pass = Math.max(0, at - tailLength);
                }
            }
            if (bytesLeft < pass) {
                pass = (int) bytesLeft;
            }
            bytesLeft -= pass;
            if (pass < length || bytesLeft == 0) {
                fired = true;
            }
            return pass;
        }

        /** Where {@code pattern} starts in tail + data, or -1. */
        private static int indexOf(byte[] tail, int tailLength, byte[] data, int length, byte[] pattern) {
            int total = tailLength + length;
            outer:
            for (int i = 0; i + pattern.length <= total; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    int k = i + j;
                    byte b = k < tailLength ? tail[k] : data[k - tailLength];
                    if (b != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    /** A chunk on its way, due at {@code dueNanos}; {@code cutAfter}: the armed fault fires once it is written. */
    private record Chunk(long dueNanos, byte[] bytes, int length, boolean cutAfter) {}

    /** One relayed connection: two directions, each a reader and a writer. */
    private final class Link {
        private final Socket client;
        private final Socket server;
        private volatile boolean cut;
        private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void run() throws InterruptedException {
            Thread up = Thread.ofVirtual().start(() -> pipe(Direction.TO_SERVER, client, server));
            pipe(Direction.TO_CLIENT, server, client);
            up.join();
        }

        void cut() {
            cut = true;
            reset(client);
            reset(server);
            threads.forEach(Thread::interrupt);
        }

        private void pipe(Direction direction, Socket from, Socket to) {
            BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
            Thread writer = Thread.ofVirtual().start(() -> deliver(queue, to));
            threads.add(writer);
            byte[] tail = new byte[0];
            try {
                InputStream in = from.getInputStream();
                while (!cut) {
                    byte[] buf = new byte[CHUNK];
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    Fault fault = faults[direction.ordinal()];
                    int pass = n;
                    if (fault != null) {
                        pass = fault.passable(buf, n, tail, tail.length);
                        tail = keepTail(tail, buf, n, fault.pattern == null ? 0 : fault.pattern.length - 1);
                    }
                    boolean fires = fault != null && fault.cuts();
                    queue.put(new Chunk(System.nanoTime() + latencyNanos, buf, pass, fires));
                    if (fires) {
                        break;
                    }
                }
                queue.put(new Chunk(System.nanoTime() + latencyNanos, null, 0, false));
                writer.join();
            } catch (IOException reset) {
                // the sender reset its connection (or a cut did): reset the receiver's too, as
                // a network would pass the reset on; a half-open link would hide the failure
                cut();
            } catch (InterruptedException cutMeanwhile) {
                Thread.currentThread().interrupt();
            } finally {
                writer.interrupt();
            }
        }

        private void deliver(BlockingQueue<Chunk> queue, Socket to) {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = queue.take();
                    long wait = c.dueNanos() - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(Duration.ofNanos(wait));
                    }
                    if (c.bytes() == null) {
                        to.shutdownOutput(); // the sender's end of stream, passed on
                        return;
                    }
                    out.write(c.bytes(), 0, c.length());
                    out.flush();
                    if (c.cutAfter()) {
                        cutAll();
                        return;
                    }
                }
            } catch (IOException | InterruptedException ignored) {
                // cut, or the receiver went away
            }
        }
    }

    /** The last {@code keep} bytes of tail + data. */
    private static byte[] keepTail(byte[] tail, byte[] data, int length, int keep) {
        if (keep <= 0) {
            return tail.length == 0 ? tail : new byte[0];
        }
        byte[] joined = new byte[Math.min(keep, tail.length + length)];
        int fromData = Math.min(length, joined.length);
        int fromTail = joined.length - fromData;
        System.arraycopy(tail, tail.length - fromTail, joined, 0, fromTail);
        System.arraycopy(data, length - fromData, joined, fromTail, fromData);
        return joined;
    }
}
