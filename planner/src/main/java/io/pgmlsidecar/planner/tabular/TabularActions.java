package io.pgmlsidecar.planner.tabular;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.tabular.TabularTrainer;
import io.pgmlsidecar.ml.tabular.Task;
import io.pgmlsidecar.ml.tabular.TrainRequest;
import io.pgmlsidecar.ml.tabular.TrainResult;
import io.pgmlsidecar.ml.tabular.datasets.LoadedTable;
import io.pgmlsidecar.ml.tabular.datasets.PgmlDatasets;
import io.pgmlsidecar.ml.tabular.preprocess.PreprocessSpec;
import io.pgmlsidecar.ml.tabular.split.Split;
import io.pgmlsidecar.ml.tabular.split.TestSampling;
import io.pgmlsidecar.planner.tabular.engine.TrainingEngine;
import io.pgmlsidecar.planner.tabular.engine.TrainingEngines;
import io.pgmlsidecar.planner.functions.EmbedCalls;
import io.pgmlsidecar.planner.hostfiles.ServerFiles;
import io.pgmlsidecar.planner.values.TextArrays;
import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** pgml.load_dataset, pgml.train and pgml.deploy, run on the client's session. */
public final class TabularActions {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int INSERT_CHUNK = 200;

    private final ModelStore models;
    private final ServerFiles serverFiles;
    private final TrainingEngines engines;

    public TabularActions(ModelStore models, ServerFiles serverFiles) {
        this(models, serverFiles, TrainingEngines.NONE);
    }

    /** {@code engines}: where hyperparams {@code "engine"} may send a fit (decision 33d). */
    public TabularActions(ModelStore models, ServerFiles serverFiles, TrainingEngines engines) {
        this.models = models;
        this.serverFiles = serverFiles;
        this.engines = engines;
    }

    /** load_dataset(source, subset, limit, kwargs) → (table_name, rows). */
    public List<String[]> loadDataset(SessionContext session, List<String> a) {
        String source = a.get(0);
        Long limit = a.get(2) == null ? null : Long.parseLong(a.get(2));
        Map<String, Object> kwargs = EmbedCalls.kwargs(a.get(3));
        Path file = kwargs.get("path") == null ? null
                : serverFiles.fileToRead(session, kwargs.get("path").toString(), "pgml.load_dataset");
        LoadedTable table = guard(() -> {
            if (file != null) {
                return PgmlDatasets.loadFile(file, source,
                        kwargs.get("format") == null ? null : kwargs.get("format").toString(), limit);
            }
            if (!PgmlDatasets.isToy(source)) {
                throw new PgException(PgError.error("58000", "dataset \"" + source + "\" is not built in, and the Hugging Face hub "
                        + "cannot be reached from this sidecar", "Built-in: " + String.join(", ", PgmlDatasets.TOY_NAMES)
                        + "; or load a CSV / JSON-lines file from the sidecar's server files directory with kwargs => '{\"path\": \"file.csv\"}'."));
            }
            return PgmlDatasets.load(source, limit);
        });
        var backend = session.backend();
        boolean exists = BackendSteps.query(backend, "SELECT to_regclass($1)::text", table.tableName()).get(0)[0] != null;
        boolean dependents = exists && !BackendSteps.query(backend, "SELECT 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid "
                + "WHERE d.refobjid = to_regclass($1) AND r.ev_class <> d.refobjid LIMIT 1", table.tableName()).isEmpty();
        if (dependents) {
            // views over the data set (PostgresML's examples create them) survive a reload: refill in place
            BackendSteps.run(backend, "TRUNCATE " + table.tableName());
        } else {
            BackendSteps.run(backend, table.dropTableSql());
            BackendSteps.run(backend, table.createTableSql());
        }
        for (int from = 0; from < table.rows().size(); from += INSERT_CHUNK) {
            StringBuilder insert = new StringBuilder("INSERT INTO ").append(table.tableName()).append(" VALUES ");
            List<Object[]> chunk = table.rows().subList(from, Math.min(table.rows().size(), from + INSERT_CHUNK));
            for (int r = 0; r < chunk.size(); r++) {
                insert.append(r > 0 ? ", (" : "(");
                Object[] row = chunk.get(r);
                for (int c = 0; c < row.length; c++) {
                    insert.append(c > 0 ? ", " : "").append(SqlValues.literal(row[c], table.columns().get(c).pgType()));
                }
                insert.append(')');
            }
            BackendSteps.run(backend, insert.toString());
        }
        String name = table.tableName();
        return List.<String[]>of(new String[] {name, Integer.toString(table.rowCount())});
    }

