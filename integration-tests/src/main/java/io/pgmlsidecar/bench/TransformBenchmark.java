package io.pgmlsidecar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.pgmlsidecar.deploy.EmbeddedPostgresServer;
import io.pgmlsidecar.ml.MlConfig;
import io.pgmlsidecar.ml.onnx.Device;
import io.pgmlsidecar.ml.onnx.OrtSessions;
import io.pgmlsidecar.ml.store.ModelLocator;
import io.pgmlsidecar.ml.transformers.TransformRequest;
import io.pgmlsidecar.ml.transformers.TransformService;
import io.pgmlsidecar.ml.transformers.TransformTask;
import io.pgmlsidecar.ml.tune.LabeledText;
import io.pgmlsidecar.ml.tune.TextClassificationTuning;
import io.pgmlsidecar.ml.tune.TrainingArguments;
import io.pgmlsidecar.testmodels.decoders.TinyCausalLm;
import io.pgmlsidecar.testmodels.encoders.TinySentimentClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * pgml.transform through the sidecar (the jar, as deployed) against the same {@link TransformService}
 * driven in-process, measured side by side in one run:
 * <ol>
 *   <li>text generation on the tiny decoder (greedy, a fixed number of new tokens, the end token
 *       banned so every call does the same work): tokens/s of {@code SELECT pgml.transform(…)} one call
 *       at a time, of {@code SELECT * FROM pgml.transform_stream(…)} (a flushed row per token), and of
 *       the service called in-process;</li>
 *   <li>S2 text classification, {@code SELECT id, pgml.transform(…, ARRAY[body]) FROM reviews} over N
 *       rows, against in-process batches of 64: on the tiny sentiment classifier (the sidecar's own
 *       overhead) and on a classifier tuned from the bundled all-MiniLM-L6-v2 (a model doing real work).</li>
 * </ol>
 *
 * <p>Arguments: {@code [rows (2000)] [jar] [rounds (3)] [MiniLM rows (1000)] [new tokens (48)]}; medians of
 * the rounds are reported.
 */
public final class TransformBenchmark {
    static final String LM = "bench/tiny-causal-lm", TINY_SENTIMENT = "bench/tiny-sentiment", MINILM_REVIEWS = "bench/minilm-reviews";
    static final String BASE_ENCODER = "sentence-transformers/all-MiniLM-L6-v2";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GENERATION_CALLS = 20;

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path jar = Path.of(args.length > 1 ? args[1] : "deploy/target/pgml-sidecar.jar");
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int miniLmRows = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        int newTokens = args.length > 4 ? Integer.parseInt(args[4]) : 48;
        if (newTokens + 2 > TinyCausalLm.MAX_POSITIONS) {
            throw new IllegalArgumentException("the tiny decoder has " + TinyCausalLm.MAX_POSITIONS + " positions: at most "
                    + (TinyCausalLm.MAX_POSITIONS - 2) + " new tokens after a one-word prompt");
        }

