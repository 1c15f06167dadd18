package io.pgmlsidecar.planner.tune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.remote.Endpoint;
import io.pgmlsidecar.ml.remote.RemoteModels;
import io.pgmlsidecar.planner.remote.RemoteEmbeddings;
import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.planner.tabular.RelationReader;
import io.pgmlsidecar.planner.tabular.TabularCatalog;
import io.pgmlsidecar.planner.tabular.TabularSnapshots;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * pgml.tune(project_name, task, relation_name, y_column_name, model_name, hyperparams, test_size,
 * test_sampling, automatic_deploy, materialize_snapshot) for text classification and text-pair
 * classification, trained by the sidecar's runtime. Rows are read through the client's session;
 * nothing is written to the registry until training has succeeded, and then everything (snapshot,
 * project, model, files, logs, deployment) is written in the statement's own transaction.
 */
public final class TuneActions {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The encoder tuned when model_name is not given: one that ships with the sidecar. */
    static final String DEFAULT_BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2";
    private static final Set<String> TEXT_TYPES = Set.of("text", "character varying", "character", "name", "citext");

    private final ClassifierTuning tuning;
    private final RemoteTuning remoteTuning;
    private final Path scratch;

    /**
     * @param tuning  the runtime's tuner; null when the sidecar has no model runtime
     * @param remote  remote endpoints, for generative tasks tuned by a fine-tuning API
     * @param scratch where tuned models are written before they go to pgml.files
     */
    public TuneActions(ClassifierTuning tuning, RemoteEmbeddings endpoints, RemoteModels remote, Path scratch) {
        this.tuning = tuning;
        this.remoteTuning = new RemoteTuning(endpoints, remote);
        this.scratch = scratch;
    }

    public List<String[]> tune(SessionContext session, List<String> a) {
        String projectName = a.get(0);
        if (projectName == null) {
            throw new PgException("22004", "project_name must not be NULL", null);
        }
        TabularCatalog catalog = new TabularCatalog(session.backend());
        TabularCatalog.Project project = catalog.project(projectName);
        String task = TuneTasks.pgTask(project == null ? a.get(1) : project.task(), projectName);
        if (project != null && a.get(1) != null && !TuneTasks.pgTask(a.get(1), projectName).equals(task)) {
            throw new PgException("22023", "project \"" + projectName + "\" has task " + project.task() + ", not " + a.get(1),
                    "Tune under a new project name for another task.");
        }
        boolean local = TuneTasks.isClassification(task);
        if (local && tuning == null) {
            throw new PgException("58000", "no model runtime is configured in this sidecar", "Start the sidecar with its ml-runtime.");
        }
        if (a.get(2) == null) {
            throw new PgException("22023", "relation_name is required for pgml.tune", "Name the table or view with the labelled texts.");
        }
        TuneArguments args = TuneArguments.parse(task, a.get(5), a.get(3));
        String baseModel = a.get(4) != null ? a.get(4) : local ? DEFAULT_BASE_MODEL : null;
        Endpoint provider = local ? null : remoteTuning.provider(session, task, baseModel);
        double testSize = Double.parseDouble(a.get(6));
        String sampling = a.get(7);
        boolean autoDeploy = isTrue(a.get(8));
        boolean materialize = isTrue(a.get(9));

        String relation = RelationReader.resolve(session.backend(), a.get(2));
        checkColumns(session, relation, args.columns());
        List<ClassifierTuning.Example> examples = readExamples(session, relation, args.columns());
        if (examples.isEmpty()) {
            throw new PgException("22023", "relation \"" + a.get(2) + "\" has no rows with text and a class to tune on", null);
        }
        if (!local) {
            return tuneRemotely(session, a, project, task, args, provider, examples, testSize, sampling, autoDeploy, materialize);
        }
        Set<String> classes = new LinkedHashSet<>();
        examples.forEach(e -> classes.add(e.label()));
        if (classes.size() < 2) {
            throw new PgException("22023", "column \"" + args.columns().get("class") + "\" has only one class " + classes
                    + ": a classifier needs at least two", "Tune on rows of several classes.");
        }
        long seed = args.trainingArgs().path("seed").asLong(42);
        TextSplit.Split split = TextSplit.of(examples.stream().map(ClassifierTuning.Example::label).toList(), testSize, sampling, seed);
        List<ClassifierTuning.Example> train = split.train().stream().map(examples::get).toList();
        List<ClassifierTuning.Example> test = split.test().stream().map(examples::get).toList();

        notice(session, "Tuning model " + baseModel + " for " + task + " on " + train.size() + " rows (" + test.size() + " held out)");
        List<Map<String, Object>> logs = new ArrayList<>();
        Path out = newScratchDir();
        try {
            ClassifierTuning.Tuned tuned;
            try {
                tuned = tuning.tune(baseModel, train, test, args.trainingArgs(), out, entry -> {
                    logs.add(entry);
                    notice(session, json(entry));
                }, session::cancelRequested);
            } catch (MlException e) {
                if (session.cancelRequested()) {
                    throw new PgException("57014", "canceling statement due to user request", null);
                }
                throw TuneErrors.of(e);
            }
            if (!tuned.ignoredArgs().isEmpty()) {
                notice(session, "training_args without effect on this engine (the encoder is frozen): " + tuned.ignoredArgs());
            }
            notice(session, "Metrics: " + json(tuned.metrics()));
            Registered r = register(session, a, project, task, args, baseModel, "rust", tuned.metrics(), logs,
                    examples.size(), train.size(), test.size(), testSize, sampling, materialize);
            TunedModelFiles.store(session.backend(), r.modelId(), out);
            boolean deploy = autoDeploy && TuneTasks.better(r.deployedMetrics(), tuned.metrics());
            if (deploy) {
                new TabularCatalog(session.backend()).deploy(r.projectId(), r.modelId(), "new_score");
            }
            return List.<String[]>of(new String[] {a.get(0), task, "transformers", deploy ? "t" : "f"});
        } finally {
            deleteQuietly(out);
        }
    }