    /** train(project_name, task, relation_name, y_column_name, algorithm, …) → (project, task, algorithm, deployed). */
    public List<String[]> train(SessionContext session, List<String> a) {
        return train(session, a, a.get(3) == null ? null : List.of(a.get(3)));
    }

    /** train_joint: as train, with y_column_name text[] (several regression targets). */
    public List<String[]> trainJoint(SessionContext session, List<String> a) {
        return train(session, a, a.get(3) == null ? null : TextArrays.parse(a.get(3)));
    }

    private List<String[]> train(SessionContext session, List<String> a, List<String> labelArgument) {
        String projectName = a.get(0);
        if (projectName == null) {
            throw new PgException("22004", "project_name must not be NULL", null);
        }
        TabularCatalog catalog = new TabularCatalog(session.backend());
        TabularCatalog.Project project = catalog.project(projectName);
        Task task = task(project, projectName, a.get(1));
        double testSize = Double.parseDouble(a.get(9));
        String sampling = a.get(10);
        PreprocessSpec preprocess = guard(() -> PreprocessSpec.parse(a.get(14)));
        boolean materialize = isTrue(a.get(13));
        TabularSnapshots snapshots = new TabularSnapshots(session);
        TabularSnapshots.Snapshot snapshot;
        if (a.get(2) == null) {
            snapshot = project == null ? null : snapshots.last(project.id());
            if (snapshot == null) {
                throw new PgException("22023", "relation_name is required: project \"" + projectName + "\" has no snapshot yet", null);
            }
            if (labelArgument != null && !labelArgument.equals(snapshot.labels())) {
                throw new PgException("22023", "y_column_name differs from the last snapshot's " + snapshot.labels(),
                        "Pass relation_name as well to train on a new snapshot.");
            }
        } else {
            if (task.supervised() && (labelArgument == null || labelArgument.isEmpty())) {
                throw new PgException("22023", "y_column_name is required for " + task.pgName(), "Name the label column.");
            }
            snapshot = snapshots.create(a.get(2), task.supervised() ? labelArgument : null, testSize, sampling, materialize);
        }
        if (snapshot.labels() != null && snapshot.labels().size() > 1 && task != Task.REGRESSION) {
            throw new PgException("22023", "several y columns " + snapshot.labels() + " need a regression project, not " + task.pgName(),
                    "Joint training predicts several numeric targets: use task => 'regression'.");
        }
        String algorithm = "linear".equals(a.get(4)) && task == Task.CLUSTERING ? "kmeans"
                : "linear".equals(a.get(4)) && task == Task.DECOMPOSITION ? "pca" : a.get(4);
        Map<String, Object> hyperparams = new LinkedHashMap<>(EmbedCalls.kwargs(a.get(5)));
        Object engineName = hyperparams.remove("engine");
        // another engine reads the relation itself; it and the session read the live table (a snapshot
        // materialized in this transaction is not visible to the job), in ctid order
        String relation = a.get(2) != null && snapshot.materialized() ? snapshot.table() : snapshot.readFrom();
        TrainingEngine engine = engineName == null ? automaticEngine(session, task, algorithm, a.get(6), preprocess, snapshot, relation)
                : "sidecar".equals(engineName) || "local".equals(engineName) ? null : engines.get(engineName.toString());
        if (engine == null) {
            return trainHere(session, a, projectName, catalog, project, task, preprocess, snapshot, algorithm, hyperparams, null);
        }
        try (EngineTraining remote = EngineTraining.start(engine, session, task,
                guard(() -> io.pgmlsidecar.ml.tabular.algorithms.Algorithms.normalize(task, algorithm)), a.get(6), preprocess,
                relation, snapshot.labels())) {
            return trainHere(session, a, projectName, catalog, project, task, preprocess, snapshot, algorithm, hyperparams, remote);
        }
    }

