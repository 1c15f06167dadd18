package io.pgmlsidecar.ml.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgmlsidecar.ml.remote.RemoteCallException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The OpenAI fine-tuning API (OpenAI, Azure OpenAI, and servers that copy it), for {@code pgml.tune} of
 * generative tasks: upload the training JSONL ({@link TrainingJsonl}), create a job, follow it to its end.
 * <p>
 * Paths: {@code <base>/files} and {@code <base>/fine_tuning/jobs[/{id}[/events|/cancel]]}, where the base is the
 * endpoint's API base (OPENAI: {@code https://api.openai.com/v1}; a URL without a path gets {@code /v1}); on
 * AZURE_OPENAI {@code <resource>/openai/files} and {@code <resource>/openai/fine_tuning/jobs} with the endpoint's
 * {@code api-version} (they belong to the resource, not to a deployment). Every request goes through the
 * endpoint's scheduler, so its concurrency and rate limits apply. Reads (job, events) are retried on transient
 * failures; creating a job is not (a lost answer may still have created it).
 */
public final class OpenAiFineTuning {
    /** Job statuses of the API; {@link #SUCCEEDED}, {@link #FAILED} and {@link #CANCELLED} are final. */
    public static final String VALIDATING_FILES = "validating_files", QUEUED = "queued", RUNNING = "running",
            SUCCEEDED = "succeeded", FAILED = "failed", CANCELLED = "cancelled";

    /** Reads of a job or its events: 60 s each, 3 attempts. */
    static final CallOptions READS = new CallOptions(Duration.ofSeconds(60), 3, Duration.ofSeconds(2), null);
    /** Creating a job: one attempt (not repeated blindly: a timed-out attempt may have created a job). */
    static final CallOptions CREATE = new CallOptions(Duration.ofSeconds(60), 1, Duration.ofSeconds(1), null);
    /** Cancelling a job when the caller gives up: quick, so that a cancelled statement ends soon. */
    static final CallOptions CANCEL = new CallOptions(Duration.ofSeconds(10), 2, Duration.ofMillis(500), Duration.ofSeconds(20));

    static final int EVENT_PAGE_SIZE = 100;
    /**
     * Most event pages read per poll: should more than this many pages of events appear between two polls,
     * the oldest of them are never handed over (the next poll stops at the newest seen event).
     */
    static final int MAX_EVENT_PAGES = 20;
    /** Polls in a row that may fail transiently (after their own retries) before {@link #await} gives up. */
    static final int MAX_FAILED_POLLS = 5;
    /** How often a sleeping {@link #await} looks at its cancellation flag. */
    static final Duration CANCEL_CHECK = Duration.ofMillis(50);

    private static final Set<String> INTEGER_HYPERPARAMETERS = Set.of("n_epochs", "batch_size");
    private static final Set<String> NUMBER_HYPERPARAMETERS = Set.of("learning_rate_multiplier");

    private final Function<Endpoint, EndpointScheduler> schedulers;
    private final JsonHttp http;

    OpenAiFineTuning(Function<Endpoint, EndpointScheduler> schedulers, JsonHttp http) {
        this.schedulers = schedulers;
        this.http = http;
    }

    /**
     * A fine-tuning job as the provider reports it.
     *
     * @param status         one of {@link #VALIDATING_FILES}, {@link #QUEUED}, {@link #RUNNING}, {@link #SUCCEEDED},
     *                       {@link #FAILED}, {@link #CANCELLED} (a provider may add others)
     * @param fineTunedModel the new model's name once succeeded (e.g. {@code ft:gpt-4o-mini:org::abc123}), else null
     * @param trainedTokens  billable tokens trained, once known, else null
     * @param errorCode      with {@code errorMessage}: why the job failed (null otherwise)
     * @param json           the provider's whole answer
     */
    public record Job(String id, String status, String model, String fineTunedModel, String trainingFile,
                      String validationFile, Long trainedTokens, String errorCode, String errorMessage, JsonNode json) {
        public boolean terminal() {
            return SUCCEEDED.equals(status) || FAILED.equals(status) || CANCELLED.equals(status);
        }

        public boolean succeeded() {
            return SUCCEEDED.equals(status);
        }
    }

