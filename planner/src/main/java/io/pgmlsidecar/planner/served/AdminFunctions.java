package io.pgmlsidecar.planner.served;

import io.pgmlsidecar.ml.RuntimeLibraries;
import io.pgmlsidecar.planner.SidecarVersion;
import io.pgmlsidecar.planner.functions.CallFunctions;
import io.pgmlsidecar.planner.functions.EmbeddingModels;
import io.pgmlsidecar.planner.functions.FunctionRegistry;
import io.pgmlsidecar.planner.tabular.ModelStore;
import io.pgmlsidecar.planner.values.PgTypes;
import io.pgmlsidecar.planner.values.ResultValues;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;
import java.util.stream.Collectors;

/**
 * PostgresML's introspection and housekeeping functions. The sidecar runs no Python, so the
 * Python ones answer about the Java libraries that stand in for the Python packages.
 */
final class AdminFunctions {
    private AdminFunctions() {}

    static void register(EmbeddingModels embeddings, io.pgmlsidecar.ml.transformers.TransformService transforms, ModelStore trained, AloneForms alone, CallFunctions rowWise) {
        Registrar r = new Registrar(alone, rowWise);
        r.scalar(FunctionRegistry.VERSION, PgTypes.TEXT, false, (s, a) -> SidecarVersion.get());
        r.scalar(FunctionRegistry.PYTHON_VERSION, PgTypes.TEXT, false,
                (s, a) -> "none: pgml-sidecar runs no Python (Java " + Runtime.version() + ")");
        r.scalar(FunctionRegistry.PYTHON_PACKAGE_VERSION, PgTypes.TEXT, false, (s, a) -> {
            if (a.get(0) == null) {
                return null;
            }
            return RuntimeLibraries.forPythonPackage(a.get(0)).map(RuntimeLibraries.Library::version)
                    .orElseThrow(() -> new PgException(PgError.error("42704", "package \"" + a.get(0) + "\" is not part of pgml-sidecar's runtime",
                            "pgml-sidecar runs no Python; its runtime libraries are: " + freeze().stream().collect(Collectors.joining(", "))
                                    + ". SELECT * FROM pgml.python_pip_freeze() lists them.")));
        });
        alone.add(FunctionRegistry.PYTHON_PIP_FREEZE, AloneForms.setOf(PgTypes.TEXT, false, (s, a) -> freeze()));
        r.scalar(FunctionRegistry.XGBOOST_VERSION, PgTypes.TEXT, false,
                (s, a) -> RuntimeLibraries.forPythonPackage("xgboost").map(RuntimeLibraries.Library::version).orElse(null));
        r.scalar(FunctionRegistry.ACTIVATE_VENV, PgTypes.BOOL, false, (s, a) -> {
            warn(s, "pgml-sidecar runs no Python, so there is no virtual environment to activate",
                    "Models run on ONNX Runtime, XGBoost4J and Java libraries; pgml.python_pip_freeze() lists them.");
            return false;
        });
        r.scalar(FunctionRegistry.VALIDATE_PYTHON_DEPENDENCIES, PgTypes.BOOL, false,
                (s, a) -> RuntimeLibraries.forPythonPackage("onnxruntime").isPresent()
                        && RuntimeLibraries.forPythonPackage("xgboost").isPresent());
        // nothing needs to be preloaded into PostgreSQL: the sidecar is outside the server
        r.scalar(FunctionRegistry.VALIDATE_SHARED_LIBRARY, ResultValues.VOID, false, (s, a) -> "");
        r.scalar(FunctionRegistry.CLEAR_GPU_CACHE, PgTypes.BOOL, false, (s, a) -> {
            int released = embeddings.releaseAll();
            if (transforms != null) {
                released += transforms.clearCache();
            }
            trained.clear();
            notice(s, "released " + released + " loaded transformer model(s) and the cached tabular models");
            return true;
        });
    }

    /** Scalars answer alone and, with constant arguments, anywhere in a statement (spliced as literals). */
    private record Registrar(AloneForms alone, CallFunctions rowWise) {
        void scalar(io.pgmlsidecar.planner.functions.ApiFunction f, int typeOid, boolean usesBackendSteps, AloneForms.Scalar fn) {
            alone.add(f, AloneForms.scalar(typeOid, usesBackendSteps, fn));
            rowWise.add(f, typeOid, AloneForms.rowWise(fn));
        }
    }

    private static List<String> freeze() {
        return RuntimeLibraries.all().stream().map(RuntimeLibraries.Library::freezeLine).toList();
    }

    private static void warn(SessionContext s, String message, String hint) {
        s.client().notice(new PgError("WARNING", "01000", message, null, hint, 0));
    }

    private static void notice(SessionContext s, String message) {
        s.client().notice(new PgError("NOTICE", "00000", message, null, null, 0));
    }
}