    /**
     * The engine that takes a training naming none: only what it can train (xgboost classification / regression on one
     * label, no search, no preprocess), over a relation PostgreSQL estimates at its threshold or more rows.
     */
    private TrainingEngine automaticEngine(SessionContext session, Task task, String algorithm, String search, PreprocessSpec preprocess,
                                           TabularSnapshots.Snapshot snapshot, String relation) {
        if (!engines.hasAutomatic() || (task != Task.CLASSIFICATION && task != Task.REGRESSION) || search != null
                || !preprocess.columns().isEmpty() || snapshot.labels() == null || snapshot.labels().size() != 1
                || !"xgboost".equals(guard(() -> io.pgmlsidecar.ml.tabular.algorithms.Algorithms.normalize(task, algorithm)))) {
            return null;
        }
        List<String[]> estimate = BackendSteps.query(session.backend(),
                "SELECT reltuples::int8 FROM pg_class WHERE oid = $1::regclass AND relkind IN ('r', 'm')", relation);
        long rows = estimate.isEmpty() || estimate.get(0)[0] == null ? -1 : Long.parseLong(estimate.get(0)[0]);
        TrainingEngine engine = rows < 0 ? null : engines.automaticFor(rows).orElse(null);
        if (engine != null) {
            notice(session, "Training on " + engine.name() + ": " + relation + " has about " + rows + " rows (the "
                    + engine.name() + " engine takes trainings from " + engine.automaticAboveRows() + " rows)");
        }
        return engine;
    }

    private List<String[]> trainHere(SessionContext session, List<String> a, String projectName, TabularCatalog catalog,
                                     TabularCatalog.Project project, Task task, PreprocessSpec preprocess,
                                     TabularSnapshots.Snapshot snapshot, String algorithm, Map<String, Object> hyperparams,
                                     EngineTraining remote) {
        RelationReader.Relation data = remote != null ? guard(() -> remote.read(session, snapshot.labels()))
                : guard(() -> RelationReader.read(session, snapshot.readFrom(), snapshot.labels()));
        TrainRequest base = guard(() -> TrainRequest.builder(task).algorithm(algorithm)
                .hyperparams(hyperparams).search(a.get(6)).searchParams(searchParams(a.get(7)))
                .searchArgs(EmbedCalls.kwargs(a.get(8))).testSize(snapshot.testSize()).testSampling(TestSampling.parse(snapshot.sampling()))
                .preprocess(preprocess).build());
        Split split = guard(() -> TabularTrainer.splitFor(data.dataset(), base));
        TrainRequest request = remote == null ? base : base.withExternalXgboost(remote.boosterFit(data.dataset(), task, split));
        notice(session, "Training Model { task: " + task.pgName() + ", algorithm: " + algorithm
                + (remote == null ? "" : ", engine: " + remote.engineName()) + " }");
        BackgroundFit<TrainedModel> fit = BackgroundFit.start(session, progress -> guard(() -> {
            TrainResult trained = TabularTrainer.train(data.dataset(), request, progress);
            return new TrainedModel(trained, trained.model().toBytes());
        }));
        // while the fit runs: the snapshot's statistics, the project row and the deployed model's
        // metrics, none of which depend on it
        boolean automaticDeploy = isTrue(a.get(12));
        TabularCatalog.Project p;
        String deployedMetrics;
        try {
            if (a.get(2) != null) {
                new TabularSnapshots(session).describe(snapshot, data, split, preprocess);
            }
            p = project != null ? project : catalog.createProject(projectName, task.pgName());
            deployedMetrics = automaticDeploy && project != null ? catalog.deployedMetrics(p.id()) : null;
        } catch (RuntimeException e) {
            fit.abandon();
            throw e;
        }
        TrainedModel trained = fit.await();
        TrainResult result = trained.result();
        // the notice, as PostgresML's, shows the scores; the stored test-split pairs (up to 1,000) stay in the registry
        Map<String, Object> shown = new java.util.LinkedHashMap<>(result.metrics());
        shown.remove("test_predictions");
        notice(session, "Metrics: " + json(shown));

        boolean deploy = automaticDeploy
                && TabularTrainer.shouldDeploy(task, deployedMetrics == null ? null : EmbedCalls.kwargs(deployedMetrics), result.metrics());
        long modelId = catalog.recordModel(p.id(), snapshot.id(), result.model().numFeatures(), result.algorithm(),
                json(result.hyperparams()), json(result.metrics()), a.get(6), a.get(7), a.get(8), trained.bytes(), deploy);
        result.model().storedAs(trained.bytes().length);
        models.put(modelId, result.model());
        return List.<String[]>of(new String[] {projectName, task.pgName(), result.algorithm(), deploy ? "t" : "f"});
    }

    private record TrainedModel(TrainResult result, byte[] bytes) {}