    private List<String[]> tuneRemotely(SessionContext session, List<String> a, TabularCatalog.Project project, String task,
                                        TuneArguments args, Endpoint provider, List<ClassifierTuning.Example> examples,
                                        double testSize, String sampling, boolean autoDeploy, boolean materialize) {
        long seed = args.trainingArgs().path("seed").asLong(42);
        TextSplit.Split split = TextSplit.of(examples.stream().map(e -> "").toList(), testSize,
                "last".equals(sampling) ? "last" : "random", seed);
        List<ClassifierTuning.Example> train = split.train().stream().map(examples::get).toList();
        List<ClassifierTuning.Example> test = split.test().stream().map(examples::get).toList();
        notice(session, "Fine-tuning " + provider.model() + " at " + provider.name() + " for " + task + " on " + train.size()
                + " rows (" + test.size() + " for validation)");
        List<Map<String, Object>> logs = new ArrayList<>();
        RemoteTuning.Result result = remoteTuning.tune(session, provider, a.get(0), train, test, args.trainingArgs(), args.remoteArgs(),
                entry -> {
                    logs.add(entry);
                    notice(session, json(entry));
                });
        notice(session, "fine-tuned model: " + result.fineTunedModel());
        Registered r = register(session, a, project, task, args, a.get(4), "openai", result.metrics(), logs,
                examples.size(), train.size(), test.size(), testSize, sampling, materialize);
        RemoteTunedModel.store(session.backend(), r.modelId(), new RemoteTunedModel(result.endpointName(), provider.model(),
                result.fineTunedModel(), result.jobId()));
        if (autoDeploy) {
            new TabularCatalog(session.backend()).deploy(r.projectId(), r.modelId(), "most_recent");
        }
        return List.<String[]>of(new String[] {a.get(0), task, "transformers", autoDeploy ? "t" : "f"});
    }

    private record Registered(long projectId, long modelId, String deployedMetrics) {}