    /**
     * One event of a job's log.
     *
     * @param createdAt seconds since the epoch
     * @param level     {@code info}, {@code warn} or {@code error}
     * @param type      {@code message} or {@code metrics}
     * @param data      the event's data ({@code step}, {@code train_loss}, {@code valid_loss}, …), an empty object if none
     */
    public record Event(String id, long createdAt, String level, String message, String type, JsonNode data) {
        /** A number in {@link #data()}, e.g. {@code metric("train_loss")}. */
        public OptionalDouble metric(String name) {
            JsonNode v = data.get(name);
            return v != null && v.isNumber() ? OptionalDouble.of(v.doubleValue()) : OptionalDouble.empty();
        }

        /** What identifies the event across polls (its id; a made-up key for a provider that sends none). */
        String key() {
            return id != null ? id : createdAt + "|" + type + "|" + message + "|" + data;
        }
    }

    /**
     * An uploaded file.
     *
     * @param status {@code processed} once usable; Azure OpenAI: {@code pending}, {@code running} before, {@code error}
     *               if its content was refused (then {@code statusDetails} says why); OpenAI no longer maintains it
     */
    public record UploadedFile(String id, String fileName, long bytes, String status, String statusDetails) {
        /** Whether a job may use it now (not while Azure still imports it). */
        public boolean ready() {
            return status == null || !(status.equals("pending") || status.equals("running") || status.equals("error")
                    || status.equals("deleting") || status.equals("deleted"));
        }
    }

    /** One page of a job's events, as the provider lists them (OpenAI: newest first). */
    record EventPage(List<Event> events, boolean hasMore) {}

    // ---- files ----

    /**
     * Uploads training data ({@code POST <base>/files}, {@code multipart/form-data} with {@code purpose=fine-tune}
     * and the {@code file} as {@code application/jsonl}); returns the file's id. Azure OpenAI imports the file
     * afterwards and refuses jobs on it until then: {@link #awaitFile} waits for that (at OpenAI it returns at once).
     */
    public String upload(Endpoint endpoint, String fileName, byte[] jsonl, CallOptions call) {
        if (fileName == null || fileName.isBlank()) {
            throw RemoteCallException.configuration("the training file needs a name", "e.g. train.jsonl");
        }
        if (jsonl == null || jsonl.length == 0) {
            throw RemoteCallException.configuration("the training data is empty", "tune on a relation with at least one row");
        }
        var uri = endpoint.uri(Endpoint.Operation.FILES);
        List<JsonHttp.Part> parts = List.of(
                JsonHttp.Part.field("purpose", "fine-tune"),
                JsonHttp.Part.file("file", fileName.strip(), "application/jsonl", jsonl));
        JsonReply reply = schedulers.apply(endpoint).call(
                timeout -> http.postMultipart(endpoint, uri, parts, timeout), call == null ? CallOptions.DEFAULTS : call);
        String id = text(reply.json(), "id");
        if (id == null) throw reply.malformed("an uploaded file without an id");
        return id;
    }

    /** The file's state ({@code GET <base>/files/{id}}). */
    public UploadedFile file(Endpoint endpoint, String fileId) {
        return file(endpoint, fileId, READS);
    }

    UploadedFile file(Endpoint endpoint, String fileId, CallOptions call) {
        var uri = endpoint.uri(Endpoint.Operation.FILES, "/" + Endpoint.encode(requireId(fileId, "file")), null);
        return schedulers.apply(endpoint).call(timeout -> readFile(http.get(endpoint, uri, timeout)), call);
    }

