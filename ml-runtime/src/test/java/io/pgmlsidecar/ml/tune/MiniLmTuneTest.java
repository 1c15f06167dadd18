package io.pgmlsidecar.ml.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fine-tuning on the real bundled all-MiniLM-L6-v2: generated product reviews and question/answer pairs. */
class MiniLmTuneTest {
    static TextClassificationTuning tuning;
    static io.pgmlsidecar.ml.store.ModelLocator locator;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        locator = BundledModelsOnDisk.locator();
        tuning = new TextClassificationTuning(locator, TuneFixtures.SESSIONS);
    }

    static final List<String> PRODUCTS = List.of("headphones", "blender", "phone case", "laptop stand", "coffee maker",
            "backpack", "desk lamp", "keyboard", "water bottle", "vacuum cleaner", "toaster", "office chair");
    static final List<String> GOOD = List.of("works perfectly", "exceeded my expectations", "is great value for money",
            "arrived quickly and works well", "is absolutely fantastic", "feels sturdy and reliable",
            "made my mornings so much easier", "is the best purchase I made this year", "does exactly what it promises",
            "still looks brand new after months", "is a joy to use every day", "was worth every penny");
    static final List<String> BAD = List.of("broke after two days", "is a complete waste of money",
            "stopped working within a week", "arrived damaged and scratched", "feels cheap and flimsy", "is terrible",
            "was a huge disappointment", "does not work as advertised", "started leaking right away",
            "is noisy and keeps overheating", "fell apart the first time I used it", "was returned the same day");
    static final List<String> TEMPLATES = List.of("The %s %s.", "I bought this %s last month and it %s.",
            "My new %s %s!", "Honestly, the %s %s.", "Review: this %s %s.", "Got the %s as a gift; it %s.");

    static List<LabeledText> reviews(int n, long seed) {
        Random r = new Random(seed);
        List<LabeledText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean good = r.nextBoolean();
            List<String> phrases = good ? GOOD : BAD;
            String text = TEMPLATES.get(r.nextInt(TEMPLATES.size())).formatted(PRODUCTS.get(r.nextInt(PRODUCTS.size())),
                    phrases.get(r.nextInt(phrases.size())));
            out.add(LabeledText.of(text, good ? "positive" : "negative"));
        }
        return out;
    }

    @Test
    void productReviewSentiment() throws Exception {
        List<LabeledText> all = reviews(480, 20261123);
        List<LabeledText> train = all.subList(0, 360), test = all.subList(360, 480);
        List<TuneProgress> epochs = new ArrayList<>();
        long t0 = System.nanoTime();
        TextClassificationTuning.Outcome out = tuning.tune(new TextClassificationTuning.Request(BundledModelsOnDisk.MINILM,
                train, test, TrainingArguments.parse("{\"learning_rate\": 0.01, \"num_train_epochs\": 5,"
                        + " \"per_device_train_batch_size\": 16, \"weight_decay\": 0.01, \"seed\": 42, \"output_dir\": \"x\"}"),
                new TuneListener() {
                    @Override public void onEpochEnd(TuneProgress p) { epochs.add(p); }
                }, tmp.resolve("sentiment")));
        long tuneMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(5, epochs.size());
        assertEquals(List.of("output_dir"), out.ignoredArguments());
        assertEquals(List.of("negative", "positive"), out.labels());
        double accuracy = out.metrics().get("accuracy");
        assertTrue(accuracy >= 0.85, "held-out accuracy " + out.testMetrics());
        assertTrue(out.metrics().get("f1") >= 0.85, "held-out f1 " + out.testMetrics());

        long t1 = System.nanoTime();
        try (ExportedClassifier exported = ExportedClassifier.open(out.directory(), TuneFixtures.SESSIONS)) {
            ClassificationMetrics viaGraph = exported.evaluate(test);
            assertEquals(accuracy, viaGraph.accuracy(), 1.5 / test.size(), "exported graph " + viaGraph);
            float[][] logits = exported.logits(List.of(LabeledText.of("This kettle is wonderful, I love it.", "?"),
                    LabeledText.of("The kettle broke on day one, awful.", "?")));
            assertTrue(logits[0][1] > logits[0][0] && logits[1][0] > logits[1][1], "unseen reviews");
        }
        JsonNode config = new ObjectMapper().readTree(out.directory().resolve("config.json").toFile());
        assertEquals("BertForSequenceClassification", config.path("architectures").path(0).asText());
        assertEquals("positive", config.path("id2label").path("1").asText());
        System.out.printf("MiniLM tune: %d train / %d test reviews, tune+export %d ms, exported-graph scoring %d ms, accuracy %.3f f1 %.3f%n",
                train.size(), test.size(), tuneMs, (System.nanoTime() - t1) / 1_000_000, accuracy, out.metrics().get("f1"));
    }

    /** A real CLS-pooling graph: the exported logits equal the head on the Java-pooled vectors. */
    @Test
    void bgeClsPoolingExportMatchesHead() {
        io.pgmlsidecar.ml.store.ModelSource base = locator.locate(BundledModelsOnDisk.BGE);
        assertEquals(List.of(io.pgmlsidecar.ml.pipelines.Pooling.CLS), base.profile().pooling());
        List<LabeledText> probe = reviews(40, 8);
        TunedClassifier model = new ClassificationTuner(TuneFixtures.SESSIONS).tune(base, reviews(96, 7), List.of(),
                TrainingArguments.parse("{\"learning_rate\": 0.01, \"num_train_epochs\": 2}"), null);
        Path dir = OnnxClassifierExport.write(model, tmp.resolve("bge"));
        float[][] java;
        try (FrozenEncoder enc = FrozenEncoder.open(base, TuneFixtures.SESSIONS)) {
            java = enc.encode(probe);
        }
        try (ExportedClassifier exported = ExportedClassifier.open(dir, TuneFixtures.SESSIONS)) {
            float[][] logits = exported.logits(probe);
            for (int i = 0; i < probe.size(); i++) {
                double[] expected = model.head().logits(java[i]);
                for (int c = 0; c < 2; c++) assertEquals(expected[c], logits[i][c], 1e-4, "row " + i);
            }
        }
    }

    record Topic(List<String> questions, List<String> answers) {}

    static final List<Topic> TOPICS = List.of(
            new Topic(List.of("How do I reset my password?", "I forgot my password, what should I do?", "Where can I change my login password?"),
                    List.of("Click 'Forgot password' on the sign-in page and follow the link we email you.",
                            "Open account settings, choose security, and pick a new password.")),
            new Topic(List.of("When will my order arrive?", "How long does shipping take?", "Where is my package?"),
                    List.of("Standard delivery takes three to five business days.",
                            "You can follow your parcel with the tracking number in the confirmation email.")),
            new Topic(List.of("Can I get a refund?", "How do I return an item?", "What is your return policy?"),
                    List.of("Items can be sent back within 30 days for a full refund.",
                            "Print the prepaid return label and drop the box at any post office.")),
            new Topic(List.of("Which payment methods do you accept?", "Can I pay with PayPal?", "Do you take credit cards?"),
                    List.of("We accept Visa, Mastercard, PayPal and bank transfer.",
                            "Card payments are charged when the order ships.")),
            new Topic(List.of("Is the jacket waterproof?", "Will this coat keep me dry in the rain?", "Can I wear the jacket in heavy rain?"),
                    List.of("Yes, the shell has sealed seams and a waterproof membrane.",
                            "It repels rain well but is not meant for diving.")),
            new Topic(List.of("How do I contact support?", "What is your customer service phone number?", "Can I talk to a human agent?"),
                    List.of("Call us at 555-0100 between 9am and 5pm on weekdays.",
                            "Use the chat button at the bottom right of the page to reach an agent.")));

    static List<LabeledText> qaPairs(int n, long seed) {
        Random r = new Random(seed);
        List<LabeledText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int t = r.nextInt(TOPICS.size());
            boolean relevant = i % 2 == 0;
            int a = relevant ? t : (t + 1 + r.nextInt(TOPICS.size() - 1)) % TOPICS.size();
            String q = TOPICS.get(t).questions().get(r.nextInt(3));
            String ans = TOPICS.get(a).answers().get(r.nextInt(2));
            out.add(LabeledText.pair(q, ans, relevant ? "relevant" : "irrelevant"));
        }
        Collections.shuffle(out, r);
        return out;
    }

    @Test
    void questionAnswerRelevancePairs() {
        List<LabeledText> train = qaPairs(320, 1), test = qaPairs(120, 2);
        TextClassificationTuning.Outcome out = tuning.tune(new TextClassificationTuning.Request(BundledModelsOnDisk.MINILM,
                train, test, TrainingArguments.parse("{\"learning_rate\": 0.01, \"num_train_epochs\": 8,"
                        + " \"per_device_train_batch_size\": 16, \"seed\": 42}"), null, tmp.resolve("qa")));
        System.out.println("MiniLM text-pair tune: " + out.testMetrics());
        assertTrue(out.metrics().get("accuracy") >= 0.7, "held-out " + out.testMetrics());
    }
}
