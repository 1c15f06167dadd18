package io.pgmlsidecar.it.wire;

import static io.pgmlsidecar.it.wire.RawPgClient.bind;
import static io.pgmlsidecar.it.wire.RawPgClient.closeStatement;
import static io.pgmlsidecar.it.wire.RawPgClient.concat;
import static io.pgmlsidecar.it.wire.RawPgClient.describePortal;
import static io.pgmlsidecar.it.wire.RawPgClient.describeStatement;
import static io.pgmlsidecar.it.wire.RawPgClient.execute;
import static io.pgmlsidecar.it.wire.RawPgClient.intBytes;
import static io.pgmlsidecar.it.wire.RawPgClient.parse;
import static io.pgmlsidecar.it.wire.RawPgClient.query;
import static io.pgmlsidecar.it.wire.RawPgClient.sync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pgmlsidecar.it.support.TestCluster;
import io.pgmlsidecar.it.wire.RawPgClient.BackendMessage;
import io.pgmlsidecar.planner.SidecarVersion;
import io.pgmlsidecar.it.support.BufferLeaks;
import io.pgmlsidecar.it.support.NoBufferLeaks;
import io.pgmlsidecar.proxy.ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Malformed, truncated, random and oversized input, before and after a good startup, each case
 * on its own connection against a dedicated sidecar. Every connection must end (closed by the
 * sidecar, or answered with ReadyForQuery) within {@link #CASE_DEADLINE_MS}; afterwards a good
 * client is still served and neither sessions nor upstream backends are left behind.
 *
 * <p>Reproducible: each case draws from {@code new Random(seed * 31 + index)}; the seed is
 * printed and can be set with {@code -Dpgml.fuzz.seed=N} (and the size with
 * {@code -Dpgml.fuzz.cases=N}, default 3600).
 */
class ProtocolFuzzTest {

    private static final long DEFAULT_SEED = 0x5EED_2026_0001L;
    /**
     * The sidecar's authentication limit in this test: short, so that silent clients end quickly. A good startup
     * that misses it under load is retried ({@link #STARTUP_ATTEMPTS}); the case deadline leaves room beyond it.
     */
    static final Duration AUTH_TIMEOUT = Duration.ofSeconds(2);
    static final int STARTUP_ATTEMPTS = 4;
    static final int CASE_DEADLINE_MS = 12_000;
    private static final int THREADS = 12;

    enum Ending { WAIT, HALF_CLOSE, CLOSE, RESET }

    enum Expect {
        /** the connection must be closed by the sidecar */
        END,
        /** closed, or answered up to a ReadyForQuery */
        END_OR_READY,
        /** an ErrorResponse with {@code sqlState}, then closed */
        ERROR_THEN_END,
        /** closed without a single byte (CancelRequest) */
        SILENT_END
    }

    /**
     * @param answers single-byte answers expected first (one 'N' per SSLRequest/GSSENCRequest)
     */
    record Case(int index, String kind, boolean afterStartup, byte[] payload, Ending ending, Expect expect,
                String sqlState, int answers) {}

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void sidecarSurvivesTheCorpus() throws Exception {
        long seed = Long.getLong("pgml.fuzz.seed", DEFAULT_SEED);
        int total = Integer.getInteger("pgml.fuzz.cases", 3600);
        System.out.println("ProtocolFuzzTest: seed=" + seed + " cases=" + total
                + " (reproduce with -Dpgml.fuzz.seed=" + seed + ")");
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            cases.add(generate(i, total, new Random(seed * 31 + i)));
        }
        survives(cases, "seed " + seed);
    }

    /**
     * Runs every case against a dedicated sidecar; then a good client must be served, no session or backend left
     * behind, no buffer leaked, and the heap (after a collection) no more than {@link #HEAP_GROWTH_LIMIT} above
     * where it started.
     */
    static void survives(List<Case> cases, String label) throws Exception {
        int total = cases.size();
        TestCluster cluster = TestCluster.get();
        try (Connection admin = cluster.connectDirect(null)) {
            int baseline = clientBackends(admin);
            BufferLeaks leaks = BufferLeaks.track();
            ProxyServer sidecar = TestCluster.startSidecar(cluster.postgresPort(),
                    cfg -> cfg.withAuthenticationTimeout(AUTH_TIMEOUT));
            long heapBefore = usedHeapAfterGc();
            HeapPeak peak = HeapPeak.start();
            try {
                ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
                AtomicInteger answered = new AtomicInteger();
                AtomicInteger closed = new AtomicInteger();
                long started = System.nanoTime();
                ExecutorService pool = Executors.newFixedThreadPool(THREADS);
                try {
                    List<Future<?>> futures = new ArrayList<>();
                    for (Case c : cases) {
                        futures.add(pool.submit(() -> {
                            String problem;
                            try {
                                problem = run(c, sidecar.port(), answered, closed);
                            } catch (Exception e) {
                                problem = "test harness failure: " + e;
                            }
                            if (problem != null) {
                                failures.add(describe(c) + ": " + problem);
                            }
                        }));
                    }
                    for (Future<?> f : futures) {
                        f.get();
                    }
                } finally {
                    pool.shutdownNow();
                }
                System.out.printf("ProtocolFuzzTest: %d cases in %.1f s: %d closed by the sidecar, %d answered, %d failures%n",
                        total, (System.nanoTime() - started) / 1e9, closed.get(), answered.get(), failures.size());
                if (!failures.isEmpty()) {
                    fail(failures.size() + " of " + total + " fuzz cases failed (" + label + "); first ones:\n"
                            + String.join("\n", failures.stream().limit(15).toList()));
                }

                // a good client is still served
                try (Connection c = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + sidecar.port() + "/postgres", "postgres", "");
                     Statement s = c.createStatement()) {
                    try (ResultSet rs = s.executeQuery("SELECT 1")) {
                        assertTrue(rs.next());
                        assertEquals(1, rs.getInt(1));
                    }
                    try (ResultSet rs = s.executeQuery("SELECT pgml.version()")) {
                        assertTrue(rs.next());
                        assertEquals(SidecarVersion.get(), rs.getString(1));
                    }
                }

                // nothing left behind: sessions in the sidecar, backends in PostgreSQL
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (sidecar.sessions().size() > 0 && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                assertEquals(0, sidecar.sessions().size(), "sessions left in the sidecar after the corpus");
                // (other suites' pools may close connections meanwhile, so the total may drop below the baseline)
                int backends = clientBackends(admin);
                int fuzzBackends = fuzzBackends(admin);
                while ((backends > baseline || fuzzBackends > 0) && System.nanoTime() < until) {
                    Thread.sleep(100);
                    backends = clientBackends(admin);
                    fuzzBackends = fuzzBackends(admin);
                }
                assertEquals(0, fuzzBackends, "backends of fuzz sessions left in PostgreSQL");
                assertTrue(backends <= baseline, "client backends in PostgreSQL after the corpus: " + backends
                        + ", before: " + baseline + ": " + clientBackendList(admin));
                // and no buffer that was never released (every allocation tracked)
                NoBufferLeaks.assertNone(leaks.collect());
                long heapAfter = usedHeapAfterGc();
                System.out.printf("ProtocolFuzzTest: heap after a collection %d MiB before, %d MiB after, peak %d MiB while running%n",
                        heapBefore >> 20, heapAfter >> 20, peak.max() >> 20);
                assertTrue(heapAfter - heapBefore < HEAP_GROWTH_LIMIT, "the heap grew by " + ((heapAfter - heapBefore) >> 20)
                        + " MiB over the corpus");
            } finally {
                peak.stop();
                sidecar.close();
                leaks.close();
            }
        }
    }

    /** Generous: the sidecar runs in this JVM with the other suites' caches; a leak per case would exceed it. */
    static final long HEAP_GROWTH_LIMIT = 256L << 20;

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The most heap in use, sampled every 200 ms while the corpus runs. */
    static final class HeapPeak {
        private final java.util.concurrent.atomic.AtomicLong max = new java.util.concurrent.atomic.AtomicLong();
        private final Thread sampler;

        private HeapPeak() {
            sampler = Thread.ofPlatform().daemon().name("fuzz-heap-sampler").start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    max.accumulateAndGet(java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        static HeapPeak start() {
            return new HeapPeak();
        }

        long max() {
            return max.get();
        }

        void stop() {
            sampler.interrupt();
        }
    }

    private static int clientBackends(Connection admin) throws Exception {
        try (Statement s = admin.createStatement();
             // the sidecars' deployment listener opens on the first predict and stays: a service connection, not a session's
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                     + "AND application_name IS DISTINCT FROM 'pgml-sidecar deployment listener'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String clientBackendList(Connection admin) throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement s = admin.createStatement();
             ResultSet rs = s.executeQuery("SELECT application_name, state, left(query, 80) FROM pg_stat_activity "
                     + "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
            while (rs.next()) {
                out.add(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3));
            }
        }
        return out.toString();
    }

    private static int fuzzBackends(Connection admin) throws Exception {
        try (Statement s = admin.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'fuzz'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    // ------------------------------------------------------------------ running one case

    /** Runs a case; returns what went wrong, or null. */
    static String run(Case c, int port, AtomicInteger answered, AtomicInteger closed) throws IOException {
        Socket opened = c.afterStartup() ? null : connect(port);
        if (c.afterStartup()) {
            // a good startup first; under load it may miss the short authentication limit, which is the harness's
            // problem, not the sidecar's: retry it on a fresh connection (the case itself is never retried)
            String lastProblem = null;
            for (int attempt = 0; attempt < STARTUP_ATTEMPTS && opened == null; attempt++) {
                Socket candidate = connect(port);
                lastProblem = goodStartup(candidate);
                if (lastProblem == null) {
                    opened = candidate;
                } else {
                    candidate.close();
                }
            }
            if (opened == null) {
                return lastProblem + " (" + STARTUP_ATTEMPTS + " attempts)";
            }
        }
        long deadline = System.currentTimeMillis() + CASE_DEADLINE_MS;
        try (Socket s = opened) {
            OutputStream out = s.getOutputStream();
            boolean writeFailed = false;
            try {
                out.write(c.payload());
                out.flush();
            } catch (IOException e) {
                writeFailed = true; // the sidecar closed while we were writing: that is an end
            }
            switch (c.ending()) {
                case CLOSE -> {
                    return null;
                }
                case RESET -> {
                    s.setSoLinger(true, 0);
                    return null;
                }
                case HALF_CLOSE -> {
                    try {
                        s.shutdownOutput();
                    } catch (IOException e) {
                        writeFailed = true;
                    }
                }
                case WAIT -> { }
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            boolean ended = false;
            boolean ready = false;
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            while (true) {
                long remaining = deadline - System.currentTimeMillis();
                if (remaining <= 0) {
                    break;
                }
                s.setSoTimeout((int) remaining);
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    break;
                } catch (SocketException e) {
                    ended = true; // reset by the peer
                    break;
                }
                if (n < 0) {
                    ended = true;
                    break;
                }
                got.write(buf, 0, n);
                if (c.expect() == Expect.END_OR_READY && containsReady(got.toByteArray(), c.answers())) {
                    ready = true;
                    break;
                }
            }
            byte[] reply = got.toByteArray();
            if (!ended && !ready) {
                return "connection neither closed nor answered within " + CASE_DEADLINE_MS + " ms"
                        + (writeFailed ? " (write failed)" : "") + "; got " + renderReply(reply, c.answers());
            }
            for (BackendMessage m : messages(reply, c.answers())) {
                // PostgreSQL's own XX000 (e.g. "cache lookup failed for type" for a random OID) is its answer to give
                String text = m.field('M');
                if (m.type() == 'E' && "XX000".equals(m.field('C')) && text != null && text.contains("pgml-sidecar")) {
                    return "an internal error of the sidecar instead of a clear one: " + text;
                }
            }
            for (int i = 0; i < Math.min(c.answers(), reply.length); i++) {
                if (reply[i] != 'N') {
                    return "expected 'N' answers first, got " + renderReply(reply, 0);
                }
            }
            switch (c.expect()) {
                case ERROR_THEN_END -> {
                    List<BackendMessage> messages = messages(reply, c.answers());
                    boolean hasError = messages.stream().anyMatch(m -> m.type() == 'E' && c.sqlState().equals(m.field('C')));
                    if (!hasError) {
                        return "expected an ErrorResponse " + c.sqlState() + " before the close, got " + renderReply(reply, c.answers());
                    }
                }
                case SILENT_END -> {
                    if (reply.length > 0) {
                        return "expected the sidecar to close without a word, got " + renderReply(reply, 0);
                    }
                }
                default -> { }
            }
            (ready ? answered : closed).incrementAndGet();
            return null;
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
        s.setTcpNoDelay(true);
        return s;
    }

    /** A good startup as postgres on {@code s}; what went wrong, or null once ReadyForQuery came. */
    private static String goodStartup(Socket s) throws IOException {
        s.setSoTimeout(CASE_DEADLINE_MS);
        RawPgClient client = RawPgClient.wrap(s, CASE_DEADLINE_MS);
        try {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("user", "postgres");
            params.put("database", "postgres");
            params.put("application_name", "fuzz");
            // keeps PostgreSQL's log quiet about the thousands of broken sessions
            params.put("options", "-c log_min_messages=panic");
            client.send(RawPgClient.startupMessage(params));
            List<BackendMessage> reply = client.readUntil('Z');
            if (reply.isEmpty() || reply.get(reply.size() - 1).type() != 'Z') {
                return "good startup not answered with ReadyForQuery: " + RawPgClient.render(reply);
            }
            return null;
        } catch (IOException e) {
            return "good startup failed: " + e;
        }
    }

    private static boolean containsReady(byte[] reply, int skip) {
        return messages(reply, skip).stream().anyMatch(m -> m.type() == 'Z');
    }

    /** The complete messages in {@code reply} after {@code skip} single-byte answers. */
    private static List<BackendMessage> messages(byte[] reply, int skip) {
        List<BackendMessage> out = new ArrayList<>();
        int pos = Math.min(skip, reply.length);
        while (reply.length - pos >= 5) {
            int len = ByteBuffer.wrap(reply, pos + 1, 4).getInt();
            if (len < 4 || reply.length - pos - 1 < len) {
                break;
            }
            out.add(new BackendMessage(reply[pos], Arrays.copyOfRange(reply, pos + 5, pos + 1 + len)));
            pos += 1 + len;
        }
        return out;
    }

    private static String renderReply(byte[] reply, int skip) {
        if (reply.length == 0) {
            return "nothing";
        }
        List<BackendMessage> m = messages(reply, skip);
        return m.isEmpty() ? "bytes " + RawPgClient.hex(Arrays.copyOf(reply, Math.min(64, reply.length)))
                : RawPgClient.render(m).replace('\n', ' ');
    }

    private static String describe(Case c) {
        byte[] p = c.payload();
        String hex = RawPgClient.hex(Arrays.copyOf(p, Math.min(p.length, 120)));
        return "case #" + c.index() + " " + c.kind() + (c.afterStartup() ? " (after startup)" : "") + " ending=" + c.ending()
                + " expect=" + c.expect() + " payload[" + p.length + "]=" + hex + (p.length > 120 ? "…" : "");
    }

    // ------------------------------------------------------------------ the corpus

    /** Case {@code i} of {@code total}; about 40 % before startup, 60 % after a good startup. */
    static Case generate(int i, int total, Random r) {
        double slot = (double) i / total;
        if (slot < 0.08) {
            return randomBytes(i, r);
        } else if (slot < 0.13) {
            return badStartupLength(i, r);
        } else if (slot < 0.18) {
            return truncatedStartup(i, r);
        } else if (slot < 0.22) {
            return unknownStartupCode(i, r);
        } else if (slot < 0.30) {
            return mutatedStartup(i, r);
        } else if (slot < 0.34) {
            return encryptionRequestThenMore(i, r);
        } else if (slot < 0.36) {
            return badSpecialPacket(i, r);
        } else if (slot < 0.38) {
            return randomCancel(i, r);
        } else if (slot < 0.39) {
            return partialHeaderLeftOpen(i, r);
        } else if (slot < 0.55) {
            return randomTypedMessage(i, r);
        } else if (slot < 0.76) {
            return mutatedValidMessages(i, r);
        } else if (slot < 0.84) {
            return badMessageLength(i, r);
        } else if (slot < 0.94) {
            return truncatedThenClose(i, r);
        } else if (slot < 0.96) {
            return largeMessage(i, r);
        } else {
            return validThenGarbage(i, r);
        }
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static Case randomBytes(int i, Random r) {
        byte[] p = randomBytes(r, 1 + r.nextInt(48));
        Ending e = r.nextInt(10) < 7 ? Ending.HALF_CLOSE : (r.nextBoolean() ? Ending.CLOSE : Ending.RESET);
        return new Case(i, "random-bytes", false, p, e, Expect.END, null, 0);
    }

    private static Case badStartupLength(int i, Random r) {
        int len = switch (r.nextInt(4)) {
            case 0 -> r.nextInt(8);
            case 1 -> -1 - r.nextInt(Integer.MAX_VALUE);
            case 2 -> 10_001 + r.nextInt(100_000);
            default -> 0x40000000 + r.nextInt(0x3fffffff);
        };
        byte[] p = concat(intBytes(len), randomBytes(r, r.nextInt(24)));
        return new Case(i, "bad-startup-length", false, p, Ending.WAIT, Expect.ERROR_THEN_END, "08P01", 0);
    }

    private static Case truncatedStartup(int i, Random r) {
        int len = 8 + r.nextInt(10_000 - 7);
        byte[] full = concat(intBytes(len), intBytes(r.nextBoolean() ? RawPgClient.PROTOCOL_3_0 : r.nextInt()),
                randomBytes(r, len - 8));
        byte[] p = Arrays.copyOf(full, 4 + r.nextInt(len - 4));
        return new Case(i, "truncated-startup", false, p, r.nextInt(4) == 0 ? Ending.CLOSE : Ending.HALF_CLOSE,
                Expect.END, null, 0);
    }

    private static Case unknownStartupCode(int i, Random r) {
        int code;
        do {
            code = r.nextInt();
        } while ((code >>> 16) == 3 || code == RawPgClient.SSL_REQUEST_CODE || code == RawPgClient.GSSENC_REQUEST_CODE
                || code == RawPgClient.CANCEL_REQUEST_CODE);
        byte[] body = concat(intBytes(code), randomBytes(r, r.nextInt(64)));
        return new Case(i, "unknown-startup-code", false, RawPgClient.untyped(body), Ending.WAIT,
                Expect.ERROR_THEN_END, "0A000", 0);
    }

    private static Case mutatedStartup(int i, Random r) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("user", r.nextInt(4) == 0 ? "fuzz_" + r.nextInt(1000) : "postgres");
        params.put("database", r.nextInt(4) == 0 ? "nodb_" + r.nextInt(1000) : "postgres");
        if (r.nextBoolean()) {
            params.put("application_name", "x".repeat(r.nextInt(r.nextBoolean() ? 100 : 9000)));
        }
        if (r.nextInt(4) == 0) {
            params.put("options", "-c log_min_messages=panic -c " + "bogus_" + r.nextInt(100) + "=1");
        }
        if (r.nextInt(5) == 0) {
            params.put("_pq_.fuzz_" + r.nextInt(10), "on");
        }
        if (r.nextInt(6) == 0) {
            params.put("client_encoding", r.nextBoolean() ? "NOPE" + r.nextInt(9) : "UTF8");
        }
        byte[] p = RawPgClient.startupMessage(params);
        if (r.nextInt(4) == 0) {
            // protocol 3.x with a random minor version
            ByteBuffer.wrap(p).putInt(4, (3 << 16) | r.nextInt(0x10000));
        }
        int mutations = r.nextInt(4);
        for (int m = 0; m < mutations && p.length > 9; m++) {
            int at = 8 + r.nextInt(p.length - 8);
            switch (r.nextInt(3)) {
                case 0 -> p[at] = (byte) r.nextInt(256);
                case 1 -> p[at] = 0;
                default -> {
                    // cut the parameters short, fixing the length
                    p = Arrays.copyOf(p, Math.max(9, at));
                    ByteBuffer.wrap(p).putInt(0, p.length);
                }
            }
        }
        if (p.length > 10_000) {
            p = Arrays.copyOf(p, 10_000);
            ByteBuffer.wrap(p).putInt(0, p.length);
        }
        return new Case(i, "mutated-startup", false, p, Ending.WAIT, Expect.END_OR_READY, null, 0);
    }

    private static Case encryptionRequestThenMore(int i, Random r) {
        byte[] request = r.nextBoolean() ? RawPgClient.sslRequest() : RawPgClient.gssEncRequest();
        int answers = 1;
        byte[] rest = switch (r.nextInt(5)) {
            case 0 -> new byte[0]; // then silence: the authentication timeout must end it
            case 1 -> {
                answers = 2;
                yield r.nextBoolean() ? RawPgClient.sslRequest() : RawPgClient.gssEncRequest();
            }
            case 2 -> randomBytes(r, 1 + r.nextInt(40));
            case 3 -> {
                Map<String, String> params = new LinkedHashMap<>();
                params.put("user", "postgres");
                params.put("database", "postgres");
                yield RawPgClient.startupMessage(params);
            }
            default -> concat(intBytes(r.nextInt(8)), randomBytes(r, 8));
        };
        return new Case(i, "encryption-request-then-more", false, concat(request, rest), Ending.WAIT,
                Expect.END_OR_READY, null, answers);
    }

    private static Case badSpecialPacket(int i, Random r) {
        int code = switch (r.nextInt(3)) {
            case 0 -> RawPgClient.SSL_REQUEST_CODE;
            case 1 -> RawPgClient.GSSENC_REQUEST_CODE;
            default -> RawPgClient.CANCEL_REQUEST_CODE;
        };
        int len;
        if (code == RawPgClient.CANCEL_REQUEST_CODE) {
            len = r.nextBoolean() ? 8 + r.nextInt(8) : 269 + r.nextInt(2000);
        } else {
            len = 9 + r.nextInt(100);
        }
        byte[] p = concat(intBytes(len), intBytes(code), randomBytes(r, len - 8));
        return new Case(i, "bad-special-packet", false, p, Ending.WAIT, Expect.ERROR_THEN_END, "08P01", 0);
    }

    private static Case randomCancel(int i, Random r) {
        byte[] secret = randomBytes(r, r.nextBoolean() ? 4 : 4 + r.nextInt(253));
        return new Case(i, "random-cancel", false, RawPgClient.cancelRequest(r.nextInt(), secret), Ending.WAIT,
                Expect.SILENT_END, null, 0);
    }

    private static Case partialHeaderLeftOpen(int i, Random r) {
        byte[] p = concat(intBytes(8 + r.nextInt(9000)), randomBytes(r, r.nextInt(4)));
        p = Arrays.copyOf(p, 1 + r.nextInt(p.length));
        // the client then goes silent: the authentication timeout must close it
        return new Case(i, "partial-header-left-open", false, p, Ending.WAIT, Expect.END, null, 0);
    }

    private static Case randomTypedMessage(int i, Random r) {
        byte type = (byte) r.nextInt(256);
        byte[] body = randomBytes(r, r.nextInt(65));
        if (type == 'F' && body.length >= 4) {
            ByteBuffer.wrap(body).putInt(0, 0); // never call a real function by chance
        }
        if (type == 'Q' && r.nextBoolean()) {
            body = concat(printable(r, r.nextInt(60)), new byte[] {0});
        }
        byte[] p = concat(RawPgClient.typed((char) (type & 0xff), body), sync());
        return new Case(i, "random-typed-message", true, p, Ending.WAIT, Expect.END_OR_READY, null, 0);
    }

    private static byte[] printable(Random r, int n) {
        String alphabet = "SELECT pgml.version() 'x'\"(),;$1 FROM WHERE 0123456789abc*/--\n";
        byte[] b = new byte[n];
        for (int k = 0; k < n; k++) {
            b[k] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        }
        return b;
    }

    private static List<byte[]> template(Random r) {
        return switch (r.nextInt(10)) {
            case 0 -> List.of(query("SELECT pgml.version()"));
            case 1 -> List.of(query("SELECT 1 AS one, 'pgml' AS word"));
            case 2 -> List.of(parse("", "SELECT pgml.version()"), bind("", ""), describePortal(""), execute("", 0), sync());
            case 3 -> List.of(parse("s1", "SELECT pgml.version()"), bind("p", "s1"), execute("p", 0),
                    closeStatement("s1"), sync());
            case 4 -> List.of(parse("", "SELECT $1::int + 1", 23), bind("", "", "41"), execute("", 0), sync());
            case 5 -> List.of(parse("s", "SELECT pgml.version() AS v"), describeStatement("s"), sync(),
                    bind("", "s"), describePortal(""), execute("", 1), sync());
            case 6 -> List.of(query("COPY (SELECT g FROM generate_series(1, 3) g) TO STDOUT"));
            case 7 -> List.of(parse("s2", "SELECT pgml.version()"), sync(), bind("", "s2", "unexpected"),
                    execute("", 0), sync());
            case 8 -> List.of(bind("", "no_such_statement"), execute("", 0), describeStatement(""),
                    RawPgClient.closePortal(""), sync());
            default -> List.of(query("BEGIN"), parse("", "SELECT 1/0"), bind("", ""), execute("", 0), sync(),
                    query("SELECT pgml.version()"), query("ROLLBACK"));
        };
    }

    private static Case mutatedValidMessages(int i, Random r) {
        List<byte[]> messages = new ArrayList<>(template(r));
        boolean framingBroken = false;
        int mutations = 1 + r.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            int which = r.nextInt(messages.size());
            byte[] msg = messages.get(which);
            int bodyLen = msg.length - 5;
            switch (r.nextInt(6)) {
                case 0, 1 -> {
                    if (bodyLen > 0) {
                        msg[5 + r.nextInt(bodyLen)] = (byte) r.nextInt(256);
                    }
                }
                case 2 -> {
                    if (bodyLen > 0) {
                        msg[5 + r.nextInt(bodyLen)] = 0;
                    }
                }
                case 3 -> {
                    // shorter body, length fixed up
                    byte[] body = Arrays.copyOfRange(msg, 5, 5 + (bodyLen == 0 ? 0 : r.nextInt(bodyLen)));
                    msg = RawPgClient.typed((char) msg[0], body);
                }
                case 4 -> msg = RawPgClient.typed((char) msg[0], concat(Arrays.copyOfRange(msg, 5, msg.length),
                        randomBytes(r, 1 + r.nextInt(16))));
                default -> {
                    // a lying length word: the rest of the stream is misframed
                    ByteBuffer.wrap(msg).putInt(1, 4 + r.nextInt(bodyLen + 24));
                    framingBroken = true;
                }
            }
            messages.set(which, msg);
        }
        messages.add(sync());
        byte[] p = concat(messages.toArray(new byte[0][]));
        // with broken framing PostgreSQL may rightly wait for bytes that never come: close our side
        return new Case(i, "mutated-valid-messages", true, p, framingBroken ? Ending.HALF_CLOSE : Ending.WAIT,
                framingBroken ? Expect.END : Expect.END_OR_READY, null, 0);
    }

    private static Case badMessageLength(int i, Random r) {
        int len = switch (r.nextInt(3)) {
            case 0 -> r.nextInt(4);
            case 1 -> -1 - r.nextInt(Integer.MAX_VALUE);
            default -> 0x40000000 + r.nextInt(0x3fffffff);
        };
        byte type = r.nextInt(3) == 0 ? (byte) "QPBEDSHdcfCF".charAt(r.nextInt(12)) : (byte) r.nextInt(256);
        byte[] bad = concat(new byte[] {type}, intBytes(len), randomBytes(r, r.nextInt(16)));
        byte[] p = r.nextInt(4) == 0 ? concat(query("SELECT 1"), bad) : bad;
        return new Case(i, "bad-message-length", true, p, Ending.WAIT, Expect.ERROR_THEN_END, "08P01", 0);
    }

    private static Case truncatedThenClose(int i, Random r) {
        byte type = r.nextBoolean() ? (byte) "QPBEDSHdcfCFX".charAt(r.nextInt(13)) : (byte) r.nextInt(256);
        // log-uniform declared length from 5 bytes to 16 MiB
        int len = (int) Math.min(16L << 20, Math.round(Math.pow(2, 2.33 + r.nextDouble() * 21.7)));
        int bodySent = r.nextInt(Math.max(1, Math.min(len - 4, 70_000)));
        byte[] p = concat(new byte[] {type}, intBytes(len), randomBytes(r, bodySent));
        Ending e = switch (r.nextInt(4)) {
            case 0 -> Ending.CLOSE;
            case 1 -> Ending.RESET;
            default -> Ending.HALF_CLOSE;
        };
        return new Case(i, "truncated-then-close", true, p, e, Expect.END, null, 0);
    }

    private static Case largeMessage(int i, Random r) {
        int size = 100_000 + r.nextInt(300_000);
        byte[] p = switch (r.nextInt(3)) {
            case 0 -> RawPgClient.typed('d', randomBytes(r, size)); // CopyData outside COPY: ignored
            case 1 -> query("SELECT length('" + "y".repeat(size) + "') AS n");
            default -> query("SELECT 'pgml' AS w /* " + "z".repeat(size) + " */");
        };
        return new Case(i, "large-message", true, concat(p, sync()), Ending.WAIT, Expect.END_OR_READY, null, 0);
    }

    private static Case validThenGarbage(int i, Random r) {
        List<byte[]> messages = new ArrayList<>(template(r));
        messages.add(randomBytes(r, 1 + r.nextInt(64)));
        byte[] p = concat(messages.toArray(new byte[0][]));
        return new Case(i, "valid-then-garbage", true, p, Ending.HALF_CLOSE, Expect.END, null, 0);
    }
}