    /**
     * Waits until the uploaded file may be used by a job ({@link UploadedFile#ready()}), polling every
     * {@code pollInterval}. A file the provider refused ({@code error}, {@code deleted}) is a CLIENT_ERROR with the
     * provider's reason; {@code deadline} (null: none) passing is a TIMEOUT; {@code cancelled} (null: never) or an
     * interrupt a CANCELLED error. Nothing is cancelled at the provider: the file stays (delete it there if unwanted).
     */
    public UploadedFile awaitFile(Endpoint endpoint, String fileId, Duration pollInterval, Duration deadline,
                                  BooleanSupplier cancelled) {
        requireId(fileId, "file");
        if (pollInterval == null || !pollInterval.isPositive()) {
            throw RemoteCallException.configuration("the poll interval must be positive", "e.g. 1 second");
        }
        BooleanSupplier stop = cancelled == null ? () -> false : cancelled;
        long start = System.nanoTime();
        while (true) {
            if (stop.getAsBoolean() || Thread.currentThread().isInterrupted()) throw RemoteErrors.cancelled(endpoint);
            Duration left = remaining(start, deadline);
            if (left != null && left.isZero()) throw RemoteErrors.fileNotReady(endpoint, fileId, deadline);
            UploadedFile f;
            try {
                f = file(endpoint, fileId, left == null ? READS : READS.withDeadline(left));
            } catch (RemoteCallException e) {
                left = remaining(start, deadline);
                // The read's own timeout is cut to what is left of the deadline, so a connect or read that gives up
                // once the deadline has passed is the deadline speaking, whichever way the HTTP client names it.
                boolean deadlineCut = e.kind() == Kind.TIMEOUT || e.kind() == Kind.CONNECT;
                if (left != null && left.isZero() && deadlineCut) throw RemoteErrors.fileNotReady(endpoint, fileId, deadline);
                throw e;
            }
            if (f.ready()) return f;
            if (!"pending".equals(f.status()) && !"running".equals(f.status())) {
                throw RemoteErrors.fileRefused(endpoint, fileId, f.status(), f.statusDetails());
            }
            Duration nap = left == null || pollInterval.compareTo(left) < 0 ? pollInterval : left;
            try {
                sleep(nap, stop);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw RemoteErrors.cancelled(endpoint);
            }
        }
    }

    // ---- jobs ----

    /** {@link #createJob(Endpoint, String, String, String, Map, String, Long, CallOptions)} with one attempt of 60 s. */
    public Job createJob(Endpoint endpoint, String baseModel, String trainingFileId, String validationFileId,
                         Map<String, ?> hyperparameters, String suffix, Long seed) {
        return createJob(endpoint, baseModel, trainingFileId, validationFileId, hyperparameters, suffix, seed, CREATE);
    }

    /**
     * Starts a job ({@code POST <base>/fine_tuning/jobs}).
     *
     * @param baseModel        the model to tune; null: the endpoint's model
     * @param validationFileId null for none
     * @param hyperparameters  {@code n_epochs}, {@code batch_size} (positive integers), {@code learning_rate_multiplier}
     *                         (a positive number), each also {@code "auto"}; other keys are passed on as given; null
     *                         or empty: the provider's defaults
     * @param suffix           up to 64 characters added to the tuned model's name; null for none
     * @param seed             null: the provider picks one
     */
    public Job createJob(Endpoint endpoint, String baseModel, String trainingFileId, String validationFileId,
                         Map<String, ?> hyperparameters, String suffix, Long seed, CallOptions call) {
        String model = baseModel != null && !baseModel.isBlank() ? baseModel.strip() : endpoint.model();
        if (model == null) {
            throw RemoteCallException.configuration("no base model to fine-tune",
                    "name the base model (e.g. gpt-4o-mini-2024-07-18) or set the endpoint's model");
        }
        requireId(trainingFileId, "training file");
        ObjectNode body = JsonHttp.JSON.createObjectNode();
        body.put("model", model);
        body.put("training_file", trainingFileId);
        if (validationFileId != null && !validationFileId.isBlank()) body.put("validation_file", validationFileId);
        ObjectNode hp = hyperparameters(hyperparameters);
        if (!hp.isEmpty()) body.set("hyperparameters", hp);
        if (suffix != null && !suffix.isBlank()) body.put("suffix", suffix.strip());
        if (seed != null) body.put("seed", seed);
        var uri = endpoint.uri(Endpoint.Operation.FINE_TUNING_JOBS);
        return schedulers.apply(endpoint).call(
                timeout -> readJob(http.post(endpoint, uri, Map.of(), body, timeout)), call == null ? CREATE : call);
    }