    /** The snapshot, project (if new), model and log rows, all in the statement's transaction. */
    private static Registered register(SessionContext session, List<String> a, TabularCatalog.Project project, String task,
                                       TuneArguments args, String baseModel, String runtime, Map<String, Object> metrics,
                                       List<Map<String, Object>> logs, int samples, int trainSamples, int testSamples,
                                       double testSize, String sampling, boolean materialize) {
        TabularCatalog catalog = new TabularCatalog(session.backend());
        String yColumn = args.columns().containsKey("class") ? args.columns().get("class")
                : args.columns().containsKey("target") ? args.columns().get("target") : args.columns().get("assistant");
        TabularSnapshots.Snapshot snapshot = new TabularSnapshots(session).create(a.get(2), List.of(yColumn), testSize, sampling, materialize);
        BackendSteps.query(session.backend(), "UPDATE pgml.snapshots SET status = 'successful', analysis = $2::jsonb "
                + "WHERE id = $1::bigint RETURNING id", snapshot.id(), json(Map.of("samples", samples,
                "train_samples", trainSamples, "test_samples", testSamples)));
        TabularCatalog.Project p = project != null ? project : catalog.createProject(a.get(0), task);
        String deployedMetrics = catalog.deployedMetrics(p.id());
        Map<String, Object> hyperparams = new LinkedHashMap<>();
        args.hyperparams().fields().forEachRemaining(e -> hyperparams.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class)));
        hyperparams.put("model_name", baseModel);
        hyperparams.put("project_name", a.get(0));
        long modelId = catalog.createModel(p.id(), snapshot.id(), args.columns().size() - 1, "transformers", runtime,
                json(hyperparams), json(metrics));
        for (Map<String, Object> entry : logs) {
            BackendSteps.query(session.backend(), "INSERT INTO pgml.logs (model_id, project_id, logs) VALUES ($1::bigint, "
                    + "$2::bigint, $3::jsonb) RETURNING id", modelId, p.id(), json(entry));
        }
        return new Registered(p.id(), modelId, deployedMetrics);
    }

    private static void checkColumns(SessionContext session, String relation, Map<String, String> columns) {
        Map<String, String> types = new LinkedHashMap<>();
        for (String[] r : BackendSteps.query(session.backend(), "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum", relation)) {
            types.put(r[0], r[1]);
        }
        for (Map.Entry<String, String> c : columns.entrySet()) {
            String type = types.get(c.getValue());
            if (type == null) {
                throw new PgException(PgError.error("42703", "column \"" + c.getValue() + "\" does not exist in " + relation,
                        "Name the " + c.getKey() + " column with dataset_args: {\"dataset_args\": {\"" + c.getKey() + "_column\": \"…\"}}; "
                                + "the relation has " + types.keySet() + "."));
            }
            String base = type.replaceAll("\\(.*\\)", "");
            if (!c.getKey().equals("class") && !TEXT_TYPES.contains(base)) {
                throw new PgException(PgError.error("42804", "column \"" + c.getValue() + "\" is of type " + type + ", not text",
                        "The text columns of pgml.tune must be text; cast in a view, e.g. CREATE VIEW v AS SELECT body::text AS text, …"));
            }
        }
    }

    private static List<ClassifierTuning.Example> readExamples(SessionContext session, String relation, Map<String, String> columns) {
        List<String> roles = new ArrayList<>(columns.keySet());
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < roles.size(); i++) {
            sql.append(i > 0 ? ", " : "").append(quote(columns.get(roles.get(i)))).append("::text");
        }
        sql.append(" FROM ").append(relation);
        List<ClassifierTuning.Example> out = new ArrayList<>();
        for (String[] r : BackendSteps.query(session.backend(), sql.toString())) {
            boolean complete = true;
            for (String v : r) {
                complete &= v != null;
            }
            if (!complete) {
                continue; // rows without a text or a class teach nothing
            }
            List<String> texts = new ArrayList<>(List.of(r).subList(0, r.length - 1));
            out.add(new ClassifierTuning.Example(texts, r[r.length - 1]));
        }
        return out;
    }

    private Path newScratchDir() {
        try {
            Files.createDirectories(scratch);
            return Files.createTempDirectory(scratch, "tune-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            TunedModelFiles.deleteTree(dir);
        } catch (IOException e) {
            // a scratch directory left behind is harmless
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static boolean isTrue(String bool) {
        return "t".equals(bool) || "true".equalsIgnoreCase(bool);
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static void notice(SessionContext session, String message) {
        session.client().notice(new PgError("NOTICE", "00000", message, null, null, 0));
        session.client().flush();
    }
}
