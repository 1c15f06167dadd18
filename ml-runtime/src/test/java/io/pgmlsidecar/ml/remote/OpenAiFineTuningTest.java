package io.pgmlsidecar.ml.remote;

import static io.pgmlsidecar.ml.remote.FineTuningStandIn.message;
import static io.pgmlsidecar.ml.remote.FineTuningStandIn.metrics;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgmlsidecar.ml.remote.FineTuningStandIn.Stage;
import io.pgmlsidecar.ml.remote.OpenAiFineTuning.Event;
import io.pgmlsidecar.ml.remote.OpenAiFineTuning.Job;
import io.pgmlsidecar.ml.remote.RemoteCallException.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The OpenAI fine-tuning client against a stand-in of the API: upload, job, events, cancel, failures. */
class OpenAiFineTuningTest {
    static final String KEY = "sk-tune-5c3e";
    static final String MODEL = "ft:base:org::abc123";
    static final Duration POLL = Duration.ofMillis(10);

    final RemoteModels remote = new RemoteModels(new SimpleMeterRegistry(), java.time.Duration.ofSeconds(10), EndpointAddressPolicy.allowing("127.0.0.1"));
    FineTuningStandIn standIn;

    @AfterEach
    void stop() {
        remote.close();
        if (standIn != null) standIn.close();
    }

    static boolean bearer(FineTuningStandIn.Request r) {
        return ("Bearer " + KEY).equals(r.headers().get("authorization"));
    }

    /** queued → running (one loss) → running (two losses) → succeeded. */
    static List<Stage> succeeding() {
        return List.of(
                Stage.of("queued", message("Fine-tuning job queued")),
                Stage.of("running", message("Fine-tuning job started"), metrics(1, 0.9)),
                Stage.of("running", metrics(2, 0.7), metrics(3, 0.5)),
                new Stage("succeeded", List.of(message("New fine-tuned model created: " + MODEL),
                        message("The job has successfully completed")), MODEL, null));
    }

    Endpoint openAi() {
        return Endpoint.builder(EndpointKind.OPENAI, standIn.url("")).key(KEY).model("base").build();
    }

    @Test
    void fullFlowUploadsCreatesFollowsAndReturnsTheModel() throws Exception {
        standIn = new FineTuningStandIn(OpenAiFineTuningTest::bearer, succeeding());
        Endpoint ep = openAi();
        byte[] jsonl = TrainingJsonl.chat("Translate English to German.",
                List.of("Good morning", "Two lines\nhere"), List.of("Guten Morgen", "Zwei Zeilen\nhier – ü"));

        String fileId = remote.fineTuning().upload(ep, "train.jsonl", jsonl, CallOptions.DEFAULTS);
        assertEquals("file-abc", fileId);
        Map<String, FineTuningStandIn.Part> parts = new java.util.HashMap<>();
        standIn.uploaded.forEach(p -> parts.put(p.name(), p));
        assertEquals(2, standIn.uploaded.size());
        assertEquals("fine-tune", new String(parts.get("purpose").content(), StandardCharsets.UTF_8));
        assertNull(parts.get("purpose").fileName());
        assertEquals("train.jsonl", parts.get("file").fileName());
        assertEquals("application/jsonl", parts.get("file").contentType());
        assertArrayEquals(jsonl, parts.get("file").content(), "the JSONL arrives byte for byte");
        assertEquals("/v1/files", standIn.requests.get(0).path());

        Job created = remote.fineTuning().createJob(ep, null, fileId, "file-val",
                Map.of("n_epochs", 3, "batch_size", "auto", "learning_rate_multiplier", 0.5), "pgml", 42L);
        assertEquals("ftjob-1", created.id());
        assertEquals("validating_files", created.status());
        JsonNode body = standIn.created;
        assertEquals("base", body.get("model").asText(), "the endpoint's model is the base model");
        assertEquals("file-abc", body.get("training_file").asText());
        assertEquals("file-val", body.get("validation_file").asText());
        assertEquals(3, body.at("/hyperparameters/n_epochs").intValue());
        assertTrue(body.at("/hyperparameters/n_epochs").isIntegralNumber());
        assertEquals("auto", body.at("/hyperparameters/batch_size").asText());
        assertEquals(0.5, body.at("/hyperparameters/learning_rate_multiplier").doubleValue());
        assertEquals("pgml", body.get("suffix").asText());
        assertEquals(42, body.get("seed").longValue());

        List<Event> events = new CopyOnWriteArrayList<>();
        List<String> statusAtFirstLoss = new CopyOnWriteArrayList<>();
        Job done = remote.fineTuning().await(ep, created.id(), POLL, Duration.ofSeconds(20), e -> {
            if (e.metric("train_loss").isPresent() && statusAtFirstLoss.isEmpty()) statusAtFirstLoss.add(standIn.status());
            events.add(e);
        }, () -> false);

        assertEquals("succeeded", done.status());
        assertEquals(MODEL, done.fineTunedModel());
        assertEquals(5120L, done.trainedTokens());
        assertEquals(standIn.loggedIds(), events.stream().map(Event::id).toList(), "every event once, oldest first");
        assertEquals(8, events.size());
        assertEquals(List.of(0.9, 0.7, 0.5), events.stream().filter(e -> e.metric("train_loss").isPresent())
                .map(e -> e.metric("train_loss").getAsDouble()).toList());
        assertEquals(1, events.get(3).data().get("step").asInt());
        assertEquals(List.of("running"), statusAtFirstLoss, "events are handed over while the job runs");
        assertEquals("Fine-tuning job queued", events.get(1).message());
        assertTrue(standIn.requests("GET", "/events").size() > 4, "events read on every poll, in pages of two");
        for (FineTuningStandIn.Request r : standIn.requests) {
            assertEquals("Bearer " + KEY, r.headers().get("authorization"), r.path());
            assertTrue(r.path().startsWith("/v1/"), r.path());
        }
        assertTrue(standIn.requests("GET", "/events").stream().allMatch(r -> r.query().contains("limit=100")));
        assertFalse(standIn.cancelRequested);
    }