    /** The job's state now ({@code GET <base>/fine_tuning/jobs/{id}}). */
    public Job job(Endpoint endpoint, String jobId) {
        return job(endpoint, jobId, READS);
    }

    Job job(Endpoint endpoint, String jobId, CallOptions call) {
        var uri = endpoint.uri(Endpoint.Operation.FINE_TUNING_JOBS, "/" + Endpoint.encode(requireId(jobId, "job")), null);
        return schedulers.apply(endpoint).call(timeout -> readJob(http.get(endpoint, uri, timeout)), call);
    }

    /**
     * One page of up to 100 of the job's events ({@code GET .../events?after=<id>&limit=100}), in the provider's
     * order: OpenAI lists the newest first, and {@code after} (null: from the newest) continues with older ones.
     * {@link #await} reads as many pages as it takes and hands events over oldest first.
     */
    public List<Event> events(Endpoint endpoint, String jobId, String after) {
        return eventPage(endpoint, jobId, after, READS).events();
    }

    EventPage eventPage(Endpoint endpoint, String jobId, String after, CallOptions call) {
        String query = (after == null ? "" : "after=" + Endpoint.encode(after) + "&") + "limit=" + EVENT_PAGE_SIZE;
        var uri = endpoint.uri(Endpoint.Operation.FINE_TUNING_JOBS, "/" + Endpoint.encode(requireId(jobId, "job")) + "/events", query);
        return schedulers.apply(endpoint).call(timeout -> readEvents(http.get(endpoint, uri, timeout)), call);
    }

    /** Asks the provider to stop the job ({@code POST .../cancel}); returns its state after the request. */
    public Job cancel(Endpoint endpoint, String jobId) {
        return cancel(endpoint, jobId, CANCEL);
    }

    Job cancel(Endpoint endpoint, String jobId, CallOptions call) {
        var uri = endpoint.uri(Endpoint.Operation.FINE_TUNING_JOBS, "/" + Endpoint.encode(requireId(jobId, "job")) + "/cancel", null);
        return schedulers.apply(endpoint).call(
                timeout -> readJob(http.post(endpoint, uri, Map.of(), new byte[0], timeout)), call);
    }

    // ---- following a job ----

