package io.pgmlsidecar.bench;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Soak: pgbench (TPC-B-like, many clients) through the sidecar, mixed with sessions that call the
 * API in every execution strategy, for a long run; the sidecar process's heap, RSS and threads are
 * sampled every 10 s, and at the end it checks that no backend connection and no thread was left
 * behind once the clients are gone. Prints a Markdown table for BENCHMARKS.md.
 *
 * <p>Usage: {@code SoakBenchmark <seconds> <sidecar jar>}; {@code -Dsoak.pgbenchClients=100},
 * {@code -Dsoak.apiClients=8}.
 */
public final class SoakBenchmark {

    private static final String EMBED_MODEL = "sentence-transformers/all-MiniLM-L6-v2";
    /** One statement per strategy, each run by every API session in turn. */
    private static final Map<String, String> API_CALLS = new java.util.LinkedHashMap<>();

    static {
        String features = "ARRAY[sepal_length, sepal_width, petal_length, petal_width]";
        API_CALLS.put("S0 predict", "SELECT pgml.predict('soak_iris', ARRAY[5.1, 3.5, 1.4, 0.2]::real[])");
        API_CALLS.put("S0 embed", "SELECT pgml.embed('" + EMBED_MODEL + "', 'a soak test sentence')");
        API_CALLS.put("S1 embed spliced", "SELECT id FROM soak_docs ORDER BY id + array_length(pgml.embed('" + EMBED_MODEL
                + "', 'query'), 1) LIMIT 5");
        API_CALLS.put("S2 predict per row", "SELECT target, pgml.predict('soak_iris', " + features + ") FROM pgml.iris");
        // each session writes back into a table of its own ({n}): concurrent whole-table UPDATEs of one table deadlock in
        // PostgreSQL itself now and then (40P01, measured straight to PostgreSQL too), which says nothing of the sidecar
        API_CALLS.put("S3 update write-back", "UPDATE soak_scored_{n} SET prediction = pgml.predict('soak_iris', " + features + ")");
        API_CALLS.put("S4 predict in WHERE", "SELECT count(*) FROM pgml.iris WHERE pgml.predict('soak_iris', " + features + ") = target");
    }