    /** snapshot(relation_name, y_column_name, test_size, test_sampling, preprocess) → (relation, y_column_name); always materialized. */
    public List<String[]> snapshot(SessionContext session, List<String> a) {
        if (a.get(0) == null || a.get(1) == null) {
            return List.of(); // STRICT
        }
        double testSize = Double.parseDouble(a.get(2));
        PreprocessSpec preprocess = guard(() -> PreprocessSpec.parse(a.get(4)));
        TabularSnapshots snapshots = new TabularSnapshots(session);
        TabularSnapshots.Snapshot snapshot = snapshots.create(a.get(0), List.of(a.get(1)), testSize, a.get(3), true);
        RelationReader.Relation data = guard(() -> RelationReader.read(session, snapshot.readFrom(), snapshot.labels()));
        TrainRequest request = guard(() -> TrainRequest.builder(Task.REGRESSION).testSize(testSize)
                .testSampling(TestSampling.parse(a.get(3))).preprocess(preprocess).build());
        snapshots.describe(snapshot, data, TabularTrainer.splitFor(data.dataset(), request), preprocess);
        return List.<String[]>of(new String[] {a.get(0), a.get(1)});
    }

    private static Task task(TabularCatalog.Project project, String projectName, String taskName) {
        if (project == null) {
            if (taskName == null) {
                throw new PgException("22023", "project \"" + projectName + "\" does not exist and no task was given",
                        "Pass task => 'classification' (or regression, clustering, decomposition) the first time you train a project.");
            }
            return guard(() -> Task.parse(taskName));
        }
        Task task = guard(() -> Task.parse(project.task()));
        if (taskName != null && guard(() -> Task.parse(taskName)) != task) {
            throw new PgException("22023", "project \"" + projectName + "\" has task " + project.task() + ", not " + taskName,
                    "Train under a new project name for another task.");
        }
        return task;
    }

    private static boolean isTrue(String bool) {
        return "t".equals(bool) || "true".equalsIgnoreCase(bool);
    }

    /** deploy(model_id) or deploy(project_name, strategy, algorithm) → (project, strategy, algorithm). */
    public List<String[]> deploy(SessionContext session, List<String> a) {
        TabularCatalog catalog = new TabularCatalog(session.backend());
        String first = a.get(0);
        if (a.get(1) == null && first != null && first.matches("\\d+")) {
            TabularCatalog.DeployedModel m = catalog.model(Long.parseLong(first));
            if (m == null) {
                throw new PgException("42704", "model " + first + " does not exist", null);
            }
            catalog.deploy(m.projectId(), m.modelId(), "specific");
            return List.<String[]>of(new String[] {m.projectName(), "specific", m.algorithm()});
        }
        TabularCatalog.Project project = catalog.project(first);
        if (project == null) {
            throw new PgException("42704", "Project named `" + first + "` does not exist.", null);
        }
        String strategy = a.get(1) == null ? "best_score" : a.get(1);
        Long modelId = catalog.candidate(project.id(), strategy, a.get(2), targetMetric(project.task()));
        if (modelId == null) {
            throw new PgException("P0002", "No qualified models exist for this deployment.",
                    "Train a model first" + (a.get(2) == null ? "." : " with algorithm " + a.get(2) + "."));
        }
        catalog.deploy(project.id(), modelId, strategy);
        TabularCatalog.DeployedModel m = catalog.model(modelId);
        return List.<String[]>of(new String[] {project.name(), strategy, m.algorithm()});
    }

    /** The metric best_score ranks by: the tabular task's, or that of a tuned task (PostgresML's table). */
    private static String targetMetric(String pgTask) {
        return switch (pgTask) {
            case "text_classification", "text_pair_classification", "question_answering" -> "f1";
            case "summarization" -> "rouge_ngram_f1";
            case "text_generation", "text2text" -> "perplexity";
            case "translation" -> "blue";
            case "conversation" -> "bleu";
            default -> guard(() -> Task.parse(pgTask)).targetMetric();
        };
    }

    private static Map<String, List<Object>> searchParams(String json) {
        Map<String, List<Object>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : EmbedCalls.kwargs(json).entrySet()) {
            out.put(e.getKey(), e.getValue() instanceof List<?> l ? new ArrayList<>(l) : List.of(e.getValue()));
        }
        return out;
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

    /** Runs engine code, turning its errors into PostgreSQL errors with the engine's message and hint. */
    static <T> T guard(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (io.pgmlsidecar.ml.tabular.TrainingCancelledException e) {
            throw new PgException("57014", "canceling statement due to user request", null);
        } catch (io.pgmlsidecar.ml.tabular.TabularException e) {
            throw new PgException(PgError.error("22023", e.getMessage(), e.hint()));
        } catch (MlException | IllegalArgumentException e) {
            throw new PgException(PgError.error("38000", e.getMessage(), null));
        }
    }
}