    /**
     * Polls the job every {@code pollInterval} until it ends, and returns it once {@link #SUCCEEDED} (its
     * {@link Job#fineTunedModel()} set). After each poll the job's new events go to {@code onEvent} (null: not
     * read), oldest first, each once.
     * <ul>
     *   <li>{@link #FAILED}: a CLIENT_ERROR {@link RemoteCallException} with the provider's error message;
     *       {@link #CANCELLED} (by someone else): a CLIENT_ERROR saying so.</li>
     *   <li>{@code cancelled} (null: never) turning true, or the thread being interrupted: the job is cancelled at
     *       the provider and a CANCELLED exception says so (or that the cancel request failed).</li>
     *   <li>{@code deadline} (null: none) passing first: the job is cancelled as well (nobody would collect its
     *       model, and it bills on), and a TIMEOUT exception names the last status.</li>
     *   <li>A poll failing transiently (after its own retries) is tolerated up to {@value #MAX_FAILED_POLLS} times
     *       in a row; other failures end the wait and leave the job alone.</li>
     * </ul>
     * An exception thrown by {@code onEvent} ends the wait as well (the job is left alone).
     */
    public Job await(Endpoint endpoint, String jobId, Duration pollInterval, Duration deadline,
                     Consumer<Event> onEvent, BooleanSupplier cancelled) {
        requireId(jobId, "job");
        if (pollInterval == null || !pollInterval.isPositive()) {
            throw RemoteCallException.configuration("the poll interval must be positive", "e.g. 10 seconds");
        }
        if (deadline != null && !deadline.isPositive()) {
            throw RemoteCallException.configuration("the fine-tuning deadline must be positive", "leave it unset for none");
        }
        BooleanSupplier stop = cancelled == null ? () -> false : cancelled;
        long start = System.nanoTime();
        Set<String> seen = new HashSet<>();
        boolean withEvents = onEvent != null;
        int failedPolls = 0;
        String lastStatus = "unknown";
        while (true) {
            if (stop.getAsBoolean() || Thread.currentThread().isInterrupted()) throw abandon(endpoint, jobId);
            Duration left = remaining(start, deadline);
            if (left != null && left.isZero()) throw timeUp(endpoint, jobId, lastStatus, deadline);
            CallOptions reads = left == null ? READS : READS.withDeadline(left);
            Job job;
            try {
                job = job(endpoint, jobId, reads);
                lastStatus = job.status();
                if (withEvents) {
                    try {
                        for (Event e : newEvents(endpoint, jobId, seen, reads)) {
                            seen.add(e.key());
                            onEvent.accept(e);
                        }
                    } catch (RemoteCallException e) {
                        // a server that copies the API without the events
                        if (e.kind() == Kind.CLIENT_ERROR && e.httpStatus().orElse(0) == 404) withEvents = false;
                        else throw e;
                    }
                }
                failedPolls = 0;
            } catch (RemoteCallException e) {
                if (e.kind() == Kind.CANCELLED && Thread.currentThread().isInterrupted()) throw abandon(endpoint, jobId);
                left = remaining(start, deadline);
                if (left != null && left.isZero()) throw timeUp(endpoint, jobId, lastStatus, deadline);
                if (!e.retryable() || ++failedPolls >= MAX_FAILED_POLLS) throw e;
                job = null;
            }
            if (job != null && job.terminal()) {
                switch (job.status()) {
                    case SUCCEEDED -> {
                        if (job.fineTunedModel() == null) {
                            throw RemoteErrors.malformed(endpoint, 200, "a succeeded job without fine_tuned_model",
                                    job.json().toString());
                        }
                        return job;
                    }
                    case FAILED -> throw RemoteErrors.jobFailed(endpoint, jobId, job.errorCode(), job.errorMessage());
                    default -> throw RemoteErrors.jobCancelledElsewhere(endpoint, jobId, job.errorMessage());
                }
            }
            Duration nap = left == null || pollInterval.compareTo(left) < 0 ? pollInterval : left;
            try {
                sleep(nap, stop);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw abandon(endpoint, jobId);
            }
        }
    }

    /**
     * The events not in {@code seen}, oldest first. Reads pages (newest first at OpenAI) until one reaches a seen
     * event or the list ends; a provider that lists oldest first is read to the end.
     */
    List<Event> newEvents(Endpoint endpoint, String jobId, Set<String> seen, CallOptions call) {
        Map<String, Event> fresh = new LinkedHashMap<>();
        boolean newestFirst = true;
        String after = null;
        for (int page = 0; page < MAX_EVENT_PAGES; page++) {
            EventPage p = eventPage(endpoint, jobId, after, call);
            List<Event> events = p.events();
            if (events.isEmpty()) break;
            boolean reachedSeen = false;
            for (Event e : events) {
                if (seen.contains(e.key())) reachedSeen = true;
                else fresh.putIfAbsent(e.key(), e);
            }
            if (events.get(0).createdAt() < events.get(events.size() - 1).createdAt()) newestFirst = false;
            if (!p.hasMore() || (reachedSeen && newestFirst)) break;
            String next = events.get(events.size() - 1).id();
            if (next == null || next.equals(after)) break;
            after = next;
        }
        List<Event> out = new ArrayList<>(fresh.values());
        if (newestFirst) Collections.reverse(out);
        out.sort(Comparator.comparingLong(Event::createdAt)); // stable: events of one second keep their order
        return out;
    }