    private SoakBenchmark() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        Path jar = Path.of(args.length > 1 ? args[1] : "deploy/target/pgml-sidecar.jar");
        int pgbenchClients = Integer.getInteger("soak.pgbenchClients", 100);
        int apiClients = Integer.getInteger("soak.apiClients", 8);
        Path data = Files.createTempDirectory("pgml-soak-pg");
        int maxConnections = pgbenchClients + apiClients + 50;
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0, Map.of("max_connections", Integer.toString(maxConnections)))) {
            int sidecarPort = ProxyBenchmark.freePort();
            Process sidecar = ProxyBenchmark.startSidecar(jar, sidecarPort, pg.port());
            try {
                soak(pg.port(), sidecarPort, sidecar.pid(), seconds, pgbenchClients, apiClients);
            } finally {
                sidecar.destroy();
                sidecar.waitFor();
            }
        }
    }

    private static void soak(int pgPort, int sidecarPort, long sidecarPid, int seconds, int pgbenchClients, int apiClients)
            throws Exception {
        String viaSidecar = "jdbc:postgresql://127.0.0.1:" + sidecarPort + "/postgres";
        prepare(viaSidecar, pgPort, apiClients);
        Sampler sampler = new Sampler(sidecarPid);
        sampler.sample("before load");
        AtomicBoolean running = new AtomicBoolean(true);
        Map<String, LongAdder> calls = new ConcurrentHashMap<>();
        Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        List<Thread> api = new ArrayList<>();
        for (int i = 0; i < apiClients; i++) {
            int session = i;
            api.add(Thread.ofPlatform().name("soak-api-" + i).start(() -> callApi(viaSidecar, session, running, calls, errors)));
        }
        Thread sampling = Thread.ofPlatform().daemon().start(() -> {
            try {
                for (int t = 10; running.get(); t += 10) {
                    Thread.sleep(10_000);
                    sampler.sample(t + " s");
                }
            } catch (InterruptedException done) {
                // the run is over
            }
        });
        PgbenchRun bench = PgbenchRun.run(sidecarPort, "postgres", "simple", pgbenchClients, seconds, List.of());
        running.set(false);
        for (Thread t : api) {
            t.join();
        }
        sampling.interrupt();
        Thread.sleep(10_000); // let every session end, as clients that went away would
        System.gc();
        sampler.sample("10 s after the clients left");
        String backends = backends(pgPort);

        System.out.println();
        System.out.printf("Soak: %d s, pgbench -c %d (TPC-B-like) + %d API sessions through the sidecar%n", seconds, pgbenchClients, apiClients);
        System.out.printf("pgbench: %.0f tps, %.2f ms mean latency, %d failed transactions%n", bench.tps(), bench.latencyMs(), bench.failed());
        System.out.println();
        System.out.println("| API call | calls | errors |");
        System.out.println("|---|---:|---:|");
        for (String kind : API_CALLS.keySet()) {
            System.out.printf("| %s | %d | %d |%n", kind, count(calls, kind), count(errors, kind));
        }
        System.out.println();
        sampler.print();
        System.out.println();
        System.out.println("Client backends left on PostgreSQL after the run (the check's own excluded): " + backends);
        System.out.printf("Sidecar threads: %d before load, %d after%n", sampler.first().threads(), sampler.last().threads());
    }

    private static long count(Map<String, LongAdder> m, String kind) {
        LongAdder a = m.get(kind);
        return a == null ? 0 : a.sum();
    }

    private static void prepare(String viaSidecar, int pgPort, int apiClients) throws Exception {
        run(List.of("pgbench", "-h", "127.0.0.1", "-p", Integer.toString(pgPort), "-U", "postgres", "-i", "-q", "-s", "1", "postgres"));
        try (Connection c = DriverManager.getConnection(viaSidecar, "postgres", ""); Statement s = c.createStatement()) {
            s.executeQuery("SELECT * FROM pgml.load_dataset('iris')").close();
            s.executeQuery("SELECT * FROM pgml.train('soak_iris', 'classification', 'pgml.iris', 'target', 'xgboost')").close();
            for (int n = 0; n < apiClients; n++) {
                s.execute("DROP TABLE IF EXISTS soak_scored_" + n);
                s.execute("CREATE TABLE soak_scored_" + n + " AS SELECT *, NULL::real AS prediction FROM pgml.iris");
            }
            s.execute("DROP TABLE IF EXISTS soak_docs");
            s.execute("CREATE TABLE soak_docs AS SELECT g AS id, 'document ' || g AS body FROM generate_series(1, 100) g");
        }
    }

    /** One API session: every call kind in turn until the run ends; a failed call is counted and the session reconnects. */
    private static void callApi(String url, int session, AtomicBoolean running, Map<String, LongAdder> calls, Map<String, LongAdder> errors) {
        while (running.get()) {
            try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
                while (running.get()) {
                    for (Map.Entry<String, String> call : API_CALLS.entrySet()) {
                        try {
                            if (s.execute(call.getValue().replace("{n}", Integer.toString(session)))) {
                                try (ResultSet rs = s.getResultSet()) {
                                    while (rs.next()) {
                                        rs.getObject(1);
                                    }
                                }
                            }
                            calls.computeIfAbsent(call.getKey(), k -> new LongAdder()).increment();
                        } catch (SQLException e) {
                            errors.computeIfAbsent(call.getKey(), k -> new LongAdder()).increment();
                            System.err.println(call.getKey() + ": " + e.getSQLState() + " " + e.getMessage());
                        }
                    }
                }
            } catch (SQLException e) {
                errors.computeIfAbsent("connect", k -> new LongAdder()).increment();
                System.err.println("connect: " + e.getMessage());
            }
        }
    }

    /** The client backends still on PostgreSQL (but the check's own): a count, then application, state and query of each. */
    private static String backends(int pgPort) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres", "postgres", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT application_name, state, left(query, 60) FROM pg_stat_activity "
                     + "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
            List<String> each = new ArrayList<>();
            while (rs.next()) {
                each.add("[" + rs.getString(1) + ", " + rs.getString(2) + ", " + rs.getString(3) + "]");
            }
            return each.size() + " " + String.join(" ", each);
        }
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("failed: " + cmd);
        }
    }

    /** The sidecar process's used heap (jstat), RSS and platform threads (/proc), sampled on demand. */
    private static final class Sampler {
        record Sample(String at, double heapMb, double rssMb, long threads) {}

        private final long pid;
        private final List<Sample> samples = new java.util.concurrent.CopyOnWriteArrayList<>();

        Sampler(long pid) {
            this.pid = pid;
        }

        void sample(String at) {
            try {
                samples.add(new Sample(at, heapMb(), status("VmRSS") / 1024.0, status("Threads")));
            } catch (IOException | InterruptedException e) {
                System.err.println("sample failed: " + e);
            }
        }

        Sample first() {
            return samples.get(0);
        }

        Sample last() {
            return samples.get(samples.size() - 1);
        }

        void print() {
            System.out.println("| at | heap used (MB) | RSS (MB) | threads |");
            System.out.println("|---|---:|---:|---:|");
            for (Sample s : samples) {
                System.out.printf("| %s | %.0f | %.0f | %d |%n", s.at(), s.heapMb(), s.rssMb(), s.threads());
            }
        }

        private long status(String field) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
            throw new IOException(field + " not in /proc/" + pid + "/status");
        }

        /** S0U + S1U + EU + OU of {@code jstat -gc}, in MB. */
        private double heapMb() throws IOException, InterruptedException {
            String jstat = Path.of(System.getProperty("java.home"), "bin", "jstat").toString();
            Process p = new ProcessBuilder(jstat, "-gc", Long.toString(pid)).redirectErrorStream(true).start();
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            p.waitFor();
            String[] head = lines.get(0).trim().split("\\s+");
            String[] values = lines.get(1).trim().split("\\s+");
            double kb = 0;
            for (int i = 0; i < head.length; i++) {
                if (List.of("S0U", "S1U", "EU", "OU").contains(head[i])) {
                    kb += Double.parseDouble(values[i]);
                }
            }
            return kb / 1024;
        }
    }
}
