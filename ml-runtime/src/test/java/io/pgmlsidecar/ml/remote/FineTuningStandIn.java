package io.pgmlsidecar.ml.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the OpenAI fine-tuning API (under {@code /v1} or Azure's {@code /openai}) with one job,
 * {@code ftjob-1}, whose life follows a script: each GET of the job applies the next {@link Stage} (its status and
 * events); after the last stage the job stays as it is. Events are listed newest first, at most
 * {@value #PAGE} per page (whatever {@code limit} asks), paged with {@code after} like OpenAI's.
 */
final class FineTuningStandIn implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String JOB = "ftjob-1";
    static final int PAGE = 2;
    static final long T0 = 1_700_000_000L;

    /** A step of the job's life: its new status, the events it logs, its model or error when it ends. */
    record Stage(String status, List<ObjectNode> events, String fineTunedModel, String errorMessage) {
        static Stage of(String status, ObjectNode... events) {
            return new Stage(status, List.of(events), null, null);
        }
    }

    record Request(String method, String path, String query, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** One part of a multipart body as received. */
    record Part(String name, String fileName, String contentType, byte[] content) {}

    final List<Request> requests = new CopyOnWriteArrayList<>();
    final List<Part> uploaded = new CopyOnWriteArrayList<>();
    /** Every event logged, in order (the newest last). */
    final List<ObjectNode> log = new CopyOnWriteArrayList<>();
    volatile JsonNode created;
    volatile boolean cancelRequested;
    /** The file's status at upload, then at each GET of it (the last one stays). */
    volatile List<String> fileStatuses = List.of("processed");
    private int fileGets;
    /** How many GETs of the job still answer 503 (asking for a 1 ms wait before the retry). */
    final java.util.concurrent.atomic.AtomicInteger failingJobGets = new java.util.concurrent.atomic.AtomicInteger();
    private final List<Stage> script;
    private final Predicate<Request> authorized;
    private final HttpServer server;
    private int stage;
    private String status = "validating_files";
    private String fineTunedModel;
    private String errorMessage;

    FineTuningStandIn(Predicate<Request> authorized, List<Stage> script) throws IOException {
        this.authorized = authorized;
        this.script = script;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    static ObjectNode message(String text) {
        return JSON.createObjectNode().put("level", "info").put("message", text).put("type", "message");
    }

    static ObjectNode metrics(int step, double trainLoss) {
        ObjectNode e = JSON.createObjectNode().put("level", "info").put("message", "Step " + step + ": training loss=" + trainLoss)
                .put("type", "metrics");
        e.putObject("data").put("step", step).put("train_loss", trainLoss).put("total_steps", 3);
        return e;
    }

    synchronized String status() {
        return status;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<String> loggedIds() {
        return log.stream().map(e -> e.get("id").asText()).toList();
    }

    List<Request> requests(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().endsWith(path)).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, String> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
            Request r = new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestURI().getRawQuery(),
                    headers, ex.getRequestBody().readAllBytes());
            requests.add(r);
            int status;
            String body;
            try {
                if (r.method().equals("GET") && r.path().endsWith("/jobs/" + JOB) && failingJobGets.getAndDecrement() > 0) {
                    status = 503;
                    body = "{\"error\": {\"message\": \"overloaded\"}}";
                    ex.getResponseHeaders().add("retry-after-ms", "1");
                } else if (!authorized.test(r)) {
                    status = 401;
                    body = "{\"error\": {\"message\": \"Incorrect API key provided: " + r.headers().get("authorization")
                            + "\", \"type\": \"invalid_request_error\", \"code\": \"invalid_api_key\"}}";
                } else {
                    synchronized (this) {
                        body = answer(r);
                    }
                    status = body == null ? 404 : 200;
                    if (body == null) body = "{\"error\": {\"message\": \"no such route\"}}";
                }
            } catch (Exception e) {
                status = 500;
                body = "{\"error\": {\"message\": \"stand-in failed: " + e.toString().replace('"', '\'') + "\"}}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(bytes);
            }
        }
    }

    private String answer(Request r) throws Exception {
        String path = r.path().replaceFirst("^/(v1|openai)", "");
        String jobs = "/fine_tuning/jobs";
        if (r.method().equals("POST") && path.equals("/files")) {
            Matcher m = Pattern.compile("multipart/form-data; boundary=(\\S+)").matcher(r.headers().getOrDefault("content-type", ""));
            if (!m.matches()) return "{\"error\": {\"message\": \"not multipart\"}}";
            uploaded.addAll(parse(r.body(), m.group(1)));
            Part file = uploaded.stream().filter(p -> p.name().equals("file")).findFirst().orElseThrow();
            return JSON.createObjectNode().put("id", "file-abc").put("object", "file").put("bytes", file.content().length)
                    .put("filename", file.fileName()).put("purpose", "fine-tune").put("status", fileStatuses.get(0)).toString();
        }
        if (r.method().equals("GET") && path.equals("/files/file-abc")) {
            String st = fileStatuses.get(Math.min(++fileGets, fileStatuses.size() - 1));
            return JSON.createObjectNode().put("id", "file-abc").put("object", "file").put("bytes", 123)
                    .put("filename", "train.jsonl").put("purpose", "fine-tune").put("status", st)
                    .put("status_details", st.equals("error") ? "Line 2: expected a messages array" : null).toString();
        }
        if (r.method().equals("POST") && path.equals(jobs)) {
            created = JSON.readTree(r.body());
            log(message("Validating training file: " + created.path("training_file").asText()));
            return job().toString();
        }
        if (r.method().equals("GET") && path.equals(jobs + "/" + JOB)) {
            if (stage < script.size() && !cancelRequested) {
                Stage s = script.get(stage++);
                status = s.status();
                s.events().forEach(this::log);
                if (s.fineTunedModel() != null) fineTunedModel = s.fineTunedModel();
                if (s.errorMessage() != null) errorMessage = s.errorMessage();
            }
            return job().toString();
        }
        if (r.method().equals("GET") && path.equals(jobs + "/" + JOB + "/events")) {
            return events(r.query()).toString();
        }
        if (r.method().equals("POST") && path.equals(jobs + "/" + JOB + "/cancel")) {
            cancelRequested = true;
            status = "cancelled";
            log(message("Fine-tuning job cancelled"));
            return job().toString();
        }
        return null;
    }

    private void log(ObjectNode event) {
        ObjectNode e = event.deepCopy();
        int n = log.size() + 1;
        e.put("object", "fine_tuning.job.event").put("id", "ftevent-" + n).put("created_at", T0 + (n - 1) / 2); // 1 and 2, 3 and 4, … share a second
        log.add(e);
    }

    private ObjectNode job() {
        ObjectNode j = JSON.createObjectNode().put("object", "fine_tuning.job").put("id", JOB)
                .put("model", created.path("model").asText()).put("status", status)
                .put("training_file", created.path("training_file").asText());
        j.set("validation_file", created.get("validation_file"));
        j.put("fine_tuned_model", fineTunedModel);
        if (errorMessage != null) j.putObject("error").put("code", "invalid_training_file").put("message", errorMessage).putNull("param");
        else j.putNull("error");
        if ("succeeded".equals(status)) j.put("trained_tokens", 5120);
        else j.putNull("trained_tokens");
        return j;
    }

    private ObjectNode events(String query) {
        String after = null;
        int limit = 20;
        for (String kv : query == null ? new String[0] : query.split("&")) {
            String[] p = kv.split("=", 2);
            if (p[0].equals("after")) after = p[1];
            if (p[0].equals("limit")) limit = Integer.parseInt(p[1]);
        }
        List<ObjectNode> newestFirst = new ArrayList<>(log).reversed();
        int from = 0;
        if (after != null) {
            for (int i = 0; i < newestFirst.size(); i++) if (newestFirst.get(i).get("id").asText().equals(after)) from = i + 1;
        }
        int to = Math.min(newestFirst.size(), from + Math.min(limit, PAGE));
        ObjectNode page = JSON.createObjectNode().put("object", "list");
        ArrayNode data = page.putArray("data");
        newestFirst.subList(from, to).forEach(data::add);
        page.put("has_more", to < newestFirst.size());
        return page;
    }

    static List<Part> parse(byte[] body, String boundary) {
        String all = new String(body, StandardCharsets.ISO_8859_1); // one char per byte: the bytes come back exactly
        String delimiter = "--" + boundary;
        if (!all.startsWith(delimiter + "\r\n") || !all.endsWith(delimiter + "--\r\n")) {
            throw new IllegalArgumentException("bad multipart framing");
        }
        List<Part> parts = new ArrayList<>();
        String inner = all.substring(delimiter.length() + 2, all.length() - (delimiter + "--\r\n").length());
        if (!inner.endsWith("\r\n")) throw new IllegalArgumentException("a part does not end in CRLF");
        inner = inner.substring(0, inner.length() - 2);
        for (String chunk : inner.split(Pattern.quote("\r\n" + delimiter + "\r\n"), -1)) {
            int headEnd = chunk.indexOf("\r\n\r\n");
            String head = chunk.substring(0, headEnd);
            Matcher name = Pattern.compile("; name=\"([^\"]*)\"").matcher(head);
            Matcher file = Pattern.compile("; filename=\"([^\"]*)\"").matcher(head);
            Matcher type = Pattern.compile("(?i)content-type: (\\S+)").matcher(head);
            parts.add(new Part(name.find() ? name.group(1) : null, file.find() ? file.group(1) : null,
                    type.find() ? type.group(1) : null, chunk.substring(headEnd + 4).getBytes(StandardCharsets.ISO_8859_1)));
        }
        return parts;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