        Path work = Files.createTempDirectory("pgml-bench-transform");
        Path models = work.resolve("models");
        TinyCausalLm.write(models.resolve(LM), TinyCausalLm.Layout.MERGED);
        TinySentimentClassifier.write(models.resolve(TINY_SENTIMENT), null, 64);
        MlConfig config = MlConfig.builder().modelsDir(models).hubDownload(false).build();
        long tuneStart = System.nanoTime();
        tuneMiniLm(config, models.resolve(MINILM_REVIEWS));
        System.out.printf("tuned %s on %s in %.1f s%n", MINILM_REVIEWS, BASE_ENCODER, Measure.seconds(tuneStart));

        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(work.resolve("pg"), 0);
             TransformService service = new TransformService(config)) {
            int sidecarPort = ProxyBenchmark.freePort();
            Process sidecar = ProxyBenchmark.startSidecar(jar, sidecarPort, pg.port(), "--models-dir", models.toString());
            try (Connection direct = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "");
                 Connection viaSidecar = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + sidecarPort + "/postgres", "postgres", "")) {
                List<String> lines = new ArrayList<>();
                lines.add(generation(service, viaSidecar, rounds, newTokens));
                List<String> texts = reviews(Math.max(rows, miniLmRows), 7).stream().map(LabeledText::text).toList();
                createReviews(direct, texts);
                lines.add(classification(service, viaSidecar, TINY_SENTIMENT, texts.subList(0, rows), rounds));
                lines.add(classification(service, viaSidecar, MINILM_REVIEWS, texts.subList(0, miniLmRows), rounds));
                System.out.println();
                System.out.println("| benchmark | model | work | in-process | through sidecar | sidecar / in-process | transform_stream | stream / in-process |");
                System.out.println("|---|---|---|---|---|---|---|---|");
                lines.forEach(System.out::println);
            } finally {
                sidecar.destroy();
                sidecar.waitFor();
            }
        }
    }

    /** Greedy generation of exactly {@code newTokens} tokens per call: tokens/s three ways. */
    private static String generation(TransformService service, Connection viaSidecar, int rounds, int newTokens) throws Exception {
        // min_new_tokens bans the end token, so every call generates the same number of tokens
        String args = "{\"min_new_tokens\": " + newTokens + ", \"max_new_tokens\": " + newTokens + "}";
        String task = "{\"task\": \"text-generation\", \"model\": \"" + LM + "\"}";
        TransformRequest request = new TransformRequest(TransformTask.parse("text-generation"), LM, JSON.readTree(args),
                List.of(TextNode.valueOf("one")));
        JsonNode expected = service.transform(request); // loads and warms up
        double[] inProcess = new double[rounds], sidecar = new double[rounds], streamed = new double[rounds];
        try (PreparedStatement call = viaSidecar.prepareStatement("SELECT pgml.transform(?::jsonb, ?::jsonb, ARRAY['one'])");
             PreparedStatement stream = viaSidecar.prepareStatement("SELECT * FROM pgml.transform_stream(?::jsonb, ?::jsonb, 'one')")) {
            call.setString(1, task);
            call.setString(2, args);
            stream.setString(1, task);
            stream.setString(2, args);
            try (ResultSet rs = call.executeQuery()) { // the sidecar loads its copy
                rs.next();
                if (!JSON.readTree(rs.getString(1)).equals(expected)) {
                    throw new IllegalStateException("the sidecar generated " + rs.getString(1) + ", in-process " + expected);
                }
            }
            for (int round = 0; round < rounds; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < GENERATION_CALLS; i++) service.transform(request);
                inProcess[round] = GENERATION_CALLS * newTokens / Measure.seconds(t0);
                t0 = System.nanoTime();
                for (int i = 0; i < GENERATION_CALLS; i++) {
                    try (ResultSet rs = call.executeQuery()) {
                        rs.next();
                    }
                }
                sidecar[round] = GENERATION_CALLS * newTokens / Measure.seconds(t0);
                t0 = System.nanoTime();
                int steps = 0;
                for (int i = 0; i < GENERATION_CALLS; i++) {
                    try (ResultSet rs = stream.executeQuery()) {
                        while (rs.next()) steps++;
                    }
                }
                streamed[round] = GENERATION_CALLS * newTokens / Measure.seconds(t0);
                // past "ten" the banned end token leaves special tokens that decode to no text: fewer rows than tokens
                System.out.printf("round %d: generation in-process %.0f tokens/s, pgml.transform via sidecar %.0f tokens/s, "
                        + "transform_stream via sidecar %.0f tokens/s (%d rows)%n", round + 1, inProcess[round], sidecar[round], streamed[round], steps);
            }
        }
        double in = Measure.median(inProcess), via = Measure.median(sidecar), st = Measure.median(streamed);
        return String.format("| text-generation, %d calls one at a time | %s | %d new tokens greedy | %.0f tokens/s | %.0f tokens/s | **%.2f** | %.0f tokens/s | %.2f |",
                GENERATION_CALLS, LM, newTokens, in, via, via / in, st, st / in);
    }

    /** S2 over the first {@code texts.size()} rows of reviews against in-process batches of 64. */
    private static String classification(TransformService service, Connection viaSidecar, String model, List<String> texts, int rounds)
            throws Exception {
        TransformTask.Parsed task = TransformTask.parse("text-classification");
        List<JsonNode> inputs = texts.stream().map(t -> (JsonNode) TextNode.valueOf(t)).toList();
        JsonNode firstBatch = service.transform(new TransformRequest(task, model, JSON.createObjectNode(), inputs.subList(0, Math.min(64, inputs.size()))));
        String sql = "SELECT id, pgml.transform('{\"task\": \"text-classification\", \"model\": \"" + model
                + "\"}'::jsonb, inputs => ARRAY[body]) FROM reviews WHERE id < " + texts.size() + " ORDER BY id";
        double[] inProcess = new double[rounds], sidecar = new double[rounds];
        for (int round = -1; round < rounds; round++) { // round -1 loads the sidecar's model and checks its labels
            long t0 = System.nanoTime();
            if (round >= 0) {
                for (int i = 0; i < inputs.size(); i += 64) {
                    service.transform(new TransformRequest(task, model, JSON.createObjectNode(), inputs.subList(i, Math.min(inputs.size(), i + 64))));
                }
                inProcess[round] = inputs.size() / Measure.seconds(t0);
            }
            t0 = System.nanoTime();
            int n = 0;
            try (Statement s = viaSidecar.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    String out = rs.getString(2);
                    if (round < 0 && n < firstBatch.size()
                            && !JSON.readTree(out).get(0).get("label").equals(firstBatch.get(n).get("label"))) {
                        throw new IllegalStateException("row " + n + ": the sidecar says " + out + ", in-process " + firstBatch.get(n));
                    }
                    n++;
                }
            }
            if (n != texts.size()) throw new IllegalStateException(n + " rows for " + texts.size());
            if (round >= 0) {
                sidecar[round] = n / Measure.seconds(t0);
                System.out.printf("round %d: %s in-process batched %.0f rows/s, S2 via sidecar %.0f rows/s%n",
                        round + 1, model, inProcess[round], sidecar[round]);
            }
        }
        double in = Measure.median(inProcess), via = Measure.median(sidecar);
        return String.format("| S2 text-classification | %s | %d rows | %.0f rows/s | %.0f rows/s | **%.2f** | | |",
                model, texts.size(), in, via, via / in);
    }

    /** A head on the frozen bundled MiniLM, tuned on generated reviews, exported as an ONNX classifier. */
    static void tuneMiniLm(MlConfig config, Path out) {
        List<LabeledText> all = reviews(240, 11);
        TextClassificationTuning tuning = new TextClassificationTuning(ModelLocator.standard(config), new OrtSessions(Device.CPU, 0));
        TextClassificationTuning.Outcome o = tuning.tune(new TextClassificationTuning.Request(BASE_ENCODER, all.subList(0, 200),
                all.subList(200, 240), TrainingArguments.parse("{\"learning_rate\": 0.01, \"num_train_epochs\": 3, \"seed\": 1}"), null, out));
        System.out.println("tuned classifier: labels " + o.labels() + ", held-out " + o.metrics());
    }

    /** Generated product reviews, half praise and half complaint (deterministic). */
    static List<LabeledText> reviews(int n, long seed) {
        String[] things = {"kettle", "bike lamp", "printer", "rain jacket", "tent", "router", "mixer", "monitor", "drill", "suitcase"};
        String[] praise = {"works beautifully", "is excellent quality", "exceeded what I hoped for", "is sturdy and reliable",
            "was a great buy", "makes every day easier", "is simply wonderful"};
        String[] complaint = {"broke within a week", "is a waste of money", "arrived cracked", "stopped working quickly",
            "feels cheap and flimsy", "was a real disappointment", "is awful to use"};
        String[] frames = {"The %s %s.", "I ordered this %s and it %s.", "Our new %s %s!", "Honestly, the %s %s."};
        Random r = new Random(seed);
        List<LabeledText> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean good = r.nextBoolean();
            String[] verdicts = good ? praise : complaint;
            out.add(LabeledText.of(frames[r.nextInt(frames.length)].formatted(things[r.nextInt(things.length)],
                    verdicts[r.nextInt(verdicts.length)]), good ? "positive" : "negative"));
        }
        return out;
    }

    private static void createReviews(Connection direct, List<String> texts) throws Exception {
        try (Statement s = direct.createStatement()) {
            s.execute("DROP TABLE IF EXISTS reviews");
            s.execute("CREATE TABLE reviews (id int PRIMARY KEY, body text)");
        }
        try (PreparedStatement ps = direct.prepareStatement("INSERT INTO reviews (id, body) VALUES (?, ?)")) {
            for (int i = 0; i < texts.size(); i++) {
                ps.setInt(1, i);
                ps.setString(2, texts.get(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }


}
