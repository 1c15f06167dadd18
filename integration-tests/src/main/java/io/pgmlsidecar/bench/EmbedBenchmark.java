package io.pgmlsidecar.bench;

import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import io.pgmlsidecar.ml.EmbeddingService;
import io.pgmlsidecar.ml.MlConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code UPDATE docs SET e = pgml.embed(MiniLM, body)} over N rows through the sidecar, against
 * the same model called in-process in batches (the limit on this machine) and one text per call;
 * plus the latency of a single {@code SELECT pgml.embed(m, 'short text')} through the sidecar.
 * Measured in one run, side by side.
 *
 * <p>Arguments: {@code [rows (10000)] [jar] [rounds (3)]}; medians of the rounds are reported.
 */
public final class EmbedBenchmark {

    static final String MODEL = "sentence-transformers/all-MiniLM-L6-v2";

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path jar = Path.of(args.length > 1 ? args[1] : "deploy/target/pgml-sidecar.jar");
        List<String> texts = sentences(rows);

        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path data = Files.createTempDirectory("pgml-bench-embed");
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0);
             EmbeddingService service = new EmbeddingService(MlConfig.defaults())) {
            int sidecarPort = ProxyBenchmark.freePort();
            Process sidecar = ProxyBenchmark.startSidecar(jar, sidecarPort, pg.port());
            try (Connection direct = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "");
                 Connection viaSidecar = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecarPort + "/postgres", "postgres", "")) {
                createDocs(direct, texts);
                service.embed(MODEL, texts.subList(0, 64), Map.of()); // load and warm up
                double medianMs = singleSelectLatency(viaSidecar);
                double[] batched = new double[rounds];
                double[] perRow = new double[rounds];
                double[] viaUpdate = new double[rounds];
                for (int round = 0; round < rounds; round++) {
                    // the three measurements alternate, so drift on a noisy machine hits all of them
                    long t0 = System.nanoTime();
                    for (int i = 0; i < texts.size(); i += 64) {
                        service.embed(MODEL, texts.subList(i, Math.min(texts.size(), i + 64)), Map.of());
                    }
                    batched[round] = texts.size() / Measure.seconds(t0);
                    int single = Math.min(1000, rows);
                    t0 = System.nanoTime();
                    for (int i = 0; i < single; i++) {
                        service.embed(MODEL, List.of(texts.get(i)), Map.of());
                    }
                    perRow[round] = single / Measure.seconds(t0);
                    try (Statement s = direct.createStatement()) {
                        s.execute("UPDATE docs SET e = NULL");
                        s.execute("VACUUM docs");
                    }
                    t0 = System.nanoTime();
                    int updated;
                    try (Statement s = viaSidecar.createStatement()) {
                        updated = s.executeUpdate("UPDATE docs SET e = pgml.embed('" + MODEL + "', body)");
                    }
                    viaUpdate[round] = updated / Measure.seconds(t0);
                    System.out.printf("round %d: in-process batched %.0f rows/s, one per call %.0f rows/s, UPDATE via sidecar %.0f rows/s%n",
                            round + 1, batched[round], perRow[round], viaUpdate[round]);
                }
                double b = Measure.median(batched);
                double u = Measure.median(viaUpdate);
                System.out.printf("| rows | in-process batched rows/s | in-process one per call rows/s | UPDATE through sidecar rows/s | sidecar / in-process batched | single SELECT pgml.embed median ms |%n");
                System.out.printf("|---|---|---|---|---|---|%n");
                System.out.printf("| %d | %.0f | %.0f | %.0f | **%.2f** | %.1f |%n", rows, b, Measure.median(perRow), u, u / b, medianMs);
            } finally {
                sidecar.destroy();
                sidecar.waitFor();
            }
        }
    }

    private static void createDocs(Connection direct, List<String> texts) throws Exception {
        try (Statement s = direct.createStatement()) {
            s.execute("DROP TABLE IF EXISTS docs");
            s.execute("CREATE TABLE docs (id int PRIMARY KEY, body text, e real[])");
        }
        try (PreparedStatement ps = direct.prepareStatement("INSERT INTO docs (id, body) VALUES (?, ?)")) {
            for (int i = 0; i < texts.size(); i++) {
                ps.setInt(1, i);
                ps.setString(2, texts.get(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Median latency of SELECT pgml.embed(m, 'short text') through the sidecar, model loaded. */
    private static double singleSelectLatency(Connection viaSidecar) throws Exception {
        double[] latencies = new double[60];
        try (PreparedStatement ps = viaSidecar.prepareStatement("SELECT pgml.embed(?, ?)")) {
            for (int i = 0; i < latencies.length; i++) {
                ps.setString(1, MODEL);
                ps.setString(2, "short text number " + i);
                long t0 = System.nanoTime();
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                }
                latencies[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        return Measure.median(Arrays.copyOfRange(latencies, 10, latencies.length));
    }



    /** Short, varied English sentences (deterministic). */
    static List<String> sentences(int n) {
        String[] subjects = {"The cat", "A customer", "Our team", "The database", "My neighbour", "The new model", "A small bird",
            "The quarterly report", "This restaurant", "The train"};
        String[] verbs = {"quickly reviewed", "slowly approached", "carefully described", "happily ignored", "openly praised",
            "barely noticed", "strongly criticised", "patiently explained"};
        String[] objects = {"the red door", "a long email", "the late delivery", "an unusual sound", "the final score",
            "the cheap hotel", "a difficult question", "the morning news", "the broken window", "a fresh idea"};
        Random r = new Random(42);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(subjects[r.nextInt(subjects.length)] + " " + verbs[r.nextInt(verbs.length)] + " "
                    + objects[r.nextInt(objects.length)] + " on day " + (i % 365) + ".");
        }
        return out;
    }
}