    private RemoteCallException abandon(Endpoint endpoint, String jobId) {
        boolean interrupted = Thread.interrupted(); // cleared so that the cancel request can go out
        RemoteCallException failure = null;
        try {
            cancel(endpoint, jobId, CANCEL);
        } catch (RemoteCallException e) {
            failure = e;
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
        return RemoteErrors.jobCancelledByCaller(endpoint, jobId, failure);
    }

    private RemoteCallException timeUp(Endpoint endpoint, String jobId, String lastStatus, Duration deadline) {
        RemoteCallException failure = null;
        try {
            cancel(endpoint, jobId, CANCEL);
        } catch (RemoteCallException e) {
            failure = e;
        }
        return RemoteErrors.jobDeadline(endpoint, jobId, lastStatus, deadline, failure);
    }

    /** Time left before {@code deadline} (null: none; zero once passed). */
    private static Duration remaining(long start, Duration deadline) {
        if (deadline == null) return null;
        long left = deadline.toNanos() - (System.nanoTime() - start);
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    private static void sleep(Duration d, BooleanSupplier stop) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        while (!stop.getAsBoolean()) {
            long left = end - System.nanoTime();
            if (left <= 0) return;
            Thread.sleep(Duration.ofNanos(Math.min(left, CANCEL_CHECK.toNanos())));
        }
    }

    // ---- reading answers ----

    static Job readJob(JsonReply reply) {
        JsonNode j = reply.json();
        String id = text(j, "id");
        String status = text(j, "status");
        if (id == null || status == null) throw reply.malformed("a fine-tuning job without an id or status");
        JsonNode error = j.get("error");
        String code = error == null ? null : text(error, "code");
        String message = error == null ? null : text(error, "message");
        JsonNode tokens = j.get("trained_tokens");
        return new Job(id, status, text(j, "model"), text(j, "fine_tuned_model"), text(j, "training_file"),
                text(j, "validation_file"), tokens != null && tokens.canConvertToLong() ? tokens.longValue() : null,
                code, message, j);
    }

    static UploadedFile readFile(JsonReply reply) {
        JsonNode j = reply.json();
        String id = text(j, "id");
        if (id == null) throw reply.malformed("a file without an id");
        return new UploadedFile(id, text(j, "filename"), j.path("bytes").asLong(0), text(j, "status"), text(j, "status_details"));
    }

    static EventPage readEvents(JsonReply reply) {
        JsonNode data = reply.json().get("data");
        if (data == null || !data.isArray()) throw reply.malformed("an event list without a data array");
        List<Event> events = new ArrayList<>(data.size());
        for (JsonNode e : data) {
            if (!e.isObject()) throw reply.malformed("an event that is not an object");
            JsonNode d = e.get("data");
            events.add(new Event(text(e, "id"), e.path("created_at").asLong(0), text(e, "level"), text(e, "message"),
                    text(e, "type"), d != null && d.isObject() ? d : JsonHttp.JSON.createObjectNode()));
        }
        return new EventPage(List.copyOf(events), reply.json().path("has_more").asBoolean(false));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.isTextual() ? v.textValue() : v.toString();
    }

    private static String requireId(String id, String what) {
        if (id == null || id.isBlank()) {
            throw RemoteCallException.configuration("no " + what + " id given", "pass the id the provider returned");
        }
        return id.strip();
    }

    private static ObjectNode hyperparameters(Map<String, ?> given) {
        ObjectNode hp = JsonHttp.JSON.createObjectNode();
        if (given == null) return hp;
        given.forEach((k, v) -> {
            Objects.requireNonNull(k, "hyperparameter name");
            if (v == null) return;
            boolean integer = INTEGER_HYPERPARAMETERS.contains(k);
            if ((integer || NUMBER_HYPERPARAMETERS.contains(k)) && !"auto".equals(v)) {
                if (!(v instanceof Number n) || !(n.doubleValue() > 0) || (integer && n.doubleValue() != Math.rint(n.doubleValue()))) {
                    throw RemoteCallException.configuration("hyperparameter " + k + " must be " + (integer ? "a positive integer" : "a positive number")
                            + " or 'auto', got " + v, "e.g. {\"n_epochs\": 3, \"batch_size\": 8, \"learning_rate_multiplier\": 0.5}");
                }
                hp.set(k, integer ? JsonHttp.JSON.getNodeFactory().numberNode(n.longValue()) : JsonHttp.JSON.valueToTree(n));
                return;
            }
            hp.set(k, JsonHttp.JSON.valueToTree(v));
        });
        return hp;
    }
}