    @Test
    void aFailedJobReportsTheProvidersMessage() throws Exception {
        standIn = new FineTuningStandIn(OpenAiFineTuningTest::bearer, List.of(
                Stage.of("running", metrics(1, 1.2)),
                new Stage("failed", List.of(message("Training file has 3 examples; at least 10 are required")), null,
                        "Training file has 3 examples; at least 10 are required")));
        Endpoint ep = openAi();
        Job job = remote.fineTuning().createJob(ep, "gpt-4o-mini-2024-07-18", "file-abc", null, null, null, null);
        assertFalse(standIn.created.has("hyperparameters") || standIn.created.has("suffix") || standIn.created.has("seed")
                || standIn.created.has("validation_file"), standIn.created.toString());
        assertEquals("gpt-4o-mini-2024-07-18", standIn.created.get("model").asText());
        List<Event> events = new CopyOnWriteArrayList<>();
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> remote.fineTuning().await(ep, job.id(), POLL, Duration.ofSeconds(20), events::add, null));
        assertEquals(Kind.CLIENT_ERROR, e.kind());
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("ftjob-1") && e.getMessage().contains("failed")
                && e.getMessage().contains("Training file has 3 examples; at least 10 are required")
                && e.getMessage().contains("invalid_training_file"), e.getMessage());
        assertEquals(standIn.loggedIds(), events.stream().map(Event::id).toList(), "the events up to the failure");
        assertFalse(standIn.cancelRequested);
    }

    @Test
    void aJobCancelledAtTheProviderIsAnError() throws Exception {
        standIn = new FineTuningStandIn(OpenAiFineTuningTest::bearer, List.of(
                Stage.of("running"), new Stage("cancelled", List.of(), null, "Cancelled in the console")));
        Endpoint ep = openAi();
        remote.fineTuning().createJob(ep, null, "file-abc", null, null, null, null);
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> remote.fineTuning().await(ep, "ftjob-1", POLL, null, null, null));
        assertEquals(Kind.CLIENT_ERROR, e.kind());
        assertTrue(e.getMessage().contains("was cancelled at the provider: Cancelled in the console"), e.getMessage());
        assertTrue(standIn.requests("POST", "/cancel").isEmpty(), "nothing to cancel");
    }

    @Test
    void cancellingTheCallCancelsTheJob() throws Exception {
        standIn = new FineTuningStandIn(OpenAiFineTuningTest::bearer, List.of(
                Stage.of("running", metrics(1, 0.9)), Stage.of("running", metrics(2, 0.8)), Stage.of("running")));
        Endpoint ep = openAi();
        remote.fineTuning().createJob(ep, null, "file-abc", null, Map.of(), null, null);
        AtomicBoolean cancelled = new AtomicBoolean();
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> remote.fineTuning().await(ep, "ftjob-1", Duration.ofSeconds(30), Duration.ofSeconds(60), ev -> {
                    if (ev.metric("train_loss").isPresent()) cancelled.set(true); // the statement is cancelled
                }, cancelled::get));
        assertEquals(Kind.CANCELLED, e.kind());
        assertTrue(e.getMessage().contains("cancelled") && e.getMessage().contains("ftjob-1"), e.getMessage());
        assertEquals(1, standIn.requests("POST", "/fine_tuning/jobs/ftjob-1/cancel").size(), "the provider was told");
        assertEquals(1, standIn.requests("GET", "/fine_tuning/jobs/ftjob-1").size(),
                "no further poll: the 30 s sleep ended at the flag");
    }

    @Test
    void interruptingTheCallerCancelsTheJob() throws Exception {
        standIn = new FineTuningStandIn(OpenAiFineTuningTest::bearer, List.of(Stage.of("running")));
        Endpoint ep = openAi();
        remote.fineTuning().createJob(ep, null, "file-abc", null, null, null, null);
        AtomicReference<RemoteCallException> thrown = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                remote.fineTuning().await(ep, "ftjob-1", Duration.ofSeconds(30), null, null, null);
            } catch (RemoteCallException x) {
                thrown.set(x);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        while (standIn.requests("GET", "/fine_tuning/jobs/ftjob-1").isEmpty()) Thread.sleep(5);
        Thread.sleep(50); // asleep until the next poll
        caller.interrupt(); // what a cancelled statement does to its thread
        assertTrue(caller.join(Duration.ofSeconds(10)));
        assertEquals(Kind.CANCELLED, thrown.get().kind());
        assertTrue(thrown.get().getMessage().contains("was cancelled at the provider"), thrown.get().getMessage());
        assertTrue(stillInterrupted.get(), "the interrupt is kept for the caller");
        assertEquals(1, standIn.requests("POST", "/fine_tuning/jobs/ftjob-1/cancel").size());
    }

    @Test
    void transientPollFailuresAreRiddenOutUpToALimit() throws Exception {
        standIn = new FineTuningStandIn(OpenAiFineTuningTest::bearer, succeeding());
        Endpoint ep = openAi();
        remote.fineTuning().createJob(ep, null, "file-abc", null, null, null, null);
        // one poll fails after its 3 attempts, the next one's retry succeeds
        standIn.failingJobGets.set(OpenAiFineTuning.READS.maxAttempts() + 1);
        assertEquals(MODEL, remote.fineTuning().await(ep, "ftjob-1", POLL, Duration.ofSeconds(20), null, null).fineTunedModel());

        standIn.failingJobGets.set(1000);
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> remote.fineTuning().await(ep, "ftjob-1", POLL, Duration.ofSeconds(20), null, null));
        assertEquals(Kind.SERVER_ERROR, e.kind());
        assertEquals(OpenAiFineTuning.READS.maxAttempts(), e.attempts());
        assertEquals(1000 - OpenAiFineTuning.READS.maxAttempts() * OpenAiFineTuning.MAX_FAILED_POLLS, standIn.failingJobGets.get(),
                "gave up after " + OpenAiFineTuning.MAX_FAILED_POLLS + " failed polls");
        assertFalse(standIn.cancelRequested, "the job is left alone");
    }

    @Test
    void aRefusedKeyIsAClearAuthenticationError() throws Exception {
        standIn = new FineTuningStandIn(OpenAiFineTuningTest::bearer, succeeding());
        Endpoint wrong = Endpoint.builder(EndpointKind.OPENAI, standIn.url("/v1")).key("sk-wrong-1234").model("base").build();
        RemoteCallException e = assertThrows(RemoteCallException.class, () ->
                remote.fineTuning().upload(wrong, "train.jsonl", "{}\n".getBytes(StandardCharsets.UTF_8), CallOptions.DEFAULTS));
        assertEquals(Kind.CLIENT_ERROR, e.kind());
        assertEquals(401, e.httpStatus().getAsInt());
        assertTrue(e.getMessage().contains("refused the credentials"), e.getMessage());
        assertTrue(e.hint().contains("key"), e.hint());
        assertFalse(e.getMessage().contains("sk-wrong-1234"), "the key is masked: " + e.getMessage());
        RemoteCallException onJob = assertThrows(RemoteCallException.class, () -> remote.fineTuning().job(wrong, "ftjob-1"));
        assertEquals(401, onJob.httpStatus().getAsInt());
        assertEquals(1, onJob.attempts(), "an auth failure is not retried");
    }

    @Test
    void aJobThatOutlivesTheDeadlineTimesOutAndIsCancelled() throws Exception {
        standIn = new FineTuningStandIn(OpenAiFineTuningTest::bearer, List.of(Stage.of("queued"), Stage.of("running")));
        Endpoint ep = openAi();
        remote.fineTuning().createJob(ep, null, "file-abc", null, null, null, null);
        long start = System.nanoTime();
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> remote.fineTuning().await(ep, "ftjob-1", Duration.ofMillis(20), Duration.ofMillis(300), null, null));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Kind.TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("did not finish within 300 ms") && e.getMessage().contains("last status: running")
                && e.getMessage().contains("cancelled at the provider"), e.getMessage());
        assertTrue(tookMs >= 300 && tookMs < 5000, tookMs + " ms");
        assertTrue(standIn.cancelRequested);
        assertTrue(standIn.requests("GET", "/events").isEmpty(), "no events read without a consumer");
    }

    @Test
    void azureOpenAiFilesAndJobsLiveUnderTheResource() throws Exception {
        standIn = new FineTuningStandIn(r -> KEY.equals(r.headers().get("api-key")), succeeding());
        Endpoint ep = Endpoint.builder(EndpointKind.AZURE_OPENAI, standIn.url("/openai/deployments/chat-4o"))
                .key(KEY).deployment("chat-4o").build();
        String fileId = remote.fineTuning().upload(ep, "train.jsonl", TrainingJsonl.chat(null, List.of("a"), List.of("b")), null);
        remote.fineTuning().createJob(ep, "gpt-4o-mini-2024-07-18", fileId, null, null, null, null);
        Job done = remote.fineTuning().await(ep, "ftjob-1", POLL, Duration.ofSeconds(20), e -> {}, () -> false);
        assertEquals(MODEL, done.fineTunedModel());
        String version = "api-version=" + Endpoint.DEFAULT_AZURE_OPENAI_API_VERSION;
        assertEquals("/openai/files", standIn.requests.get(0).path());
        assertEquals(version, standIn.requests.get(0).query());
        assertEquals("/openai/fine_tuning/jobs", standIn.requests.get(1).path());
        assertEquals("/openai/fine_tuning/jobs/ftjob-1", standIn.requests.get(2).path());
        assertEquals("limit=100&" + version, standIn.requests("GET", "/events").get(0).query());
        assertTrue(standIn.requests.stream().allMatch(r -> r.headers().get("authorization") == null));
    }

    @Test
    void azureImportsTheFileBeforeItCanBeUsed() throws Exception {
        standIn = new FineTuningStandIn(r -> KEY.equals(r.headers().get("api-key")), succeeding());
        standIn.fileStatuses = List.of("pending", "running", "running", "processed");
        Endpoint ep = Endpoint.builder(EndpointKind.AZURE_OPENAI, standIn.url("")).key(KEY).build();
        String id = remote.fineTuning().upload(ep, "train.jsonl", "{}\n".getBytes(StandardCharsets.UTF_8), null);
        assertFalse(remote.fineTuning().file(ep, id).ready(), "still importing");
        OpenAiFineTuning.UploadedFile f = remote.fineTuning().awaitFile(ep, id, POLL, Duration.ofSeconds(20), null);
        assertEquals("processed", f.status());
        assertTrue(f.ready());
        assertEquals(3, standIn.requests("GET", "/openai/files/file-abc").size(), "running, running, processed");

        standIn.fileStatuses = List.of("pending", "error");
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> remote.fineTuning().awaitFile(ep, "file-abc", POLL, null, null));
        assertEquals(Kind.CLIENT_ERROR, e.kind());
        assertTrue(e.getMessage().contains("Line 2: expected a messages array"), e.getMessage());

        standIn.fileStatuses = List.of("pending");
        assertEquals(Kind.TIMEOUT, assertThrows(RemoteCallException.class,
                () -> remote.fineTuning().awaitFile(ep, "file-abc", POLL, Duration.ofMillis(100), null)).kind());
    }

    @Test
    void fineTuningPaths() {
        assertEquals("https://api.openai.com/v1/fine_tuning/jobs/ftjob-1/events?after=ev-9&limit=100",
                Endpoint.builder(EndpointKind.OPENAI, "https://api.openai.com/v1").build()
                        .uri(Endpoint.Operation.FINE_TUNING_JOBS, "/ftjob-1/events", "after=ev-9&limit=100").toString());
        assertEquals("https://api.openai.com/v1/files",
                Endpoint.builder(EndpointKind.OPENAI, "https://api.openai.com").build().uri(Endpoint.Operation.FILES).toString());
        assertEquals("https://r.openai.azure.com/openai/fine_tuning/jobs?api-version=2025-01-01",
                Endpoint.builder(EndpointKind.AZURE_OPENAI, "https://r.openai.azure.com/openai").apiVersion("2025-01-01").build()
                        .uri(Endpoint.Operation.FINE_TUNING_JOBS).toString());
        assertEquals("https://r.openai.azure.com/openai/files?api-version=" + Endpoint.DEFAULT_AZURE_OPENAI_API_VERSION,
                Endpoint.builder(EndpointKind.AZURE_OPENAI, "https://r.openai.azure.com").build()
                        .uri(Endpoint.Operation.FILES).toString(), "no deployment needed");
        RemoteCallException e = assertThrows(RemoteCallException.class,
                () -> Endpoint.builder(EndpointKind.KSERVE_V2, "http://k").model("m").build().uri(Endpoint.Operation.FILES));
        assertEquals(Kind.CONFIGURATION, e.kind());
    }

    @Test
    void badArgumentsAreConfigurationErrors() throws Exception {
        standIn = new FineTuningStandIn(OpenAiFineTuningTest::bearer, succeeding());
        Endpoint noModel = Endpoint.builder(EndpointKind.OPENAI, standIn.url("")).key(KEY).build();
        for (Runnable bad : List.<Runnable>of(
                () -> remote.fineTuning().createJob(noModel, null, "file-abc", null, null, null, null),
                () -> remote.fineTuning().createJob(openAi(), null, "file-abc", null, Map.of("n_epochs", 2.5), null, null),
                () -> remote.fineTuning().createJob(openAi(), null, "file-abc", null, Map.of("learning_rate_multiplier", -1), null, null),
                () -> remote.fineTuning().createJob(openAi(), null, " ", null, null, null, null),
                () -> remote.fineTuning().upload(openAi(), "train.jsonl", new byte[0], null),
                () -> remote.fineTuning().await(openAi(), "ftjob-1", Duration.ZERO, null, null, null))) {
            assertEquals(Kind.CONFIGURATION, assertThrows(RemoteCallException.class, bad::run).kind());
        }
        assertEquals(0, standIn.requests.size());
    }

    @Test
    void trainingJsonlIsExact() throws Exception {
        TrainingJsonl chat = new TrainingJsonl("Summarize.");
        chat.add("A \"long\"\ntext", "Short.").add("Zwei", "ü → u");
        chat.addMessages(FakeModels.JSON.readTree(
                "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello!\"}]"));
        assertEquals(3, chat.size());
        assertEquals("""
                {"messages":[{"role":"system","content":"Summarize."},{"role":"user","content":"A \\"long\\"\\ntext"},{"role":"assistant","content":"Short."}]}
                {"messages":[{"role":"system","content":"Summarize."},{"role":"user","content":"Zwei"},{"role":"assistant","content":"ü → u"}]}
                {"messages":[{"role":"system","content":"Summarize."},{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"}]}
                """, new String(chat.toBytes(), StandardCharsets.UTF_8));
        assertArrayEquals(("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":\"y\"}]}\n")
                .getBytes(StandardCharsets.UTF_8), TrainingJsonl.chat(" ", List.of("x"), List.of("y")), "blank system prompt: none");
        assertEquals("{\"prompt\":\"p\",\"completion\":\"c\"}\n",
                new String(TrainingJsonl.promptCompletion(List.of("p"), List.of("c")), StandardCharsets.UTF_8));
        assertEquals(Kind.CONFIGURATION, assertThrows(RemoteCallException.class, () -> chat.add(null, "t")).kind());
        assertEquals(Kind.CONFIGURATION, assertThrows(RemoteCallException.class, () -> chat.addMessages(
                FakeModels.JSON.readTree("[{\"role\":\"user\",\"content\":\"no answer\"}]"))).kind());
    }
}
